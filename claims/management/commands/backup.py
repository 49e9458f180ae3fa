from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from claims.backup import BackupError, write_backup


class Command(BaseCommand):
    help = (
        "Write the whole database (sources, claims, spans, ledger, evidence, the "
        "change feed, history, users, groups and API tokens) to FILE, a new "
        "gzip-compressed JSON-lines archive that `restore` loads into an empty "
        "database, SQLite or PostgreSQL. Reads one consistent snapshot while the "
        "site keeps running; memory stays flat whatever the size."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive to create, e.g. x.jsonl.gz.")

    def handle(self, *args, file, **options):
        try:
            manifest = write_backup(file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        tables = manifest["tables"]
        if options["verbosity"] > 1:
            for name, table in tables.items():
                self.stdout.write(f"  {name}: {table['rows']} rows")
        rows = sum(table["rows"] for table in tables.values())
        # "45.2 KB", "7.8 MB": the unit that fits (a plain space for a terminal).
        size = filesizeformat(Path(file).stat().st_size).replace("\xa0", " ")
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {rows} rows of {len(tables)} tables to {file} ({size})."
            )
        )
