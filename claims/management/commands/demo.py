import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

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

    def handle(self, *args, addrport="127.0.0.1:8000", no_serve=False, **options):
        verbosity = options.get("verbosity", 1)
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        call_command("load_seeds", stdout=self.stdout)
        call_command("mark_overdue", stdout=self.stdout)
        if not settings.DEBUG:
            self.stdout.write(
                self.style.WARNING(
                    "DJANGO_DEBUG is off: no demo user is created and the development "
                    "server is not started. In production run gunicorn (see "
                    "docs/deployment.md) and create users with createsuperuser."
                )
            )
            return
        password = self._demo_user()
        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nclaimtrack demo ready: http://{host}/admin/\n"
                f"  username: {DEMO_USERNAME}\n"
                f"  password: {password}   (new on every run; local DEBUG use only)\n"
            )
        )
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)

    def _demo_user(self) -> str:
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        return password
