import json
from dataclasses import dataclass, replace
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.extraction import KnownSpeaker, extract
from claims.extraction.articles import ArticleError, read_part
from claims.extraction.evaluation import (
    FIELDS,
    Expected,
    Score,
    combine,
    field_checks,
    forgivable,
    score,
)
from claims.review_evaluation import FIELDS as REVIEWED_FIELDS
from claims.review_evaluation import score_reviews
from claims.seeding import SEEDS_DIR, SeedError, read_seeds

RUNS = (
    ("known", "on the seeds, with the seed's speakers known"),
    ("unknown", "on the seeds, with no known speakers"),
    ("test", "on the evaluation set's test part (never tuned on)"),
    ("dev", "on the evaluation set's dev part"),
)
# The evaluation set (evaluation/extraction/README.md).
PARTS_DIR = Path(__file__).resolve().parents[3] / "evaluation" / "extraction"


@dataclass(frozen=True)
class Article:
    """One curated source text with its claims, as the seed file gives them."""

    name: str
    text: str
    published_on: object
    expected: tuple[Expected, ...]
    speakers: tuple[KnownSpeaker, ...]
    acceptable: tuple = ()


def curated_articles(folder: Path, seeds: list[dict] | None = None) -> list[Article]:
    """Every source of a seed folder that has curated claims or appearances
    (read-only). ``seeds``: the set as ``read_seeds`` gives it, read from the
    folder's parent when not given, as an appearance may be of another seed's
    claim."""
    if seeds is None:
        seeds = read_seeds(folder.parent)
    (data,) = [d for d in seeds if d["_path"].parent == folder]
    claims = {(d["key"], c["key"]): c for d in seeds for c in d["claims"] if "key" in c}
    speakers = known_speakers([data])
    articles = []
    for key, meta in data["sources"].items():
        source = (data["key"], key)
        expected = tuple(
            _expected(claim, source) for claim in data["claims"] if _in(claim, source)
        ) + tuple(
            _appearance(entry, claims[entry["_claim"]])
            for entry in data["appearances"]
            if entry["_source"] == source
        )
        if expected:
            articles.append(
                Article(
                    name=folder.name
                    if len(data["sources"]) == 1
                    else f"{folder.name}/{key}",
                    text=data["_texts"][key],
                    published_on=meta.get("published_on"),
                    expected=expected,
                    speakers=speakers,
                )
            )
    return articles


def known_speakers(seeds: list[dict]) -> tuple[KnownSpeaker, ...]:
    """The speakers of seed files, as the extractor knows speakers."""
    return tuple(
        KnownSpeaker(s["name"], tuple(s.get("aliases") or ()), s.get("kind", "person"))
        for data in seeds
        for s in data.get("speakers") or ()
    )


def _in(claim: dict, source: tuple) -> bool:
    return any(a.source == source and role == "content" for a, role in claim["_spans"])


def _expected(claim: dict, source: tuple, spans=None, **facts) -> Expected:
    fields = {
        "speaker": claim.get("speaker"),
        "stated_on": claim.get("stated_on"),
        "stated_on_precision": claim.get("stated_on_precision", ""),
    }
    fields.update({name: value for name, value in facts.items() if value})
    return Expected(
        content_spans=tuple(
            (a.start, a.end)
            for a, role in spans or claim["_spans"]
            if a.source == source and role == "content"
        ),
        attribution=claim["attribution"],
        kind=claim["kind"],
        due_on=claim.get("due_on"),
        due_on_precision=claim.get("due_on_precision", ""),
        text=claim["text"],
        **fields,
    )


def _appearance(entry: dict, claim: dict) -> Expected:
    """A claim said again here, with this source's speaker and date (else
    the claim's); its attribution and kind are the claim's."""
    return _expected(
        claim,
        entry["_source"],
        spans=entry["_spans"],
        speaker=entry.get("speaker"),
        stated_on=entry.get("stated_on"),
        stated_on_precision=entry.get("stated_on_precision"),
    )


