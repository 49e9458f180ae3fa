from django.core.management.base import BaseCommand

from ...webhooks import deliver_due


class Command(BaseCommand):
    help = (
        "Deliver what every due webhook endpoint has waiting, in feed order "
        "(docs/NOTIFICATIONS.md). The worker does this after every change; the "
        "compose scheduler runs this too, so that nothing waits for the next one."
    )

    def handle(self, *args, **options):
        delivered = deliver_due()
        self.stdout.write(f"{delivered} event(s) delivered.")
