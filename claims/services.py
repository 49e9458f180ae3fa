"""Writes to claims: the one home of their rules.

Every function here is keyword-only, runs in one transaction and raises a
``ValidationError`` whose keys name the offending field (``spans[1].exact``,
``version``, ``rationale``); when it raises, nothing has been written. The admin,
the API, the management commands and the tests all call these functions.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from sources.anchoring import AnchorError, select
from sources.models import Source

from .models import (
    Attribution,
    Claim,
    ClaimKind,
    DatePrecision,
    Evidence,
    Review,
    Span,
    SpanRole,
    Speaker,
    Stance,
    Status,
    StatusChange,
)
from .models.choices import KINDS_WITH_DEADLINE, VERDICTS
from .models.claim import INITIAL_STATUS, STATUSES_BY_KIND
from .transitions import move_problem

# The claim fields an edit may change; status, review and version have their own verbs.
EDITABLE_FIELDS = (
    "text",
    "speaker",
    "speaker_title",
    "attribution",
    "kind",
    "stated_on",
    "stated_on_precision",
    "due_on",
    "due_on_precision",
    "due_text",
)


@dataclass(frozen=True)
class SpanInput:
    """A span as a caller gives it: offsets, and optionally the words to check."""

    source: Source | int
    start: int
    end: int
    role: str = SpanRole.CONTENT
    exact: str | None = None


@dataclass(frozen=True)
class EvidenceInput:
    """Evidence as a caller gives it: a source, a stance, optionally a span."""

    source: Source | int
    stance: str
    start: int | None = None
    end: int | None = None
    exact: str | None = None
    note: str = ""


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


def _validate(instance: models.Model, *, prefix: str = "") -> None:
    """full_clean, with field errors before constraint errors, keys prefixed."""
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
        instance.validate_constraints()
    except ValidationError as error:
        if not prefix or not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {
                f"{prefix}.{field}": messages
                for field, messages in error.error_dict.items()
            }
        ) from None


def _required_text(value: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({field: "is required and must not be blank."})
    if "\x00" in value:
        raise ValidationError({field: "must not contain NUL characters."})
    return value.strip()


def _resolve_source(source: Source | int, field: str) -> Source:
    if isinstance(source, Source):
        return source
    try:
        return Source.objects.get(pk=source)
    except (Source.DoesNotExist, ValueError, TypeError):
        raise ValidationError(
            {field: f"there is no source with id {source!r}."}
        ) from None


def _anchor(source: Source, start, end, exact, *, prefix: str):
    try:
        return select(source.text, start, end, exact)
    except AnchorError as error:
        raise ValidationError({f"{prefix}.{error.field}": error.message}) from None


def _normalize_dates(claim: Claim) -> None:
    """Store month/year precision dates as their period's first (stated) or last (due) day."""
    if claim.stated_on and claim.stated_on_precision in DatePrecision.values:
        claim.stated_on = DatePrecision(claim.stated_on_precision).period_start(
            claim.stated_on
        )
    if claim.due_on and claim.due_on_precision in DatePrecision.values:
        claim.due_on = DatePrecision(claim.due_on_precision).period_end(claim.due_on)


def _check_speaker(speaker: Speaker | None) -> None:
    if speaker is None:
        return
    # Read it fresh: the caller's copy may predate a merge.
    merged_into = (
        Speaker.objects.filter(pk=speaker.pk)
        .values_list("merged_into", flat=True)
        .first()
    )
    if merged_into is not None:
        raise ValidationError(
            {"speaker": f"{speaker} was merged into speaker {merged_into}."}
        )


def _bump_version(claim: Claim, expected_version: int | None) -> Claim:
    """Take the claim's row for this transaction and increase its version.

    A conditional UPDATE rather than SELECT … FOR UPDATE so that it works alike on
    SQLite and PostgreSQL; on PostgreSQL the UPDATE also holds the row lock, so a
    concurrent writer with the same expected version waits and then fails here.
    """
    rows = Claim.objects.filter(pk=claim.pk)
    if expected_version is not None:
        if isinstance(expected_version, bool) or not isinstance(expected_version, int):
            raise ValidationError({"version": "must be an integer."})
        rows = rows.filter(version=expected_version)
    if rows.update(version=F("version") + 1) == 0:
        current = Claim.objects.filter(pk=claim.pk).values_list("version", flat=True)
        raise ValidationError(
            {
                "version": (
                    f"is stale: you changed version {expected_version} but the claim "
                    f"is now at version {current.first()}; reload it and try again."
                )
            }
        )
    claim.refresh_from_db()
    return claim


def _save_claim(claim: Claim, *, by, reason: str) -> None:
    claim._history_user = by
    claim._change_reason = reason[:100]
    claim.save()


