"""Charts drawn on the server as SVG (docs/PUBLIC.md, "Charts"): a speaker's
record by status and their claims over time, and the tracker's verdicts by
month. Accessible: each is an image with a title and a description, every
bar carries its label and number as text (colour is never the only clue),
and the page beside it holds the same figures as a table or a list. No
script, no CDN: the SVG is in the page."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# The status colours of public/site.css, drawn in the SVG itself.
FILL = {
    "unverified": "#e7f5ff",
    "pending": "#fff3bf",
    "overdue": "#ffd8a8",
    "confirmed": "#b2f2bb",
    "partly_confirmed": "#d8f5a2",
    "refuted": "#ffc9c9",
    "unverifiable": "#e9ecef",
    "retracted": "#dee2e6",
}
ROW = 26  # px a bar
LABEL = 150  # px of labels before the bars
WIDTH = 560


def bars(
    rows: list[tuple[str, str, int, str]], *, title: str, description: str
) -> SafeString:
    """Horizontal bars: (key, label, value, value as shown) each; widths
    relative to the largest value."""
    largest = max((value for _, _, value, _ in rows), default=0) or 1
    span = WIDTH - LABEL - 60
    drawn = format_html_join(
        "",
        '<g><text x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#495057"/>'
        '<text x="{}" y="{}">{}</text></g>',
        (
            (
                LABEL - 8,
                n * ROW + 17,
                label,
                LABEL,
                n * ROW + 4,
                max(1, round(span * value / largest)) if value else 0,
                ROW - 8,
                FILL.get(key, "#dee2e6"),
                LABEL + (round(span * value / largest) if value else 0) + 6,
                n * ROW + 17,
                shown,
            )
            for n, (key, label, value, shown) in enumerate(rows)
        ),
    )
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{0}-title {0}-desc" '
        'viewBox="0 0 {1} {2}" width="100%" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{0}-title">{3}</title><desc id="{0}-desc">{4}</desc>'
        '<g font-size="13" font-family="system-ui, sans-serif">{5}</g></svg>',
        _id(title),
        WIDTH,
        max(1, len(rows)) * ROW,
        title,
        description,
        drawn,
    )


def _id(title: str) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in title.lower())[:40]


def status_chart(counts, name: str) -> SafeString:
    """A speaker's record: their accepted claims by status (``StatusCount``s,
    which stop at a cap: a bar is drawn to the cap and labelled "100+")."""
    rows = [(c.status, c.label, c.count, c.shown) for c in counts if c.count]
    listed = "; ".join(f"{label}: {shown}" for _, label, _, shown in rows)
    return bars(
        rows,
        title=f"Claims by {name}, by status",
        description=listed or "No accepted claims.",
    )


def months_chart(months: list[tuple[str, int]], *, title: str) -> SafeString:
    """Counts by month, oldest first: ("April 2025", 3) each."""
    rows = [("", label, count, f"{count:,}") for label, count in months]
    listed = "; ".join(f"{label}: {count:,}" for label, count in months)
    return bars(rows, title=title, description=listed or "None.")
