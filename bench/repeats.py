"""Repeat detection's candidate lookup on the corpus, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench_1m \\
        uv run python bench/repeats.py --claims 1000000 --sample 400

For a deterministic sample of corpus claims (named speakers and narrator
claims alike), times ``claims.similar.scored_claims``: the two bounded
lookups (the speaker's claims, the full-text lookup of distinctive words) and
the scoring of what they return, which is what ``find_repeats`` runs inside
every proposal. Reports the median, p95 and p99 in milliseconds twice: as a
process runs (the texts earlier lookups read are kept, ``reading_of``) and
cold (that cache emptied before each lookup); the claims read per lookup and
how many scored at or over the threshold. Read only: nothing is written.
"""

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import api as b  # noqa: E402


def main(argv=None) -> None:
    parser = b.bench_arguments(
        "scored_claims (repeat detection's lookup) over a sample of claims.",
        reps=1,
        explain="(unused)",
    )
    parser.add_argument("--sample", type=int, default=400)
    args = parser.parse_args(argv)
    b.prepare_database(allow_any=args.allow_any_database)
    b.top_up_corpus(args.claims, args.seed)

    from django.db import connection

    from claims import similar
    from claims.matching import THRESHOLD, reading_of
    from claims.models import Claim

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM claims_claim")
        top = cursor.fetchone()[0]
    print(prewarm(connection))
    rng = random.Random(f"bench-repeats:{args.seed}")
    drawn = rng.sample(range(1, top + 1), min(args.sample + 20, top))
    ids, warm_ids = sorted(drawn[20:]), drawn[:20]
    claims = list(Claim.objects.filter(pk__in=ids).order_by("pk"))
    for claim in Claim.objects.filter(pk__in=warm_ids):  # the connection, the plans
        similar.scored_claims(claim)
    times, cold, read, over = [], [], [], []
    for claim in claims:
        # Cold: no text read before (reading_of's cache empty), the worst case.
        reading_of.cache_clear()
        started = time.perf_counter()
        similar.scored_claims(claim)
        cold.append((time.perf_counter() - started) * 1000)
    reading_of.cache_clear()
    for claim in claims:
        # As a process runs: the texts read by the lookups before kept.
        started = time.perf_counter()
        found = similar.scored_claims(claim)
        times.append((time.perf_counter() - started) * 1000)
        read.append(len(similar._pool(claim, similar.speaker_family(claim.speaker_id))))
        over.append(sum(1 for _, match in found if match.score >= THRESHOLD))
    named = sum(1 for claim in claims if claim.speaker_id)
    row = {
        "name": "scored_claims",
        "note": f"{len(claims)} claims ({named} with a speaker)",
        "median": b.percentile(times, 0.5),
        "p95": b.percentile(times, 0.95),
        "p99": b.percentile(times, 0.99),
        "cold_median": b.percentile(cold, 0.5),
        "cold_p95": b.percentile(cold, 0.95),
        "cold_p99": b.percentile(cold, 0.99),
        "read_mean": sum(read) / len(read),
        "read_max": max(read),
        "over_threshold_mean": sum(over) / len(over),
    }
    print(
        f"scored_claims over {row['note']}: median {row['median']:.1f} ms, "
        f"p95 {row['p95']:.1f} ms, p99 {row['p99']:.1f} ms (each text read cold: "
        f"{row['cold_median']:.1f}, {row['cold_p95']:.1f}, {row['cold_p99']:.1f} ms); "
        "claims read per "
        f"lookup {row['read_mean']:.0f} on average (at most {row['read_max']}); "
        f"{row['over_threshold_mean']:.2f} at or over {THRESHOLD} on average"
    )
    b.dump_json(args, "repeats", [row])


# What the lookup reads: a server keeps them in memory in steady state.
READ_BY_THE_LOOKUP = (
    "claims_claim",
    "claims_claim_pkey",
    "claim_speaker_idx",
    "claim_live_speaker_idx",
    "claims_claimsearch",
    "claims_claimsearch_pkey",
    "claimsearch_document_gin",
    "claims_speaker",
    "claims_speaker_pkey",
)


def prewarm(connection) -> str:
    """Read the tables and indexes the lookup uses into memory (pg_prewarm),
    so that the timings are the lookup's, not which pages a run before left
    in the operating system's cache (a first run of the same sample was up
    to twice as slow in its tail)."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_prewarm'"
        )
        if cursor.fetchone() is None:
            return "not prewarmed: the server has no pg_prewarm"
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        pages = 0
        for relation in READ_BY_THE_LOOKUP:
            cursor.execute("SELECT pg_prewarm(%s, 'read')", [relation])
            pages += cursor.fetchone()[0]
    took = time.perf_counter() - started
    return f"prewarmed {pages * 8 / 1024:,.0f} MiB in {took:.1f} s"


if __name__ == "__main__":
    main()
