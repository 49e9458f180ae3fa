from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.matching import THRESHOLD
from claims.repeat_evaluation import evaluate, load

SETS = ("tuning", "held-out")


class Command(BaseCommand):
    help = (
        "Precision and recall of repeat detection's top candidate on the "
        "evaluation sets in evaluation/repeats/ (docs/REPEATS.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="*", help="evaluation sets (default: tuning and held-out)"
        )
        parser.add_argument("--threshold", type=float, default=THRESHOLD)
        parser.add_argument(
            "--misses", action="store_true", help="list every case it got wrong"
        )

    def handle(self, *args, **options):
        folder = Path(settings.BASE_DIR) / "evaluation" / "repeats"
        paths = [Path(f) for f in options["files"]] or [
            folder / f"{name}.yaml" for name in SETS
        ]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such evaluation set.")
            pool, cases = load(path)
            report = evaluate(pool, cases, options["threshold"])
            repeats = sum(1 for c in cases if c.label == "repeat")
            self.stdout.write(
                f"{path.stem}: {repeats} repeats, {len(cases) - repeats} near misses, "
                f"{len(pool)} known claims; threshold {options['threshold']:.2f}: "
                f"precision {report.precision:.2f}, recall {report.recall:.2f}"
            )
            if options["misses"]:
                for outcome in report.wrong:
                    case = outcome.case
                    self.stdout.write(
                        f"  {case.id} {case.label} of {case.of}: top "
                        f"{outcome.top or '-'} ({outcome.score:.2f}) "
                        f"{'; '.join(outcome.reasons)}"
                    )