def _record_status(claim: Claim, *, to_status: str, rationale: str, by) -> StatusChange:
    entry = StatusChange(
        claim=claim,
        from_status=claim.status,
        to_status=to_status,
        rationale=rationale,
        claim_version=claim.version,
        changed_by=by,
    )
    _validate(entry)
    entry.save()
    claim.status = to_status
    return entry


def _create_span(claim: Claim, span: SpanInput, *, by, prefix: str) -> Span:
    source = _resolve_source(span.source, f"{prefix}.source")
    if not source.has_text:
        raise ValidationError(
            {
                f"{prefix}.source": f"source {source.pk} has no text, so it cannot carry spans."
            }
        )
    if span.role not in SpanRole.values:
        raise ValidationError(
            {
                f"{prefix}.role": f"must be one of {', '.join(SpanRole.values)}, not {span.role!r}."
            }
        )
    selector = _anchor(source, span.start, span.end, span.exact, prefix=prefix)
    row = Span(
        claim=claim,
        source=source,
        role=span.role,
        start=selector.start,
        end=selector.end,
        exact=selector.exact,
        prefix=selector.prefix,
        suffix=selector.suffix,
        created_by=by,
    )
    _validate(row, prefix=prefix)
    row.save()
    return row


def _create_evidence(
    claim: Claim, item: EvidenceInput, *, by, prefix: str, status_change=None
) -> Evidence:
    source = _resolve_source(item.source, f"{prefix}.source")
    if item.stance not in Stance.values:
        raise ValidationError(
            {
                f"{prefix}.stance": f"must be one of {', '.join(Stance.values)}, not {item.stance!r}."
            }
        )
    row = Evidence(
        claim=claim,
        status_change=status_change,
        source=source,
        stance=item.stance,
        note=(item.note or "").strip(),
        created_by=by,
    )
    if item.start is not None or item.end is not None or item.exact:
        selector = _anchor(source, item.start, item.end, item.exact, prefix=prefix)
        row.start, row.end, row.exact = selector.start, selector.end, selector.exact
        row.prefix, row.suffix = selector.prefix, selector.suffix
    _validate(row, prefix=prefix)
    row.save()
    return row


@transaction.atomic
def find_or_create_speaker(
    *, name: str, by=None, kind: str = "person", aliases: Sequence[str] = ()
) -> Speaker:
    """The active speaker called ``name`` (case-insensitive), or a new one."""
    name = _required_text(name, "speaker.name")
    existing = Speaker.objects.active().filter(name__iexact=name).order_by("id").first()
    if existing is not None:
        return existing
    speaker = Speaker(name=name, kind=kind, aliases=list(aliases))
    _validate(speaker, prefix="speaker")
    speaker._history_user = by
    speaker.save()
    return speaker


@transaction.atomic
def propose_claim(
    *,
    text: str,
    kind: str,
    attribution: str,
    spans: Sequence[SpanInput],
    by,
    speaker: Speaker | None = None,
    speaker_title: str = "",
    stated_on: datetime.date | None = None,
    stated_on_precision: str = "",
    due_on: datetime.date | None = None,
    due_on_precision: str = "",
    due_text: str = "",
    note: str = "Proposed.",
) -> Claim:
    """Record a new ``proposed`` claim with its spans and its first ledger entry."""
    text = _required_text(text, "text")
    if kind not in ClaimKind.values:
        raise ValidationError(
            {"kind": f"must be one of {', '.join(ClaimKind.values)}, not {kind!r}."}
        )
    if attribution not in Attribution.values:
        raise ValidationError(
            {
                "attribution": f"must be one of {', '.join(Attribution.values)}, not {attribution!r}."
            }
        )
    if not any(span.role == SpanRole.CONTENT for span in spans):
        raise ValidationError(
            {"spans": "a claim needs at least one content span (the claimed words)."}
        )
    _check_speaker(speaker)
    claim = Claim(
        text=text,
        speaker=speaker,
        speaker_title=speaker_title.strip(),
        attribution=attribution,
        kind=kind,
        stated_on=stated_on,
        stated_on_precision=stated_on_precision,
        due_on=due_on,
        due_on_precision=due_on_precision,
        due_text=due_text.strip(),
        status=INITIAL_STATUS[ClaimKind(kind)],
        review=Review.PROPOSED,
        created_by=by,
    )
    _normalize_dates(claim)
    _validate(claim)
    _save_claim(claim, by=by, reason="proposed")
    for index, span in enumerate(spans):
        _create_span(claim, span, by=by, prefix=f"spans[{index}]")
    StatusChange.objects.create(
        claim=claim,
        from_status="",
        to_status=claim.status,
        rationale=note.strip() or "Proposed.",
        claim_version=claim.version,
        changed_by=by,
    )
    return claim


