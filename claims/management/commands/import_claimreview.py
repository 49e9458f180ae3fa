import contextlib
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sources.fetching import FetchRefused

from ...claimreview_reading import read_document
from ...services.claimreview_import import (
    ImportOutcome,
    fetch_document,
    import_claim_review,
    importer_problem,
    importer_user,
)


class Command(BaseCommand):
    help = (
        "Import fact-checkers' ClaimReview JSON-LD (one object, a list, a "
        "DataFeed, an @graph, or a page's ld+json markup) from FILE, - (stdin) "
        "or an http(s) URL: each review becomes a proposed claim with its "
        "speaker, date and appearances, its rating mapped to a status where "
        "it can be (the original kept), waiting for a reviewer. Reports each "
        "item as imported, already imported or refused; exits non-zero if any "
        "was refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", metavar="FILE|URL")
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="record the import as this reviewer's (default: the system "
            "account CLAIMTRACK_IMPORTER_USERNAME)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report; write nothing"
        )
        parser.add_argument(
            "--quiet", action="store_true", help="no progress line on stderr"
        )

    def handle(self, *args, input, username=None, dry_run, quiet, **options):
        person = self._person(username) if username else None
        document = read_document(self._read(input))
        total = len(document.items)
        counts = dict.fromkeys(("imported", "already imported", "refused"), 0)
        unmapped = 0
        for problem in document.problems:
            counts["refused"] += 1
            self.stdout.write(f"refused: {problem}")
        # A dry run is one transaction, rolled back: what a real run would
        # find (a review twice in the file is "already imported" the second
        # time), and nothing written, the system account included.
        with transaction.atomic() if dry_run else contextlib.nullcontext():
            user = person or importer_user()
            for number, item in enumerate(document.items, start=1):
                outcome = import_claim_review(item=item, by=user)
                counts[outcome.state] += 1
                unmapped += outcome.unmapped
                self.stdout.write(f"item {number}: {self._line(outcome, dry_run)}")
                if not quiet:
                    sys.stderr.write(f"\r{number}/{total} items")
            if dry_run:
                transaction.set_rollback(True)
        if not quiet and total:
            sys.stderr.write("\n")
        self.stdout.write(
            f"{counts['imported']} {'would be imported' if dry_run else 'imported'} "
            f"({unmapped} with a rating not mapped), "
            f"{counts['already imported']} already imported, {counts['refused']} "
            f"refused; {document.ignored} item(s) that are not ClaimReview ignored."
            + (" Dry run: nothing was written." if dry_run else "")
        )
        if counts["refused"]:
            raise CommandError(f"{counts['refused']} item(s) refused (listed above).")
        if not total:
            raise CommandError(f"{input}: no ClaimReview found.")

    def _read(self, input: str) -> str:
        if input.startswith(("http://", "https://")):
            try:
                return fetch_document(input)
            except FetchRefused as error:
                raise CommandError(f"{input}: {error}") from error
        try:
            if input == "-":
                return sys.stdin.read()
            return Path(input).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{input}: {error}") from error

    def _person(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if problem := importer_problem(user):
            raise CommandError(problem)
        return user

    def _line(self, outcome: ImportOutcome, dry_run: bool) -> str:
        rating = outcome.rating
        if outcome.state == "refused":
            return f"refused: {outcome.reason}"
        if outcome.state == "already imported":
            return f"already imported: claim {outcome.claim_id} ({outcome.status})"
        claim = "" if dry_run else f"claim {outcome.claim_id}, "
        line = (
            f"{'would be imported' if dry_run else 'imported'}: {claim}{outcome.status}"
        )
        if rating is not None and rating.status is None:
            line += f"; rating not mapped: {rating.label!r} (a reviewer decides)"
        elif rating is not None:
            line += f" (rated {rating.label!r})"
        return line
