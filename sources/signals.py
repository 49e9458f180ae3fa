"""What the sources app tells the apps built on it, without importing them."""

from django.dispatch import Signal

# Sent when a refetch finds that a page's article text changed, once the new
# source that revises the old one is stored (in the same transaction), with
# ``old``, ``new`` and ``by``: the claims app re-anchors its spans onto ``new``.
revision_found = Signal()
