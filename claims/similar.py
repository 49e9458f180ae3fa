"""The existing claims a claim may repeat, best first.

One bounded lookup gathers the candidates, then ``claims/matching.py``
scores each in Python:

- for a named speaker, the speaker's own claims (the speaker, the speakers
  merged into it and the one it was merged into), the newest 300: a named
  speaker repeats their own claims, and another's saying the same is a claim
  of its own;
- for a narrator or hedged claim, the claims with the same distinctive words,
  whoever said them: on PostgreSQL the full-text index (claims/search.py's
  document) asked for any two of the claim's six longest words; on SQLite,
  without that index, the claims holding its longest word; the newest 100.

On PostgreSQL the lookup keeps the 40 claims nearest the claim by trigram
similarity (``pg_trgm``), so that a few dozen are scored, not hundreds.
Rejected claims are never candidates, nor the claim itself (docs/REPEATS.md)."""

import itertools

from django.contrib.postgres.search import SearchQuery, TrigramSimilarity
from django.db import connection
from django.db.models import Exists, OuterRef

from .matching import Match, Said, compare, lookup_words
from .models import (
    CandidateDecision,
    Claim,
    ClaimSearch,
    RepeatCandidate,
    Review,
    Speaker,
)
from .search import SEARCH_CONFIG

# How many claims each lookup reads at most: the bound on a proposal's cost.
SPEAKER_WINDOW = 300
TEXT_WINDOW = 100
# How many of a claim's words the text lookup pairs up.
DISTINCTIVE = 6
# How many claims of each window, the nearest by trigrams, are scored (PostgreSQL).
SCORED = 40


def speaker_family(speaker_id: int | None) -> frozenset[int]:
    """The speaker and those one merge away from it, either way."""
    if speaker_id is None:
        return frozenset()
    row = Speaker.objects.filter(pk=speaker_id).values("merged_into").first()
    ids = {speaker_id}
    if row and row["merged_into"]:
        ids.add(row["merged_into"])
    ids.update(Speaker.objects.filter(merged_into__in=ids).values_list("pk", flat=True))
    return frozenset(ids)


def said(claim: Claim, speakers: frozenset[int] | None = None) -> Said:
    return Said(
        text=claim.text,
        speakers=speakers if speakers is not None else speaker_family(claim.speaker_id),
        kind=claim.kind,
        due_on=claim.due_on,
        due_on_precision=claim.due_on_precision,
    )


def similar_claims(claim: Claim, *, limit: int = 10) -> list[tuple[Claim, Match]]:
    """The claims ``claim`` may repeat, scored, best first (score > 0)."""
    family = speaker_family(claim.speaker_id)
    proposal = said(claim, family)
    scored = []
    for other in _pool(claim, family):
        # Only whether the speakers meet matters, and the pool holds only the
        # family's claims and speakerless ones when the proposal has a speaker.
        known = said(other, family if other.speaker_id in family else frozenset())
        match = compare(proposal, known)
        if match.score > 0:
            scored.append((other, match))
    scored.sort(key=lambda pair: (-pair[1].score, pair[0].pk))
    return scored[:limit]


# What ``similar_for`` shows: candidates, and claims nearly alike enough.
SHOWN = 0.5


def similar_for(claim: Claim, user, *, limit: int = 10) -> list[tuple[Claim, Match]]:
    """``similar_claims`` as ``user`` may see them, without the pairs the desk
    found not to be repeats, scoring at least ``SHOWN``."""
    dismissed = set(
        RepeatCandidate.objects.filter(
            claim=claim, decision=CandidateDecision.NOT_REPEAT
        ).values_list("candidate_id", flat=True)
    )
    found = [
        (other, match)
        for other, match in similar_claims(claim, limit=limit + len(dismissed))
        if other.pk not in dismissed and match.score >= SHOWN
    ]
    visible = set(
        Claim.objects.visible_to(user)
        .filter(pk__in=[other.pk for other, _ in found])
        .values_list("pk", flat=True)
    )
    return [(other, match) for other, match in found if other.pk in visible][:limit]


def _pool(claim: Claim, family: frozenset[int]) -> list[Claim]:
    """A named speaker's newest claims, or for a claim with no speaker the
    claims that share its distinctive words, whoever said them."""
    base = Claim.objects.exclude(pk=claim.pk).exclude(review=Review.REJECTED)
    if family:
        window = base.filter(speaker_id__in=family).order_by("-id")[:SPEAKER_WINDOW]
    else:
        window = _by_words(base, claim.text)
    return _likeliest(window, claim.text)


def _likeliest(window, text: str) -> list[Claim]:
    """On PostgreSQL, the ``SCORED`` claims of ``window`` (a sliced queryset)
    nearest ``text`` by trigram similarity, so that Python scores a few
    dozen claims, not hundreds; elsewhere the whole window."""
    if connection.vendor != "postgresql":
        return list(window.select_related("speaker"))
    return list(
        Claim.objects.filter(pk__in=window.values("pk"))
        .select_related("speaker")
        .annotate(likeness=TrigramSimilarity("text", text))
        .order_by("-likeness", "-id")[:SCORED]
    )


def _by_words(queryset, text: str):
    written = {w for w in lookup_words(text) if w.isalpha()}
    words = sorted(written, key=len, reverse=True)[:DISTINCTIVE]
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        # Whole words (stemmed), not prefixes: a prefix walks the index.
        pairs = [f"({a} & {b})" for a, b in itertools.combinations(words, 2)]
        query = SearchQuery(
            " | ".join(pairs) or words[0],
            config=SEARCH_CONFIG,
            search_type="raw",
        )
        documents = ClaimSearch.objects.filter(claim=OuterRef("pk"), document=query)
        queryset = queryset.filter(Exists(documents))
    else:
        queryset = queryset.filter(text__icontains=words[0])
    return queryset.order_by("-id")[:TEXT_WINDOW]
