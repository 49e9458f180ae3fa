"""Shared pieces of the claim services: inputs, spans and evidence, versions,
the ledger and the change feed (the field checks are ``checks.py``'s)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import F

from sources.anchoring import AnchorError, anchor
from sources.models import Source, set_history_context
from sources.review import is_reviewer

from .. import notify
from ..models import (
    Claim,
    ClaimEvent,
    ClaimRelation,
    DatePrecision,
    EventKind,
    Evidence,
    Review,
    Span,
    SpanRole,
    Speaker,
    Stance,
    StatusChange,
)
from ..models.choices import stored_dates
from ..models.claim import claim_state
from ..search import refresh_search_document
from .checks import (
    optional_text,
    parse_date,
    prefixed,
    require_choice,
    save_instance,
    validate_instance,
)


@dataclass(frozen=True)
class SpanInput:
    """A span as a caller gives it: its place (start, end), its words (exact,
    with prefix and suffix to tell repeated words apart), or both; what is
    given is checked against the text (``sources.anchoring.anchor``)."""

    source: Source | int
    start: int | None = None
    end: int | None = None
    role: str = SpanRole.CONTENT
    exact: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    # An appearance's own facts (content spans only): when and by whom the
    # claim was said in this source, if not as the claim gives it.
    stated_on: datetime.date | str | None = None
    stated_on_precision: str = ""
    speaker: Speaker | int | None = None
    speaker_title: str = ""

    @property
    def has_appearance_facts(self) -> bool:
        return any(
            value not in (None, "")
            for value in (
                self.stated_on,
                self.stated_on_precision,
                self.speaker,
                self.speaker_title,
            )
        )


@dataclass(frozen=True)
class EvidenceInput:
    """Evidence as a caller gives it: a source, a stance, and optionally the
    cited words, given as a span is (:class:`SpanInput`); none of start, end
    and exact cites the whole source."""

    source: Source | int
    stance: str
    start: int | None = None
    end: int | None = None
    exact: str | None = None
    note: str = ""
    prefix: str | None = None
    suffix: str | None = None
    # Set when the words are a cited relation's (services.relations).
    relation: ClaimRelation | None = None

    @property
    def cites_words(self) -> bool:
        return any(
            value not in (None, "")
            for value in (self.start, self.end, self.exact, self.prefix, self.suffix)
        )


def get_system_user(username: str | None = None):
    """The account automatic changes are recorded under (it cannot log in)."""
    username = username or settings.CLAIMTRACK_SYSTEM_USERNAME
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def resolve_source(source: Source | int, field: str) -> Source:
    if isinstance(source, Source):
        return source
    try:
        return Source.objects.get(pk=source)
    except (Source.DoesNotExist, ValueError, TypeError):
        raise ValidationError(
            {field: f"there is no source with id {source!r}."}
        ) from None


def anchor_item(source: Source, item: SpanInput | EvidenceInput, *, prefix: str):
    for field in ("exact", "prefix", "suffix"):
        value = getattr(item, field)
        if value is not None and not isinstance(value, str):
            raise ValidationError({f"{prefix}.{field}": "must be a string."})
    try:
        return anchor(
            source.text,
            start=item.start,
            end=item.end,
            exact=item.exact,
            prefix=item.prefix,
            suffix=item.suffix,
        )
    except AnchorError as error:
        raise ValidationError(
            {f"{prefix}.{error.field}": ValidationError(error.message, code=error.code)}
        ) from None


def normalize_fields(claim: Claim) -> None:
    """Check the types of what callers pass and store dates at their period's edge.

    Month/year precision dates are stored as their period's first (stated) or
    last (due) day. Wrong types become field errors, never a crash.
    """
    for field in (
        "speaker_title",
        "due_text",
        "stated_on_precision",
        "due_on_precision",
    ):
        value = getattr(claim, field)
        if value is None:
            setattr(claim, field, "")
        elif not isinstance(value, str):
            raise ValidationError({field: "must be a string."})
        else:
            setattr(claim, field, value.strip())
    for field in ("stated_on", "due_on"):
        setattr(claim, field, parse_date(getattr(claim, field), field))
    claim.stated_on, claim.due_on = stored_dates(
        claim.stated_on, claim.stated_on_precision, claim.due_on, claim.due_on_precision
    )


def check_speaker(
    speaker: Speaker | None, merged: dict[int, int] | None = None
) -> None:
    """Refuse anything but a stored speaker that was not merged away;
    ``merged`` is :func:`merged_speakers` of it, if read already."""
    if speaker is None:
        return
    if not isinstance(speaker, Speaker) or speaker.pk is None:
        raise ValidationError({"speaker": "must be a stored speaker (or none)."})
    if merged is None:
        merged = merged_speakers([speaker.pk])
    if (merged_into := merged.get(speaker.pk)) is not None:
        raise ValidationError(
            {"speaker": f"{speaker} was merged into speaker {merged_into}."}
        )


def merged_speakers(ids) -> dict[int, int]:
    """Of the speakers ``ids``, those merged into another, as the database has
    them now (a caller's copy may predate a merge): id → the other's id."""
    rows = Speaker.objects.filter(pk__in=ids, merged_into__isnull=False)
    return {
        pk: merged for pk, merged in rows.values_list("pk", "merged_into") if merged
    }


def stale_version(pk: int, expected_version) -> ValidationError:
    current = Claim.objects.filter(pk=pk).values_list("version", flat=True).first()
    return ValidationError(
        {
            "version": (
                f"is stale: you sent version {expected_version} but the claim "
                f"is now at version {current}; reload it and try again."
            )
        }
    )


def check_version(expected_version) -> None:
    if expected_version is not None and (
        isinstance(expected_version, bool) or not isinstance(expected_version, int)
    ):
        raise ValidationError({"version": "must be an integer."})


def bump_version(claim: Claim, expected_version: int | None) -> Claim:
    """Take the claim's row for this transaction, increase its version, re-read it.

    A conditional UPDATE rather than SELECT … FOR UPDATE so that it works alike on
    SQLite and PostgreSQL; on PostgreSQL the UPDATE also holds the row lock, so a
    concurrent writer with the same expected version waits and then fails here.
    Returns a fresh instance: the caller's copy is left as it was, so a refused
    change leaves nothing stale in the caller's hands either.
    """
    check_version(expected_version)
    rows = Claim.objects.filter(pk=claim.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if rows.update(version=F("version") + 1) == 0:
        raise stale_version(claim.pk, expected_version)
    return Claim.objects.select_related("speaker").get(pk=claim.pk)


def save_claim(
    claim: Claim,
    *,
    by: User,
    reason: str,
    event: EventKind | None,
    internal: bool = False,
) -> None:
    """Save the claim with its history entry and, unless ``event`` is None, its
    change-feed event (see :func:`record_change`)."""
    set_history_context(claim, by=by, reason=reason[:100])
    save_instance(claim)
    if event is not None:
        record_change(claim, by=by, reason=reason, event=event, internal=internal)


def record_change(
    claim: Claim, *, by: User, reason: str, event: EventKind, internal: bool = False
) -> None:
    """The change-feed event of a change, and the claim's fresh search document.

    ``internal``: the event is for reviewers (and the item's author) only, as
    a proposed addition and a decision on one other than acceptance are."""
    change_event(claim, by=by, reason=reason, event=event, internal=internal).save()
    refresh_search_document(claim.pk)
    notify.changed()


def change_event(
    claim: Claim, *, by: User, reason: str, event: EventKind, internal: bool = False
) -> ClaimEvent:
    """The change-feed event of a change, not saved yet."""
    return ClaimEvent(
        claim=claim,
        kind=event,
        version=claim.version,
        state=claim_state(claim),
        detail=reason[:300],
        actor=by,
        internal=internal,
    )


def initial_review(claim: Claim, by: User) -> str:
    """What a new span or evidence item starts as: accepted when a reviewer
    adds it, or when its claim is not public yet (it is reviewed with the
    claim); otherwise proposed, invisible to readers until a reviewer accepts it."""
    if claim.review != Review.ACCEPTED or is_reviewer(by):
        return Review.ACCEPTED
    return Review.PROPOSED


def record_status(
    claim: Claim, *, to_status: str, rationale: str, by: User
) -> StatusChange:
    entry = StatusChange(
        claim=claim,
        from_status=claim.status,
        to_status=to_status,
        rationale=rationale,
        claim_version=claim.version,
        changed_by=by,
    )
    validate_instance(entry)
    save_instance(entry)
    claim.status = to_status
    return entry


def create_span(claim: Claim, span: SpanInput, *, by: User, prefix: str) -> Span:
    row = build_span(claim, span, by=by, prefix=prefix)
    save_instance(row, prefix=prefix)
    return row


def build_span(claim: Claim, span: SpanInput, *, by: User, prefix: str) -> Span:
    """``span`` of ``claim`` as a row, anchored and checked, not saved yet
    (the claim may not be either)."""
    source = resolve_source(span.source, f"{prefix}.source")
    if not source.has_text:
        raise ValidationError(
            {
                f"{prefix}.source": f"source {source.pk} has no text, so it cannot carry spans."
            }
        )
    require_choice(span.role, SpanRole, f"{prefix}.role")
    selector = anchor_item(source, span, prefix=prefix)
    row = Span(
        claim=claim,
        review=initial_review(claim, by),
        # The version of the event this change records (verify_provenance).
        claim_version=claim.version,
        source=source,
        role=span.role,
        start=selector.start,
        end=selector.end,
        exact=selector.exact,
        prefix=selector.prefix,
        suffix=selector.suffix,
        created_by=by,
        **appearance_facts(span, prefix=prefix),
    )
    validate_instance(row, prefix=prefix, new_parent="" if claim.pk else "claim")
    return row


def appearance_facts(span: SpanInput, *, prefix: str) -> dict:
    """The appearance's own date and speaker as the span gives them, checked:
    a content span's only, a date with its precision (stored at its period's
    start, as a claim's), a stored speaker."""
    if not span.has_appearance_facts:
        return {}
    if span.role != SpanRole.CONTENT:
        raise ValidationError(
            {
                f"{prefix}.role": "only an appearance (a content span) has its own "
                "date and speaker."
            }
        )
    stated_on = parse_date(span.stated_on, f"{prefix}.stated_on")
    precision = optional_text(span.stated_on_precision, f"{prefix}.stated_on_precision")
    if (stated_on is None) != (precision == ""):
        raise ValidationError(
            {
                f"{prefix}.stated_on_precision": "give stated_on and its precision "
                "(day, month or year) together."
            }
        )
    if precision:
        require_choice(precision, DatePrecision, f"{prefix}.stated_on_precision")
    speaker = span.speaker
    if isinstance(speaker, int) and not isinstance(speaker, bool):
        speaker = Speaker.objects.filter(pk=speaker).first()
        if speaker is None:
            raise ValidationError(
                {f"{prefix}.speaker": f"there is no speaker with id {span.speaker}."}
            )
    try:
        check_speaker(speaker)  # type: ignore[arg-type]  # checks a bool too
    except ValidationError as error:
        raise prefixed(error, prefix) from None
    return {
        "stated_on": stored_dates(stated_on, precision, None, "")[0],
        "stated_on_precision": precision,
        "speaker": speaker,
        "speaker_title": optional_text(span.speaker_title, f"{prefix}.speaker_title"),
    }


def date_first_appearance(claim: Claim, span: Span) -> None:
    """A claim's ``stated_on`` is its first appearance's: a public appearance
    whose whole period lies before it moves it earlier (the caller saves the
    claim). "April 2025" is not before 7 April 2025: it is stored as 1 April,
    but may be the same day."""
    if (
        span.role == SpanRole.CONTENT
        and span.is_public
        and span.stated_on is not None
        and (
            claim.stated_on is None
            or DatePrecision(span.stated_on_precision).period_end(span.stated_on)
            < claim.stated_on
        )
    ):
        claim.stated_on = span.stated_on
        claim.stated_on_precision = span.stated_on_precision


def create_evidence(
    claim: Claim, item: EvidenceInput, *, by: User, prefix: str, status_change=None
) -> Evidence:
    source = resolve_source(item.source, f"{prefix}.source")
    require_choice(item.stance, Stance, f"{prefix}.stance")
    row = Evidence(
        claim=claim,
        # Evidence given with a status change is part of that reviewed act.
        review=Review.ACCEPTED
        if status_change is not None
        else initial_review(claim, by),
        status_change=status_change,
        claim_version=claim.version,
        source=source,
        stance=item.stance,
        note=optional_text(item.note, f"{prefix}.note"),
        relation=item.relation,
        created_by=by,
    )
    if item.cites_words:
        selector = anchor_item(source, item, prefix=prefix)
        row.start, row.end, row.exact = selector.start, selector.end, selector.exact
        row.prefix, row.suffix = selector.prefix, selector.suffix
    validate_instance(row, prefix=prefix)
    save_instance(row, prefix=prefix)
    return row
