from django.core.management.base import BaseCommand, CommandError

from claims.seeding import SEEDS_DIR, SeedError, load_seeds


class Command(BaseCommand):
    help = (
        "Load the curated seed folders (seeds/*/seed.yaml): sources, speakers and "
        "accepted claims with verified spans. Idempotent: a second run changes nothing."
    )

    def handle(self, *args, **options):
        try:
            report = load_seeds(SEEDS_DIR)
        except SeedError as error:
            raise CommandError(str(error)) from None
        for message in report.messages:
            self.stdout.write(message)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeds loaded: {report.sources_created} source(s) and "
                f"{report.speakers_created} speaker(s) created; claims: "
                f"{report.claims_created} created, {report.claims_updated} updated, "
                f"{report.claims_unchanged} unchanged, {report.claims_kept} kept as "
                "reviewers changed them."
            )
        )
