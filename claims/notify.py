"""Who hears of a recorded change, in one place: after the transaction
commits, the webhooks (claims/webhooks.py) and the watchers' email
(claims/watching.py). Each first asks, in one indexed query, whether anyone
listens, so that a write costs no query for them (docs/NOTIFICATIONS.md)."""

from django.db import transaction

from . import watching, webhooks


def changed() -> None:
    """A change was recorded in this transaction: tell its listeners after
    commit."""
    transaction.on_commit(webhooks.queue)
    transaction.on_commit(watching.queue)
