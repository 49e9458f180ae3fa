"""Proposing a source's claims with the extractor (claims/extraction/).

The extractor reads text and returns proposals; this records each one as a
``proposed`` claim through ``propose_claim``, made by the extractor's system
user, with the rule and confidence beside it (ClaimExtraction). Each proposal
is its own transaction: a crash part-way leaves whole claims only, and a rerun
adds the rest, because a proposal whose words already anchor a claim of that
source is skipped, never duplicated.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from sources.models import Source

from ..extraction import EXTRACTOR_VERSION, KnownSpeaker, Proposal, extract
from ..models import Claim, ClaimExtraction, Span, SpanRole, Speaker
from ._base import SpanInput, get_system_user
from .claims import propose_claim
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


def known_speakers() -> list[KnownSpeaker]:
    """Every active speaker, with aliases, for the extractor to recognise."""
    return [
        KnownSpeaker(name=name, aliases=tuple(aliases or ()), kind=kind)
        for name, aliases, kind in Speaker.objects.active()
        .order_by("id")
        .values_list("name", "aliases", "kind")
    ]


def propose_claims(*, source: Source, min_confidence: float = 0.0) -> ProposalRun:
    """Run the extractor over ``source`` and propose what it finds."""
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
    for proposal in extract(source.text, source.published_on, known_speakers()):
        if proposal.confidence < min_confidence:
            run.skipped.append((proposal, f"confidence {proposal.confidence:.2f}"))
            continue
        if any(span in anchored for span in proposal.content_spans):
            run.skipped.append((proposal, "a claim is already anchored to these words"))
            continue
        try:
            claim = _record(source, proposal, by)
        except ValidationError as error:
            run.skipped.append((proposal, "; ".join(error.messages)))
            continue
        anchored.update(proposal.content_spans)
        run.created.append(claim)
    return run


@transaction.atomic
def _record(source: Source, proposal: Proposal, by) -> Claim:
    speaker = None
    if proposal.speaker_name:
        speaker = find_or_create_speaker(
            name=proposal.speaker_name, kind=proposal.speaker_kind or "person", by=by
        )
    spans = [
        SpanInput(source=source, start=start, end=end, role=SpanRole.CONTENT)
        for start, end in proposal.content_spans
    ]
    if proposal.cue_span:
        spans.append(SpanInput(source, *proposal.cue_span, role=SpanRole.CUE))
    if proposal.speaker_span and speaker is not None:
        spans.append(SpanInput(source, *proposal.speaker_span, role=SpanRole.SPEAKER))
    claim = propose_claim(
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
        by=by,
        note=(
            f"Proposed by the extractor (rule {proposal.rule}, confidence "
            f"{proposal.confidence:.2f})."
        ),
    )
    ClaimExtraction.objects.create(
        claim=claim,
        rule=proposal.rule,
        confidence=round(proposal.confidence, 3),
        extractor_version=EXTRACTOR_VERSION,
    )
    return claim
