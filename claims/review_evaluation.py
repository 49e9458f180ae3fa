"""Scoring the extractor against the desk's decisions: the reviewers' work as
an evaluation set (``evaluate_extraction --from-reviews``).

- A proposal the desk **accepted** was wanted; each of its fields is right if
  the reviewers left it as the extractor proposed it (the claim's first
  history record) and wrong if they corrected it.
- A proposal **rejected as a duplicate** was a claim, already known: wanted.
- A proposal rejected for any other reason (not checkable, out of scope, not
  in the source, misattributed, other) was not wanted.
- A claim people proposed, accepted, on words of a source the extractor read,
  is one the extractor **missed**.

Proposals still waiting for the desk are not counted.
"""

from collections import Counter
from dataclasses import dataclass, field

from .models import Claim, RejectionReason, Review, Span, SpanRole

# The fields compared between the extractor's proposal and the accepted claim.
FIELDS = {
    "speaker": ("speaker_id",),
    "attribution": ("attribution",),
    "kind": ("kind",),
    "stated_on": ("stated_on", "stated_on_precision"),
    "due": ("due_on", "due_on_precision"),
}
COLUMNS = [column for names in FIELDS.values() for column in names]
CHUNK = 2000


@dataclass
class ReviewScore:
    accepted: int = 0
    duplicates: int = 0
    rejected: Counter = field(default_factory=Counter)  # by reason
    missed: int = 0
    right: Counter = field(default_factory=Counter)  # by field, on accepted
    by_rule: dict = field(default_factory=dict)  # rule: [wanted, decided]

    @property
    def decided(self) -> int:
        return self.accepted + self.duplicates + sum(self.rejected.values())

    @property
    def precision(self) -> float | None:
        wanted = self.accepted + self.duplicates
        return wanted / self.decided if self.decided else None

    @property
    def recall(self) -> float | None:
        found = self.accepted + self.duplicates
        return found / (found + self.missed) if found + self.missed else None

    def accuracy(self, name: str) -> float | None:
        return self.right[name] / self.accepted if self.accepted else None

    def as_dict(self) -> dict:
        return {
            "decided": self.decided,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": dict(sorted(self.rejected.items())),
            "missed": self.missed,
            "precision": _rounded(self.precision),
            "recall": _rounded(self.recall),
            "accuracy": {name: _rounded(self.accuracy(name)) for name in FIELDS},
            "by_rule": {
                rule: {"wanted": w, "decided": d}
                for rule, (w, d) in sorted(self.by_rule.items())
            },
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def score_reviews() -> ReviewScore:
    """The extractor's proposals the desk decided, scored; reads in chunks of
    ``CHUNK`` claims, so memory stays flat whatever the database holds."""
    result = ReviewScore()
    decided = (
        Claim.objects.filter(extraction__isnull=False)
        .exclude(review=Review.PROPOSED)
        .order_by("pk")
        .values("pk", "review", "rejection_reason", "extraction__rule", *COLUMNS)
    )
    last = 0
    while chunk := list(decided.filter(pk__gt=last)[:CHUNK]):
        last = chunk[-1]["pk"]
        proposed = _as_proposed([row["pk"] for row in chunk])
        for row in chunk:
            _count(result, row, proposed.get(row["pk"]))
    read = Span.objects.filter(
        role=SpanRole.CONTENT, claim__extraction__isnull=False
    ).values("source_id")
    result.missed = (
        Claim.objects.filter(review=Review.ACCEPTED, extraction__isnull=True)
        .filter(spans__role=SpanRole.CONTENT, spans__source_id__in=read)
        .distinct()
        .count()
    )
    return result


def _as_proposed(ids: list[int]) -> dict[int, dict]:
    """Each claim's fields as first recorded, when the extractor proposed it."""
    first = (
        Claim.history.filter(id__in=ids, history_type="+")
        .order_by("id", "history_id")
        .values("id", *COLUMNS)
    )
    proposed: dict[int, dict] = {}
    for row in first:
        proposed.setdefault(row["id"], row)
    return proposed


def _count(result: ReviewScore, row: dict, proposed: dict | None) -> None:
    rule = row["extraction__rule"]
    wanted, decided = result.by_rule.get(rule, (0, 0))
    if row["review"] == Review.ACCEPTED:
        result.accepted += 1
        for name, columns in FIELDS.items():
            if proposed is not None and all(row[c] == proposed[c] for c in columns):
                result.right[name] += 1
        wanted += 1
    elif row["rejection_reason"] == RejectionReason.DUPLICATE:
        result.duplicates += 1
        wanted += 1
    else:
        result.rejected[row["rejection_reason"] or "unstated"] += 1
    result.by_rule[rule] = (wanted, decided + 1)
