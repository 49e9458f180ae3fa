"""Proposing claims for many sources, on PostgreSQL, through the service.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench \\
        uv run python bench/proposals.py --claims 100000 --sources 1000

Runs ``services.propose_claims`` — what ``manage.py propose_claims``, the
admin's "Propose its claims" and ``POST /api/v1/sources/`` with
``propose_claims`` run — over ``--sources`` corpus sources (a deterministic
sample), each proposal recorded as the service records it and committed (its
own transaction: claim, spans, ledger, history, extraction record, change-feed
event), on a copy of the corpus database (``CREATE DATABASE … TEMPLATE``)
dropped at the end, so the corpus is left as it was. Reports sources per
second, proposals written per second and the process's peak resident memory.

(Until 2026-11-28 it ran inside one transaction rolled back at the end, every
proposal a savepoint of it: 52,000 subtransactions, no commit, and none of the
deferred checks, which is not how proposals run.)
"""

import random
import re
import resource
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import api as b  # noqa: E402


class StatementTimer:
    """An execute wrapper adding up the time of each statement shape."""

    def __init__(self):
        self.spent = Counter()
        self.count = Counter()

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = " ".join(re.sub(r"\b\d+\b", "?", sql).split())
            self.spent[shape] += time.perf_counter() - started
            self.count[shape] += 1

    def total(self) -> float:
        return sum(self.spent.values())

    def top(self, n: int):
        return [(s, t, self.count[s]) for s, t in self.spent.most_common(n)]


def main(argv=None) -> None:
    parser = b.bench_arguments(
        "propose_claims over --sources sources (rolled back afterwards).",
        reps=1,
        explain="(unused)",
    )
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument(
        "--statements",
        action="store_true",
        help="also print where the SQL time went, by statement shape",
    )
    args = parser.parse_args(argv)
    b.prepare_database(allow_any=args.allow_any_database)
    b.top_up_corpus(args.claims, args.seed)

    from django.db import connection

    from claims.services.proposals import propose_claims
    from sources.models import Source

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM sources_source")
        top = cursor.fetchone()[0]
    rng = random.Random(f"bench-proposals:{args.seed}")
    ids = sorted(rng.sample(range(1, top + 1), min(args.sources * 2, top)))
    ids = list(
        Source.objects.filter(pk__in=ids)
        .exclude(text="")
        .order_by("pk")
        .values_list("pk", flat=True)[: args.sources]
    )
    timer = StatementTimer()
    with b.on_a_copy("proposals"), connection.execute_wrapper(timer):
        started = time.perf_counter()
        created = skipped = chars = 0
        for pk in ids:
            source = Source.objects.get(pk=pk)
            run = propose_claims(source=source)
            created += len(run.created)
            skipped += len(run.skipped)
            chars += len(source.text)
        seconds = time.perf_counter() - started
        result = {
            "seconds": seconds,
            "sources": len(ids),
            "created": created,
            "skipped": skipped,
            "chars": chars,
        }
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    r = result
    print(
        f"{r['sources']:,} sources ({r['chars'] / r['sources']:,.0f} characters on "
        f"average) in {r['seconds']:.1f} s: {r['sources'] / r['seconds']:.1f} "
        f"sources/s; {r['created']:,} proposals written "
        f"({r['created'] / r['seconds']:,.0f}/s), {r['skipped']:,} skipped; "
        f"peak RSS {rss:.0f} MiB"
    )
    if args.statements:
        print(
            f"SQL {timer.total():.1f} s of {r['seconds']:.1f} s; the statements "
            "taking most of it (seconds, count, shape):"
        )
        for shape, spent, count in timer.top(12):
            print(f"  {spent:7.2f} {count:7,}  {shape[:100]}")
    b.dump_json(
        args,
        "proposals",
        [
            {
                "name": "propose_claims",
                "note": f"{r['sources']:,} sources, {r['created']:,} proposals",
                **r,
                "sources_per_s": r["sources"] / r["seconds"],
            }
        ],
    )


if __name__ == "__main__":
    main()
