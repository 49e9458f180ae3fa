from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sources.models import Source

from ...services.proposals import propose_claims


class Command(BaseCommand):
    help = (
        "Propose the claims of sources with the extractor: each becomes a proposed "
        "claim for review (made by the extractor user, with its rule and "
        "confidence). Words already anchoring a claim are skipped, so a rerun "
        "only adds what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("source_ids", nargs="+", type=int, metavar="source_id")
        parser.add_argument(
            "--min-confidence",
            type=float,
            default=0.0,
            help="skip proposals below this confidence (0 to 1; default 0)",
        )
        parser.add_argument(
            "--verbose-skips",
            action="store_true",
            help="list every skipped proposal and why",
        )

    def handle(self, *args, source_ids, min_confidence, verbose_skips, **options):
        sources = Source.objects.in_bulk(source_ids)
        missing = [pk for pk in source_ids if pk not in sources]
        if missing:
            raise CommandError(f"No source with id {', '.join(map(str, missing))}.")
        failed = False
        for pk in source_ids:
            try:
                run = propose_claims(source=sources[pk], min_confidence=min_confidence)
            except ValidationError as error:
                self.stderr.write(f"source {pk}: {'; '.join(error.messages)}")
                failed = True
                continue
            self.stdout.write(run.summary())
            for claim in run.created:
                self.stdout.write(f"  + claim {claim.pk}: {claim}")
            if verbose_skips:
                for proposal, why in run.skipped:
                    self.stdout.write(f"  - skipped {proposal.text[:70]!r}: {why}")
        if failed:
            raise CommandError("Some sources could not be read; see above.")
