"""Email to watchers when a watched claim's status changes (docs/NOTIFICATIONS.md,
"Watch lists and email").

The mailer follows the change feed from its own position (``claims/changes.py``)
as webhooks do, so no status change is missed: a change queues
``notify_watchers`` at commit, and ``manage.py notify_watchers`` (the compose
scheduler) catches up on anything a lost task left. For each status change it
finds who watches the claim, its speaker or a source it appears in, keeps those
who may read the event and who watched before it happened, and sends each one
email. The position moves on once a page's mail has gone; if the mail server
fails, it stays, and the page is sent again later (at least once).
"""

import datetime
import logging
import smtplib
import time
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sources.review import reviewer_accounts
from sources.text import shorten

from .changes import feed_page, position
from .models import Claim, ClaimEvent, EventKind, Review, Span, StatusChange
from .models.watch import TARGETS, MailCursor, Watch
from .services.watches import WATCH_MAIL, unsubscribe_token

logger = logging.getLogger(__name__)

PAGE = 200  # events read at a time
LEASE = datetime.timedelta(minutes=2)


def queue() -> None:
    """After a commit that recorded a change: mail the watchers, unless nobody
    watches anything."""
    if Watch.objects.exists():
        notify_watchers.enqueue()


@task()
def notify_watchers() -> int:
    return notify_due()


def site_url(path: str) -> str:
    return settings.CLAIMTRACK_SITE_URL.rstrip("/") + path


def list_headers(unsubscribe: str) -> dict[str, str]:
    """The headers of every email we send to a list: a mail client's one-click
    unsubscribe POSTs to ``unsubscribe`` (RFC 8058)."""
    return {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def permanent_failure(error: Exception) -> bool:
    """Whether a failure to send one message is that message's own and will
    not pass (an address the server refuses for good, a header it cannot
    carry): it is logged and skipped, and the others go on. Anything else
    (the server down, a 4xx "try later", our sender refused) stops the run,
    to be tried again."""
    if isinstance(error, ValueError):  # UnicodeError too
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused):
        return False
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def send_one(connection, message: mail.EmailMessage) -> int:
    """Send ``message`` on an open connection: 1 if it went, 0 if it was
    refused for good (logged); any other failure is raised."""
    try:
        return connection.send_messages([message]) or 0
    except Exception as error:
        if not permanent_failure(error):
            raise
        logger.warning("email to %s refused: %s", message.to, error)
        return 0


class _LeaseLost(Exception):
    pass


def notify_due() -> int:
    """Send what the feed holds since the cursor, event by event; how many
    emails went. A run holds the cursor's lease (renewed as it goes, for at
    most half of it in all, as webhooks do); another run finds it leased and
    leaves it, and a run that lost it stops without writing."""
    now = timezone.now()
    lease = now + LEASE
    free = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    if not MailCursor.objects.filter(free, name=WATCH_MAIL).update(leased_until=lease):
        return 0
    at = MailCursor.objects.get(name=WATCH_MAIL).position
    connection = mail.mailers["default"]
    sent = 0
    started = time.monotonic()
    try:
        connection.open()
        while time.monotonic() - started < LEASE.total_seconds() / 2:
            rows = feed_page(ClaimEvent.objects.all(), at, PAGE)
            if not rows:
                break
            emails = messages(rows)
            for row in rows:
                for message in emails.get(row["id"], ()):
                    sent += send_one(connection, message)
                at = position(row)
                if row["id"] in emails:  # what was sent is behind the cursor
                    lease = _keep(lease, at)
            lease = _keep(lease, at)
    except (OSError, smtplib.SMTPException):
        logger.warning("watchers' email failed; it is sent again later", exc_info=True)
    except _LeaseLost:
        logger.warning("another run took over the watchers' email")
    finally:
        connection.close()
        MailCursor.objects.filter(name=WATCH_MAIL, leased_until=lease).update(
            leased_until=None
        )
    return sent


def _keep(lease: datetime.datetime, at: tuple[int, int]) -> datetime.datetime:
    """Save the position and renew the lease, if it is still this run's."""
    renewed = timezone.now() + LEASE
    if not MailCursor.objects.filter(name=WATCH_MAIL, leased_until=lease).update(
        position_txid=at[0], position_id=at[1], leased_until=renewed
    ):
        raise _LeaseLost
    return renewed


@dataclass(frozen=True)
class _Change:
    row: dict
    claim: Claim
    entry: StatusChange | None


