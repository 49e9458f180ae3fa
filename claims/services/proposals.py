"""Proposing a source's claims with the extractor (claims/extraction/).

The extractor reads text and returns proposals; this records them as
``proposed`` claims through ``propose_many``, made by the extractor's system
user, with the rule and confidence beside each (ClaimExtraction). A source's
proposals are one transaction: a crash part-way leaves none of them, and a
rerun adds what is missing, because a proposal whose words already anchor a
claim of that source is skipped, never duplicated.
"""

import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from sources.models import Source

from ..extraction import (
    EXTRACTOR_VERSION,
    KnownSpeaker,
    KnownSpeakers,
    Proposal,
    extract,
)
from ..models import Claim, ClaimExtraction, Span, SpanRole, Speaker
from .base import SpanInput, get_system_user
from .drafts import ClaimDraft, propose_many
from .repeats import find_repeats_later
from .speakers import find_or_create_speaker


@dataclass
class ProposalRun:
    """What one run did: the claims it proposed and what it skipped, and why."""

    source: Source
    created: list[Claim] = field(default_factory=list)
    skipped: list[tuple[Proposal, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"source {self.source.pk}: {len(self.created)} claim(s) proposed, "
            f"{len(self.skipped)} skipped"
        )


def extractor_user():
    """The account the extractor's proposals are recorded under."""
    return get_system_user(settings.CLAIMTRACK_EXTRACTOR_USERNAME)


def _known(speakers) -> list[KnownSpeaker]:
    return [
        KnownSpeaker(name=name, aliases=tuple(aliases or ()), kind=kind)
        for name, aliases, kind in speakers.order_by("id").values_list(
            "name", "aliases", "kind"
        )
    ]


class _SpeakerIndex:
    """Every active speaker, indexed for the extractor, kept up to date.

    Loading and indexing every speaker for each source cost about a second a
    source at 40,000 speakers (bench/proposals.py at a million claims). The
    index is kept per process instead and brought up to date from the speaker
    history (simple-history writes a row for every save): speakers created
    since are added; any other change (an edit, a merge), history rows gone
    (a rolled-back transaction) or speakers written without history (bulk
    loads) rebuild it. Two indexed queries a source when nothing changed.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._index: KnownSpeakers | None = None
        self._seen = None  # (history_id, history_date, id) of the last history row
        self._top = None  # the highest speaker id indexed

    def current(self) -> KnownSpeakers:
        with self._lock:
            index = self._index
            if index is None or not self._bring_up_to_date(index):
                index = self._rebuild()
            return index

    def _bring_up_to_date(self, index: KnownSpeakers) -> bool:
        history = Speaker.history.model
        rows = list(
            history.objects.filter(history_id__gte=self._seen[0] if self._seen else 0)
            .order_by("history_id")
            .values_list("history_id", "history_date", "id", "history_type")
        )
        if self._seen is not None and (not rows or rows[0][:3] != self._seen):
            return False  # what was read is gone: rolled back
        new = rows[1:] if self._seen is not None else rows
        if any(kind != "+" for *_, kind in new):
            return False
        top = Speaker.objects.order_by("-id").values_list("id", flat=True).first()
        ids = [speaker_id for _, _, speaker_id, _ in new]
        if top is not None and top > max([self._top or 0, *ids]):
            return False  # speakers added without history
        if ids:
            index.add(_known(Speaker.objects.active().filter(id__in=ids)))
            self._seen = rows[-1][:3]
            self._top = max([self._top or 0, *ids])
        return True

    def _rebuild(self) -> KnownSpeakers:
        history = Speaker.history.model
        last = (
            history.objects.order_by("-history_id")
            .values_list("history_id", "history_date", "id")
            .first()
        )
        self._top = Speaker.objects.order_by("-id").values_list("id", flat=True).first()
        self._index = KnownSpeakers(_known(Speaker.objects.active()))
        self._seen = tuple(last) if last else None
        return self._index


_speaker_index = _SpeakerIndex()


def known_speakers() -> KnownSpeakers:
    """Every active speaker, with aliases, for the extractor to recognise."""
    return _speaker_index.current()


@transaction.atomic
def propose_claims(*, source: Source, min_confidence: float = 0.0) -> ProposalRun:
    """Run the extractor over ``source`` and propose what it finds, in one
    transaction (``propose_many``)."""
    if not source.text:
        raise ValidationError(
            {"source": "has no text: there is nothing to propose claims from."}
        )
    if not 0 <= min_confidence <= 1:
        raise ValidationError({"min_confidence": "must be between 0 and 1."})
    run = ProposalRun(source=source)
    by = extractor_user()
    anchored = set(
        Span.objects.filter(source=source, role=SpanRole.CONTENT).values_list(
            "start", "end"
        )
    )
    speakers: dict[tuple[str, str], Speaker | ValidationError] = {}
    wanted = []
    for proposal in extract(source.text, source.published_on, known_speakers()):
        if proposal.confidence < min_confidence:
            run.skipped.append((proposal, f"confidence {proposal.confidence:.2f}"))
        elif any(span in anchored for span in proposal.content_spans):
            run.skipped.append((proposal, "a claim is already anchored to these words"))
        else:
            anchored.update(proposal.content_spans)
            wanted.append(proposal)
    drafts = [_draft(source, proposal, speakers, by) for proposal in wanted]
    # With a worker, repeat detection (the most costly part of proposing) is
    # its task, so that a backfill and the worker share the work.
    later = settings.CLAIMTRACK_TASKS == "database"
    results = propose_many(
        [draft for draft in drafts if isinstance(draft, ClaimDraft)],
        by=by,
        repeats=not later,
    )
    extractions = []
    for proposal, draft in zip(wanted, drafts, strict=True):
        result = results.pop(0) if isinstance(draft, ClaimDraft) else draft
        if isinstance(result, ValidationError):
            run.skipped.append((proposal, "; ".join(result.messages)))
        else:
            run.created.append(result)
            extractions.append(_extraction(result, proposal))
    ClaimExtraction.objects.bulk_create(extractions)
    if later and run.created:
        ids = [claim.pk for claim in run.created]
        transaction.on_commit(lambda: find_repeats_later.enqueue(ids))
    return run


def _draft(
    source: Source, proposal: Proposal, speakers: dict, by: User
) -> ClaimDraft | ValidationError:
    """The proposal as a draft, its speaker found or created (once a run)."""
    speaker = None
    if proposal.speaker_name:
        key = (proposal.speaker_name, proposal.speaker_kind or "person")
        if key not in speakers:
            try:
                speakers[key] = find_or_create_speaker(name=key[0], kind=key[1], by=by)
            except ValidationError as error:
                speakers[key] = error
        speaker = speakers[key]
        if isinstance(speaker, ValidationError):
            return speaker
    spans = [
        SpanInput(source=source, start=start, end=end, role=SpanRole.CONTENT)
        for start, end in proposal.content_spans
    ]
    if proposal.cue_span:
        spans.append(SpanInput(source, *proposal.cue_span, role=SpanRole.CUE))
    if proposal.speaker_span and speaker is not None:
        spans.append(SpanInput(source, *proposal.speaker_span, role=SpanRole.SPEAKER))
    return ClaimDraft(
        text=proposal.text,
        kind=proposal.kind,
        attribution=proposal.attribution,
        speaker=speaker,
        speaker_title=proposal.speaker_title[:300],
        stated_on=proposal.stated_on,
        stated_on_precision=proposal.stated_on_precision,
        due_on=proposal.due_on,
        due_on_precision=proposal.due_on_precision,
        due_text=proposal.due_text[:200],
        spans=spans,
        note=(
            f"Proposed by the extractor (rule {proposal.rule}, confidence "
            f"{proposal.confidence:.2f})."
        ),
    )


def _extraction(claim: Claim, proposal: Proposal) -> ClaimExtraction:
    return ClaimExtraction(
        claim=claim,
        rule=proposal.rule,
        confidence=round(proposal.confidence, 3),
        checkworthiness=round(proposal.checkworthiness, 3),
        extractor_version=EXTRACTOR_VERSION,
    )
