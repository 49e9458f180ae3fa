import datetime
import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from warcio.exceptions import ArchiveLoadFailed

from sources import fetching
from sources.archive import responses
from sources.models import Snapshot
from sources.services import create_source
from sources.web import fetch_source, store_fetched

from ...services.proposals import propose_claims

# The fields a line may give, besides text and url (create_source's).
_FIELDS = ("title", "publisher", "kind", "language")


class Command(BaseCommand):
    help = (
        "Backfill sources from a JSON Lines file, one source a line: "
        '{"url": ..., "title": ..., "published_on": "YYYY-MM-DD", "text": ...} '
        "(a line without text is fetched from its url), or from a WARC file "
        "(.warc, .warc.gz): each HTML or text response kept as a snapshot and "
        "its article text as a source. Resumable: a rerun skips "
        "what is stored (a known text, a URL fetched before). Reports each line "
        "as stored, skipped or refused; with --propose, the extractor's claims "
        "are proposed for each new source."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--propose", action="store_true", help="propose claims from each source"
        )
        parser.add_argument("--min-confidence", type=float, default=0.0)
        parser.add_argument(
            "--by", metavar="USERNAME", help="record them as this user's"
        )
        parser.add_argument(
            "--quiet", action="store_true", help="no progress line on stderr"
        )

    def handle(self, *args, file, propose, min_confidence, by=None, quiet, **options):
        user = None
        if by:
            user = get_user_model().objects.filter(username=by, is_active=True).first()
            if user is None:
                raise CommandError(f"There is no active user {by!r}.")
        entries = self._entries(file)
        counts = {"stored": 0, "skipped": 0, "refused": 0, "claims": 0}
        total = len(entries)
        for number, entry in enumerate(entries, start=1):
            if not entry:
                continue
            outcome, message, claims = self._line(entry, user, propose, min_confidence)
            counts[outcome] += 1
            counts["claims"] += claims
            self.stdout.write(f"line {number}: {outcome}: {message}")
            if not quiet:
                sys.stderr.write(f"\r{number}/{total} lines")
        if not quiet and total:
            sys.stderr.write("\n")
        self.stdout.write(
            f"{counts['stored']} stored, {counts['skipped']} skipped, "
            f"{counts['refused']} refused; {counts['claims']} claim(s) proposed."
        )
        if counts["refused"]:
            raise CommandError(f"{counts['refused']} line(s) refused (listed above).")

    def _entries(self, file: Path) -> list:
        """The file's lines (JSON Lines), or its WARC responses as entries."""
        try:
            with file.open("rb") as stream:
                head = stream.read(4)
                stream.seek(0)
                if head[:2] == b"\x1f\x8b" or head == b"WARC":
                    return [{"warc": response} for response in responses(stream)]
            return file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError, ArchiveLoadFailed) as error:
            raise CommandError(f"{file}: {error}") from error

    # A line's source and its proposals are one transaction: a crash leaves
    # neither, so a rerun, skipping what is stored, misses nothing.
    @transaction.atomic
    def _line(self, line, user, propose, min_confidence) -> tuple[str, str, int]:
        try:
            entry = line if isinstance(line, dict) else json.loads(line)
            if not isinstance(entry, dict):
                raise ValidationError({"line": "must be a JSON object."})
            if "warc" in entry:
                result, what = self._archived(*entry["warc"], user)
            else:
                result, what = self._store(entry, user)
        except json.JSONDecodeError as error:
            return "refused", f"not JSON ({error.msg})", 0
        except ValidationError as error:
            details = "; ".join(
                f"{field}: {' '.join(messages)}"
                for field, messages in getattr(error, "message_dict", {}).items()
            )
            return "refused", details or "; ".join(error.messages), 0
        if result is None:
            return "skipped", what, 0
        claims = 0
        if propose and result.created and result.source.text:
            claims = len(
                propose_claims(
                    source=result.source, min_confidence=min_confidence
                ).created
            )
        outcome = "stored" if result.created else "skipped"
        return (
            outcome,
            what + (f", {claims} claim(s) proposed" if propose else ""),
            claims,
        )

    def _archived(self, url, status, headers, body, date, address, user):
        """A WARC response: stored as if fetched then, unless stored before."""
        try:
            fetched_at = datetime.datetime.fromisoformat(date.replace("Z", "+00:00"))
            fetched = fetching.archived(url, status, headers, body, fetched_at, address)
        except ValueError as error:  # FetchRefused is one too
            raise ValidationError({"url": f"{url}: {error}"}) from None
        result = store_fetched(url, fetched, by=user)
        if result.seen:
            return None, f"{url} was stored before (source {result.source.pk})"
        if not result.created:
            return result, f"{url}: text already source {result.source.pk}"
        return result, f"{url} archived into source {result.source.pk}"

    def _store(self, entry: dict, user):
        url, text = entry.get("url") or "", entry.get("text") or ""
        fields = {name: entry[name] for name in _FIELDS if entry.get(name)}
        published = entry.get("published_on")
        try:
            published_on = datetime.date.fromisoformat(published) if published else None
        except (TypeError, ValueError):
            raise ValidationError(
                {"published_on": "must be a date, YYYY-MM-DD."}
            ) from None
        if text:
            result = create_source(
                text=text, url=url, published_on=published_on, by=user, **fields
            )
            verb = "source" if result.created else "already stored as source"
            return result, f"{verb} {result.source.pk}"
        if not url:
            raise ValidationError({"line": "needs a text or a url."})
        seen = (
            Snapshot.objects.filter(url=url).values_list("source_id", flat=True).first()
        )
        if seen is not None:
            return None, f"{url} was fetched before (source {seen})"
        result = fetch_source(url, by=user, published_on=published_on, **fields)
        verb = (
            "fetched into source" if result.created else "fetched; text already source"
        )
        return result, f"{verb} {result.source.pk}"
