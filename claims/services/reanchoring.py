"""Claims that follow their words into a revision of their source.

When a refetch stores a revision (``sources.signals.revision_found``), every
span on the old text is looked for in the new one (``sources.reanchoring``:
position, then the quote with its context, then fuzzy). A span found becomes
a span of the same claim on the revision, through ``add_span``: proposed for a
reviewer unless a reviewer refetched, like any addition. A span not found is
an orphan, recorded and shown, never dropped. The old spans stay valid on the
old text for ever.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction

from sources.models import Source
from sources.reanchoring import reanchor

from ..models import Reanchoring, ReanchorMethod, Review, Span
from .base import SpanInput, get_system_user
from .claims import add_span


@dataclass
class ReanchorRun:
    found: list[Reanchoring] = field(default_factory=list)
    orphans: list[Reanchoring] = field(default_factory=list)


@transaction.atomic
def reanchor_revision(
    *, old: Source, new: Source, by: User | None = None
) -> ReanchorRun:
    """Re-anchor every span of ``old`` not withdrawn and not rejected onto
    ``new``; a span already re-anchored onto ``new`` is left as it is."""
    by = by if by is not None and by.pk else get_system_user()
    done = set(
        Reanchoring.objects.filter(revision=new).values_list("span_id", flat=True)
    )
    spans = [
        span
        for span in Span.objects.filter(source=old, withdrawn_at__isnull=True)
        .exclude(review=Review.REJECTED)
        .select_related("claim")
        .order_by("id")
        if span.pk not in done
    ]
    anchors = reanchor(old.text, new.text, [(s.start, s.end) for s in spans])
    run = ReanchorRun()
    for span, anchor in zip(spans, anchors, strict=True):
        if anchor is None:
            run.orphans.append(_record(span, new, None, ReanchorMethod.ORPHAN, 0.0, by))
            continue
        moved = add_span(
            claim=span.claim,
            span=SpanInput(
                source=new,
                start=anchor.start,
                end=anchor.end,
                role=span.role,
                stated_on=span.stated_on,
                stated_on_precision=span.stated_on_precision,
                speaker=span.speaker_id,
                speaker_title=span.speaker_title,
            ),
            by=by,
        )
        run.found.append(_record(span, new, moved, anchor.method, anchor.score, by))
    return run


def _record(span, revision, new_span, method, score, by) -> Reanchoring:
    return Reanchoring.objects.create(
        span=span,
        revision=revision,
        new_span=new_span,
        method=method,
        score=round(score, 4),
        created_by=by,
    )


def on_revision_found(sender, *, old: Source, new: Source, by=None, **kwargs) -> None:
    """``sources.signals.revision_found``'s receiver (claims/apps.py)."""
    reanchor_revision(old=old, new=new, by=by)
