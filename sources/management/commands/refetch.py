import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Min
from django.utils import timezone

from ...models import Snapshot, Source
from ...web import refetch_source


class Command(BaseCommand):
    help = (
        "Fetch pages again to catch silent edits: the same bytes store nothing; a "
        "changed article text becomes a new source that revises the old one, and "
        "the claims' spans are re-anchored onto it (orphans listed for the desk). "
        "Without ids: every page first fetched in the last --days days "
        "(CLAIMTRACK_REFETCH_DAYS, 7), each once, at its latest version."
    )

    def add_arguments(self, parser):
        parser.add_argument("source_ids", nargs="*", type=int, metavar="source_id")
        parser.add_argument(
            "--days", type=int, default=settings.CLAIMTRACK_REFETCH_DAYS
        )
        parser.add_argument(
            "--by", metavar="USERNAME", help="record changes as this user's"
        )

    def handle(self, *args, source_ids, days, by=None, **options):
        user = None
        if by:
            user = get_user_model().objects.filter(username=by, is_active=True).first()
            if user is None:
                raise CommandError(f"There is no active user {by!r}.")
        sources = self._sources(source_ids, days)
        failed = 0
        for source in sources:
            try:
                result = refetch_source(source, by=user)
            except ValidationError as error:
                self.stderr.write(f"source {source.pk}: {'; '.join(error.messages)}")
                failed += 1
                continue
            if result.revised:
                what = f"changed: new source {result.source.pk} revises {source.pk}"
            elif result.snapshot is None:
                what = "unchanged"
            else:
                what = f"same text, new snapshot {result.snapshot.pk}"
            self.stdout.write(f"source {source.pk}: {what}")
        if failed:
            raise CommandError(f"{failed} of {len(sources)} page(s) not refetched.")

    def _sources(self, source_ids, days) -> list[Source]:
        if source_ids:
            found = Source.objects.defer("text").in_bulk(source_ids)
            missing = [pk for pk in source_ids if pk not in found]
            if missing:
                raise CommandError(f"No source with id {', '.join(map(str, missing))}.")
            return [found[pk] for pk in source_ids]
        since = timezone.now() - datetime.timedelta(days=days)
        # One source a page: the first fetched of each URL, no revision of one.
        firsts = (
            Snapshot.objects.filter(source__revises__isnull=True)
            .values("url")
            .annotate(first=Min("fetched_at"), source=Min("source_id"))
            .filter(first__gte=since)
        )
        ids = [row["source"] for row in firsts]
        return list(Source.objects.defer("text").filter(pk__in=ids).order_by("pk"))
