import datetime

from django.core.management.base import BaseCommand, CommandError

from claims.services import mark_overdue


class Command(BaseCommand):
    help = (
        "The deadline sweep: move every pending prediction or promise whose deadline "
        "(at its precision: a month deadline ends on the month's last day) has passed "
        "to overdue, one ledger entry each. Idempotent; run it from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would move; change nothing.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help=(
                "Batches of 500 claims moved at once, each on its own database "
                "connection (PostgreSQL; default 2). 1 moves them one after another."
            ),
        )
        parser.add_argument(
            "--today",
            help="Sweep as if today were this date (YYYY-MM-DD); default: today.",
        )

    def handle(self, *args, dry_run=False, today=None, workers=2, **options):
        if workers < 1:
            raise CommandError(f"--workers must be 1 or more, not {workers}.")
        if today:
            try:
                today = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(
                    f"--today must be a date (YYYY-MM-DD), not {today!r}."
                ) from None
        moves = mark_overdue(today=today, dry_run=dry_run, workers=workers)
        verb = "would move" if dry_run else "moved"
        for move in moves:
            words = f' ("{move.due_text}")' if move.due_text else ""
            done = f"skipped ({move.note})" if move.note else f"{verb} to overdue"
            self.stdout.write(
                f"claim {move.claim_id}: {done}, deadline {move.deadline}{words}: "
                f"{move.claim_text[:70]}"
            )
        moved = [m for m in moves if m.moved or dry_run]
        self.stdout.write(
            self.style.SUCCESS(f"{len(moved)} claim(s) {verb} to overdue.")
        )
