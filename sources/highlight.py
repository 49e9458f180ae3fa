"""The one highlighter of source words, for the public pages and the admin:
always escaped, offsets in code points.

Plain Python, no ORM. Marks *nest*: a cue span inside a quote stays inside the
quote's element, so every span is one element whose text is exactly its words.
Only marks that cross (each starting inside the other) are split into fragments
that share their ``data-span``. (The admin's source page passes marks that do
not overlap, cut so that each piece links to one claim:
``claims.admin.display.highlighted``.)
"""

from dataclasses import dataclass, replace
from itertools import pairwise

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from sources.text import ELLIPSIS, shorten


@dataclass(frozen=True)
class Highlight:
    """A stretch of a text to mark: ``text[start:end]``."""

    start: int
    end: int
    # Identifies the mark: data-span="key", id="span-key" on the first piece
    # (neither if empty).
    key: str
    css_class: str
    title: str = ""
    href: str = ""  # a link when the mark is outermost; nested marks cannot be links
    data: tuple[tuple[str, str], ...] = ()  # more data-* attributes


def _open_tag(mark: Highlight, *, first: bool, depth: int, ids: bool) -> str:
    tag = "a" if mark.href and depth == 0 else "mark"
    attributes = [format_html(' class="{}"', mark.css_class)]
    if mark.key:
        attributes.append(format_html(' data-span="{}"', mark.key))
    if first and ids and mark.key:
        attributes.append(format_html(' id="span-{}"', mark.key))
    if tag == "a":
        attributes.append(format_html(' href="{}"', mark.href))
    if mark.title:
        attributes.append(format_html(' title="{}"', mark.title))
    attributes.extend(format_html(' data-{}="{}"', k, v) for k, v in mark.data)
    return f"<{tag}{''.join(attributes)}>"


def _close_tag(mark: Highlight, depth: int) -> str:
    return "</a>" if mark.href and depth == 0 else "</mark>"


def highlight_text(
    text: str, marks: list[Highlight], *, ids: bool = True
) -> SafeString:
    """The whole of ``text``, escaped, with each mark an element around its words.

    Marks are opened outermost first (earlier start, then later end); a mark
    that ends while marks opened inside it go on closes them and reopens them
    after it (the only case that splits a mark). The result's text content is
    exactly ``text``. With ``ids``, each mark's first piece is the target of
    ``#span-<key>``.
    """
    marks = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    starting: dict[int, list[Highlight]] = {}
    for mark in marks:
        starting.setdefault(mark.start, []).append(mark)
    opened: set[str] = set()  # keys whose first piece has been written
    stack: list[Highlight] = []
    out: list[str] = []
    for position, following in pairwise(cuts):
        # Close every mark that ends here, and whatever was opened inside it.
        reopen: list[Highlight] = []
        while any(m.end == position for m in stack):
            top = stack.pop()
            out.append(_close_tag(top, len(stack)))
            if top.end != position:
                reopen.append(top)
        # Open (again) the marks that go on, longest first so they nest.
        to_open = reopen + starting.get(position, [])
        to_open.sort(key=lambda m: (-m.end, m.start, m.key))
        for mark in to_open:
            first = mark.key not in opened
            out.append(_open_tag(mark, first=first, depth=len(stack), ids=ids))
            opened.add(mark.key)
            stack.append(mark)
        out.append(escape(text[position:following]))
    while stack:
        top = stack.pop()
        out.append(_close_tag(top, len(stack)))
    return mark_safe("".join(out))


def excerpt(
    window: str,
    *,
    window_start: int,
    text_length: int,
    marks: list[Highlight],
) -> SafeString:
    """A stretch of a source text, ``window`` (which starts at code point
    ``window_start`` of a text ``text_length`` long), with the ``marks`` (in
    offsets of the whole text) that fall in it, clipped to it. "…" stands for
    the text left out on either side."""
    window_end = window_start + len(window)
    # Cut the window's edges between words (a word broken by the database's
    # cut goes), never into a mark.
    first = min((m.start for m in marks), default=window_end) - window_start
    last = max((m.end for m in marks), default=window_start) - window_start
    first, last = min(max(first, 0), len(window)), max(min(last, len(window)), 0)
    cut_front, cut_back = window_start > 0, window_end < text_length
    # With cut=True, shorten() keeps one end of the text and adds one "…".
    drop_front = drop_back = 0
    if cut_front:
        lead = shorten(window[:first], side="start", cut=True)
        drop_front = first - (len(lead) - len(ELLIPSIS))
    if cut_back:
        tail = shorten(window[last:], cut=True)
        drop_back = len(window) - last - (len(tail) - len(ELLIPSIS))
    window = window[drop_front : len(window) - drop_back]
    window_start += drop_front
    window_end -= drop_back
    inside = [
        replace(
            mark,
            start=max(mark.start, window_start) - window_start,
            end=min(mark.end, window_end) - window_start,
        )
        for mark in marks
        if mark.start < window_end and mark.end > window_start
    ]
    return format_html(
        "{}{}{}",
        ELLIPSIS if cut_front else "",
        highlight_text(window, inside, ids=False),
        ELLIPSIS if cut_back else "",
    )
