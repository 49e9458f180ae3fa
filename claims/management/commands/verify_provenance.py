from django.core.management.base import BaseCommand, CommandError

from claims.integrity import audit_provenance


class Command(BaseCommand):
    help = (
        "Audit the provenance guarantees: every source text normalized and hashed, "
        "every span and evidence anchor matching its text, every claim's status "
        "equal to its last ledger entry and anchored by a content span, the ledger "
        "in version and time order within the claim's version, evidence on its "
        "entry's claim, and a change-feed event for every change. Read-only; "
        "exits non-zero if anything is broken."
    )

    def handle(self, *args, **options):
        problems = 0
        for line in audit_provenance():
            problems += 1
            self.stdout.write(line)
        if problems:
            raise CommandError(f"{problems} provenance problem(s) found.")
        self.stdout.write(self.style.SUCCESS("Provenance verified: no problems."))
