import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from knox.models import AuthToken

ROLES = ("contributor", "reviewer")

DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = (
        "The main job in one command: migrate, load the seeds, run the deadline "
        "sweep, create a local demo superuser (DEBUG only; credentials printed) and "
        "serve the site on http://127.0.0.1:8000/ (admin at /admin/)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport", nargs="?", default="127.0.0.1:8000", help="Where to serve."
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare everything, then stop."
        )
        parser.add_argument(
            "--new-passwords",
            action="store_true",
            help="Give the demo users new passwords (signs them out everywhere).",
        )

    def handle(
        self,
        *args,
        addrport="127.0.0.1:8000",
        no_serve=False,
        new_passwords=False,
        **options,
    ):
        verbosity = options.get("verbosity", 1)
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        call_command("createcachetable", verbosity=max(verbosity - 1, 0))
        call_command("load_seeds", stdout=self.stdout)
        call_command("mark_overdue", stdout=self.stdout)
        if not settings.DEBUG:
            self.stdout.write(
                self.style.WARNING(
                    "DJANGO_DEBUG is off: no demo user is created and the development "
                    "server is not started. In production run gunicorn (see "
                    "docs/DEPLOYMENT.md) and create users with createsuperuser."
                )
            )
            return
        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        heading = (
            f"\nclaimtrack demo prepared; `uv run manage.py demo` serves it at "
            f"http://{host}/"
            if no_serve
            else f"\nclaimtrack demo ready: http://{host}/  (the public tracker)"
        )
        password = self._demo_user(DEMO_USERNAME, superuser=True, new=new_passwords)
        lines = [
            heading,
            f"Review desk: http://{host}/admin/",
            f"  username: {DEMO_USERNAME}",
            f"  password: {password}",
            f"API: http://{host}/api/v1/  (docs: http://{host}/api/docs/)",
            "Email (watch lists, the reviewers' digest) is printed here.",
        ]
        for role in ROLES:
            username = f"demo-{role}"
            role_password = self._demo_user(username, group=role, new=new_passwords)
            token = self._token(username)
            lines.append(f"  {role}: {username} / {role_password}   token: {token}")
        lines.append(
            "  (tokens are new on every run and last a day; earlier ones keep "
            "working until they expire)"
        )
        self.stdout.write(self.style.SUCCESS("\n".join(lines) + "\n"))
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)

    def _demo_user(self, username, *, superuser=False, group=None, new=False) -> str:
        """The user's password as printed: a fresh one on the first run (or
        with ``new``); after that it is kept, so a rerun signs nobody out."""
        user, created = get_user_model().objects.get_or_create(username=username)
        # Every demo user may log in to the admin (is_staff); what they may
        # do there comes from their group, or from being the superuser.
        user.is_staff = True
        user.is_superuser = superuser
        user.is_active = True
        # An address, so that watching a claim in the demo shows its email on
        # the console (the demo's mail backend).
        user.email = user.email or f"{username}@localhost"
        password = None
        if created or new or not user.has_usable_password():
            password = secrets.token_urlsafe(12)
            user.set_password(password)
        user.save()
        if group:
            user.groups.set([Group.objects.get(name=group)])
        if password is None:
            return "(unchanged since it was printed; --new-passwords sets a new one)"
        return f"{password}   (local DEBUG use only)"

    def _token(self, username) -> str:
        """A new API token; the user's earlier demo tokens are left to expire."""
        user = get_user_model().objects.get(username=username)
        return AuthToken.objects.create(user, expiry=datetime.timedelta(days=1))[1]
