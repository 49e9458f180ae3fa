"""Writes to sources: the one home of their rules."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .constraints import refused_check
from .models import Publisher, Source, set_history_context
from .review import Review, decision_target, four_eyes_problem, is_reviewer
from .text import bidi_control_problem, content_hash, normalize_text, text_problem


def _resolve[M: models.Model](
    model: type[M], value: M | int | None, field: str
) -> M | None:
    """An instance of ``model`` given as itself or its id; None stays None."""
    if value is None or isinstance(value, model):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: f"must be a {model._meta.verbose_name} id."})
    instance = model._default_manager.filter(pk=value).first()
    if instance is None:
        raise ValidationError(
            {field: f"there is no {model._meta.verbose_name} with id {value}."}
        )
    return instance


def _resolve_publisher(publisher) -> Publisher | None:
    """A publisher given as itself, its id, or its name (created if new)."""
    if isinstance(publisher, str):
        name = publisher.strip()
        if not name:
            return None
        max_length = Publisher._meta.get_field("name").max_length
        too_long = max_length is not None and len(name) > max_length
        if too_long or "\x00" in name:
            raise ValidationError(
                {"publisher": f"must be a name of at most {max_length} characters."}
            )
        problem = bidi_control_problem(name)
        if problem:
            raise ValidationError({"publisher": problem})
        return Publisher.objects.get_or_create(name=name)[0]
    return _resolve(Publisher, publisher, "publisher")


@dataclass(frozen=True)
class SourceResult:
    source: Source
    created: bool


@transaction.atomic
def create_source(
    *,
    text: str = "",
    title: str = "",
    url: str = "",
    publisher: Publisher | int | str | None = None,
    kind: str = Source._meta.get_field("kind").default,
    language: str = "",
    published_on: datetime.date | None = None,
    retrieved_at: datetime.datetime | None = None,
    revises: Source | int | None = None,
    by: User | None = None,
) -> SourceResult:
    """Store a source with its text normalized, or answer with the existing one.

    A text whose normalized form is already stored is not duplicated: the result
    carries the existing source and ``created=False``, whatever the metadata.
    """
    text, title, url = _checked_texts(text, title, url)
    if text:
        digest = content_hash(text)
        existing = Source.objects.filter(content_hash=digest).first()
        if existing is not None:
            return SourceResult(existing, created=False)
    publisher = _resolve_publisher(publisher)
    revises = _resolve(Source, revises, "revises")
    source = Source(
        text=text,
        title=title,
        url=url,
        publisher=publisher,
        kind=kind,
        language=language,
        published_on=published_on,
        retrieved_at=retrieved_at,
        created_by=by,
    )
    _link(source, revises, by=by)
    source.content_hash = content_hash(text) if text else None
    source.text_length = len(text)
    return _save_new(source, by=by)


def _checked_texts(text, title, url) -> tuple[str, str, str]:
    """The text normalized, the title and URL trimmed; refused if one is not a
    string or holds what a stored text may not."""
    if text is None:
        text = ""
    for field, value in (("text", text), ("title", title), ("url", url)):
        if value is not None and not isinstance(value, str):
            raise ValidationError({field: "must be a string."})
    title, url = (title or "").strip(), (url or "").strip()
    for field, value in (("title", title), ("url", url)):
        if "\x00" in value:
            raise ValidationError({field: "must not contain NUL characters."})
    problem = text_problem(text)
    if problem:
        raise ValidationError({"text": problem})
    return normalize_text(text), title, url


def _save_new(source: Source, *, by) -> SourceResult:
    """Validate and insert a new source, or answer with its stored twin."""
    # The check constraints are the database's to refuse (sources/constraints.py).
    # A twin committed since create_source's check fails the unique constraint
    # at the insert: the answer is then the stored twin (tests/test_races.py
    # sends 20 at once).
    source.full_clean(validate_unique=False, validate_constraints=False)
    set_history_context(source, by=by)
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError as error:
        if refused := refused_check(source, error):
            raise refused from None
        existing = Source.objects.filter(content_hash=source.content_hash).first()
        if source.content_hash is None or existing is None:
            raise
        return SourceResult(existing, created=False)
    return SourceResult(source, created=True)


# How far up a chain of versions the cycle check walks. A real document has a
# handful of versions; a longer chain is refused rather than walked for ever.
MAX_REVISION_CHAIN = 1000


def revision_link_problem(source: Source, revises: Source | None) -> str:
    """Why ``source`` may not name ``revises`` as its earlier version, or "".

    A source may not revise itself, nor a source that (through its own earlier
    versions) revises it: the chain of versions has no cycles. The admin's form
    and the services both ask this, so both answer with a field error.
    """
    if revises is None:
        return ""
    if source.pk is not None and revises.pk == source.pk:
        return "a source cannot revise itself."
    if source.pk is None:
        return ""  # a new source: nothing names it yet, so there is no cycle
    ancestor_id, steps = revises.revises_id, 0
    while ancestor_id is not None:
        if ancestor_id == source.pk:
            return (
                f"source {revises.pk} already revises this one (through its "
                "earlier versions): the chain of versions would be a cycle."
            )
        steps += 1
        if steps > MAX_REVISION_CHAIN:
            return f"the chain of earlier versions is over {MAX_REVISION_CHAIN} long."
        ancestor_id = (
            Source.objects.filter(pk=ancestor_id)
            .values_list("revises_id", flat=True)
            .first()
        )
    return ""


def _link(source: Source, revises: Source | None, *, by: User | None) -> None:
    """Point ``source`` at ``revises`` with the link's review state: accepted at
    once when a reviewer sets it, proposed otherwise; no state without a link."""
    problem = revision_link_problem(source, revises)
    if problem:
        raise ValidationError({"revises": problem})
    source.revises = revises
    source.revises_review_note = ""
    if revises is None:
        source.revises_review = ""
        source.revises_proposed_by = None
        source.revises_reviewed_by = None
        source.revises_reviewed_at = None
    elif is_reviewer(by):
        source.revises_review = Review.ACCEPTED
        source.revises_proposed_by = by
        source.revises_reviewed_by = by
        source.revises_reviewed_at = timezone.now()
    else:
        source.revises_review = Review.PROPOSED
        source.revises_proposed_by = by if getattr(by, "pk", None) else None
        source.revises_reviewed_by = None
        source.revises_reviewed_at = None


def _locked(source: Source) -> Source:
    return Source.objects.select_for_update().get(pk=source.pk)


@transaction.atomic
def set_revision_link(
    *, source: Source, revises: Source | int | None, by: User, note: str = ""
) -> Source:
    """Name (or, with None, clear) the earlier version ``source`` revises.

    Set by a reviewer, the link is accepted at once; by anyone else it is a
    proposal that readers do not see until a reviewer accepts it. Only a
    reviewer may replace or clear an accepted link or another's proposal
    (``PermissionDenied``). ``note`` is kept in the history as the reason.
    """
    revises = _resolve(Source, revises, "revises")
    source = _locked(source)
    unchanged = getattr(revises, "pk", None) == source.revises_id
    if unchanged and source.revises_review != Review.REJECTED:
        return source  # already so (a rejected link may be proposed again)
    settled = source.revises_review == Review.ACCEPTED or (
        source.revises_proposed_by_id != getattr(by, "pk", None)
    )
    if source.revises_id is not None and settled and not is_reviewer(by):
        raise PermissionDenied(
            "Only a reviewer may replace or clear an accepted revision link "
            "or one that someone else proposed."
        )
    _link(source, revises, by=by)
    _save_link(source, by=by, reason=note or _link_reason(source))
    return source


@transaction.atomic
def review_revision(
    *, source: Source, decision: str, by: User, note: str = ""
) -> Source:
    """Accept or reject the revises link of ``source`` (``decision`` is
    ``accept`` or ``reject``; a rejection needs a note saying why).

    Reviewers only, and not their own proposal while ``CLAIMTRACK_FOUR_EYES``
    is on (``PermissionDenied`` naming the rule). The decision is recorded in
    the source's history: who, when, and the note.
    """
    target, note = decision_target(decision, note)
    if not is_reviewer(by):
        raise PermissionDenied("Only a reviewer may accept or reject a revision link.")
    source = _locked(source)
    if source.revises_id is None:
        raise ValidationError({"revises": "this source names no earlier version."})
    problem = four_eyes_problem(
        reviewer=by, proposed_by_id=source.revises_proposed_by_id
    )
    if problem:
        raise PermissionDenied(problem)
    if source.revises_review == target:
        raise ValidationError({"decision": f"the revision link is already {target}."})
    source.revises_review = target
    source.revises_review_note = note
    source.revises_reviewed_by = by
    source.revises_reviewed_at = timezone.now()
    _save_link(
        source,
        by=by,
        reason=f"revision link {target}: {note}" if note else f"revision link {target}",
    )
    return source


def _link_reason(source: Source) -> str:
    if source.revises_id is None:
        return "revision link cleared"
    return f"revision link to source {source.revises_id} {source.revises_review}"


LINK_FIELDS = (
    "revises",
    "revises_review",
    "revises_proposed_by",
    "revises_reviewed_by",
    "revises_reviewed_at",
    "revises_review_note",
)


def _save_link(source: Source, *, by: User, reason: str) -> None:
    """Save the link's fields alone; the history records who, when and why
    (the full note is in the recorded row, the reason is cut to its column)."""
    others = [f.name for f in Source._meta.fields if f.name not in LINK_FIELDS]
    source.full_clean(exclude=others, validate_unique=False)
    set_history_context(source, by=by, reason=reason[:100])
    source.save(update_fields=LINK_FIELDS)
