"""Watch lists and one-click unsubscribe (docs/NOTIFICATIONS.md, "Watch lists
and email"). The public pages, the API, the admin and the tests call these.

Unsubscribe links carry a signed token (``django.core.signing``) naming the
user and what to stop: one watch, or the daily digest. The signature is the
proof: a mail client's one-click POST (RFC 8058) has no session.
"""

import re

from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q

from sources.models import Source

from ..changes import horizon
from ..models import Claim, Speaker
from ..models.watch import TARGETS, MailCursor, MailPreference, Watch

WATCH_MAIL = "watch-mail"  # the watchers' cursor (claims/watching.py)
DIGEST = "digest"
_SALT = "claimtrack.unsubscribe"


def is_id(value) -> bool:
    """A database id as a client may send it: a whole number of at most 18
    digits, or its digits (not a bool, not "²", which ``isdigit`` takes)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return False
    return re.fullmatch(r"[0-9]{1,18}", str(value)) is not None


def readable(kind: str, user: User):
    """The claims, speakers or sources ``user`` may read (and so watch)."""
    return {
        "claim": Claim.objects.visible_to(user),
        "speaker": Speaker.objects.visible_to(user).filter(merged_into__isnull=True),
        "source": Source.objects.all(),  # sources are public (DESIGN.md, Roles)
    }[kind]


def watches_of(user: User):
    """``user``'s watches, each annotated ``readable``: whether they may still
    read what it names (a claim rejected since is not). The one rule for
    every list of them: /watching/, the unsubscribe page, the admin."""
    still = (Q(claim__isnull=True) | Q(claim__in=readable("claim", user))) & (
        Q(speaker__isnull=True) | Q(speaker__in=readable("speaker", user))
    )
    return Watch.objects.filter(user=user).annotate(
        readable=ExpressionWrapper(still, output_field=BooleanField())
    )


def watch_list(user: User) -> list[tuple[Watch, object | None]]:
    """``user``'s watches, each with its target, or None for one they may no
    longer read: one query, however many."""
    return [
        (watch, getattr(watch, watch.target_kind) if watch.readable else None)
        for watch in watches_of(user).select_related("claim", "speaker", "source")
    ]


def readable_target(user: User, kind: str, pk) -> Claim | Speaker | Source:
    """The claim, speaker or source ``user`` may read, or a ValidationError
    naming the field: a watch never reveals what its owner cannot see."""
    if kind not in TARGETS:
        raise ValidationError({"target": f"must be one of {', '.join(TARGETS)}."})
    found = readable(kind, user)
    if not is_id(pk):
        raise ValidationError({kind: "must be an id (a whole number)."})
    try:
        return found.get(pk=int(pk))
    except found.model.DoesNotExist:
        raise ValidationError({kind: f"no {kind} {pk} that you may read."}) from None


@transaction.atomic
def watch(*, user: User, kind: str, pk) -> tuple[Watch, bool]:
    """``user`` watches a claim, speaker or source: (the watch, whether it is
    new). Watching again is no error: the same watch comes back."""
    if not user.is_authenticated:
        raise ValidationError({"user": "sign in to watch."})
    target = readable_target(user, kind, pk)
    existing = Watch.objects.filter(user=user, **{kind: target}).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            new = Watch.objects.create(user=user, **{kind: target})
    except IntegrityError:  # the same watch, made at the same moment
        return Watch.objects.get(user=user, **{kind: target}), False
    _start_cursor(new)
    return new, True


def _start_cursor(new: Watch) -> None:
    """The watchers' emails start from now: the cursor is made, or moved to
    the feed's horizon when no other watch was waiting on it. (Each watch
    also hears only of changes after its creation: claims/watching.py.)"""
    txid, event_id = horizon()
    _cursor, created = MailCursor.objects.get_or_create(
        name=WATCH_MAIL, defaults={"position_txid": txid, "position_id": event_id}
    )
    if not created and not Watch.objects.exclude(pk=new.pk).exists():
        MailCursor.objects.filter(name=WATCH_MAIL).update(
            position_txid=txid, position_id=event_id
        )


def unwatch(*, user: User, watch: Watch) -> None:
    if watch.user_id != user.pk:
        raise ValidationError({"watch": "is not yours."})
    watch.delete()


def set_digest(*, user: User, on: bool) -> MailPreference:
    preference, _ = MailPreference.objects.update_or_create(
        user=user, defaults={"daily_digest": on}
    )
    return preference


def unsubscribe_token(user: User, scope: str) -> str:
    """A token that stops ``scope`` (``DIGEST`` or ``watch:<id>``) for ``user``.
    It does not expire: a link in an old email still works."""
    return signing.dumps({"user": user.pk, "scope": scope}, salt=_SALT, compress=True)


def read_token(token: str) -> tuple[User, str]:
    """The user and scope a token names, or a ValidationError."""
    try:
        data = signing.loads(token, salt=_SALT)
        user = User.objects.get(pk=data["user"], is_active=True)
        return user, str(data["scope"])
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist):
        raise ValidationError({"token": "is not a valid unsubscribe link."}) from None


@transaction.atomic
def unsubscribe(*, token: str) -> str:
    """Stop what the token names; what was stopped, in words. Stopping twice
    is no error: the second says it was stopped already."""
    user, scope = read_token(token)
    if scope == DIGEST:
        set_digest(user=user, on=False)
        return "You will no longer get the daily digest."
    kind, _, pk = scope.partition(":")
    if kind != "watch" or not pk.isdigit():
        raise ValidationError({"token": "is not a valid unsubscribe link."})
    deleted, _ = Watch.objects.filter(pk=int(pk), user=user).delete()
    if not deleted:
        return "You were no longer watching this."
    return "You are no longer watching this, and get no more email about it."


def describe(user: User, scope: str) -> str:
    """What a token's scope stops, for the confirmation page: never the words
    of something its user may no longer read."""
    if scope == DIGEST:
        return "the daily digest of claims coming due and gone overdue"
    pk = scope.partition(":")[2]
    found = next(
        (pair for pair in watch_list(user) if is_id(pk) and pair[0].pk == int(pk)),
        None,
    )
    if found is None:
        return "a watch that has already been stopped"
    watch, target = found
    if target is None:
        return f"emails about a {watch.target_kind} you may no longer read"
    return f"emails about {watch.target_kind} “{target}”"
