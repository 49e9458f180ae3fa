"""What a claim, speaker or source page offers for sharing (docs/PUBLIC.md,
"Sharing"): its canonical URL, Open Graph and Twitter card tags, a "cite
this" in plain text and BibTeX-like, and the link to copy. One definition,
for the three pages' one template (public/_share.html)."""

from dataclasses import dataclass

from django.utils import timezone

from claims.models import DatePrecision

SITE = "claimtrack"


@dataclass(frozen=True)
class Share:
    url: str
    title: str
    description: str
    kind: str  # og:type
    cite: str
    bibtex: str


def share(
    request,
    *,
    key: str,
    title: str,
    description: str,
    kind: str = "article",
    author: str = "",
    year: int | None = None,
    edition: str = "",
) -> Share:
    """``key``: what the citation is of ("claim-26-v5"); ``edition``: what
    a reader cites exactly ("claim 26, version 5, pending")."""
    url = request.build_absolute_uri(request.path)
    accessed = DatePrecision.DAY.format(timezone.localdate())
    where = f"{SITE}, {edition}" if edition else SITE
    cite = f"{author + '. ' if author else ''}“{title}” {where}. {url} (accessed {accessed})."
    fields = {
        "author": author,
        "title": title,
        "year": str(year) if year else "",
        "howpublished": where,
        "url": url,
        "note": f"Accessed {accessed}",
    }
    bibtex = (
        f"@misc{{{SITE}:{key},\n"
        + ",\n".join(
            f"  {name} = {{{_braced(value)}}}"
            for name, value in fields.items()
            if value
        )
        + "\n}"
    )
    return Share(url, title, description, kind, cite, bibtex)


def _braced(value: str) -> str:
    """A value that cannot close its braces early."""
    return value.replace("{", "(").replace("}", ")")
