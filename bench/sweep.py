"""The deadline sweep over many due claims, on PostgreSQL, as it runs in
production: every batch committed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench \\
        uv run python bench/sweep.py --claims 100000 --due 100000

Picks the day on which ``--due`` accepted pending predictions and promises of the corpus
are past their deadline (all of them if the corpus holds fewer), copies the
corpus database (``CREATE DATABASE … TEMPLATE``, about 30 s for a million
claims), then runs ``services.mark_overdue(today=that day, workers=N)`` — what
``manage.py mark_overdue`` runs — on the copy and times it: each batch its own
transaction, so the commits, their WAL flushes and the deferred checks (foreign
keys, a verdict's evidence) are in the time, as they are in production. The
copy is dropped at the end and the corpus is left as it was. Before that it
checks the result: no due pending claim is left, each moved claim has exactly
one new ledger entry, history record and change-feed event, and every status
equals its last ledger entry.

(Until 2026-11-28 the bench ran the sweep inside one transaction that it rolled
back: no commit, and the deferred checks never ran. That measured 30 s per
100k on the same machine and corpus where the committed sweep takes 31 s.)
"""

import datetime as dt
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import api as b  # noqa: E402

TARGET_S_PER_100K = 20


def pick_today(due: int) -> tuple[dt.date, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT due_on FROM claims_claim WHERE review = 'accepted' "
            "AND status = 'pending' AND kind IN ('prediction', 'promise') AND due_on IS NOT NULL "
            "ORDER BY due_on DESC LIMIT 1"
        )
        row = cursor.fetchone()
        if row is None:
            sys.exit("The corpus has no pending prediction or promise to sweep.")
        cursor.execute(
            "SELECT due_on FROM claims_claim WHERE review = 'accepted' "
            "AND status = 'pending' AND kind IN ('prediction', 'promise') AND due_on IS NOT NULL "
            "ORDER BY due_on, id OFFSET %s LIMIT 1",
            [due - 1],
        )
        cut = cursor.fetchone()
        last = (cut or row)[0]
        today = last + dt.timedelta(days=1)
        cursor.execute(
            "SELECT count(*) FROM claims_claim WHERE review = 'accepted' "
            "AND status = 'pending' AND kind IN ('prediction', 'promise') AND due_on < %s",
            [today],
        )
        return today, cursor.fetchone()[0]


def check(moved_ids: list[int], ledger_before: int, events_before: int, today):
    from django.db import connection

    from claims.models import Claim, ClaimEvent, StatusChange

    problems = []
    if Claim.objects.past_deadline(today).exists():
        problems.append("due pending claims are left")
    if StatusChange.objects.count() - ledger_before != len(moved_ids):
        problems.append("not one ledger entry per moved claim")
    if ClaimEvent.objects.count() - events_before != len(moved_ids):
        problems.append("not one change-feed event per moved claim")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM claims_claim c WHERE c.id = ANY(%s) AND c.status "
            "IS DISTINCT FROM (SELECT l.to_status FROM claims_statuschange l "
            "WHERE l.claim_id = c.id ORDER BY l.claim_version DESC LIMIT 1)",
            [moved_ids],
        )
        if cursor.fetchone()[0]:
            problems.append("a status differs from its last ledger entry")
        cursor.execute(
            "SELECT count(*) FROM claims_historicalclaim h WHERE h.id = ANY(%s) "
            "AND h.status = 'overdue' AND h.history_type = '~'",
            [moved_ids],
        )
        if cursor.fetchone()[0] != len(moved_ids):
            problems.append("not one history record per moved claim")
    return problems


def main(argv=None) -> None:
    parser = b.bench_arguments(
        "The deadline sweep over --due claims, committed on a copy of the corpus.",
        reps=1,
        explain="(unused)",
    )
    parser.add_argument(
        "--due", type=int, default=100_000, help="due claims to sweep (default 100000)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="batches moved at once (mark_overdue --workers; default 2)",
    )
    args = parser.parse_args(argv)
    b.prepare_database(allow_any=args.allow_any_database)
    b.top_up_corpus(args.claims, args.seed)

    from claims import services
    from claims.models import ClaimEvent, StatusChange

    today, due = pick_today(args.due)
    with b.on_a_copy("sweep"):
        ledger_before = StatusChange.objects.count()
        events_before = ClaimEvent.objects.count()
        print(f"Sweeping {due:,} due claims as of {today}, {args.workers} worker(s) …")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        moves = services.mark_overdue(today=today, workers=args.workers)
        seconds = time.perf_counter() - started
        moved = [m.claim_id for m in moves if m.moved]
        problems = check(moved, ledger_before, events_before, today)
    if problems:
        sys.exit("The sweep left: " + "; ".join(problems))
    per_100k = seconds / max(len(moved), 1) * 100_000
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"moved {len(moved):,} claims in {seconds:.1f} s "
        f"({len(moved) / seconds:,.0f} claims/s; "
        f"{per_100k:.1f} s per 100k; target {TARGET_S_PER_100K} s); "
        f"peak RSS {rss / 1024:.0f} MiB (before the sweep {rss_before / 1024:.0f})"
    )
    b.dump_json(
        args,
        "sweep",
        [
            {
                "name": "deadline sweep",
                "note": f"{len(moved):,} due claims moved to overdue, committed, "
                f"{args.workers} worker(s)",
                "seconds": seconds,
                "moved": len(moved),
                "workers": args.workers,
                "per_100k": per_100k,
                "target_s_per_100k": TARGET_S_PER_100K,
            }
        ],
    )


if __name__ == "__main__":
    main()
