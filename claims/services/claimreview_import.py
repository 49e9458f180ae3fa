"""Importing fact-checkers' ClaimReview items as proposed claims.

Each item is one transaction (``import_claim_review``): its words become a
source of kind ``fact_check`` (an identical stored text answers with that
source) and a proposed ``fact`` whose content span covers all of it; its
speaker is found or created; each appearance URL becomes a source without
text, cited as context; a rating that maps to a status (``RATING_STATUSES``
of claims/claimreview_reading.py) moves it there with the review as evidence;
and an ``ImportedReview`` keeps the original rating and the whole item, its
key making a second import of the same review a no-op. Everything stays
``proposed`` until a reviewer accepts it (docs/NOTIFICATIONS.md,
"ClaimReview import").
"""

import contextlib
import datetime
import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from sources import fetching
from sources.models import Source, SourceKind
from sources.review import MOVE_STATUS_PERMISSION, can_move_status
from sources.services import create_source
from sources.text import shorten

from ..claimreview_reading import Rating, map_rating, partial_date, types_of
from ..models import (
    Attribution,
    Claim,
    ClaimKind,
    DatePrecision,
    ImportedReview,
    SpeakerKind,
    Stance,
    Status,
)
from .base import EvidenceInput, SpanInput, get_system_user
from .checks import validate_instance
from .claims import add_evidence
from .drafts import propose_claim
from .speakers import find_or_create_speaker
from .status import change_status

# What a URL to import from may answer: a page, or the JSON itself.
MEDIA_TYPES = fetching.MEDIA_TYPES | {"application/json", "application/ld+json"}
# How a verdict's evidence (the review) stands to the claim.
STANCES = {
    Status.CONFIRMED: Stance.SUPPORTS,
    Status.PARTLY_CONFIRMED: Stance.CONTEXT,
    Status.REFUTED: Stance.REFUTES,
    Status.UNVERIFIABLE: Stance.CONTEXT,
}
TITLE_LENGTH = 120
_valid_url = URLValidator(schemes=["http", "https"])


def importer_user() -> User:
    """The system account imports are recorded under without ``--as``."""
    return get_system_user(settings.CLAIMTRACK_IMPORTER_USERNAME)


def importer_problem(user: User) -> str:
    """Why ``user`` may not import, or "": importing records verdicts, so it
    takes the role that moves statuses everywhere else (the API's status
    endpoint, the admin's status form)."""
    if can_move_status(user):
        return ""
    return (
        f"{user.get_username()} may not move statuses (an active account with "
        f"{MOVE_STATUS_PERMISSION}: the reviewer role), and importing records "
        "verdicts."
    )


def fetch_document(url: str) -> str:
    """The text at ``url``, fetched under the rules of every fetch
    (sources/fetching.py); raises ``fetching.FetchRefused``."""
    return fetching.fetch(url, media_types=MEDIA_TYPES).text


class Refused(Exception):
    """An item not imported: the field at fault and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ImportOutcome:
    """What became of one item: ``imported``, ``already imported`` or
    ``refused``; the claim (its id and status), the rating as read, and for a
    refusal, why."""

    state: str
    claim_id: int | None = None
    status: str = ""
    rating: Rating | None = None
    reason: str = ""

    @property
    def unmapped(self) -> bool:
        return (
            self.state == "imported"
            and self.rating is not None
            and (self.rating.status is None)
        )


@dataclass(frozen=True)
class Appearance:
    url: str
    title: str = ""
    published_on: datetime.date | None = None


@dataclass
class _Review:
    """An item's facts, read and checked, before anything is written."""

    words: str
    url: str
    fact_checker: str
    published: str  # the review's datePublished as given
    published_on: datetime.date | None
    speaker: str
    speaker_kind: str
    speaker_title: str
    stated_on: datetime.date | None
    stated_on_precision: str
    rating: Rating
    explanation: str
    appearances: list[Appearance] = field(default_factory=list)

    @property
    def key(self) -> str:
        # Two fact-checkers (or one, twice) may review the same words by the
        # same speaker, with or without a URL: each review is its own.
        parts = [self.url, self.words, self.speaker, self.fact_checker, self.published]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def import_claim_review(*, item: dict, by: User) -> ImportOutcome:
    """Import one ClaimReview item (a parsed JSON object) as a proposed claim,
    in one transaction; a refused item changes nothing."""
    try:
        review = _read(item)
    except Refused as refusal:
        return ImportOutcome("refused", reason=str(refusal))
    if done := _imported(review.key):
        return done
    try:
        with transaction.atomic():
            claim = _write(review, item, by)
    except Refused as refusal:
        return ImportOutcome("refused", rating=review.rating, reason=str(refusal))
    except IntegrityError:
        if done := _imported(review.key):  # imported meanwhile, by another run
            return done
        raise
    return ImportOutcome(
        "imported", claim_id=claim.pk, status=claim.status, rating=review.rating
    )


