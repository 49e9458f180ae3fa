"""Reading fact-checkers' ClaimReview JSON-LD: plain Python, no database.

``read_document`` finds the ClaimReview items in a document: one object, a
list, a schema.org ``DataFeed`` (``dataFeedElement``, each a ClaimReview or a
``DataFeedItem`` whose ``item`` is one or a list), an ``@graph``, or an HTML
page whose ``<script type="application/ld+json">`` blocks hold any of these.
``map_rating`` maps a review's rating to a status through ``RATING_STATUSES``,
the one mapping table (docs/NOTIFICATIONS.md, "ClaimReview import", gives the
reasons). ``partial_date`` reads a schema.org date with its precision.
"""

import datetime
import json
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .models.choices import DatePrecision, Status

# A rating's alternateName, normalized (``rating_key``), -> the status it means.
# None: a rating we know and deliberately do not map (a reviewer decides).
RATING_STATUSES: dict[str, Status | None] = {
    "true": Status.CONFIRMED,
    "correct": Status.CONFIRMED,
    "accurate": Status.CONFIRMED,
    "half true": Status.PARTLY_CONFIRMED,
    "partly true": Status.PARTLY_CONFIRMED,
    "partially true": Status.PARTLY_CONFIRMED,
    "mixture": Status.PARTLY_CONFIRMED,
    "false": Status.REFUTED,
    "incorrect": Status.REFUTED,
    "pants on fire": Status.REFUTED,
    "unverifiable": Status.UNVERIFIABLE,
    # A 4 and a 2 of the five-point scale, which maps only 5, 3 and 1.
    "mostly true": None,
    "mostly false": None,
    # About framing or intent, not about whether the words are true.
    "misleading": None,
    "satire": None,
    # Not shown true or false yet: still checkable, so not "unverifiable".
    "unproven": None,
}
# The five-point scale: ratingValue -> status (worstRating 1, bestRating 5).
SCALE_STATUSES = {5: Status.CONFIRMED, 3: Status.PARTLY_CONFIRMED, 1: Status.REFUTED}

LD_JSON = "application/ld+json"


def rating_key(name: str) -> str:
    """A rating's name compared case- and punctuation-insensitively:
    "Pants on Fire!" and "pants-on-fire" are "pants on fire"."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


@dataclass(frozen=True)
class Rating:
    """A review's rating as read: the status it maps to (None: unmappable)
    and how to name it (``"Mostly true"``, ``"4 on a 1-5 scale"``)."""

    status: Status | None
    label: str
    scale: str


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def map_rating(rating) -> Rating:
    """The status a ClaimReview ``reviewRating`` maps to: by its
    ``alternateName`` if ``RATING_STATUSES`` knows it; otherwise by a
    ``ratingValue`` of exactly 5, 3 or 1 on a 1-5 scale (``worstRating`` and
    ``bestRating`` as given, else 1 and 5). Anything else: status None."""
    if not isinstance(rating, dict):
        return Rating(None, "no rating", "")
    worst = rating.get("worstRating", 1)
    best = rating.get("bestRating", 5)
    value = rating.get("ratingValue")
    scale = ""
    if value is not None:
        scale = f"{value} on a {worst}–{best} scale"
    given = rating.get("alternateName")
    name = given.strip() if isinstance(given, str) else ""
    named = bool(name)
    if named and rating_key(name) in RATING_STATUSES:  # a name we know decides
        return Rating(RATING_STATUSES[rating_key(name)], name, scale)
    if value is None:
        if named:
            return Rating(None, name, "")
        return Rating(None, "a rating with neither a name nor a value", "")
    # No name, or one we do not know (another language, a house label): the
    # fact-checker's own number decides, where it is on the five-point scale;
    # behind an unknown name, only if they stated that scale themselves.
    number = _number(value)
    status = None
    stated = "worstRating" in rating and "bestRating" in rating
    on_scale = (_number(worst), _number(best)) == (1.0, 5.0) and (stated or not named)
    if on_scale and number in SCALE_STATUSES:
        status = SCALE_STATUSES[int(number)]
    return Rating(status, name if named else scale, scale)


_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?")


def partial_date(value) -> tuple[datetime.date, DatePrecision]:
    """A schema.org date with its precision: ``2025`` (year), ``2025-04``
    (month), ``2025-04-22`` or a date-time (day; the date as written, not
    moved to another time zone). Raises ValueError."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a date (YYYY, YYYY-MM or YYYY-MM-DD).")
    value = value.strip()
    try:
        if match := _PARTIAL_DATE.fullmatch(value):
            year, month = match.groups()
            if month is None:
                return datetime.date(int(year), 1, 1), DatePrecision.YEAR
            return datetime.date(int(year), int(month), 1), DatePrecision.MONTH
        if len(value) == 10:
            return datetime.date.fromisoformat(value), DatePrecision.DAY
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.date(), DatePrecision.DAY
    except ValueError:
        pass
    raise ValueError(f"must be a date (YYYY, YYYY-MM or YYYY-MM-DD), not {value!r}.")


def types_of(node: dict) -> set[str]:
    """A node's ``@type``s (a string or a list), without a vocabulary prefix:
    ``schema:ClaimReview`` and ``https://schema.org/ClaimReview`` are
    ``ClaimReview``."""
    found = node.get("@type")
    names = found if isinstance(found, list) else [found]
    return {re.split(r"[/:#]", name)[-1] for name in names if isinstance(name, str)}


@dataclass
class Document:
    """What a document holds: its ClaimReview items in order, how many other
    items it had (ignored), and the blocks that could not be read."""

    items: list[dict] = field(default_factory=list)
    ignored: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, node) -> None:
        if isinstance(node, list):
            for element in node:
                self.add(element)
            return
        if not isinstance(node, dict):
            self.ignored += 1
            return
        types = types_of(node)
        if "ClaimReview" in types:
            self.items.append(node)
        elif "DataFeed" in types or "dataFeedElement" in node:
            self.add(node.get("dataFeedElement") or [])
        elif "DataFeedItem" in types:
            self.add(node.get("item") or [])
        elif "@graph" in node:
            self.add(node["@graph"])
        else:
            self.ignored += 1


class _LdJsonScripts(HTMLParser):
    """The text of each ``<script type="application/ld+json">`` of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        kind = (dict(attrs).get("type") or "").partition(";")[0].strip().lower()
        if tag == "script" and kind == LD_JSON:
            self._inside = True
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks[-1] += data


def read_document(text: str) -> Document:
    """The ClaimReview items of ``text``: JSON (it starts with ``{`` or ``[``),
    else an HTML page's JSON-LD blocks."""
    document = Document()
    text = text.lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        blocks = [("the document", text)]
    else:
        parser = _LdJsonScripts()
        parser.feed(text)
        parser.close()
        blocks = [
            (f"JSON-LD block {number}", block)
            for number, block in enumerate(parser.blocks, start=1)
        ]
    for name, block in blocks:
        try:
            document.add(json.loads(block))
        except json.JSONDecodeError as error:
            document.problems.append(f"{name} is not JSON ({error.msg}).")
    return document
