"""Evaluation articles of our own writing (``evaluation/extraction/``).

Each article is two files: ``NAME.txt``, the text as a source would hold it,
and ``NAME.yaml``, what a fact-checker would record from it:

- ``style``, ``published_on`` and a ``note``;
- ``claims``: every claim a fact-checker would want proposed, each with its
  content ``words`` (one string, or a list for a quotation split around its
  verb; ``occurrence: N`` picks the N-th of repeated words), ``speaker`` (the
  fullest name the article gives; none for the narrator and unnamed sources),
  ``attribution``, ``kind``, ``stated_on`` with its precision and, for
  predictions and promises, ``due_on`` with its precision;
- ``acceptable``: words of sentences a fact-checker would not mind seeing
  proposed (checkable background) but would not miss.

Reading needs no database, so the checks run anywhere.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

import yaml

from .dates import DAY, MONTH, YEAR
from .evaluation import Expected
from .proposal import ATTRIBUTIONS, KINDS, Span

PRECISIONS = (DAY, MONTH, YEAR)
STYLES = (
    "wire",
    "south-asian-press",
    "british-paper",
    "american-paper",
    "press-release",
    "parliamentary-record",
    "transcript",
    "trade-blog",
)


class ArticleError(ValueError):
    """An evaluation file that cannot be read, naming the file and field."""


@dataclass(frozen=True)
class EvaluationArticle:
    name: str
    style: str
    text: str
    published_on: datetime.date | None
    expected: tuple[Expected, ...]
    acceptable: tuple[Span, ...]


def read_part(folder: Path) -> list[EvaluationArticle]:
    """Every article of one part (``test`` or ``dev``), by name."""
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    if not names:
        raise ArticleError(f"{folder}: no articles (NAME.yaml beside NAME.txt).")
    return [read_article(folder / name) for name in names]


def read_article(stem: Path) -> EvaluationArticle:
    where = stem.with_suffix(".yaml")
    try:
        text = stem.with_suffix(".txt").read_text(encoding="utf-8")
        data = yaml.safe_load(where.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ArticleError(f"{where}: {error}") from None
    if not isinstance(data, dict):
        raise ArticleError(f"{where}: must be a mapping.")
    style = data.get("style")
    if style not in STYLES:
        raise ArticleError(f"{where}: style must be one of {', '.join(STYLES)}.")
    claims = data.get("claims") or []
    if not claims:
        raise ArticleError(f"{where}: claims: at least one is needed.")
    expected = tuple(
        _claim(text, claim, f"{where}: claims[{index}]")
        for index, claim in enumerate(claims)
    )
    acceptable = tuple(
        _find(text, words, None, f"{where}: acceptable[{index}]")
        for index, words in enumerate(data.get("acceptable") or [])
    )
    return EvaluationArticle(
        name=stem.name,
        style=style,
        text=text,
        published_on=_date(data.get("published_on"), f"{where}: published_on"),
        expected=expected,
        acceptable=acceptable,
    )


def _claim(text: str, claim: dict, where: str) -> Expected:
    if not isinstance(claim, dict):
        raise ArticleError(f"{where}: must be a mapping.")
    words = claim.get("words")
    pieces = words if isinstance(words, list) else [words]
    if not pieces or not all(isinstance(p, str) and p.strip() for p in pieces):
        raise ArticleError(f"{where}.words: the claimed words, a string or a list.")
    occurrence = claim.get("occurrence")
    spans = tuple(_find(text, piece, occurrence, f"{where}.words") for piece in pieces)
    attribution = _choice(claim, "attribution", ATTRIBUTIONS, where)
    speaker = claim.get("speaker")
    if speaker is None and attribution in ("direct_quote", "indirect"):
        raise ArticleError(f"{where}.speaker: a {attribution} claim needs one.")
    if speaker is not None and attribution == "narrator":
        raise ArticleError(f"{where}.speaker: a narrator claim has none.")
    kind = _choice(claim, "kind", KINDS, where)
    due_on = _date(claim.get("due_on"), f"{where}.due_on")
    if due_on and kind not in ("prediction", "promise"):
        raise ArticleError(f"{where}.due_on: only predictions and promises have one.")
    return Expected(
        content_spans=spans,
        speaker=speaker,
        attribution=attribution,
        kind=kind,
        stated_on=_date(claim.get("stated_on"), f"{where}.stated_on"),
        stated_on_precision=_precision(claim, "stated_on", where),
        due_on=due_on,
        due_on_precision=_precision(claim, "due_on", where),
        text=" … ".join(text[a:b] for a, b in spans),
    )


def _find(text: str, words, occurrence, where: str) -> Span:
    if not isinstance(words, str) or not words.strip():
        raise ArticleError(f"{where}: words of the text are needed.")
    starts, at = [], text.find(words)
    while at != -1:
        starts.append(at)
        at = text.find(words, at + 1)
    if not starts:
        raise ArticleError(f"{where}: not in the text: {words[:60]!r}.")
    if occurrence is None:
        if len(starts) > 1:
            raise ArticleError(
                f"{where}: {words[:60]!r} is in the text {len(starts)} times: "
                "give occurrence: N."
            )
        occurrence = 1
    if (
        isinstance(occurrence, bool)
        or not isinstance(occurrence, int)
        or not 1 <= occurrence <= len(starts)
    ):
        raise ArticleError(
            f"{where}: occurrence must be 1 to {len(starts)} for {words[:60]!r}."
        )
    start = starts[occurrence - 1]
    return (start, start + len(words))


def _choice(claim: dict, name: str, allowed: tuple, where: str) -> str:
    value = claim.get(name)
    if value not in allowed:
        raise ArticleError(f"{where}.{name}: must be one of {', '.join(allowed)}.")
    return value


def _precision(claim: dict, name: str, where: str) -> str:
    value = claim.get(f"{name}_precision", "")
    if bool(value) != bool(claim.get(name)):
        raise ArticleError(f"{where}.{name}_precision: given with {name}, and only so.")
    if value and value not in PRECISIONS:
        raise ArticleError(
            f"{where}.{name}_precision: must be one of {', '.join(PRECISIONS)}."
        )
    return value


def _date(value, where: str) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ArticleError(f"{where}: a date as YYYY-MM-DD.") from None