def _imported(key: str) -> ImportOutcome | None:
    row = ImportedReview.objects.filter(key=key).select_related("claim").first()
    if row is None:
        return None
    return ImportOutcome("already imported", row.claim_id, row.claim.status)


# --- reading an item ---------------------------------------------------------


def _text(node: dict, name: str, path: str) -> str:
    value = node.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Refused(path, "must be a string.")
    if "\x00" in value:
        raise Refused(path, "must not contain NUL characters.")
    return value.strip()


def _url(value, path: str) -> str:
    if not isinstance(value, str):
        raise Refused(path, "must be a URL.")
    try:
        _valid_url(value.strip())
    except ValidationError:
        raise Refused(path, f"must be an http(s) URL, not {value!r}.") from None
    return value.strip()


def _object(node: dict, name: str, path: str) -> dict:
    """``node[name]`` as an object: the first of a list; {} when absent."""
    value = node.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return {}
    if isinstance(value, str):  # a bare name or URL
        return {"name": value}
    if not isinstance(value, dict):
        raise Refused(path, "must be an object.")
    return value


def _date(node: dict, path: str) -> tuple[datetime.date | None, str]:
    value = node.get("datePublished")
    if value in (None, ""):
        return None, ""
    try:
        return partial_date(value)
    except ValueError as error:
        raise Refused(f"{path}datePublished", str(error)) from None


def _day(node: dict, path: str) -> datetime.date | None:
    """A source's publication date: a source has no date precision, so a bare
    year or month leaves it unknown."""
    date, precision = _date(node, path)
    return date if precision == DatePrecision.DAY else None


def _appearances(claimed: dict) -> list[Appearance]:
    path = "itemReviewed."
    listed = claimed.get("appearance") or []
    nodes = [("firstAppearance", claimed.get("firstAppearance"))] + [
        (f"appearance.{n}", node)
        for n, node in enumerate(listed if isinstance(listed, list) else [listed])
    ]
    found: dict[str, Appearance] = {}
    for name, node in nodes:
        if node is None:
            continue
        where = f"{path}{name}"
        if isinstance(node, str):
            node = {"url": node}
        if not isinstance(node, dict):
            raise Refused(where, "must be a URL or an object with a url.")
        url = _url(node.get("url"), f"{where}.url")
        title = _text(node, "headline", f"{where}.headline") or _text(
            node, "name", f"{where}.name"
        )
        found.setdefault(url, Appearance(url, title, _day(node, f"{where}.")))
    return list(found.values())


