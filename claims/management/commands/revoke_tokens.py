from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from knox.models import AuthToken


class Command(BaseCommand):
    help = (
        "Revoke API tokens: every token of the named users (a lost laptop, a "
        "leaked token, someone leaving), or with --expired the expired tokens "
        "of everyone. A revoked token answers 401 at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", metavar="username")
        parser.add_argument(
            "--expired",
            action="store_true",
            help="Delete every expired token (they are refused already).",
        )

    def handle(self, *args, usernames, expired, **options):
        if not usernames and not expired:
            raise CommandError("Name one or more users, or give --expired.")
        users = get_user_model().objects.filter(username__in=usernames)
        missing = sorted(set(usernames) - {user.get_username() for user in users})
        if missing:
            raise CommandError(
                f"There is no user {', '.join(map(repr, missing))}; nothing revoked."
            )
        for user in users.order_by("username"):
            count, _ = AuthToken.objects.filter(user=user).delete()
            self.stdout.write(f"{user.get_username()}: {count} token(s) revoked.")
        if expired:
            count, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
            self.stdout.write(f"{count} expired token(s) deleted.")
