import smtplib

from django.core.management.base import BaseCommand, CommandError

from ...digest import send_digests


class Command(BaseCommand):
    help = (
        "Send each reviewer their daily digest of claims coming due and gone "
        "overdue, once a day from CLAIMTRACK_DIGEST_HOUR on (docs/NOTIFICATIONS.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--any-hour",
            action="store_true",
            help="Send today's digests now, before CLAIMTRACK_DIGEST_HOUR.",
        )

    def handle(self, *args, any_hour, **options):
        try:
            sent = send_digests(any_hour=any_hour)
        except (OSError, smtplib.SMTPException) as error:
            raise CommandError(
                f"the mail server failed ({error}); the rest go on the next run."
            ) from error
        self.stdout.write(f"{sent} digest(s) sent.")
