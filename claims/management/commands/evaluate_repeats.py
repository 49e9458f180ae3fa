from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.matching import THRESHOLD
from claims.repeat_evaluation import Report, evaluate, load

# The sets of evaluation/repeats/ (docs/REPEATS.md, "Evaluation"): a set's
# parts are its files, "tuning.yaml", "tuning-2.yaml", "tuning-3.yaml", ...
SETS = ("tuning", "held-out")


def parts(folder: Path, name: str) -> list[Path]:
    """The set's parts in the order they were written: ``name.yaml``, then
    ``name-2.yaml``, ``name-3.yaml`` and on."""
    numbered = [
        path
        for path in folder.glob(f"{name}-*.yaml")
        if path.stem.removeprefix(f"{name}-").isdigit()
    ]
    numbered.sort(key=lambda path: int(path.stem.removeprefix(f"{name}-")))
    first = folder / f"{name}.yaml"
    return [first, *numbered] if first.is_file() else numbered


class Command(BaseCommand):
    help = (
        "Precision and recall of repeat detection's top candidate on the "
        "evaluation sets in evaluation/repeats/ (docs/REPEATS.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="*", help="evaluation set files (default: every part)"
        )
        parser.add_argument(
            "--set",
            choices=SETS,
            action="append",
            dest="sets",
            help="only this set's parts (repeatable; default: all sets)",
        )
        parser.add_argument("--threshold", type=float, default=THRESHOLD)
        parser.add_argument(
            "--misses", action="store_true", help="list every case it got wrong"
        )

    def handle(self, *args, **options):
        folder = Path(settings.BASE_DIR) / "evaluation" / "repeats"
        if options["files"]:
            groups = {"": [Path(f) for f in options["files"]]}
        else:
            groups = {name: parts(folder, name) for name in options["sets"] or SETS}
        for name, paths in groups.items():
            reports = [self._part(path, options) for path in paths]
            if name and len(reports) > 1:
                self._line(
                    f"{name}, all parts", Report(sum((r.outcomes for r in reports), ()))
                )

    def _part(self, path: Path, options) -> Report:
        if not path.is_file():
            raise CommandError(f"{path}: no such evaluation set.")
        pool, cases = load(path)
        report = evaluate(pool, cases, options["threshold"])
        self._line(
            path.stem,
            report,
            f"{len(pool)} known claims; threshold {options['threshold']:.2f}: ",
        )
        if options["misses"]:
            for outcome in report.wrong:
                case = outcome.case
                self.stdout.write(
                    f"  {case.id} {case.label} of {case.of}: top "
                    f"{outcome.top or '-'} ({outcome.score:.2f}) "
                    f"{'; '.join(outcome.reasons)}"
                )
        return report

    def _line(self, name: str, report: Report, detail: str = "") -> None:
        repeats = sum(1 for o in report.outcomes if o.case.label == "repeat")
        self.stdout.write(
            f"{name}: {repeats} repeats, {len(report.outcomes) - repeats} near "
            f"misses, {detail}precision {report.precision:.2f}, "
            f"recall {report.recall:.2f}"
        )
