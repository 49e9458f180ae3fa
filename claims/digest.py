"""The reviewers' daily digest (docs/NOTIFICATIONS.md, "Watch lists and email"):
the claims due in the next 7 days, and those that went overdue since the last
digest. ``manage.py send_digest`` sends it; the compose scheduler runs that on
every pass, and each reviewer gets it once a day, on the first pass at or
after ``CLAIMTRACK_DIGEST_HOUR``.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sources.review import reviewer_accounts

from .models import Claim, Review, Status, StatusChange
from .models.watch import MailPreference
from .services.watches import DIGEST, unsubscribe_token
from .watching import list_headers, send_one, site_url

AHEAD = datetime.timedelta(days=7)
LISTED = 50  # claims listed per part; the rest are in the admin


@dataclass(frozen=True)
class Digest:
    due: list[Claim]
    overdue: list[StatusChange]

    def __bool__(self) -> bool:
        return bool(self.due or self.overdue)


def reviewers() -> list[User]:
    """Active reviewers with an email address who have not turned it off."""
    return list(
        reviewer_accounts(User.objects.exclude(email=""))
        .exclude(
            pk__in=MailPreference.objects.filter(daily_digest=False).values("user")
        )
        .order_by("pk")
    )


def digest_for(since: datetime.datetime, today: datetime.date) -> Digest:
    """What a reviewer's digest holds: claims not rejected that are pending
    and due from today to 7 days on, and the moves to overdue after ``since``."""
    due = (
        Claim.objects.exclude(review=Review.REJECTED)
        .filter(
            status=Status.PENDING,
            due_on__gte=today,
            due_on__lte=today + AHEAD,
        )
        .select_related("speaker")
        .order_by("due_on", "id")[: LISTED + 1]
    )
    overdue = (
        StatusChange.objects.filter(to_status=Status.OVERDUE, changed_at__gt=since)
        .exclude(claim__review=Review.REJECTED)
        .select_related("claim", "claim__speaker")
        .order_by("changed_at", "id")[: LISTED + 1]
    )
    return Digest(list(due), list(overdue))


def send_digests(*, now: datetime.datetime | None = None, any_hour=False) -> int:
    """Send each reviewer due one their digest; how many went. A reviewer is
    due once a local day, from ``CLAIMTRACK_DIGEST_HOUR`` on (any hour with
    ``any_hour``); an empty digest is not sent, but counts as their day's.

    Each reviewer's day is claimed before their digest is made, by a
    conditional update, so that two runs at once never both send it. An
    address refused for good is skipped (logged); a server that fails stops
    the run (raised), and that reviewer's day is handed back."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if not any_hour and local.hour < settings.CLAIMTRACK_DIGEST_HOUR:
        return 0
    sent = 0
    kept = dict(MailPreference.objects.values_list("user_id", "digest_sent_at"))
    connection = mail.mailers["default"]
    with connection:
        for user in reviewers():
            last = kept.get(user.pk)
            if last is not None and timezone.localtime(last).date() >= local.date():
                continue
            if not _claim_day(user, last, now):
                continue  # another run has it
            digest = digest_for(last or now - datetime.timedelta(days=1), local.date())
            if not digest:
                continue
            try:
                sent += send_one(connection, _email(user, digest, local.date()))
            except BaseException:
                _claim_day(user, now, last)  # not sent: theirs again next run
                raise
    return sent


def _claim_day(user: User, was, now) -> bool:
    """Move ``user``'s last digest time from ``was`` to ``now``, if nobody
    moved it meanwhile."""
    MailPreference.objects.get_or_create(user=user)
    return bool(
        MailPreference.objects.filter(user=user, digest_sent_at=was).update(
            digest_sent_at=now
        )
        if was is not None
        else MailPreference.objects.filter(
            user=user, digest_sent_at__isnull=True
        ).update(digest_sent_at=now)
    )


def _count(items: list) -> str:
    return f"{LISTED}+" if len(items) > LISTED else str(len(items))


def _email(user: User, digest: Digest, today: datetime.date) -> mail.EmailMessage:
    unsubscribe = site_url(
        reverse("public:unsubscribe", args=[unsubscribe_token(user, DIGEST)])
    )

    def desk(pk: int) -> str:
        return site_url(reverse("admin:claims_claim_change", args=[pk]))

    context = {
        "today": today,
        "due": [(claim, desk(claim.pk)) for claim in digest.due[:LISTED]],
        "more_due": len(digest.due) > LISTED,
        "overdue": [
            (entry.claim, desk(entry.claim_id)) for entry in digest.overdue[:LISTED]
        ],
        "more_overdue": len(digest.overdue) > LISTED,
        "admin_url": site_url(reverse("admin:claims_claim_changelist")),
        "unsubscribe_url": unsubscribe,
    }
    return mail.EmailMessage(
        subject=(
            f"claimtrack digest, {today:%-d %B %Y}: {_count(digest.due)} coming "
            f"due, {_count(digest.overdue)} gone overdue"
        ),
        body=render_to_string("claims/email/digest.txt", context),
        to=[user.email],
        headers=list_headers(unsubscribe),
    )
