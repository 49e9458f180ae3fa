"""Sources from the web: fetch a page, keep what the server sent as an
immutable snapshot, and make a source of its article text.

The one home of those rules: the API, the admin's "Add from URL" and
``manage.py fetch_source`` call ``fetch_source``; ``manage.py refetch`` and the
admin's action call ``refetch_source``. The page is fetched outside
any transaction (a slow server must not hold one open); the source and its
snapshot are then written in one.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from . import fetching
from .archive import warc_of
from .models import Snapshot, Source
from .pages import Page, read_page
from .services import create_source
from .signals import revision_found


@dataclass(frozen=True)
class WebSourceResult:
    source: Source
    snapshot: Snapshot
    created: bool  # a new source; False when the page's text was stored before
    seen: bool = False  # the same URL sent the same bytes before: nothing stored


def fetch_source(
    url: str,
    *,
    by: User | None = None,
    title: str = "",
    kind: str = "",
    published_on: datetime.date | None = None,
    publisher: str = "",
    language: str = "",
    max_chars: int | None = None,
    allow_private: bool | None = None,
) -> WebSourceResult:
    """The source of the article at ``url``, fetched now.

    The same URL answering with the same bytes as a stored snapshot answers
    with that snapshot's source, storing nothing. A page whose article text is
    already stored gets a snapshot of its own, on the existing source. Every
    refusal is a ValidationError on ``url`` naming the reason, and stores
    nothing. ``title``, ``kind``, ``published_on``, ``publisher`` and
    ``language`` override what the page says; a text over ``max_chars`` (for
    proposing claims within a request) is refused before anything is stored.
    """
    url = _checked_url(url)
    fetched = _fetch(url, allow_private)
    return store_fetched(
        url,
        fetched,
        by=by,
        title=title,
        kind=kind,
        published_on=published_on,
        publisher=publisher,
        language=language,
        max_chars=max_chars,
    )


def store_fetched(
    url: str,
    fetched: fetching.Fetched,
    *,
    by: User | None = None,
    title: str = "",
    kind: str = "",
    published_on: datetime.date | None = None,
    publisher: str = "",
    language: str = "",
    max_chars: int | None = None,
) -> WebSourceResult:
    """The source and snapshot of a response fetched now or read from an
    archive (``manage.py ingest`` of a WARC file): ``fetch_source``'s rules
    from the answer on."""
    seen = _seen(url, fetched)
    if seen is not None:
        return WebSourceResult(seen.source, seen, created=False, seen=True)
    page = _article(url, fetched)
    if max_chars is not None and len(page.text) > max_chars:
        raise ValidationError(
            {
                "propose_claims": f"the page's text has {len(page.text):,} "
                f"characters; claims are proposed within a request from at most "
                f"{max_chars:,} (CLAIMTRACK_MAX_PROPOSE_CHARS). Fetch it without "
                "propose_claims, then run `manage.py propose_claims <source id>`."
            }
        )
    with transaction.atomic():
        result = create_source(
            text=page.text,
            title=title or page.title,
            url=fetched.final_url,
            publisher=publisher or page.site_name or None,
            kind=kind or Source._meta.get_field("kind").default,
            language=language or page.language,
            published_on=published_on or page.published_on,
            retrieved_at=fetched.fetched_at,
            by=by,
        )
        snapshot = _snapshot(url, fetched, page, result.source, by)
    return WebSourceResult(result.source, snapshot, created=result.created)


def _snapshot(url: str, fetched, page, source: Source, by) -> Snapshot:
    return Snapshot.objects.create(
        source=source,
        url=url,
        final_url=fetched.final_url,
        status=fetched.status,
        media_type=fetched.media_type,
        charset=fetched.charset,
        headers=dict(fetched.headers),
        address=fetched.address or None,
        fetched_at=fetched.fetched_at,
        sha256=fetched.sha256,
        size=len(fetched.body),
        warc=warc_of(
            url=fetched.final_url,
            status=fetched.status,
            headers=fetched.headers.items(),
            body=fetched.body,
            fetched_at=fetched.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            address=fetched.address or "",
            user_agent=fetching.user_agent(),
        ),
        metadata=page.metadata(),
        created_by=by if getattr(by, "pk", None) else None,
    )


@dataclass(frozen=True)
class RefetchResult:
    source: Source  # the version the page now shows
    snapshot: Snapshot | None  # None: the page sent the same bytes as last time
    revised: bool  # a new source that revises the one fetched before


def refetch_source(
    source: Source, *, by: User | None = None, allow_private: bool | None = None
) -> RefetchResult:
    """Fetch ``source``'s page again, from the URL its last snapshot asked for.

    The same bytes as last time store nothing. Other bytes are a new snapshot:
    on the same source if the article text is the same (a new advertisement),
    else on a new source that ``revises`` the latest version of the page
    (proposed, unless ``by`` reviews), and ``revision_found`` is sent for the
    claims app to re-anchor its spans, in the same transaction.
    """
    asked = source.snapshots.values_list("url", flat=True).first()
    if asked is None:
        raise ValidationError(
            {"source": f"source {source.pk} was not fetched from the web."}
        )
    # The page's last answer, whichever version of it that was.
    last = Snapshot.objects.filter(url=asked).listed().first()
    assert last is not None
    latest = _latest_version(source)
    fetched = _fetch(last.url, allow_private)
    if fetched.sha256 == last.sha256:
        return RefetchResult(latest, None, revised=False)
    page = _article(last.url, fetched)
    with transaction.atomic():
        result = create_source(
            text=page.text,
            title=latest.title,
            url=fetched.final_url,
            publisher=latest.publisher,
            kind=latest.kind,
            language=latest.language,
            published_on=latest.published_on,
            retrieved_at=fetched.fetched_at,
            revises=latest,
            by=by,
        )
        snapshot = _snapshot(last.url, fetched, page, result.source, by)
        if result.created:
            revision_found.send(sender=Source, old=latest, new=result.source, by=by)
    return RefetchResult(result.source, snapshot, revised=result.created)


def _latest_version(source: Source) -> Source:
    """The newest version of ``source``'s page that claimtrack holds."""
    while (newer := source.revisions.order_by("-id").first()) is not None:
        source = newer
    return source


def _article(url: str, fetched: fetching.Fetched) -> Page:
    page = read_page(
        fetched.text,
        fetched.media_type,
        fetched.final_url,
        fetched.headers.get("content-language", ""),
    )
    if page is None:
        raise ValidationError({"url": f"no article text was found at {url}."})
    return page


def _fetch(url: str, allow_private: bool | None):
    """The page, or a ValidationError on ``url`` whose code is the refusal's
    reason ("timeout", "private_address", …): a job retries the passing ones."""
    try:
        return fetching.fetch(url, allow_private=allow_private)
    except fetching.FetchRefused as refusal:
        problem = ValidationError(str(refusal), code=refusal.reason)
        raise ValidationError({"url": problem}) from refusal


def _checked_url(url) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ValidationError({"url": "must be a URL to fetch."})
    url = url.strip()
    max_length = Snapshot._meta.get_field("url").max_length or 2000
    if len(url) > max_length:
        raise ValidationError({"url": f"must be at most {max_length} characters."})
    return url


def _seen(url: str, fetched) -> Snapshot | None:
    """A stored snapshot of the same page with the same bytes."""
    return (
        Snapshot.objects.filter(sha256=fetched.sha256, final_url=fetched.final_url)
        .select_related("source")
        .first()
        or Snapshot.objects.filter(sha256=fetched.sha256, url=url)
        .select_related("source")
        .first()
    )
