"""Public tracker pages (anonymous readers) on PostgreSQL, through the whole stack.

    CLAIMTRACK_CACHE_URL=redis://127.0.0.1:6379/9 \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench \\
        uv run python bench/public.py --claims 100000

Same database, safety checks, production-like settings (DJANGO_DEBUG=0),
corpus and request runner as bench/admin.py, but as an anonymous reader: the
tracker (``/``, its capped status counts served from the cache, and on a
cold cache, where the reader waits for the counts), 30 claim pages (accepted claims, a
third with a verdict), 30 source pages, the speaker page of the top speaker and
of long-tail ones, and the search page (a common and a rare word, ranked; a
second page through the cursor). Each response is checked: 200 and the
object's words (escaped) or the expected claims. Target (issue 7): 100 ms.
"""

import html
import random
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import admin as a  # noqa: E402
from bench import api as b  # noqa: E402

TARGET_MS = 100
PER_OBJECT = 30
CLAIM_LINK = a.re.compile(r'href="/claims/(\d+)/"')


def contains(*needles: str):
    def check(body: str, i: int):
        needle = needles[i % len(needles)]
        return None if needle in body else f"{needle[:60]!r} not on the page"

    return check


def lists_claims(expected: list[list[int]]):
    """The page's claim links, in order, start with ``expected`` (per path)."""

    def check(body: str, i: int):
        want = expected[i % len(expected)]
        shown = [int(x) for x in CLAIM_LINK.findall(body)]
        seen = list(dict.fromkeys(shown))[: len(want)]
        return None if seen == want else f"claims {seen[:5]}… where {want[:5]}…"

    return check


def rare_word(candidates: list[str], ranked) -> str | None:
    """The first candidate with 3 to 20 matches; at a million claims the tail is
    denser than that, and the one with the fewest (at least 3) stands in."""
    fewest = None
    for word in candidates:
        found = len(ranked(word))
        if 3 <= found <= 20:
            return word
        if found >= 3 and (fewest is None or found < fewest[1]):
            fewest = (word, found)
    return None if fewest is None else fewest[0]


def search_cases(accepted, seed: int) -> list:
    """The search page for a common and a rare word, and the second page
    through the cursor where there is one."""
    from bench.corpus import search_terms
    from claims.search import search_claims

    common, candidates = search_terms(seed)

    def ranked(word):
        return list(
            search_claims(accepted, word)
            .order_by("-rank_key", "-id")
            .values_list("id", "rank_key")[: 2 * 25]
        )

    cases = []
    for label, word in (("common", common), ("rare", rare_word(candidates, ranked))):
        if word is None:
            continue
        rows = ranked(word)
        cases.append(
            a.Case(
                f"search ?q={word} ({label})",
                "ranked full-text search, first page of 25",
                [f"/search/?{urlencode({'q': word})}"],
                lists_claims([[pk for pk, _ in rows[:25]]]),
                target=True,
            )
        )
        if len(rows) > 25:
            cursor_value = f"{rows[24][1]}.{rows[24][0]}"
            cases.append(
                a.Case(
                    f"search ?q={word} ({label}), page 2",
                    "the next 25 through the keyset cursor",
                    [f"/search/?{urlencode({'q': word, 'after': cursor_value})}"],
                    lists_claims([[pk for pk, _ in rows[25:50]]]),
                    target=True,
                )
            )
    return cases