def messages(rows: list[dict]) -> dict[int, list[mail.EmailMessage]]:
    """The emails a page of feed rows (``FEED_COLUMNS``) makes, by event id:
    one per status change and watcher who may read it. A fixed number of
    queries, however many rows and watchers."""
    rows = [row for row in rows if row["kind"] == EventKind.STATUS_CHANGED]
    if not rows:
        return {}
    changes = _changes(rows)
    sources = _sources_of([change.claim.pk for change in changes])
    watches = _watches(changes, sources)
    reviewers = (
        set(
            reviewer_accounts(
                User.objects.filter(pk__in={w.user_id for w in watches})
            ).values_list("pk", flat=True)
        )
        if watches
        else set()
    )
    emails: dict[int, list[mail.EmailMessage]] = defaultdict(list)
    for change in changes:
        for watch in _watching(change, sources, watches):
            if _may_read(watch.user, change, watch.user_id in reviewers):
                emails[change.row["id"]].append(_email(change, watch))
    return emails


def _changes(rows: list[dict]) -> list[_Change]:
    ids = {row["claim_id"] for row in rows}
    claims = Claim.objects.select_related("speaker").in_bulk(ids)
    # The page's entries (by claim and version), not every claim's ledger.
    entries = {
        (entry.claim_id, entry.claim_version): entry
        for entry in StatusChange.objects.filter(
            claim_id__in=ids, claim_version__in={row["version"] for row in rows}
        )
    }
    return [
        _Change(row, claims[row["claim_id"]], entries.get(_key(row))) for row in rows
    ]


def _key(row: dict) -> tuple[int, int]:
    return row["claim_id"], row["version"]


def _sources_of(claim_ids: list[int]) -> dict[int, set[int]]:
    """The sources each claim appears in, publicly."""
    found: dict[int, set[int]] = defaultdict(set)
    for claim_id, source_id in (
        Span.objects.public()
        .filter(claim_id__in=claim_ids)
        .values_list("claim_id", "source_id")
    ):
        found[claim_id].add(source_id)
    return found


def _watches(changes, sources) -> list[Watch]:
    claim_ids = {change.claim.pk for change in changes}
    speaker_ids = {change.row["state"].get("speaker") for change in changes} - {None}
    source_ids = set().union(*sources.values()) if sources else set()
    return list(
        Watch.objects.filter(
            Q(claim_id__in=claim_ids)
            | Q(speaker_id__in=speaker_ids)
            | Q(source_id__in=source_ids)
        )
        .select_related("user", "claim", "speaker", "source")
        .order_by("id")
    )


def _watching(change: _Change, sources, watches: list[Watch]) -> list[Watch]:
    """Each watcher of the change once, by their most specific watch (the
    claim, then its speaker, then a source), made before the change."""
    targets = {
        "claim": {change.claim.pk},
        "speaker": {change.row["state"].get("speaker")},
        "source": sources.get(change.claim.pk, set()),
    }
    best: dict[int, Watch] = {}
    for watch in watches:
        kind = watch.target_kind
        if watch.target_id not in targets[kind] or not watch.user.email:
            continue
        if watch.created_at > change.row["created_at"] or not watch.user.is_active:
            continue
        held = best.get(watch.user_id)
        if held is None or TARGETS.index(kind) < TARGETS.index(held.target_kind):
            best[watch.user_id] = watch
    return list(best.values())


def _may_read(user: User, change: _Change, reviewer: bool) -> bool:
    """``ClaimEvent.objects.visible_to``'s rule for one status change (never
    internal): reviewers all; anyone else the claim's own author, or a change
    made while the claim was accepted, if it still is."""
    if reviewer or change.claim.created_by_id == user.pk:
        return True
    return (
        change.row["state"].get("review") == Review.ACCEPTED
        and change.claim.review == Review.ACCEPTED
    )


def _email(change: _Change, watch: Watch) -> mail.EmailMessage:
    claim, entry = change.claim, change.entry
    unsubscribe = site_url(
        reverse(
            "public:unsubscribe",
            args=[unsubscribe_token(watch.user, f"watch:{watch.pk}")],
        )
    )
    status = change.row["state"].get("status", "")
    context = {
        "claim": claim,
        "status": status.replace("_", " "),
        "from_status": (entry.from_status if entry else "").replace("_", " "),
        "rationale": entry.rationale if entry else change.row["detail"],
        "when": change.row["created_at"],
        "claim_url": site_url(reverse("public:claim", args=[claim.pk]))
        if change.row["state"].get("review") == Review.ACCEPTED
        else site_url(reverse("admin:claims_claim_change", args=[claim.pk])),
        "watched": watch.target_kind,
        "watched_name": str(getattr(watch, watch.target_kind)),
        "unsubscribe_url": unsubscribe,
        "watching_url": site_url(reverse("public:watching")),
    }
    # One line: a header cannot carry a line break, and a claim's text may.
    text = shorten(" ".join(claim.text.split()), 60)
    return mail.EmailMessage(
        subject=f"claimtrack: {context['status']}: “{text}”",
        body=render_to_string("claims/email/status_changed.txt", context),
        to=[watch.user.email],
        headers=list_headers(unsubscribe),
    )
