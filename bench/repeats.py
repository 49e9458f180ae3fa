"""Repeat detection's candidate lookup on the corpus, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench_1m \\
        uv run python bench/repeats.py --claims 1000000 --sample 400

For a deterministic sample of corpus claims (named speakers and narrator
claims alike), times ``claims.similar.similar_claims``: the two bounded
lookups (the speaker's claims, the full-text lookup of distinctive words) and
the scoring of what they return, which is what ``find_repeats`` runs inside
every proposal. Reports the median, p95 and p99 in milliseconds, the
claims read per lookup and how many scored at or over the threshold. Read
only: nothing is written.
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
        "similar_claims (repeat detection's lookup) over a sample of claims.",
        reps=1,
        explain="(unused)",
    )
    parser.add_argument("--sample", type=int, default=400)
    args = parser.parse_args(argv)
    b.prepare_database(allow_any=args.allow_any_database)
    b.top_up_corpus(args.claims, args.seed)

    from django.db import connection

    from claims import similar
    from claims.matching import THRESHOLD
    from claims.models import Claim

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM claims_claim")
        top = cursor.fetchone()[0]
    rng = random.Random(f"bench-repeats:{args.seed}")
    ids = sorted(rng.sample(range(1, top + 1), min(args.sample, top)))
    claims = list(Claim.objects.filter(pk__in=ids).order_by("pk"))
    for claim in claims[:20]:  # warm the caches and the connection
        similar.similar_claims(claim)
    times, read, over = [], [], []
    for claim in claims:
        started = time.perf_counter()
        found = similar.similar_claims(claim, limit=1000)
        times.append((time.perf_counter() - started) * 1000)
        read.append(len(similar._pool(claim, similar.speaker_family(claim.speaker_id))))
        over.append(sum(1 for _, match in found if match.score >= THRESHOLD))
    named = sum(1 for claim in claims if claim.speaker_id)
    row = {
        "name": "similar_claims",
        "note": f"{len(claims)} claims ({named} with a speaker)",
        "median": b.percentile(times, 0.5),
        "p95": b.percentile(times, 0.95),
        "p99": b.percentile(times, 0.99),
        "read_mean": sum(read) / len(read),
        "read_max": max(read),
        "over_threshold_mean": sum(over) / len(over),
    }
    print(
        f"similar_claims over {row['note']}: median {row['median']:.1f} ms, "
        f"p95 {row['p95']:.1f} ms, p99 {row['p99']:.1f} ms; claims read per "
        f"lookup {row['read_mean']:.0f} on average (at most {row['read_max']}); "
        f"{row['over_threshold_mean']:.2f} at or over {THRESHOLD} on average"
    )
    b.dump_json(args, "repeats", [row])


if __name__ == "__main__":
    main()