class Command(BaseCommand):
    help = (
        "Measure the claim extractor against the curated seeds: precision, recall "
        "and F1 of content spans, and on matched claims the accuracy of speaker, "
        "attribution, kind, stated date and deadline. Reads files only, unless "
        "--from-reviews."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--part",
            action="append",
            choices=[run for run, _ in RUNS],
            help="Only this run (repeatable): known, unknown, test or dev.",
        )
        parser.add_argument("--seed", action="append", help="Only this seed folder.")
        parser.add_argument(
            "--from-reviews",
            action="store_true",
            help="Score the extractor against the desk's decisions in the "
            "database instead: what reviewers accepted, corrected and rejected.",
        )
        parser.add_argument(
            "--verbose",
            action="store_true",
            help="List misses, false positives and wrong fields.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Machine-readable output.",
        )

    def handle(
        self, *args, part=None, seed=None, verbose=False, as_json=False, **options
    ):
        if options.get("from_reviews"):
            return self._from_reviews(as_json)
        try:
            seeds = read_seeds(SEEDS_DIR)
        except SeedError as error:
            raise CommandError(str(error)) from None
        folders = sorted(data["_path"].parent for data in seeds)
        if seed:
            folders = [f for f in folders if f.name in seed]
            if not folders:
                raise CommandError(f"No seed folder named {', '.join(seed)}.")
        runs = [(run, label) for run, label in RUNS if not part or run in part]
        results = {}
        for run, label in runs:
            articles = self._articles(run, folders, seeds)
            results[run] = {
                article.name: score(
                    article.expected,
                    extract(article.text, article.published_on, article.speakers),
                    article.acceptable,
                )
                for article in articles
            }
            if not as_json:
                self._table(label, results[run])
                if verbose:
                    for article in articles:
                        self._details(article, results[run][article.name])
        if as_json:
            self.stdout.write(_as_json(results))

    def _from_reviews(self, as_json: bool) -> None:
        found = score_reviews()
        if as_json:
            self.stdout.write(json.dumps(found.as_dict(), indent=2, sort_keys=True))
            return
        if not found.decided:
            self.stdout.write("No proposal of the extractor has been decided yet.")
            return
        self.stdout.write(
            f"The extractor against the desk: {found.decided} proposals decided, "
            f"{found.accepted} accepted, {found.duplicates} duplicates of known "
            f"claims, {sum(found.rejected.values())} rejected; {found.missed} "
            "accepted claims people added to sources it read."
        )
        self.stdout.write(
            f"precision {found.precision:.2f}, recall {found.recall:.2f}; "
            "left as proposed, on accepted claims: "
            + ", ".join(
                f"{name} {'—' if a is None else f'{a:.2f}'}"
                for name in REVIEWED_FIELDS
                for a in [found.accuracy(name)]
            )
        )
        for reason, n in found.rejected.most_common():
            self.stdout.write(f"  rejected as {reason}: {n}")
        for rule, (wanted, decided) in sorted(found.by_rule.items()):
            self.stdout.write(f"  rule {rule}: {wanted} of {decided} wanted")

    def _articles(self, run: str, folders: list[Path], seeds) -> list[Article]:
        if run in ("known", "unknown"):
            articles = [a for f in folders for a in curated_articles(f, seeds)]
            if run == "unknown":
                articles = [replace(a, speakers=()) for a in articles]
            return articles
        try:
            written = read_part(PARTS_DIR / run)
        except ArticleError as error:
            raise CommandError(str(error)) from None
        # The set is read as a database holding the seeds would read it: every
        # seed's speakers known, none of the article's own.
        known = known_speakers(seeds)
        return [
            Article(
                name=a.name,
                text=a.text,
                published_on=a.published_on,
                expected=a.expected,
                speakers=known,
                acceptable=a.acceptable,
            )
            for a in written
        ]

    def _table(self, label: str, scores: dict[str, Score]) -> None:
        self.stdout.write(f"\nExtraction {label}")
        header = (
            f"{'article':40} {'claims':>6} {'props':>5} {'P':>5} {'Pwant':>5} "
            f"{'R':>5} {'F1':>5}"
        )
        header += "".join(f" {name[:8]:>8}" for name in FIELDS)
        header += f" {'dl':>5} {'Pnarr':>5}"
        self.stdout.write(header)
        rows = [*scores.items(), ("overall", combine(list(scores.values())))]
        for name, s in rows:
            line = (
                f"{name[:40]:40} {s.expected:6d} {s.proposed:5d} "
                f"{s.precision:5.2f} {s.wanted_precision:5.2f} "
                f"{s.recall:5.2f} {s.f1:5.2f}"
            )
            for field_name in FIELDS:
                value = s.accuracy(field_name)
                line += f" {'—' if value is None else f'{value:.2f}':>8}"
            narrated = s.checkworthy_precision
            line += f" {f'{s.deadlines_right}/{s.deadlines}':>5}"
            line += f" {'—' if narrated is None else f'{narrated:.2f}':>5}"
            self.stdout.write(line)

    def _details(self, article: Article, s: Score) -> None:
        text = article.text
        self.stdout.write(f"\n  {article.name}")
        for claim in s.misses:
            words = " | ".join(text[a:b] for a, b in claim.content_spans)
            self.stdout.write(f"    missed:   {words[:160]}")
        for proposal in s.false_positives:
            words = " | ".join(text[a:b] for a, b in proposal.content_spans)
            label = "fine:  " if forgivable(proposal, article.acceptable) else "extra: "
            self.stdout.write(f"    {label}   [{proposal.rule}] {words[:150]}")
        for claim, proposal in s.pairs:
            got = {
                "speaker": (claim.speaker, proposal.speaker_name),
                "attribution": (claim.attribution, proposal.attribution),
                "kind": (claim.kind, proposal.kind),
                "stated_on": (
                    f"{claim.stated_on} {claim.stated_on_precision}",
                    f"{proposal.stated_on} {proposal.stated_on_precision}",
                ),
                "due": (
                    f"{claim.due_on} {claim.due_on_precision}",
                    f"{proposal.due_on} {proposal.due_on_precision}",
                ),
            }
            for name, ok in field_checks(claim, proposal).items():
                if not ok:
                    want, have = got[name]
                    self.stdout.write(
                        f"    {name}: want {want!r}, got {have!r} — {claim.text[:70]}"
                    )


def _as_json(results: dict[str, dict[str, Score]]) -> str:
    payload = {
        run: {
            "articles": {name: s.as_dict() for name, s in scores.items()},
            "overall": combine(list(scores.values())).as_dict(),
        }
        for run, scores in results.items()
    }
    return json.dumps(payload, indent=2, sort_keys=True)
