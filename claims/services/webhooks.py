"""Webhook endpoints: register, change, replay (docs/NOTIFICATIONS.md).

The rules of an endpoint's fields live here; the API and the admin call
these. Delivering is claims/webhooks.py's.
"""

import base64
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from ..changes import horizon
from ..models import EVENT_TYPES, ClaimEvent, Status, WebhookEndpoint
from ..models.webhook import RETRY_STATE


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


@transaction.atomic
def create_endpoint(
    *, owner: User, url: str | None = None, **fields
) -> WebhookEndpoint:
    """A new endpoint, delivering the events recorded from now on. Its
    ``secret`` is the owner's to copy now: the API shows it once."""
    endpoint = WebhookEndpoint(owner=owner, secret=new_secret())
    _apply(endpoint, {"url": url, **fields})
    endpoint.position_txid, endpoint.position_id = horizon()
    endpoint.save()
    return endpoint


@transaction.atomic
def update_endpoint(*, endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    """Change an endpoint's URL, description, types or filters; ``enabled``
    True enables a disabled one again, from where it stopped."""
    enable = fields.pop("enabled", None)
    _apply(endpoint, fields)
    if enable is True:
        endpoint.disabled_at, endpoint.disabled_reason = None, ""
        endpoint.reset_failures()
    elif enable is False:
        endpoint.disabled_at = timezone.now()
        endpoint.disabled_reason = "disabled by its owner"
    elif enable is not None:
        raise ValidationError({"enabled": "must be true or false."})
    # Not the position or the lease: a worker may be delivering right now.
    endpoint.save(update_fields=[*EDITABLE, *RETRY_STATE, "updated_at"])
    return endpoint


@transaction.atomic
def replay_from(*, endpoint: WebhookEndpoint, event: int) -> WebhookEndpoint:
    """Deliver again every wanted event from ``event`` on, in order."""
    found = (
        ClaimEvent.objects.visible_to(endpoint.owner)
        .filter(pk=event)
        .values("id", "txid")
        .first()
        if isinstance(event, int) and not isinstance(event, bool)
        else None
    )
    if found is None:
        raise ValidationError({"event": f"there is no event {event!r} you can read."})
    endpoint.position_txid, endpoint.position_id = found["txid"] or 0, found["id"] - 1
    endpoint.reset_failures()
    endpoint.save(
        update_fields=["position_txid", "position_id", *RETRY_STATE, "updated_at"]
    )
    return endpoint


def _apply(endpoint: WebhookEndpoint, fields: dict) -> None:
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationError({name: "cannot be set here." for name in unknown})
    for name, value in fields.items():
        setattr(endpoint, name, EDITABLE[name](value, name))


def _url(value, name) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({name: "is required: an http(s) URL."})
    try:
        URLValidator(schemes=["http", "https"])(value.strip())
    except ValidationError:
        raise ValidationError({name: f"{value!r} is not an http(s) URL."}) from None
    if len(value.strip()) > 2000:
        raise ValidationError({name: "is longer than 2000 characters."})
    return value.strip()


def _text(value, name) -> str:
    if not isinstance(value, str) or len(value) > 200 or "\x00" in value:
        raise ValidationError({name: "must be text of at most 200 characters."})
    return value.strip()


def _choices(allowed):
    def check(value, name) -> list[str]:
        if not isinstance(value, list) or not all(v in allowed for v in value):
            raise ValidationError(
                {name: f"must be a list of: {', '.join(sorted(allowed))}."}
            )
        return sorted(set(value))

    return check


def _ids(value, name) -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
    ):
        raise ValidationError({name: "must be a list of ids."})
    if len(value) > 1000:
        raise ValidationError({name: "holds at most 1000 ids."})
    return sorted(set(value))


EDITABLE = {
    "url": _url,
    "description": _text,
    "event_types": _choices(EVENT_TYPES),
    "claims": _ids,
    "speakers": _ids,
    "statuses": _choices(Status.values),
}
