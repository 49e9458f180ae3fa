"""Bulk backfill with proposals, end to end, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench \\
        uv run python bench/ingest.py --claims 100000 --sources 300

Writes ``--sources`` generated articles of our own (bench/extraction.py's, with
publication dates) to a JSON Lines file and runs ``manage.py ingest FILE
--propose`` over it — each text stored as a source and its claims proposed,
every proposal committed with every guard and trigger on — on a copy of the
corpus database at ``--claims`` claims (as bench/proposals.py), dropped at the
end. Reports sources and proposals per second, and the peak resident memory
at the start and the end, and the resident memory sampled every 5 s while
ingesting (flat memory: the samples level off, not climb with the sources).

``--worker`` runs it as compose does, ``CLAIMTRACK_TASKS=database``: the
proposals' repeat detection is a task a source, run by a ``db_worker``
process beside the ingest. It reports the ingest's own rate and the rate
until the worker has drained its queue (every proposal's repeat candidates
found), which is the end-to-end figure.
"""

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import api as b  # noqa: E402


def sampled(stop: threading.Event, samples: list, every: float = 5.0) -> None:
    started = time.perf_counter()
    while not stop.wait(every):
        samples.append((time.perf_counter() - started, b.resident_mib()))


def started_worker(database: str) -> subprocess.Popen:
    """``manage.py db_worker`` on the copy ``database``, as compose runs it."""
    from django.db import connection

    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{database}"
    assert connection.settings_dict["NAME"] == database
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-startup-delay",
            "--interval",
            "0.2",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
    )


def drain(worker: subprocess.Popen) -> float:
    """Seconds until the worker has no task waiting or running; then stop it."""
    from django_tasks_db.models import DBTaskResult

    started = time.perf_counter()
    waiting = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
    while waiting.exists():
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    worker.terminate()
    worker.wait(timeout=30)
    failed = DBTaskResult.objects.filter(status="FAILED").count()
    if failed:
        sys.exit(f"{failed} repeat task(s) failed in the worker")
    return seconds


def main(argv=None) -> None:
    parser = b.bench_arguments(
        "manage.py ingest --propose over --sources generated articles.",
        reps=1,
        explain="(unused)",
    )
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument(
        "--worker",
        action="store_true",
        help="repeat detection in a db_worker process (CLAIMTRACK_TASKS=database)",
    )
    args = parser.parse_args(argv)
    if args.worker:
        os.environ["CLAIMTRACK_TASKS"] = "database"
    b.prepare_database(allow_any=args.allow_any_database)
    b.top_up_corpus(args.claims, args.seed)

    from django.core.management import call_command

    from bench.extraction import generate
    from claims.models import Claim

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as file:
        for n, (text, published) in enumerate(generate(args.sources, args.seed)):
            line = {
                "title": f"Bench article {n}",
                "published_on": published.isoformat(),
                "text": f"{text}\n\n(bench {args.seed}-{n})",  # no text stored twice
            }
            file.write(json.dumps(line) + "\n")
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with b.on_a_copy("ingest") as copy:
        worker = started_worker(copy) if args.worker else None
        before = Claim.objects.count()
        stop, samples = threading.Event(), []
        sampler = threading.Thread(target=sampled, args=(stop, samples), daemon=True)
        sampler.start()
        started = time.perf_counter()
        call_command("ingest", file.name, "--propose", "--quiet", stdout=io.StringIO())
        seconds = time.perf_counter() - started
        stop.set()
        sampler.join()
        drained = seconds
        if worker is not None:
            drained = seconds + drain(worker)
        created = Claim.objects.count() - before
    Path(file.name).unlink()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if worker is not None:
        print(
            f"ingest {seconds:.1f} s ({created / seconds:,.0f} proposals/s); the "
            f"worker done with their repeats at {drained:.1f} s: "
            f"{created / drained:,.0f} proposals/s end to end"
        )
    print(
        f"{args.sources:,} sources at {args.claims:,} claims in {seconds:.1f} s: "
        f"{args.sources / seconds:.1f} sources/s, {created:,} proposals "
        f"({created / seconds:,.0f}/s); peak RSS {start_rss:.0f} MiB before, "
        f"{rss:.0f} MiB after"
    )
    if samples:
        tenths = [samples[len(samples) * n // 10] for n in range(10)] + [samples[-1]]
        print(
            "resident memory while ingesting: "
            + ", ".join(f"{mib:.0f} MiB at {at:.0f} s" for at, mib in tenths)
        )
    b.dump_json(
        args,
        "ingest",
        [
            {
                "name": "ingest --propose",
                "note": f"{args.sources:,} sources, {created:,} proposals",
                "seconds": seconds,
                "sources_per_s": args.sources / seconds,
                "proposals_per_s": created / seconds,
                "end_to_end_proposals_per_s": created / drained,
            }
        ],
    )


if __name__ == "__main__":
    main()
