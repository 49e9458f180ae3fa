"""Writes to sources: the one home of their rules."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .models import Publisher, Source
from .text import content_hash, normalize_text, text_problem


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
    publisher: Publisher | str | None = None,
    kind: str = Source._meta.get_field("kind").default,
    language: str = "",
    published_on: datetime.date | None = None,
    retrieved_at: datetime.datetime | None = None,
    revises: Source | None = None,
    by=None,
) -> SourceResult:
    """Store a source with its text normalized, or answer with the existing one.

    A text whose normalized form is already stored is not duplicated: the result
    carries the existing source and ``created=False``, whatever the metadata.
    """
    if not isinstance(text, str):
        raise ValidationError({"text": "must be a string."})
    problem = text_problem(text)
    if problem:
        raise ValidationError({"text": problem})
    text = normalize_text(text)
    if text:
        digest = content_hash(text)
        existing = Source.objects.filter(content_hash=digest).first()
        if existing is not None:
            return SourceResult(existing, created=False)
    if isinstance(publisher, str):
        publisher = (
            Publisher.objects.get_or_create(name=publisher.strip())[0]
            if publisher.strip()
            else None
        )
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
    # validate_unique is skipped: a concurrent twin is caught below instead.
    source.full_clean(validate_unique=False, validate_constraints=True)
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
