"""Claims as CSV or JSON Lines, streamed (docs/NOTIFICATIONS.md, "Exports").

One definition of an exported claim (``FIELDS``, ``row``), read in keyset
chunks of ``CHUNK`` claims by id, newest first: no ``OFFSET``, no
``COUNT(*)``, and memory bounded by a chunk whatever the number of claims.
Each chunk costs four queries: its ids, the claims with their speakers'
names, their public appearances with their sources, and their verdicts.
"""

import csv
import datetime
import io
import json
from collections.abc import Iterator
from typing import Any

from django.http import StreamingHttpResponse

from .models import Claim, Review, Span, SpanRole, StatusChange
from .models.choices import VERDICTS

CHUNK = 2000

FIELDS = (
    "id",
    "claim",
    "speaker",
    "speaker_title",
    "kind",
    "status",
    "stated_on",
    "stated_on_precision",
    "due_on",
    "due_on_precision",
    "due_text",
    "first_appearance_url",
    "quote",
    "verdict_date",
    "rationale",
)


# What a row reads of a claim, as values: building model instances (with
# their speakers, spans and sources) took most of an export's time.
CLAIM_COLUMNS = (
    "id",
    "text",
    "speaker__name",
    "speaker_title",
    "kind",
    "status",
    "stated_on",
    "stated_on_precision",
    "due_on",
    "due_on_precision",
    "due_text",
)


def rows(claims) -> Iterator[dict]:
    """``row`` of each claim of ``claims`` (a queryset), newest first, read
    ``CHUNK`` at a time: its ids, then the claims, their public appearances
    and their verdicts, a query each."""
    ids = claims.order_by("-id").values_list("id", flat=True)
    after = None
    while True:
        page = list((ids.filter(id__lt=after) if after else ids)[:CHUNK])
        if not page:
            return
        appearances: dict[int, list] = {}
        for span in (
            Span.objects.filter(
                claim_id__in=page,
                role=SpanRole.CONTENT,
                review=Review.ACCEPTED,
                withdrawn_at__isnull=True,
            )
            .order_by("id")
            .values(
                "id",
                "claim_id",
                "exact",
                "stated_on",
                "source__url",
                "source__published_on",
            )
        ):
            appearances.setdefault(span["claim_id"], []).append(span)
        verdicts: dict[int, Any] = {}
        for entry in (
            StatusChange.objects.filter(claim_id__in=page, to_status__in=VERDICTS)
            .order_by("id")
            .values("claim_id", "changed_at", "rationale")
        ):
            verdicts[entry["claim_id"]] = entry  # the latest wins
        for claim in (
            Claim.objects.filter(id__in=page).order_by("-id").values(*CLAIM_COLUMNS)
        ):
            yield row(
                claim, appearances.get(claim["id"], []), verdicts.get(claim["id"])
            )
        after = page[-1]


def first_appearance(claim: dict, appearances: list[dict]) -> dict | None:
    """The earliest said of the claim's public appearances (its own date,
    else the claim's), then the earliest published."""
    latest = datetime.date.max
    return min(
        appearances,
        key=lambda span: (
            span["stated_on"] or claim["stated_on"] or latest,
            span["source__published_on"] or latest,
            span["id"],
        ),
        default=None,
    )


def row(claim: dict, appearances: list[dict], verdict: dict | None) -> dict:
    first = first_appearance(claim, appearances)
    return {
        "id": claim["id"],
        "claim": claim["text"],
        "speaker": claim["speaker__name"] or "",
        "speaker_title": claim["speaker_title"],
        "kind": claim["kind"],
        "status": claim["status"],
        "stated_on": _date(claim["stated_on"]),
        "stated_on_precision": claim["stated_on_precision"],
        "due_on": _date(claim["due_on"]),
        "due_on_precision": claim["due_on_precision"],
        "due_text": claim["due_text"],
        "first_appearance_url": first["source__url"] if first else "",
        "quote": first["exact"] if first else "",
        "verdict_date": verdict["changed_at"].date().isoformat() if verdict else "",
        "rationale": verdict["rationale"] if verdict else "",
    }


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def as_csv(claims) -> Iterator[str]:
    """A header line, then a line per claim (Excel reads UTF-8 with the BOM)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS)
    writer.writeheader()
    yield "\ufeff" + buffer.getvalue()
    for values in rows(claims):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(_spreadsheet_safe(values))
        yield buffer.getvalue()


def as_json_lines(claims) -> Iterator[str]:
    for values in rows(claims):
        yield json.dumps(values, ensure_ascii=False) + "\n"


def _spreadsheet_safe(values: dict) -> dict:
    """A cell a spreadsheet would run as a formula (=, +, -, @ first) is
    quoted with an apostrophe: the words are a source's, not ours."""
    return {
        key: "'" + value
        if isinstance(value, str) and value[:1] in "=+-@\t\r"
        else value
        for key, value in values.items()
    }


FORMATS = {
    "csv": (as_csv, "text/csv; charset=utf-8"),
    "jsonl": (as_json_lines, "application/jsonl; charset=utf-8"),
}


def streamed(claims, fmt: str) -> StreamingHttpResponse:
    """``claims`` as a download in ``fmt`` (a key of ``FORMATS``)."""
    stream, media_type = FORMATS[fmt]
    response = StreamingHttpResponse(stream(claims), content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="claims.{fmt}"'
    return response
