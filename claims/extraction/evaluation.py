"""Scoring proposals against curated claims: pure functions, no database.

A proposal matches a curated claim when one of its content spans overlaps at
least half of the shorter of the two spans; each proposal and each claim is
matched at most once, best overlap first (ties by position, so the result is
deterministic). Field accuracies are measured on the matched pairs only.

Two precisions: ``precision`` counts every proposal not curated as a claim
against the extractor; ``wanted_precision`` forgives those on words curated
as acceptable (checkable background a fact-checker would not mind).
``checkworthy_precision`` is the latter over narrator proposals alone, the
ones only check-worthiness decides.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from .dates import period_end, period_start
from .proposal import Proposal, Span

FIELDS = ("speaker", "attribution", "kind", "stated_on", "due")


@dataclass(frozen=True)
class Expected:
    """A curated claim, reduced to what the extractor is asked to find."""

    content_spans: tuple[Span, ...]
    speaker: str | None
    attribution: str
    kind: str
    stated_on: datetime.date | None = None
    stated_on_precision: str = ""
    due_on: datetime.date | None = None
    due_on_precision: str = ""
    text: str = ""


@dataclass(frozen=True)
class Score:
    expected: int
    proposed: int
    matched: int
    correct: dict[str, int] = field(default_factory=dict)
    pairs: tuple[tuple[Expected, Proposal], ...] = ()
    misses: tuple[Expected, ...] = ()
    false_positives: tuple[Proposal, ...] = ()
    # Proposals not matched to a claim but on acceptable words.
    forgiven: int = 0
    # Narrator proposals, and how many of them were matched or forgiven.
    narrated: int = 0
    narrated_wanted: int = 0
    # Matched claims with a curated deadline, and how many got it right.
    deadlines: int = 0
    deadlines_right: int = 0

    @property
    def precision(self) -> float:
        return self.matched / self.proposed if self.proposed else 1.0

    @property
    def wanted_precision(self) -> float:
        wanted = self.matched + self.forgiven
        return wanted / self.proposed if self.proposed else 1.0

    @property
    def checkworthy_precision(self) -> float | None:
        return self.narrated_wanted / self.narrated if self.narrated else None

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, name: str) -> float | None:
        return self.correct.get(name, 0) / self.matched if self.matched else None

    def as_dict(self) -> dict:
        return {
            "expected": self.expected,
            "proposed": self.proposed,
            "matched": self.matched,
            "precision": round(self.precision, 3),
            "wanted_precision": round(self.wanted_precision, 3),
            "checkworthy_precision": None
            if self.checkworthy_precision is None
            else round(self.checkworthy_precision, 3),
            "deadlines": [self.deadlines_right, self.deadlines],
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "accuracy": {
                name: None if (a := self.accuracy(name)) is None else round(a, 3)
                for name in FIELDS
            },
        }


def overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _closeness(spans_a: Sequence[Span], spans_b: Sequence[Span]) -> float | None:
    """How well two sets of spans coincide (overlap over union of the best
    pair), or None if no pair overlaps half of the shorter span."""
    best = None
    for a in spans_a:
        for b in spans_b:
            shared = overlap(a, b)
            shorter = min(a[1] - a[0], b[1] - b[0])
            if shorter <= 0 or shared * 2 < shorter:
                continue
            union = (a[1] - a[0]) + (b[1] - b[0]) - shared
            value = shared / union
            best = value if best is None else max(best, value)
    return best


def forgivable(proposal: Proposal, acceptable: Sequence[Span]) -> bool:
    """Whether ``proposal`` is on words curated as acceptable."""
    return _closeness(acceptable, proposal.content_spans) is not None


def match(
    expected: Sequence[Expected], proposals: Sequence[Proposal]
) -> list[tuple[int, int]]:
    """One-to-one (expected index, proposal index) pairs, best overlap first."""
    candidates = []
    for i, claim in enumerate(expected):
        for j, proposal in enumerate(proposals):
            value = _closeness(claim.content_spans, proposal.content_spans)
            if value is not None:
                candidates.append((-value, i, j))
    candidates.sort()
    used_expected, used_proposals, pairs = set(), set(), []
    for _, i, j in candidates:
        if i in used_expected or j in used_proposals:
            continue
        used_expected.add(i)
        used_proposals.add(j)
        pairs.append((i, j))
    return sorted(pairs)


def _same_name(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return _name_key(a) == _name_key(b)


def _name_key(name: str) -> str:
    words = name.casefold().split()
    return " ".join(words[1:] if words[:1] == ["the"] and len(words) > 1 else words)


def _stored(date, precision: str, end: bool):
    if date is None or precision not in ("day", "month", "year"):
        return date
    return period_end(date, precision) if end else period_start(date, precision)


def field_checks(claim: Expected, proposal: Proposal) -> dict[str, bool]:
    """Which fields of ``proposal`` agree with the curated ``claim``."""
    return {
        "speaker": _same_name(claim.speaker, proposal.speaker_name),
        "attribution": claim.attribution == proposal.attribution,
        "kind": claim.kind == proposal.kind,
        "stated_on": (
            _stored(claim.stated_on, claim.stated_on_precision, end=False),
            claim.stated_on_precision or "",
        )
        == (
            _stored(proposal.stated_on, proposal.stated_on_precision, end=False),
            proposal.stated_on_precision or "",
        ),
        "due": (
            _stored(claim.due_on, claim.due_on_precision, end=True),
            claim.due_on_precision or "",
        )
        == (
            _stored(proposal.due_on, proposal.due_on_precision, end=True),
            proposal.due_on_precision or "",
        ),
    }


def score(
    expected: Sequence[Expected],
    proposals: Sequence[Proposal],
    acceptable: Sequence[Span] = (),
) -> Score:
    pairs = match(expected, proposals)
    correct = dict.fromkeys(FIELDS, 0)
    deadlines = deadlines_right = 0
    for i, j in pairs:
        checks = field_checks(expected[i], proposals[j])
        for name, ok in checks.items():
            correct[name] += ok
        if expected[i].due_on is not None:
            deadlines += 1
            deadlines_right += checks["due"]
    matched_expected = {i for i, _ in pairs}
    matched_proposals = {j for _, j in pairs}
    forgiven = {
        j
        for j, proposal in enumerate(proposals)
        if j not in matched_proposals and forgivable(proposal, acceptable)
    }
    narrated = [j for j, p in enumerate(proposals) if p.attribution == "narrator"]
    return Score(
        forgiven=len(forgiven),
        narrated=len(narrated),
        narrated_wanted=sum(
            1 for j in narrated if j in matched_proposals or j in forgiven
        ),
        deadlines=deadlines,
        deadlines_right=deadlines_right,
        expected=len(expected),
        proposed=len(proposals),
        matched=len(pairs),
        correct=correct,
        pairs=tuple((expected[i], proposals[j]) for i, j in pairs),
        misses=tuple(c for i, c in enumerate(expected) if i not in matched_expected),
        false_positives=tuple(
            p for j, p in enumerate(proposals) if j not in matched_proposals
        ),
    )


def combine(scores: Sequence[Score]) -> Score:
    """Totals over several articles (micro-averaged)."""
    correct = dict.fromkeys(FIELDS, 0)
    for s in scores:
        for name in FIELDS:
            correct[name] += s.correct.get(name, 0)
    return Score(
        forgiven=sum(s.forgiven for s in scores),
        narrated=sum(s.narrated for s in scores),
        narrated_wanted=sum(s.narrated_wanted for s in scores),
        deadlines=sum(s.deadlines for s in scores),
        deadlines_right=sum(s.deadlines_right for s in scores),
        expected=sum(s.expected for s in scores),
        proposed=sum(s.proposed for s in scores),
        matched=sum(s.matched for s in scores),
        correct=correct,
        pairs=tuple(p for s in scores for p in s.pairs),
        misses=tuple(m for s in scores for m in s.misses),
        false_positives=tuple(f for s in scores for f in s.false_positives),
    )
