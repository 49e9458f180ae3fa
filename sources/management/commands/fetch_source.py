from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ...web import fetch_source


class Command(BaseCommand):
    help = (
        "Fetch web pages into sources: each page's response is kept as an "
        "immutable snapshot (a WARC record) and its article text becomes a "
        "source, or the stored one if the text is known. Only public http(s) "
        "addresses unless CLAIMTRACK_FETCH_ALLOW_PRIVATE=1."
    )

    def add_arguments(self, parser):
        parser.add_argument("urls", nargs="+", metavar="URL")
        parser.add_argument(
            "--by", metavar="USERNAME", help="record the sources as this user's"
        )

    def handle(self, *args, urls, by=None, **options):
        user = None
        if by:
            user = get_user_model().objects.filter(username=by, is_active=True).first()
            if user is None:
                raise CommandError(f"There is no active user {by!r}.")
        failed = 0
        for url in urls:
            try:
                result = fetch_source(url, by=user)
            except ValidationError as error:
                self.stderr.write(f"{url}: {'; '.join(error.messages)}")
                failed += 1
                continue
            source, snapshot = result.source, result.snapshot
            what = "new source" if result.created else "stored source"
            self.stdout.write(
                f"{url}: {what} {source.pk} ({source.text_length} characters, "
                f"{source.title!r}), snapshot {snapshot.pk} of {snapshot.final_url} "
                f"at {snapshot.fetched_at:%Y-%m-%d %H:%M:%S} UTC, sha256 "
                f"{snapshot.sha256[:12]}…"
            )
        if failed:
            raise CommandError(f"{failed} of {len(urls)} URL(s) refused.")
