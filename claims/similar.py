"""The existing claims a claim may repeat, best first.

One bounded lookup gathers the candidates, then ``claims/matching.py``
scores each in Python:

- for a named speaker, the speaker's own claims (the speaker, the speakers
  merged into it and the one it was merged into), the newest 300: a named
  speaker repeats their own claims, and another's saying the same is a claim
  of its own;
- for a narrator or hedged claim, the claims with the same distinctive words,
  whoever said them: on PostgreSQL the full-text index (claims/search.py's
  document) asked for any two of the claim's six longest words but two
  common ones; on SQLite, without that index, the claims holding its longest
  word; the newest 100.

The lookup keeps the 40 claims of its window nearest the claim by a cheap
token score (rapidfuzz), so that a few dozen are read and scored, not hundreds.
Rejected claims are never candidates, nor the claim itself (docs/REPEATS.md)."""

import itertools
import time

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Q
from rapidfuzz import fuzz, process, utils

from . import stemming
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
# How many claims of each window, the nearest by a token score, are scored.
SCORED = 40


def speaker_family(speaker_id: int | None) -> frozenset[int]:
    """The speaker and those one merge away from it, either way: one query,
    two for a speaker merged into another."""
    if speaker_id is None:
        return frozenset()
    rows = Speaker.objects.filter(
        Q(pk=speaker_id) | Q(merged_into=speaker_id)
    ).values_list("pk", "merged_into")
    ids = {speaker_id}
    for pk, merged_into in rows:
        ids.add(pk)
        if pk == speaker_id and merged_into:
            ids.add(merged_into)
            ids.update(
                Speaker.objects.filter(merged_into=merged_into).values_list(
                    "pk", flat=True
                )
            )
    return frozenset(ids)


def said(claim: Claim, speakers: frozenset[int] | None = None) -> Said:
    return Said(
        text=claim.text,
        speakers=speakers if speakers is not None else speaker_family(claim.speaker_id),
        kind=claim.kind,
        due_on=claim.due_on,
        due_on_precision=claim.due_on_precision,
    )


# What scoring reads of a known claim: rows, not model instances, as building
# forty claims with their speakers cost more than the lookup's query.
READ = ("pk", "text", "speaker_id", "kind", "due_on", "due_on_precision")


def scored_claims(claim: Claim) -> list[tuple[int, Match]]:
    """The ids of the claims ``claim`` may repeat, scored, best first
    (score > 0)."""
    family = speaker_family(claim.speaker_id)
    proposal = said(claim, family)
    scored = []
    for pk, text, speaker_id, kind, due_on, precision in _pool(claim, family):
        # Only whether the speakers meet matters, and the pool holds only the
        # family's claims and speakerless ones when the proposal has a speaker.
        known = Said(
            text=text,
            speakers=family if speaker_id in family else frozenset(),
            kind=kind,
            due_on=due_on,
            due_on_precision=precision,
        )
        match = compare(proposal, known)
        if match.score > 0:
            scored.append((pk, match))
    scored.sort(key=lambda pair: (-pair[1].score, pair[0]))
    return scored


# What ``similar_for`` shows: candidates, and claims nearly alike enough.
SHOWN = 0.5


def similar_for(claim: Claim, user, *, limit: int = 10) -> list[tuple[Claim, Match]]:
    """The claims ``claim`` may repeat as ``user`` may see them, best first,
    without the pairs the desk found not to be repeats, scoring at least
    ``SHOWN``."""
    dismissed = set(
        RepeatCandidate.objects.filter(
            claim=claim, decision=CandidateDecision.NOT_REPEAT
        ).values_list("candidate_id", flat=True)
    )
    found = [
        (pk, match)
        for pk, match in scored_claims(claim)
        if pk not in dismissed and match.score >= SHOWN
    ]
    visible = (
        Claim.objects.visible_to(user)
        .select_related("speaker")
        .in_bulk([pk for pk, _ in found])
    )
    return [(visible[pk], match) for pk, match in found if pk in visible][:limit]


