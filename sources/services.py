"""Writes to sources: the one home of their rules."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .models import Publisher, Source
from .text import bidi_control_problem, content_hash, normalize_text, text_problem


def _resolve(model, value, field: str):
    """An instance of ``model`` given as itself or its id; None stays None."""
    if value is None or isinstance(value, model):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: f"must be a {model._meta.verbose_name} id."})
    instance = model.objects.filter(pk=value).first()
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
        if len(name) > max_length or "\x00" in name:
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
    by=None,
) -> SourceResult:
    """Store a source with its text normalized, or answer with the existing one.

    A text whose normalized form is already stored is not duplicated: the result
    carries the existing source and ``created=False``, whatever the metadata.
    """
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
    text = normalize_text(text)
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
        revises=revises,
        created_by=by,
    )
    source.content_hash = content_hash(text) if text else None
    source.text_length = len(text)
    # A twin committed since the check above fails the unique constraint here
    # (validate_constraints checks it too) or at the insert below; either way
    # the answer is the stored twin (tests/test_races.py sends 20 at once).
    try:
        source.full_clean(validate_unique=False, validate_constraints=True)
    except ValidationError:
        existing = Source.objects.filter(content_hash=source.content_hash).first()
        if source.content_hash is None or existing is None:
            raise
        return SourceResult(existing, created=False)
    source._history_user = by
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:
        # Another writer stored the same text between our check and our insert.
        existing = Source.objects.filter(content_hash=source.content_hash).first()
        if existing is None:
            raise
        return SourceResult(existing, created=False)
    return SourceResult(source, created=True)
