"""Full-text search over claims: text, quoted words and speaker names.

PostgreSQL: a stored tsvector per claim (ClaimSearch), GIN-indexed, ranked with
ts_rank. SQLite: a case-insensitive substring match over the same fields, each
word of the query matching somewhere (in any order), as on PostgreSQL.
"""

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, FloatField, IntegerField, OuterRef, Q
from django.db.models.functions import Cast

from .models import ClaimSearch, Span, SpanRole

SEARCH_CONFIG = "english"

REFRESH_SQL = """
INSERT INTO claims_claimsearch (claim_id, document)
SELECT c.id,
       setweight(to_tsvector('english', c.text), 'A')
    || setweight(to_tsvector('simple', coalesce(sp.name, '') || ' '
                 || coalesce(sp.aliases::text, '')), 'A')
    || setweight(to_tsvector('english', coalesce(
           (SELECT string_agg(s.exact, ' ' ORDER BY s.id) FROM claims_span s
            WHERE s.claim_id = c.id AND s.role = 'content'
              AND s.review = 'accepted' AND s.withdrawn_at IS NULL), '')), 'B')
FROM claims_claim c
LEFT JOIN claims_speaker sp ON sp.id = c.speaker_id
WHERE c.id = ANY(%s)
ON CONFLICT (claim_id) DO UPDATE SET document = EXCLUDED.document
"""


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def refresh_search_document(claim_id: int) -> None:
    """Rebuild one claim's search document (PostgreSQL; a no-op on SQLite)."""
    refresh_search_documents([claim_id])


def refresh_search_documents(claim_ids: list[int]) -> None:
    """Rebuild these claims' search documents in one statement."""
    if uses_full_text() and claim_ids:
        with connection.cursor() as cursor:
            cursor.execute(REFRESH_SQL, [list(claim_ids)])


def search_words(q: str) -> str:
    """A query as the texts it searches are stored: NFC, so that "Zoë" typed
    with a combining diaeresis finds the stored "Zoë"."""
    return unicodedata.normalize("NFC", q)


def matching_claims(queryset, q: str):
    """Claims matching ``q``, unranked (the admin's search: its lists keep
    their own order). On PostgreSQL an index lookup, not a scan."""
    q = search_words(q)
    if uses_full_text():
        query = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.filter(search_document__document=query)
    return _substring_match(queryset, q)


# Ranked search scores at most this many matches: the newest ones.
RANK_WINDOW = 2000


def search_claims(queryset, q: str, *, ranked: bool = True):
    """Claims matching ``q``; on PostgreSQL annotated with ``rank_key`` (higher
    is better, an integer so that cursor pagination can key on it).

    ``ranked``: the caller orders by ``rank_key``. Ranking must score every
    candidate before the first page, so a broad query (a word in a fifth of a
    million claims) would cost hundreds of milliseconds; the candidates are
    therefore the newest ``RANK_WINDOW`` matches (read newest first from the
    primary key, or from the GIN index for a rare word, whichever the planner
    finds cheaper). Every match of a rarer query is ranked. Callers that order
    by id (``ranked=False``) get every match.
    """
    q = search_words(q)
    if uses_full_text():
        query = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
        matches = queryset.filter(search_document__document=query)
        if ranked:
            window = (
                ClaimSearch.objects.filter(document=query)
                .order_by("-claim_id")
                .values("claim_id")[:RANK_WINDOW]
            )
            matches = matches.filter(pk__in=window)
        return matches.annotate(
            rank_key=Cast(
                Cast(SearchRank(F("search_document__document"), query), FloatField())
                * 1_000_000,
                IntegerField(),
            )
        )
    return _substring_match(queryset, q)


# A quoted phrase or a run of non-space characters: the terms of a query.
TERMS = re.compile(r'"([^"]+)"|(\S+)')


def query_terms(q: str) -> list[str]:
    """The terms of ``q`` for the substring match: its words, and a phrase in
    double quotes as one term (as PostgreSQL's websearch syntax reads it)."""
    terms = (phrase or word for phrase, word in TERMS.findall(q))
    return [term for term in (" ".join(t.split()) for t in terms) if term]


def _substring_match(queryset, q: str):
    """Every term of ``q`` somewhere in the claim, its speaker's name or its
    quoted words, in any order (PostgreSQL's full text ANDs the words too)."""
    for term in query_terms(q):
        quoted = Span.objects.public().filter(
            claim=OuterRef("pk"), role=SpanRole.CONTENT, exact__icontains=term
        )
        queryset = queryset.filter(
            Q(text__icontains=term) | Q(speaker__name__icontains=term) | Exists(quoted)
        )
    return queryset