def _pool(claim: Claim, family: frozenset[int]) -> list[tuple]:
    """A named speaker's newest claims, or for a claim with no speaker the
    claims that share its distinctive words, whoever said them: ``READ`` of
    each."""
    base = Claim.objects.exclude(pk=claim.pk).exclude(review=Review.REJECTED)
    if family:
        window = base.filter(speaker_id__in=family).order_by("-id")[:SPEAKER_WINDOW]
    else:
        window = _by_words(base, claim.text)
    return _likeliest(window, claim.text)


def _likeliest(window, text: str) -> list[tuple]:
    """The ``SCORED`` claims of ``window`` (a sliced queryset) nearest
    ``text`` by rapidfuzz's ``token_set_ratio`` on their raw words, newest
    first among equals, so that matching reads and scores a few dozen claims,
    not hundreds. (pg_trgm's ``similarity`` ranked them in SQL at about three
    times the cost: docs/REPEATS.md, "Cost".)"""
    rows = list(window.values_list(*READ))
    if len(rows) <= SCORED:
        return rows
    nearest = process.extract(
        text,
        [row[1] for row in rows],
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        limit=SCORED,
    )
    return [rows[index] for _, _, index in nearest]


def _by_words(queryset, text: str):
    written = {w for w in lookup_words(text) if w.isalpha()}
    words = sorted(written, key=len, reverse=True)[:DISTINCTIVE]
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        # Whole words (stemmed), not prefixes: a prefix walks the index.
        pairs = [f"({a} & {b})" for a, b in distinctive_pairs(words)]
        query = SearchQuery(
            " | ".join(pairs) or words[0],
            config=SEARCH_CONFIG,
            search_type="raw",
        )
        # The newest documents first, then their claims: joining each match
        # to its claim before the limit cost 360 ms for a template sentence
        # matching 14,000 claims at a million (docs/REPEATS.md, "Cost").
        newest = (
            ClaimSearch.objects.filter(document=query)
            .order_by("-claim_id")
            .values("claim_id")[:TEXT_WINDOW]
        )
        queryset = queryset.filter(pk__in=newest)
    else:
        queryset = queryset.filter(text__icontains=words[0])
    return queryset.order_by("-id")[:TEXT_WINDOW]


# A word in more than this share of the claims is common: two common words
# ("prices", "percent") are in thousands of claims at a million, and every
# match is a row the index lookup reads.
COMMON = 0.005


def distinctive_pairs(words: list[str]) -> list[tuple[str, str]]:
    """The pairs of ``words`` the text lookup asks for: every pair but those
    of two common words, unless that leaves none."""
    shares = word_shares()
    common = {w for w in words if shares.get(stemming.stem(w), 0.0) > COMMON}
    pairs = list(itertools.combinations(words, 2))
    return [(a, b) for a, b in pairs if not {a, b} <= common] or pairs


# Below this many claims no word is common enough to leave out.
AT_SCALE = 10_000
# How long the shares read from the statistics are kept (seconds).
SHARES_KEPT = 600
_shares: tuple[float, dict[str, float]] = (-SHARES_KEPT, {})


def word_shares() -> dict[str, float]:
    """The share of claims holding each of the most common words (stemmed),
    from PostgreSQL's statistics of the full-text documents (``pg_stats``,
    written by ANALYZE), read at most every ``SHARES_KEPT`` seconds; none for
    fewer than ``AT_SCALE`` claims."""
    global _shares
    read_at, shares = _shares
    if time.monotonic() - read_at < SHARES_KEPT:
        return shares
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs "
            "FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename "
            "WHERE s.tablename = %s AND s.attname = 'document' "
            "AND c.reltuples >= %s",
            [ClaimSearch._meta.db_table, AT_SCALE],
        )
        row = cursor.fetchone()
    shares = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
    _shares = (time.monotonic(), shares)
    return shares
