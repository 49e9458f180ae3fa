import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken


class Command(BaseCommand):
    help = (
        "Create an API token for a user and print it once. Only its hash is "
        "stored: keep the printed token, it cannot be shown again."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Lifetime in days (default: CLAIMTRACK_TOKEN_TTL_DAYS, 90).",
        )

    def handle(self, *args, username, days=None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more.")
        expiry = datetime.timedelta(days=days) if days else None
        instance, token = (
            AuthToken.objects.create(user, expiry=expiry)
            if expiry
            else AuthToken.objects.create(user)
        )
        self.stdout.write(token)
        self.stderr.write(
            f"Token for {username}, expires {instance.expiry:%Y-%m-%d %H:%M} UTC. "
            "Send it as: Authorization: Token <token>"
        )
