"""Proposing new claims: one, or many in one transaction.

``propose_claim`` is ``propose_many`` of one draft. ``propose_many`` checks
every draft first, in Python (a refused draft comes back as its
ValidationError, naming the field, and the others go on), then writes the
rest with one INSERT a table rather than one a row: written row by row, an
article's proposals cost about 27 queries each (docs/SOURCES.md,
"Throughput"). The database's check constraints and triggers still judge every
row; if it refuses one, the batch is undone and each draft written on its
own, so that the refusal names its draft.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from .. import notify
from ..models import (
    Attribution,
    Claim,
    ClaimEvent,
    ClaimKind,
    EventKind,
    Review,
    Span,
    SpanRole,
    Speaker,
    StatusChange,
)
from ..models.claim import INITIAL_STATUS
from ..search import refresh_search_documents
from .base import (
    SpanInput,
    build_span,
    change_event,
    check_speaker,
    merged_speakers,
    normalize_fields,
)
from .checks import (
    optional_text,
    refused_by_database,
    require_choice,
    required_text,
    validate_instance,
)
from .claims import spans_limit_message
from .repeats import find_new_repeats


@dataclass(frozen=True)
class ClaimDraft:
    """A new claim as a caller gives it: its fields and the spans it rests on."""

    text: str
    kind: str
    attribution: str
    spans: Sequence[SpanInput]
    speaker: Speaker | None = None
    speaker_title: str = ""
    stated_on: datetime.date | str | None = None
    stated_on_precision: str = ""
    due_on: datetime.date | str | None = None
    due_on_precision: str = ""
    due_text: str = ""
    note: str = "Proposed."


@dataclass
class _Rows:
    """A checked draft's rows, not saved yet."""

    claim: Claim
    spans: list[Span]
    note: str


def propose_claim(*, by: User, **fields) -> Claim:
    """Record a new ``proposed`` claim (``ClaimDraft``'s fields) with its
    spans, its first ledger entry and its change-feed event."""
    (result,) = propose_many([ClaimDraft(**fields)], by=by)
    if isinstance(result, ValidationError):
        raise result
    return result


@transaction.atomic
def propose_many(
    drafts: Sequence[ClaimDraft], *, by: User, repeats: bool = True
) -> list[Claim | ValidationError]:
    """Propose each draft; for each, the new claim or why it was refused.
    ``repeats``: find their repeat candidates now (else the caller queues
    ``find_repeats_later``)."""
    merged = merged_speakers(
        {d.speaker.pk for d in drafts if isinstance(d.speaker, Speaker)}
    )
    checked = [_checked(draft, by, merged) for draft in drafts]
    rows = [item for item in checked if isinstance(item, _Rows)]
    try:
        with transaction.atomic():
            _write(rows, by, repeats)
    except IntegrityError as error:
        if len(drafts) == 1:
            (item,) = rows
            if refused := refused_by_database(
                error,
                (item.claim, ""),
                *((span, f"spans.{n}") for n, span in enumerate(item.spans)),
            ):
                raise refused from None
            raise
        return [_alone(draft, by, repeats) for draft in drafts]
    return [item.claim if isinstance(item, _Rows) else item for item in checked]


def _alone(draft: ClaimDraft, by: User, repeats: bool) -> Claim | ValidationError:
    try:
        with transaction.atomic():
            (result,) = propose_many([draft], by=by, repeats=repeats)
    except ValidationError as error:
        return error
    return result


def _checked(
    draft: ClaimDraft, by: User, merged: dict[int, int]
) -> _Rows | ValidationError:
    try:
        return _rows(draft, by, merged)
    except ValidationError as error:
        return error


def _rows(draft: ClaimDraft, by: User, merged: dict[int, int]) -> _Rows:
    text = required_text(draft.text, "text")
    note = optional_text(draft.note, "note") or "Proposed."
    spans = draft.spans
    if not isinstance(spans, list | tuple) or not all(
        isinstance(span, SpanInput) for span in spans
    ):
        raise ValidationError({"spans": "must be a list of spans."})
    require_choice(draft.kind, ClaimKind, "kind")
    require_choice(draft.attribution, Attribution, "attribution")
    if not any(span.role == SpanRole.CONTENT for span in spans):
        raise ValidationError(
            {"spans": "a claim needs at least one content span (the claimed words)."}
        )
    if len(spans) > settings.CLAIMTRACK_MAX_SPANS_PER_CLAIM:
        raise ValidationError({"spans": spans_limit_message()})
    check_speaker(draft.speaker, merged)
    claim = Claim(
        text=text,
        speaker=draft.speaker,
        speaker_title=draft.speaker_title,
        attribution=draft.attribution,
        kind=draft.kind,
        stated_on=draft.stated_on,
        stated_on_precision=draft.stated_on_precision,
        due_on=draft.due_on,
        due_on_precision=draft.due_on_precision,
        due_text=draft.due_text,
        status=INITIAL_STATUS[ClaimKind(draft.kind)],
        review=Review.PROPOSED,
        created_by=by,
    )
    normalize_fields(claim)
    validate_instance(claim)
    rows, places = [], set()
    for index, span in enumerate(spans):
        prefix = f"spans.{index}"
        row = build_span(claim, span, by=by, prefix=prefix)
        place = (row.source_id, row.role, row.start, row.end)
        if place in places:  # span_unique_per_claim, for a claim not saved yet
            raise ValidationError(
                {f"{prefix}.{NON_FIELD_ERRORS}": "the claim has this span already."}
            )
        places.add(place)
        rows.append(row)
    return _Rows(claim=claim, spans=rows, note=note)


def _write(rows: list[_Rows], by: User, repeats: bool) -> None:
    """The rows, one INSERT a table; then, with ``repeats``, each claim's
    repeat candidates."""
    if not rows:
        return
    claims = [item.claim for item in rows]
    bulk_create_with_history(
        claims, Claim, default_user=by, default_change_reason="proposed"
    )
    for item in rows:
        for span in item.spans:
            span.claim = item.claim  # sets the id it now has
    Span.objects.bulk_create([span for item in rows for span in item.spans])
    StatusChange.objects.bulk_create(
        StatusChange(
            claim=item.claim,
            from_status="",
            to_status=item.claim.status,
            rationale=item.note,
            claim_version=item.claim.version,
            changed_by=by,
        )
        for item in rows
    )
    # Recorded after the spans, so that the search documents include them.
    ClaimEvent.objects.bulk_create(
        change_event(claim, by=by, reason="proposed", event=EventKind.CREATED)
        for claim in claims
    )
    refresh_search_documents([claim.pk for claim in claims])
    notify.changed()
    if repeats:
        find_new_repeats(claims)