def build_cases(seed: int) -> list:
    from django.core.cache import cache
    from django.db import connection

    from claims.models import Claim, Evidence, Span
    from public import queries

    rng = random.Random(f"bench-public:{seed}")
    accepted = Claim.objects.accepted()
    cases = [
        a.Case(
            "tracker /",
            "status counts from the cache, overdue, verdicts, sources",
            ["/"],
            contains("Overdue"),
            target=True,
        )
    ]

    class Cold(a.Case):
        """The tracker with its cached counts dropped before each request."""

    cold = Cold(
        "tracker / (cold cache)",
        "cache entry deleted before each request, as on a cold start or once "
        "it expired: the reader waits for the capped counts per status",
        ["/"],
        contains("Overdue"),
        target=True,
    )
    cold.before = lambda: cache.delete(queries.COUNTS_CACHE_KEY)
    cases.append(cold)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(id) FROM claims_claim WHERE review = 'accepted'",
        )
        top = cursor.fetchone()[0]
    evidenced = set(
        Evidence.objects.filter(claim_id__gt=top - 20_000).values_list(
            "claim_id", flat=True
        )
    )
    recent = list(
        accepted.filter(id__gt=top - 20_000).values_list("id", "text").order_by("id")
    )
    with_verdict = [r for r in recent if r[0] in evidenced]
    without = [r for r in recent if r[0] not in evidenced]
    picked = rng.sample(with_verdict, PER_OBJECT // 3) + rng.sample(
        without, PER_OBJECT - PER_OBJECT // 3
    )
    rng.shuffle(picked)
    cases.append(
        a.Case(
            "claim page",
            f"{PER_OBJECT} accepted claims, a third with a verdict",
            [f"/claims/{pk}/" for pk, _ in picked],
            contains(*(html.escape(text) for _, text in picked)),
            target=True,
        )
    )
    sources = list(
        Span.objects.filter(claim__review="accepted")
        .values_list("source_id", flat=True)
        .distinct()
        .order_by("-source_id")[: PER_OBJECT * 20]
    )
    sources = rng.sample(sources, PER_OBJECT)
    titles = dict(
        __import__("sources.models", fromlist=["Source"])
        .Source.objects.filter(pk__in=sources)
        .values_list("pk", "title")
    )
    cases.append(
        a.Case(
            "source page",
            f"{PER_OBJECT} sources: the text with every accepted claim highlighted",
            [f"/sources/{pk}/" for pk in sources],
            contains(*(html.escape(titles[pk]) for pk in sources)),
            target=True,
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT speaker_id, count(*) FROM claims_claim WHERE review = 'accepted' "
            "AND speaker_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"
        )
        by_count = cursor.fetchall()
    top_speaker, top_count = by_count[0]
    tail = [pk for pk, n in by_count if 3 <= n <= 10][:PER_OBJECT]
    for label, speakers, note in (
        ("speaker page (top speaker)", [top_speaker], f"{top_count:,} claims"),
        ("speaker page (tail)", tail, f"{len(tail)} speakers with 3–10 claims"),
    ):
        expected = [
            list(
                accepted.filter(speaker_id=pk)
                .order_by("-id")
                .values_list("id", flat=True)[:5]
            )
            for pk in speakers
        ]
        cases.append(
            a.Case(
                label,
                note,
                [f"/speakers/{pk}/" for pk in speakers],
                lists_claims(expected),
                target=True,
            )
        )
    cases += search_cases(accepted, seed)
    return cases


class Runner(a.Runner):
    """admin.Runner as an anonymous reader."""

    def __init__(self):
        from django.db import connection
        from django.test import Client

        self.connection = connection
        self.client = Client()

    def get(self, path: str):
        before = getattr(self._case, "before", None)
        if before:
            before()
        return super().get(path)

    def measure(self, case, reps: int) -> dict:
        self._case = case
        return super().measure(case, reps)


def measure_all(cases, reps: int) -> list[dict]:
    runner = Runner()
    results = []
    for case in cases:
        result = runner.measure(case, reps)
        result["target_ms"] = TARGET_MS
        results.append(result)
        print(
            f"  {case.name:<42} {result['median']:8.1f} ms  p95 "
            f"{result['p95']:8.1f}  {a.queries_text(result)} queries"
        )
    return results


def main(argv=None) -> None:
    parser = b.bench_arguments(
        "Public tracker page latency, anonymous, through the whole stack.",
        reps=30,
        explain="(unused)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    b.prepare_database(allow_any=args.allow_any_database)
    b.top_up_corpus(args.claims, args.seed)
    static_root, _ = a.collect_static()
    try:
        cases = build_cases(args.seed)
        results = measure_all(cases, args.reps)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    b.dump_json(args, "public", [b.summary_row(r, TARGET_MS) for r in results])
    print(f"Total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
