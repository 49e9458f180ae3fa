from django.core.management.base import BaseCommand

from ...watching import notify_due


class Command(BaseCommand):
    help = (
        "Email watchers about the status changes recorded since the last run "
        "(docs/NOTIFICATIONS.md). Each change queues this at commit; the compose "
        "scheduler runs it too, so that a lost task or a mail server that was "
        "down delays an email and loses none."
    )

    def handle(self, *args, **options):
        sent = notify_due()
        self.stdout.write(f"{sent} email(s) sent to watchers.")
