"""Template helpers of the public pages: status badges, time spans, JSON-LD."""

import datetime
import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from claims.models import Attribution, Status
from sources.text import shorten

register = template.Library()

# A sign for each status besides its colour, so that the status never rests on
# colour alone (the badges also spell it out; the source text's legend names them).
STATUS_SYMBOLS = {
    Status.UNVERIFIED: "?",
    Status.PENDING: "…",
    Status.CONFIRMED: "✓",
    Status.PARTLY_CONFIRMED: "◐",
    Status.REFUTED: "✗",
    Status.OVERDUE: "!",
    Status.UNVERIFIABLE: "∅",
    Status.RETRACTED: "↺",
}

STATUS_MEANINGS = {
    Status.UNVERIFIED: "Not yet checked.",
    Status.PENDING: "Not yet due.",
    Status.CONFIRMED: "True; came to pass; promise kept.",
    Status.PARTLY_CONFIRMED: "Partly true; partly delivered.",
    Status.REFUTED: "False; did not happen; promise broken.",
    Status.OVERDUE: "The deadline passed with no resolution yet.",
    Status.UNVERIFIABLE: "Cannot be checked.",
    Status.RETRACTED: "The speaker or the source withdrew it.",
}

# Characters that could end a <script> element or start a comment in it.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def status_badge(status: str, size: str = "") -> str:
    """The status as a badge: its colour, a sign and its name."""
    value = Status(status)
    return format_html(
        '<span class="badge status-{}{}"><span aria-hidden="true">{}</span> {}</span>',
        value.value,
        f" badge-{size}" if size else "",
        STATUS_SYMBOLS[value],
        value.label,
    )


@register.filter
def said_by(claim) -> str:
    """Who a claim is attributed to, for lists."""
    if claim.speaker is not None:
        return claim.speaker.name
    if claim.attribution == Attribution.NARRATOR:
        return "The source itself"
    return "Unattributed (“according to sources”)"


@register.filter
def status_meaning(status: str) -> str:
    return STATUS_MEANINGS[Status(status)]


@register.filter
def status_label(status: str) -> str:
    return Status(status).label if status else "—"


@register.filter
def time_since(earlier: datetime.date, later: datetime.date) -> str:
    """ "3 months" (the largest unit only): how long ``earlier`` is before ``later``."""
    return timesince(earlier, later, depth=1)


@register.filter
def cited_words(anchor) -> str:
    """Evidence's cited words between their stored prefix and suffix (escaped),
    with "…" where the source text goes on."""
    return format_html(
        '{}<mark class="cited-words">{}</mark>{}',
        shorten(anchor.prefix, side="start", cut=anchor.start > len(anchor.prefix)),
        anchor.exact,
        shorten(
            anchor.suffix,
            cut=anchor.end + len(anchor.suffix) < anchor.source.text_length,
        ),
    )


@register.filter(name="shorten")
def shorten_filter(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut between words with "…"
    (``sources.text.shorten``; Django's ``truncatechars`` cuts inside words)."""
    return shorten(str(text), int(limit))


@register.filter
def json_ld(value) -> str:
    """``value`` as a JSON-LD script element, safe inside HTML: ``<``, ``>`` and
    ``&`` are written as JSON escapes, so no string in it can close the script."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(SCRIPT_ESCAPES)),
    )
