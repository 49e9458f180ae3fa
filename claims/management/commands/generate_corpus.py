import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

SAFE_NAME_WORDS = ("bench", "corpus", "test")


class Command(BaseCommand):
    help = (
        "Fill a PostgreSQL database with a realistic, reproducible synthetic "
        "corpus (bench/corpus.py): sources of news-like text, speakers with a "
        "long tail, claims of every kind and status whose spans verify, ledgers, "
        "evidence and change-feed events, loaded with COPY in transactions of "
        "5,000 claims with every database guard on. Tops up: a database that "
        "already holds --claims claims is left alone."
    )

    def add_arguments(self, parser):
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

    def handle(self, *args, claims, sources, seed, allow_any_database, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "generate_corpus needs PostgreSQL (it loads with COPY): set "
                "DATABASE_URL=postgres://…"
            )
        name = connection.settings_dict["NAME"]
        if not allow_any_database and not any(w in name for w in SAFE_NAME_WORDS):
            raise CommandError(
                f"The database {name!r} does not look like a scratch database "
                "(its name has none of " + ", ".join(SAFE_NAME_WORDS) + "); pass "
                "--allow-any-database to fill it anyway."
            )
        if claims < 1:
            raise CommandError("--claims must be at least 1.")
        if options["workers"] is not None and options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        if sources is not None and not 1 <= sources <= claims:
            raise CommandError("--sources must be between 1 and --claims.")
        try:
            from bench import corpus
        except ImportError as error:
            raise CommandError(
                "bench/corpus.py is not importable: run from the project root."
            ) from error

        per_source = claims / sources if sources else 5.0
        started = time.perf_counter()
        show = not options["quiet_progress"]

        def progress(made, wanted):
            if not show:
                return
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

        def log(line):
            if show and line.startswith("  claims"):
                return  # the progress bar shows these
            self.stdout.write(line)

        result = corpus.generate(
            claims,
            seed=seed,
            claims_per_source=per_source,
            progress=progress,
            log=log,
            workers=options["workers"],
        )
        if result is None:
            self.stdout.write("Nothing to do: the database has that many claims.")
            return
        self.stdout.write(
            f"Generated {result['added']:,} claims and {result['source']:,} sources "
            f"in {result['seconds']:.0f} s."
        )