@transaction.atomic
def edit_claim(
    *, claim: Claim, expected_version: int, by, reason: str = "edited", **changes
) -> Claim:
    """Change a claim's editable fields; refused if ``expected_version`` is stale.

    A change of kind that its status does not fit is refused, except from the old
    kind's starting status, which moves to the new kind's starting status with a
    ledger entry (a fact proposed as ``unverified`` that turns out a prediction
    becomes ``pending``).
    """
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({field: "cannot be edited here." for field in unknown})
    if "text" in changes:
        changes["text"] = _required_text(changes["text"], "text")
    for field in ("kind", "attribution"):
        choices = ClaimKind.values if field == "kind" else Attribution.values
        if field in changes and changes[field] not in choices:
            raise ValidationError(
                {field: f"must be one of {', '.join(choices)}, not {changes[field]!r}."}
            )
    claim = _bump_version(claim, expected_version)
    old_kind = claim.kind
    for field, value in changes.items():
        setattr(claim, field, value)
    _check_speaker(claim.speaker)
    _normalize_dates(claim)
    new_kind = ClaimKind(claim.kind)
    if claim.status not in STATUSES_BY_KIND[new_kind]:
        if claim.status != INITIAL_STATUS[ClaimKind(old_kind)]:
            raise ValidationError(
                {
                    "kind": f"a {new_kind} cannot be {claim.status}; move the status "
                    "first, then change the kind."
                }
            )
        _record_status(
            claim,
            to_status=INITIAL_STATUS[new_kind],
            rationale=f"Kind changed from {old_kind} to {new_kind}.",
            by=by,
        )
    _validate(claim)
    _save_claim(claim, by=by, reason=reason.strip() or "edited")
    return claim


@transaction.atomic
def review_claim(
    *,
    claim: Claim,
    decision: str,
    by,
    note: str = "",
    expected_version: int | None = None,
) -> Claim:
    """Accept or reject a claim (``decision`` is ``accept`` or ``reject``).

    A rejection needs a note saying why. An accepted claim can later be rejected
    and a rejected one accepted; a claim is never reviewed into the state it is in.
    """
    targets = {"accept": Review.ACCEPTED, "reject": Review.REJECTED}
    if decision not in targets:
        raise ValidationError(
            {"decision": f"must be accept or reject, not {decision!r}."}
        )
    target = targets[decision]
    note = (note or "").strip()
    if target == Review.REJECTED and not note:
        raise ValidationError({"note": "a rejection needs a note saying why."})
    claim = _bump_version(claim, expected_version)
    if claim.review == target:
        raise ValidationError({"decision": f"the claim is already {target}."})
    claim.review = target
    claim.review_note = note
    claim.reviewed_by = by
    claim.reviewed_at = timezone.now()
    _save_claim(claim, by=by, reason=f"{target}: {note}" if note else str(target))
    return claim


@transaction.atomic
def change_status(
    *,
    claim: Claim,
    to_status: str,
    rationale: str,
    by,
    expected_version: int | None,
    evidence: Sequence[EvidenceInput] = (),
    by_sweep: bool = False,
    today: datetime.date | None = None,
) -> StatusChange:
    """Move a claim's status: one new ledger entry, with evidence for verdicts.

    ``expected_version`` is required from people (``None`` is only for the
    sweep's own re-checked moves); a stale one is refused.
    """
    rationale = _required_text(rationale, "rationale")
    if expected_version is None and not by_sweep:
        raise ValidationError({"version": "is required to change a status."})
    claim = _bump_version(claim, expected_version)
    problem = move_problem(claim.kind, claim.status, to_status, by_sweep=by_sweep)
    if problem:
        raise ValidationError({"status": problem})
    today = today or timezone.localdate()
    if to_status == Status.PENDING and claim.deadline and claim.deadline < today:
        raise ValidationError(
            {
                "status": f"the deadline ({claim.deadline}) has passed, so it cannot be pending."
            }
        )
    if to_status in VERDICTS and not evidence:
        raise ValidationError(
            {"evidence": f"a move to {to_status} needs at least one piece of evidence."}
        )
    entry = _record_status(claim, to_status=to_status, rationale=rationale, by=by)
    for index, item in enumerate(evidence):
        _create_evidence(
            claim, item, by=by, prefix=f"evidence[{index}]", status_change=entry
        )
    _save_claim(claim, by=by, reason=f"status {entry.from_status} → {to_status}")
    return entry


