"""Score repeat detection on an evaluation set (``evaluation/repeats/``).

A set holds its speakers (with aliases), a pool of known claims, and cases:
a proposal labelled ``repeat`` of one known claim, or ``near_miss`` (alike,
but not a repeat). Each proposal is compared with every known claim, as the
database lookup would let it be (``matching.compare`` refuses another named
speaker); its top candidate at or over the threshold is what the desk would
see first.

- precision: of the proposals given a candidate, those whose candidate is
  the claim they repeat (a near miss given any candidate is wrong);
- recall: of the repeats, those whose top candidate is the claim they repeat.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

import yaml

from .matching import THRESHOLD, Said, compare, fold


@dataclass(frozen=True)
class Case:
    id: str
    label: str  # repeat | near_miss
    of: str
    proposal: Said


@dataclass(frozen=True)
class Outcome:
    case: Case
    top: str | None  # the known claim's id
    score: float
    reasons: tuple[str, ...]

    @property
    def right(self) -> bool:
        if self.case.label == "repeat":
            return self.top == self.case.of
        return self.top is None


@dataclass(frozen=True)
class Report:
    outcomes: tuple[Outcome, ...]

    def _count(self, label=None, *, flagged=None, right=None) -> int:
        return sum(
            1
            for o in self.outcomes
            if (label is None or o.case.label == label)
            and (flagged is None or (o.top is not None) == flagged)
            and (right is None or o.right == right)
        )

    @property
    def precision(self) -> float:
        flagged = self._count(flagged=True)
        return (
            self._count("repeat", flagged=True, right=True) / flagged
            if flagged
            else 1.0
        )

    @property
    def recall(self) -> float:
        repeats = self._count("repeat")
        return self._count("repeat", right=True) / repeats if repeats else 1.0

    @property
    def wrong(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.right]


def load(path: Path) -> tuple[dict[str, Said], list[Case]]:
    data = yaml.safe_load(path.read_text())
    names: dict[str, int] = {}
    for index, speaker in enumerate(data["speakers"]):
        for name in [speaker["name"], *(speaker.get("aliases") or ())]:
            names[fold(name)] = index

    def said(entry: dict) -> Said:
        speaker = entry.get("speaker")
        due_on = entry.get("due_on")
        if isinstance(due_on, str):
            due_on = datetime.date.fromisoformat(due_on)
        return Said(
            text=entry["text"],
            speakers=frozenset({names[fold(speaker)]}) if speaker else frozenset(),
            kind=entry.get("kind", ""),
            due_on=due_on,
            due_on_precision=entry.get("due_on_precision", "day" if due_on else ""),
        )

    pool = {entry["id"]: said(entry) for entry in data["known"]}
    cases = [
        Case(case["id"], case["label"], case["of"], said(case["proposal"]))
        for case in data["cases"]
    ]
    return pool, cases


def evaluate(pool: dict[str, Said], cases: list[Case], threshold=THRESHOLD) -> Report:
    outcomes = []
    for case in cases:
        best_id, best = None, None
        for known_id, known in pool.items():
            match = compare(case.proposal, known)
            if best is None or match.score > best.score:
                best_id, best = known_id, match
        flagged = best is not None and best.score >= threshold
        outcomes.append(
            Outcome(
                case,
                best_id if flagged else None,
                best.score if best else 0.0,
                best.reasons if best else (),
            )
        )
    return Report(tuple(outcomes))