def _read(item: dict) -> _Review:
    if "\\u0000" in json.dumps(item):
        raise Refused("item", "must not contain NUL characters.")
    try:  # JSON allows a lone surrogate; text in the database cannot hold one
        json.dumps(item, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise Refused(
            "item", "must be valid Unicode (it holds an unpaired surrogate)."
        ) from None
    words = _text(item, "claimReviewed", "claimReviewed")
    if not words:
        raise Refused("claimReviewed", "is required: the words that were reviewed.")
    url = _url(item["url"], "url") if item.get("url") else ""
    checker = _object(item, "author", "author")
    claimed = item.get("itemReviewed") or {}
    if not isinstance(claimed, dict):
        raise Refused("itemReviewed", "must be an object.")
    author = _object(claimed, "author", "itemReviewed.author")
    appearances = _appearances(claimed)
    stated_on, precision = _date(claimed, "itemReviewed.")
    if stated_on is None:  # then the first appearance's date
        listed = claimed.get("appearance")
        if isinstance(listed, list):
            listed = listed[0] if listed else None
        for node, name in (
            (claimed.get("firstAppearance"), "firstAppearance"),
            (listed, "appearance.0"),
        ):
            if isinstance(node, dict) and node.get("datePublished"):
                stated_on, precision = _date(node, f"itemReviewed.{name}.")
                break
    rating = item.get("reviewRating")
    if rating is not None and not isinstance(rating, dict):
        raise Refused("reviewRating", "must be an object.")
    published = item.get("datePublished")
    return _Review(
        words=words,
        url=url,
        fact_checker=_text(checker, "name", "author.name"),
        published=published if isinstance(published, str) else "",
        published_on=_day(item, ""),
        speaker=_text(author, "name", "itemReviewed.author.name"),
        speaker_kind=SpeakerKind.ORGANIZATION
        if "Organization" in types_of(author)
        else SpeakerKind.PERSON,
        speaker_title=_text(author, "jobTitle", "itemReviewed.author.jobTitle"),
        stated_on=stated_on,
        stated_on_precision=precision,
        rating=map_rating(rating),
        explanation=_text(
            rating or {}, "ratingExplanation", "reviewRating.ratingExplanation"
        ),
        appearances=appearances,
    )


# --- writing it --------------------------------------------------------------


@contextlib.contextmanager
def _refusing(path: str, fields: dict[str, str] | None = None):
    """A service's ValidationError as a refusal naming the item's field
    (``fields`` maps the service's keys to the item's; others get ``path``)."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise Refused(path, " ".join(error.messages)) from None
        key, messages = next(iter(error.message_dict.items()))
        where = (fields or {}).get(key, f"{path} ({key})")
        raise Refused(where, " ".join(messages)) from None


def _write(review: _Review, item: dict, by: User) -> Claim:
    with _refusing("claimReviewed", {"url": "url", "publisher": "author.name"}):
        source = create_source(
            text=review.words,
            title=shorten(review.words, TITLE_LENGTH),
            url=review.url,
            publisher=review.fact_checker or None,
            kind=SourceKind.FACT_CHECK,
            published_on=review.published_on,
            by=by,
        ).source
    speaker = None
    if review.speaker:
        name = "itemReviewed.author.name"
        with _refusing(name, {"speaker.name": name}):
            speaker = find_or_create_speaker(
                name=review.speaker, kind=review.speaker_kind, by=by
            )
    with _refusing(
        "claim",
        {
            "speaker_title": "itemReviewed.author.jobTitle",
            "stated_on": "itemReviewed.datePublished",
        },
    ):
        claim = propose_claim(
            text=review.words,
            kind=ClaimKind.FACT,
            # A fact-check reports what someone said; without a named author
            # it reports a claim that circulated: hedged, never the source's
            # own assertion (narrator).
            attribution=Attribution.INDIRECT if speaker else Attribution.HEDGED,
            speaker=speaker,
            speaker_title=review.speaker_title,
            stated_on=review.stated_on,
            stated_on_precision=review.stated_on_precision,
            spans=[SpanInput(source=source, start=0, end=len(source.text))],
            note=f"Imported from a ClaimReview{_by(review)}.",
            by=by,
        )
    for appearance in review.appearances:
        with _refusing(f"itemReviewed.appearance ({appearance.url})"):
            add_evidence(
                claim=claim,
                evidence=EvidenceInput(
                    source=_textless_source(appearance, by),
                    stance=Stance.CONTEXT,
                    note="Where the claim appeared, as the fact-check lists it.",
                ),
                by=by,
            )
    status = review.rating.status
    if status is not None:
        with _refusing("reviewRating"):
            change_status(
                claim=claim,
                to_status=status,
                rationale=_rationale(review),
                by=by,
                expected_version=Claim.objects.get(pk=claim.pk).version,
                evidence=[
                    EvidenceInput(
                        source=_review_source(review, by) or source,
                        stance=STANCES[status],
                    )
                ],
            )
    row = ImportedReview(
        claim=claim,
        key=review.key,
        review_url=review.url,
        fact_checker=review.fact_checker,
        rating=item.get("reviewRating") or {},
        item=item,
        mapped_status=status or "",
        imported_by=by,
    )
    with _refusing("item"):
        validate_instance(row)
    row.save()
    return Claim.objects.get(pk=claim.pk)


def _textless_source(appearance: Appearance, by: User, **fields) -> Source:
    """The stored source without text at this URL, or a new one."""
    existing = Source.objects.filter(url=appearance.url, text="").order_by("id")
    if found := existing.first():
        return found
    return create_source(
        url=appearance.url,
        title=shorten(appearance.title, TITLE_LENGTH) if appearance.title else "",
        published_on=appearance.published_on,
        by=by,
        **fields,
    ).source


def _review_source(review: _Review, by: User) -> Source | None:
    """The fact-check itself, as the verdict's evidence: a source without
    text at the review's URL, with its fact-checker as publisher. Not the
    words' source, which identical words from another review or article may
    share. None without a URL (the words' source is cited then)."""
    if not review.url:
        return None
    with _refusing("url", {"publisher": "author.name"}):
        return _textless_source(
            Appearance(review.url, f"Fact check: {review.words}", review.published_on),
            by,
            kind=SourceKind.FACT_CHECK,
            publisher=review.fact_checker or None,
        )


def _by(review: _Review) -> str:
    checker = f" by {review.fact_checker}" if review.fact_checker else ""
    return checker + (f" ({review.url})" if review.url else "")


def _rationale(review: _Review) -> str:
    rating = review.rating
    scale = rating.scale if rating.scale and rating.scale != rating.label else ""
    words = [
        f"{review.fact_checker or 'An unnamed fact-checker'} rated this claim "
        f'"{rating.label}" ({scale or "no numeric scale given"}) in a '
        f"ClaimReview published {review.published or 'on an unknown date'}"
        f"{f', {review.url}' if review.url else ' (no URL given)'}.",
    ]
    if review.explanation:
        words.append(f"Their explanation: {review.explanation}")
    return " ".join(words)
