"""The article in a fetched page: its main text and what the page says about it.

trafilatura finds the main text and the metadata (title, author, date, site
name); it makes no request of its own when given the HTML. The text becomes a
source's text, one paragraph to a block, so the extractor reads its
paragraphs as the page laid them out.
"""

import datetime
import re
from dataclasses import dataclass

import trafilatura
from lxml import html as lxml_html
from trafilatura.settings import Document

from .models import BCP47_PATTERN

_BCP47 = re.compile(BCP47_PATTERN)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Page:
    text: str
    title: str = ""
    author: str = ""
    published_on: datetime.date | None = None
    site_name: str = ""
    language: str = ""

    def metadata(self) -> dict[str, str]:
        """What the page said about itself, as kept beside its snapshot."""
        return {
            "title": self.title,
            "author": self.author,
            "published_on": self.published_on.isoformat() if self.published_on else "",
            "site_name": self.site_name,
            "language": self.language,
        }


def read_page(
    text: str, media_type: str, url: str, content_language: str = ""
) -> Page | None:
    """The article of a fetched page, or None when it has none to speak of."""
    if media_type not in _HTML_TYPES:
        body = _paragraphs(text)
        return Page(body, language=_language(content_language)) if body else None
    # Parsed once, for its lang and then for trafilatura. The text is decoded
    # already (the fetch read its charset), so it goes in as UTF-8, through a
    # parser of this call's own (lxml's are not to be shared between threads).
    parser = lxml_html.HTMLParser(encoding="utf-8")
    try:
        root = lxml_html.fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    found = trafilatura.bare_extraction(
        root, url=url or None, with_metadata=True, include_comments=False
    )
    document = found.as_dict() if isinstance(found, Document) else {}
    body = _paragraphs(document.get("text") or "")
    if not body:
        return None
    return Page(
        text=body,
        title=(document.get("title") or "").strip(),
        author=(document.get("author") or "").strip(),
        published_on=_date(document.get("date")),
        site_name=(document.get("sitename") or "").strip(),
        language=_language(lang or "") or _language(content_language),
    )


def _paragraphs(text: str) -> str:
    """One paragraph to a block, separated by a blank line."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def _language(value: str) -> str:
    """A BCP 47 tag as a source keeps it, or "" ("en-GB, fr" → "en-GB")."""
    tag = value.split(",")[0].strip().replace("_", "-")
    return tag if tag and len(tag) <= 35 and _BCP47.match(tag) else ""
