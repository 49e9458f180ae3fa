"""CSV export of every claim, streamed, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench \\
        uv run python bench/export.py --claims 100000

Streams ``claims.exports.as_csv`` over every claim of the corpus (bench/
corpus.py, generated up to ``--claims``) into nothing, as a download would
stream it to a client: time, rows a second, and the resident memory sampled
every 2,000 rows (flat memory: the same at the start and the end).
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import api as b  # noqa: E402


def main(argv=None) -> None:
    parser = b.bench_arguments("CSV export of every claim.", reps=1, explain="(unused)")
    args = parser.parse_args(argv)
    b.prepare_database(allow_any=args.allow_any_database)
    b.top_up_corpus(args.claims, args.seed)

    from claims.exports import as_csv
    from claims.models import Claim

    samples, rows, size = [], -1, 0
    started = time.perf_counter()
    for line in as_csv(Claim.objects.all()):
        rows += 1
        size += len(line.encode())
        if rows % 2000 == 0:
            samples.append(b.resident_mib())
    seconds = time.perf_counter() - started
    print(
        f"{rows:,} claims as CSV ({size / 2**20:.0f} MiB) in {seconds:.1f} s: "
        f"{rows / seconds:,.0f} rows/s; resident memory {samples[0]:.0f} MiB at "
        f"the start, {max(samples):.0f} at most, {samples[-1]:.0f} at the end"
    )
    b.dump_json(
        args,
        "export",
        [{"name": "csv export", "seconds": seconds, "rows_per_s": rows / seconds}],
    )


if __name__ == "__main__":
    main()
