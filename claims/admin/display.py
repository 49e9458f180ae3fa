"""How source words are shown in the admin: always escaped, offsets in code points.

Source text is never trusted as HTML: every piece goes through ``escape`` or
``format_html``, so a source containing ``<script>`` shows those characters.
"""

from dataclasses import dataclass
from itertools import pairwise

from django.utils.html import format_html

from sources.highlight import Highlight, highlight_text
from sources.text import shorten

CONTEXT = 240  # characters of source text shown on each side of a span


def words_in_context(anchor) -> str:
    """The anchored words, highlighted between their stored prefix and suffix."""
    if anchor.start is None:
        return "—"
    return format_html(
        '<span class="ct-context">{}<mark>{}</mark>{}</span>',
        shorten(anchor.prefix, side="start", cut=True),
        anchor.exact,
        shorten(anchor.suffix, cut=True),
    )


def excerpt(text: str, start: int, end: int, context: int = CONTEXT) -> str:
    """``text[start:end]`` marked, with up to ``context`` characters around it."""
    before, after = max(0, start - context), min(len(text), end + context)
    return format_html(
        '<span class="ct-context">{}<mark>{}</mark>{}</span>',
        shorten(text[before:start], side="start", cut=before > 0),
        text[start:end],
        shorten(text[end:after], cut=after < len(text)),
    )


@dataclass(frozen=True)
class Mark:
    """A stretch of a text to highlight: a claim's span."""

    start: int
    end: int
    href: str
    css_class: str
    title: str


def highlighted(text: str, marks: list[Mark]) -> str:
    """The whole text, escaped, with each mark a link.

    Where marks overlap, the stretch links to the shortest of them (the most
    specific) and its title names them all: a reviewer reaches every claim
    from the text. The pieces do not overlap, so the shared highlighter
    (``sources.highlight``) writes each as one link. The result's text content
    is exactly ``text``, so offsets taken from a selection in it are offsets
    in the source.
    """
    marks = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    pieces = []
    for a, b in pairwise(cuts):
        covering = [m for m in marks if m.start <= a and b <= m.end]
        if not covering:
            continue
        chosen = min(covering, key=lambda m: m.end - m.start)
        pieces.append(
            Highlight(
                start=a,
                end=b,
                key="",
                css_class=f"ct-mark {chosen.css_class}",
                title="; ".join(m.title for m in covering),
                href=chosen.href,
            )
        )
    return highlight_text(text, pieces, ids=False)