@transaction.atomic
def add_span(
    *, claim: Claim, span: SpanInput, by, expected_version: int | None = None
) -> Span:
    """Anchor a claim in one more place: another appearance, a cue, the speaker."""
    claim = _bump_version(claim, expected_version)
    row = _create_span(claim, span, by=by, prefix="span")
    _save_claim(claim, by=by, reason=f"{row.role} span added in source {row.source_id}")
    return row


@transaction.atomic
def add_evidence(
    *, claim: Claim, evidence: EvidenceInput, by, expected_version: int | None = None
) -> Evidence:
    """Attach evidence to a claim without moving its status."""
    claim = _bump_version(claim, expected_version)
    row = _create_evidence(claim, evidence, by=by, prefix="evidence")
    _save_claim(claim, by=by, reason=f"evidence added from source {row.source_id}")
    return row


@transaction.atomic
def merge_speakers(*, merged: Speaker, into: Speaker, by, reason: str = "") -> Speaker:
    """Move every claim of ``merged`` to ``into`` and keep ``merged`` as a pointer.

    ``into`` gains ``merged``'s name and aliases as aliases; each moved claim gets
    a new version and a history entry. Nothing is deleted.
    """
    if merged.pk == into.pk:
        raise ValidationError({"into": "a speaker cannot be merged into itself."})
    merged = Speaker.objects.get(pk=merged.pk)
    into = Speaker.objects.get(pk=into.pk)
    for speaker, field in ((merged, "merged"), (into, "into")):
        if speaker.merged_into_id is not None:
            raise ValidationError(
                {
                    field: f"{speaker} was already merged into speaker {speaker.merged_into_id}."
                }
            )
    why = (reason or "").strip() or f"speaker {merged.pk} merged into {into.pk}"
    for claim in Claim.objects.filter(speaker=merged).order_by("id").iterator():
        claim = _bump_version(claim, None)
        claim.speaker = into
        _save_claim(claim, by=by, reason=why)
    into.aliases = list(
        dict.fromkeys(
            name for name in [*into.aliases, *merged.all_names] if name != into.name
        )
    )
    if not into.wikidata_id and merged.wikidata_id:
        into.wikidata_id, merged.wikidata_id = merged.wikidata_id, ""
    merged.merged_into = into
    for speaker in (merged, into):  # merged first: it gives up its Wikidata id
        _validate(speaker)
        speaker._history_user = by
        speaker._change_reason = why[:100]
        speaker.save()
    return into


@dataclass(frozen=True)
class OverdueMove:
    claim_id: int
    claim_text: str
    deadline: datetime.date
    due_text: str
    moved: bool


def _overdue_rationale(claim: Claim, today: datetime.date) -> str:
    precision = DatePrecision(claim.due_on_precision or DatePrecision.DAY)
    words = f' ("{claim.due_text}")' if claim.due_text else ""
    return (
        f"Deadline passed: due by {precision.format(claim.due_on)}{words}, last day "
        f"{claim.deadline.isoformat()}; no resolution recorded by {today.isoformat()}."
    )


def overdue_claims(today: datetime.date) -> Iterable[Claim]:
    """Pending predictions and promises whose deadline (at its precision) has passed."""
    candidates = Claim.objects.filter(
        status=Status.PENDING, kind__in=KINDS_WITH_DEADLINE, due_on__lt=today
    ).order_by("id")
    for claim in candidates.iterator():
        if claim.deadline < today:
            yield claim


def mark_overdue(
    *, today: datetime.date | None = None, dry_run: bool = False, by=None
) -> list[OverdueMove]:
    """The deadline sweep: move each overdue pending claim to ``overdue``.

    Each claim moves in its own transaction through :func:`change_status`, so a
    crash leaves only whole moves and a rerun finishes the rest. A claim that
    another writer (or a concurrent sweep) changed meanwhile is re-read and
    moved only if it still qualifies, so running twice at once moves it once.
    """
    today = today or timezone.localdate()
    by = by or (None if dry_run else get_system_user())
    moves = []
    for claim in overdue_claims(today):
        move = OverdueMove(claim.pk, claim.text, claim.deadline, claim.due_text, False)
        if dry_run:
            moves.append(move)
            continue
        for _attempt in range(3):
            try:
                change_status(
                    claim=claim,
                    to_status=Status.OVERDUE,
                    rationale=_overdue_rationale(claim, today),
                    by=by,
                    expected_version=claim.version,
                    by_sweep=True,
                    today=today,
                )
            except ValidationError as error:
                if "version" not in error.message_dict:
                    raise
                try:
                    claim = Claim.objects.get(pk=claim.pk)
                except ObjectDoesNotExist:
                    break
                if claim.status != Status.PENDING or not (
                    claim.deadline and claim.deadline < today
                ):
                    break
                continue
            moves.append(OverdueMove(**{**move.__dict__, "moved": True}))
            break
    return moves
