"""Fill a PostgreSQL database with the synthetic corpus of bench/corpus.py.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_corpus \\
        uv run python bench/generate_corpus.py --claims 1000000 --sources 200000

Sources of news-like text, speakers with a long tail, claims of every kind and
status whose spans verify, ledgers, evidence and change-feed events, loaded
with COPY in transactions of 5,000 claims with every database guard on, with a
progress bar. The database is created if missing and migrated; its name must
contain bench, corpus or test unless --allow-any-database is given. Tops up: a
database that already holds --claims claims is left alone. The generation's
time and counts are recorded (bench/results/corpus-<database>.json) for the
reports of the benches that read the corpus later.

A bench script, not a management command: the project's commands never
import bench/. ``main(argv)`` also runs in a process whose Django is already
set up (the tests), on the database it is connected to.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import api, corpus  # noqa: E402

SAFE_NAME_WORDS = ("bench", "corpus", "test")


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, required=True, metavar="M")
    parser.add_argument(
        "--sources",
        type=int,
        metavar="N",
        help="about this many sources (default: one per 5 claims)",
    )
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument(
        "--allow-any-database",
        action="store_true",
        help="write into a database whose name has none of "
        f"{', '.join(SAFE_NAME_WORDS)} (it adds many rows)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="W",
        help="processes planning the text while this one loads (default: "
        "one per CPU); the corpus is the same for any number",
    )
    parser.add_argument("--quiet-progress", action="store_true")
    return parser


def refuse_unsafe_name(name: str, args) -> None:
    if not args.allow_any_database and not any(w in name for w in SAFE_NAME_WORDS):
        sys.exit(
            f"The database {name!r} does not look like a scratch database "
            "(its name has none of " + ", ".join(SAFE_NAME_WORDS) + "); pass "
            "--allow-any-database to fill it anyway."
        )


def check(args, connection) -> None:
    """Refuse what the corpus cannot go into, before anything is written."""
    if connection.vendor != "postgresql":
        sys.exit(
            "generate_corpus needs PostgreSQL (it loads with COPY): set "
            "DATABASE_URL=postgres://…"
        )
    refuse_unsafe_name(connection.settings_dict["NAME"], args)
    if args.claims < 1:
        sys.exit("--claims must be at least 1.")
    if args.workers is not None and args.workers < 1:
        sys.exit("--workers must be at least 1.")
    if args.sources is not None and not 1 <= args.sources <= args.claims:
        sys.exit("--sources must be between 1 and --claims.")


def progress_bar(started: float):
    def progress(made, wanted):
        width = 30
        done = int(width * made / wanted)
        elapsed = time.perf_counter() - started
        rate = made / elapsed if elapsed else 0
        sys.stderr.write(
            f"\r[{'#' * done}{'.' * (width - done)}] {made:,}/{wanted:,} claims"
            f"  {rate:,.0f}/s  {elapsed:,.0f} s"
        )
        sys.stderr.flush()
        if made >= wanted:
            sys.stderr.write("\n")

    return progress


def main(argv=None) -> dict | None:
    args = arguments().parse_args(argv)
    from django.apps import apps

    if not apps.ready:  # run from the command line, not from a set-up process
        parsed = api.configure_environment()
        refuse_unsafe_name(parsed["NAME"], args)  # before it is created
        api.prepare_database(allow_any=True)
    from django.db import connection

    check(args, connection)
    show = not args.quiet_progress

    def log(line):
        if show and line.startswith("  claims"):
            return  # the progress bar shows these
        print(line)

    result = corpus.generate(
        args.claims,
        seed=args.seed,
        claims_per_source=args.claims / args.sources if args.sources else 5.0,
        progress=progress_bar(time.perf_counter()) if show else None,
        log=log,
        workers=args.workers,
    )
    if result is None:
        print("Nothing to do: the database has that many claims.")
        return None
    api.record_generation(result)
    print(
        f"Generated {result['added']:,} claims and {result['source']:,} sources "
        f"in {result['seconds']:.0f} s."
    )
    return result


if __name__ == "__main__":
    main()
