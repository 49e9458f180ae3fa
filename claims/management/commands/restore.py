from django.core.management.base import BaseCommand, CommandError

from claims.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup` into this database, which must be "
        "empty and migrated to the archive's migrations: all of it in one "
        "transaction, or nothing. The archive's checksums are verified first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="An archive written by `manage.py backup`.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Verify the archive and check it against this database; write nothing.",
        )
        parser.add_argument(
            "--without-tokens",
            action="store_true",
            help="Leave out the API tokens: every client needs a new one.",
        )

    def handle(self, *args, file, dry_run, without_tokens, **options):
        try:
            result = restore_backup(file, dry_run=dry_run, tokens=not without_tokens)
        except BackupError as error:
            raise CommandError(f"Restore refused: {error}") from None
        header, tables = result.header, result.manifest["tables"]
        total = sum(t["rows"] for t in tables.values())
        self.stdout.write(
            f"{file}: made {header['created_at']} on {header['vendor']}, "
            f"{total} rows in {len(tables)} tables; checksums and migrations match."
        )
        for name in result.skipped:
            self.stdout.write(f"  {name}: not restored here.")
        for name in result.rebuilt:
            self.stdout.write(f"  {name}: rebuilt from the claims.")
        if dry_run:
            if result.occupied:
                self.stdout.write(
                    self.style.WARNING(
                        "This database is not empty (rows in "
                        f"{', '.join(result.occupied)}): a restore would be refused."
                    )
                )
            self.stdout.write("Dry run: nothing was written.")
            return
        self.stdout.write(result.feed)
        # Every archived row is accounted for: inserted, matched or left out.
        rest = []
        if result.matched:
            rest.append(
                f"{result.matched} content types and permissions were already here "
                "from `migrate` (matched by name, not copied)"
            )
        if result.left_out:
            rest.append(
                f"{result.left_out} {'row' if result.left_out == 1 else 'rows'} "
                f"left out ({', '.join(result.skipped)})"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.rows} of the archive's {total} rows"
                + "".join(f"; {part}" for part in rest)
                + ". Audit them with `manage.py verify_provenance`."
            )
        )
