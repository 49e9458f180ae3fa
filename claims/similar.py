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
    """The speaker and those one merge away from it, either way."""
    if speaker_id is None:
        return frozenset()
    return speaker_families([speaker_id])[speaker_id]


def speaker_families(speaker_ids) -> dict[int | None, frozenset[int]]:
    """``speaker_family`` of each of ``speaker_ids``: one query, two if one
    of them was merged into another."""
    ids = {pk for pk in speaker_ids if pk is not None}
    if not ids:
        return {}
    rows = set(
        Speaker.objects.filter(Q(pk__in=ids) | Q(merged_into__in=ids)).values_list(
            "pk", "merged_into"
        )
    )
    into = {pk: merged for pk, merged in rows if pk in ids and merged}
    if into:
        rows.update(
            Speaker.objects.filter(merged_into__in=set(into.values())).values_list(
                "pk", "merged_into"
            )
        )
    families: dict[int | None, frozenset[int]] = {}
    for speaker_id in ids:
        heads = {speaker_id, into.get(speaker_id, speaker_id)}
        families[speaker_id] = frozenset(
            heads | {pk for pk, merged in rows if merged in heads}
        )
    return families


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
    return scored_many([claim], new=False)[claim.pk]


def scored_many(claims: list[Claim], *, new: bool) -> dict[int, list]:
    """``scored_claims`` of each of ``claims``, sharing their lookups: one
    for the speakers' families, one window for each family. ``new``: the
    claims were just proposed together, and each may repeat only the claims
    before it, as if proposed one by one."""
    families = speaker_families(claim.speaker_id for claim in claims)
    windows: dict[frozenset[int], list[tuple]] = {}
    scored = {}
    for claim in claims:
        family = families.get(claim.speaker_id, frozenset())
        if family and family not in windows:
            windows[family] = list(
                Claim.objects.exclude(review=Review.REJECTED)
                .filter(speaker_id__in=family)
                .order_by("-id")
                .values_list(*READ)[: SPEAKER_WINDOW + len(claims)]
            )
        pool = _pool(claim, family, new=new, window=windows.get(family))
        scored[claim.pk] = _scored(claim, family, pool)
    return scored


def _scored(claim: Claim, family: frozenset[int], pool: list[tuple]) -> list:
    proposal = said(claim, family)
    scored = []
    for pk, text, speaker_id, kind, due_on, precision in pool:
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


def _pool(
    claim: Claim,
    family: frozenset[int],
    *,
    new: bool = False,
    window: list[tuple] | None = None,
) -> list[tuple]:
    """A named speaker's newest claims (``window``, if read already), or for
    a claim with no speaker the claims that share its distinctive words,
    whoever said them: ``READ`` of each, without ``claim`` (and with ``new``,
    without the claims after it)."""

    def mine(pk: int) -> bool:
        return pk == claim.pk or (new and pk > claim.pk)

    if family:
        if window is None:
            window = list(
                Claim.objects.exclude(review=Review.REJECTED)
                .filter(speaker_id__in=family)
                .order_by("-id")
                .values_list(*READ)[: SPEAKER_WINDOW + 1]
            )
        rows = [row for row in window if not mine(row[0])][:SPEAKER_WINDOW]
    else:
        base = Claim.objects.exclude(pk=claim.pk).exclude(review=Review.REJECTED)
        if new:
            base = base.filter(pk__lt=claim.pk)
        rows = list(_by_words(base, claim.text).values_list(*READ))
    return _likeliest(rows, claim.text)


def _likeliest(rows: list[tuple], text: str) -> list[tuple]:
    """The ``SCORED`` claims of ``rows`` (``READ`` of each) nearest
    ``text`` by rapidfuzz's ``token_set_ratio`` on their raw words, newest
    first among equals, so that matching reads and scores a few dozen claims,
    not hundreds. (pg_trgm's ``similarity`` ranked them in SQL at about three
    times the cost: docs/REPEATS.md, "Cost".)"""
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
