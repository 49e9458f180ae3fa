"""The public tracker pages: accepted claims only, server-rendered, no JavaScript.

Each view runs a fixed number of queries whatever the data (pinned in
tests/test_public_pages.py); docs/PUBLIC.md lists them.
"""

import datetime

from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from claims import exports
from claims.claimreview import NoVerdict, claim_review, data_feed
from claims.counts import capped_count, shown_count
from claims.models import ClaimKind, DatePrecision, SpanRole, Speaker, Status
from claims.search import matching_claims, search_claims, uses_full_text
from sources.diffing import change
from sources.highlight import Highlight, excerpt, highlight_text

from . import charts, keyset, queries
from .forms import SearchForm, SourcePageForm, SpeakerPageForm
from .sharing import share
from .templatetags.public_tags import said_by

PAGE_SIZE = 25
# A search counts its matches up to here ("1,000+"): counting a common word's
# 10,000 (the cap elsewhere) took 100 ms at a million claims, a page 10.
SEARCH_COUNT_CAP = 1_000


def not_found(request, what: str):
    return render(request, "public/not_found.html", {"what": what}, status=404)


def tracker(request):
    counts = queries.tracker_counts()
    today = timezone.localdate()
    months = queries.verdicts_by_month(today)
    return render(
        request,
        "public/tracker.html",
        {
            "counts": counts,
            "total": queries.shown_total(counts),
            "overdue": list(queries.overdue_claims()),
            "verdicts": list(queries.recent_verdicts()),
            "sources": list(queries.recent_sources()),
            "today": today,
            "verdict_months": months,
            "verdicts_chart": charts.months_chart(
                months, title="Verdicts by month, the last 12 months"
            ),
        },
    )


def _span_mark(span, *, href: str = "", claim=None) -> Highlight:
    claim = claim or span.claim
    role = SpanRole(span.role)
    status = Status(claim.status)
    words = f"#{claim.pk} {status.label}"
    if role != SpanRole.CONTENT:
        words += f" ({role.label.lower()})"
    return Highlight(
        start=span.start,
        end=span.end,
        key=str(span.pk),
        css_class=f"hl role-{role.value} status-{status.value}",
        title=f"{words}: {claim}",
        href=href,
        data=(("status", status.value), ("claim", str(claim.pk))),
    )


def _appearances(claim, spans) -> list[dict]:
    """The claim's spans grouped by source, as a dated timeline: earliest
    said first (an appearance's own date, else the claim's), then earliest
    published; each content span shown in its context with the claim's other
    spans, and who said it there."""
    by_source = {}
    for span in spans:
        by_source.setdefault(span.source_id, []).append(span)
    appearances = []
    for group in by_source.values():
        source = group[0].source
        marks = [_span_mark(span, claim=claim) for span in group]
        shown = [s for s in group if s.role == SpanRole.CONTENT] or group
        said_on, precision = min(
            (span.said_on(claim) for span in shown),
            key=lambda said: (said[0] is None, said[0] or datetime.date.min),
        )
        appearances.append(
            {
                "source": source,
                "said_on": said_on,
                "said_display": DatePrecision(precision).format(said_on)
                if said_on
                else "",
                "said_by": _said_by(claim, shown[0]),
                "excerpts": [
                    {
                        "span": span,
                        "html": excerpt(
                            span.window,
                            window_start=span.window_start,
                            text_length=source.text_length,
                            marks=marks,
                        ),
                    }
                    for span in shown
                ],
            }
        )
    appearances.sort(key=lambda a: queries.said_order(a["said_on"], a["source"]))
    if appearances:
        appearances[0]["first"] = True
    return appearances


def _said_by(claim, span) -> dict | None:
    """Who said the claim in ``span``'s source, when not the claim's speaker
    as the claim gives it: another speaker, or the same with another title."""
    speaker = span.speaker.merged_into or span.speaker if span.speaker else None
    title = span.speaker_title
    if speaker is None and not title:
        return None
    return {"speaker": speaker or claim.speaker, "title": title}


def _timeline(ledger, evidence) -> tuple[list[dict], list]:
    """Each ledger entry with the evidence given for it, and the evidence
    attached without a move."""
    given = {}
    loose = []
    for item in evidence:
        if item.status_change_id is None:
            loose.append(item)
        else:
            given.setdefault(item.status_change_id, []).append(item)
    return [
        {"entry": entry, "evidence": given.get(entry.pk, [])} for entry in ledger
    ], loose


def claim_detail(request, pk: int):
    claim = queries.claim_with_spans(pk)
    if claim is None:
        return not_found(request, "claim")
    spans = list(claim.spans.all())
    timeline, loose_evidence = _timeline(
        queries.ledger_of(claim), queries.evidence_of(claim)
    )
    try:
        review = claim_review(claim, absolute_url=request.build_absolute_uri)
    except NoVerdict:
        review = None
    today = timezone.localdate()
    deadline = claim.deadline
    return render(
        request,
        "public/claim.html",
        {
            "claim": claim,
            "appearances": _appearances(claim, spans),
            "relations": queries.public_relations(claim),
            "orphans": queries.orphans_of(claim),
            "timeline": timeline,
            "origin": queries.claim_origin(claim),
            "loose_evidence": loose_evidence,
            "claim_review": review,
            "has_deadline": ClaimKind(claim.kind).has_deadline,
            "deadline": deadline,
            "deadline_passed": deadline is not None and deadline < today,
            "today": today,
            "share": share(
                request,
                key=f"claim-{claim.pk}-v{claim.version}",
                title=claim.text,
                description=f"{claim.get_status_display()}. Said by: {said_by(claim)}.",
                author=claim.speaker.name if claim.speaker else "",
                year=claim.stated_on.year if claim.stated_on else None,
                edition=f"claim {claim.pk}, version {claim.version}, "
                f"{claim.get_status_display().lower()}",
            ),
        },
    )


def source_detail(request, pk: int):
    source = queries.source_with_neighbours(pk)
    if source is None:
        return not_found(request, "source")
    spans = queries.accepted_spans_in(source)
    earlier = queries.earlier_version_of(source)
    marks = [
        _span_mark(span, href=reverse("public:claim", args=[span.claim_id]))
        for span in spans
    ]
    claims = list({span.claim_id: span.claim for span in spans}.values())
    statuses = {claim.status for claim in claims}
    return render(
        request,
        "public/source.html",
        {
            "source": source,
            "revisions": [
                (newer, change(source.text, newer.text))
                for newer in queries.revisions_of(source)
            ],
            "earlier": earlier,
            "earlier_change": change(earlier.text, source.text) if earlier else None,
            "text": highlight_text(source.text, marks) if source.text else None,
            "claims": claims,
            "legend": [
                (value, label) for value, label in Status.choices if value in statuses
            ],
            "evidence": queries.evidence_citing(source),
            "snapshots": queries.snapshots_of(source),
            "share": share(
                request,
                key=f"source-{source.pk}",
                title=source.title or "Untitled source",
                description="The source text and the claims anchored in it.",
                author=source.publisher.name if source.publisher else "",
                year=source.published_on.year if source.published_on else None,
                edition=f"source {source.pk} (SHA-256 {source.content_hash})"
                if source.content_hash
                else f"source {source.pk}",
            ),
        },
    )


def snapshot(request, pk: int, snapshot: int):
    """A snapshot's WARC file, as stored."""
    found = queries.snapshot_of(pk, snapshot)
    if found is None:
        return not_found(request, "snapshot")
    return found.download()


def speaker_detail(request, pk: int):
    speaker = Speaker.objects.filter(pk=pk).first()
    if speaker is None:
        return not_found(request, "speaker")
    if speaker.merged_into_id is not None:
        # Their claims moved to the speaker they were merged into.
        return redirect("public:speaker", pk=speaker.merged_into_id)
    claims = queries.claims_by(speaker, limit=queries.LIST_LENGTH * 2 + 1)
    if not claims:
        # Only accepted claims make a speaker public: a name that only a
        # proposal (or a rejected claim) carries is not published.
        return not_found(request, "speaker")
    counts = queries.status_counts_of_speakers([speaker.pk], queries.CAP)[speaker.pk]
    return render(
        request,
        "public/speaker.html",
        {
            "speaker": speaker,
            "counts": counts,
            "total": queries.shown_total(counts),
            "claims": claims[: queries.LIST_LENGTH * 2],
            "more": len(claims) > queries.LIST_LENGTH * 2,
            "record_chart": charts.status_chart(counts, speaker.name),
            "months": (months := queries.claims_by_month(speaker)),
            "months_chart": charts.months_chart(
                months, title=f"Claims by {speaker.name}, by the month said"
            ),
            "share": share(
                request,
                key=f"speaker-{speaker.pk}",
                title=speaker.name,
                description=speaker.description
                or f"Claims by {speaker.name} and what became of them.",
                kind="profile",
                edition=f"speaker {speaker.pk}",
            ),
        },
    )


def filtered_claims(form: SearchForm):
    """The public claims the form's filters leave (not its words: they rank)."""
    data = form.cleaned_data
    claims = queries.public_claims()
    if data["status"]:
        claims = claims.filter(status=data["status"])
    if form.speaker_id is not None:
        claims = claims.filter(speaker_id=form.speaker_id)
    elif data["speaker"]:
        claims = claims.filter(speaker__name__icontains=data["speaker"])
    if data["said_from"]:
        claims = claims.filter(stated_on__gte=data["said_from"])
    if data["said_until"]:
        claims = claims.filter(stated_on__lte=data["said_until"])
    return claims


def every_match(form: SearchForm):
    """Every public claim the search finds, its words included, unranked:
    what its downloads and feeds hold."""
    claims = filtered_claims(form)
    if form.cleaned_data["q"]:
        claims = search_claims(claims, form.cleaned_data["q"], ranked=False)
    return claims


# The two pages of public/search.html: what each is called, and where its form goes.
SEARCH_PAGE = {
    "title": "Search",
    "heading": "Search the claims",
    "results": "Results",
    "url": "public:search",
}
CLAIMS_PAGE = {
    "title": "Claims",
    "heading": "All claims",
    "results": "Accepted claims",
    "url": "public:claims",
}


def search(request):
    form = SearchForm(request.GET or None)
    if not request.GET:
        context = {"form": form, "results": None, "page": SEARCH_PAGE}
        return render(request, "public/search.html", context)
    return _claim_list(request, form, SEARCH_PAGE)


def export(request, fmt: str):
    """The claims a search shows (its words and filters), every one of
    them, streamed as CSV or JSON Lines (claims/exports.py)."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "results": None, "page": SEARCH_PAGE}
        return render(request, "public/search.html", context, status=400)
    return exports.streamed(every_match(form), fmt)


def claimreview_feed(request):
    """Every rated claim's ClaimReview, as one schema.org DataFeed."""
    document = data_feed(absolute_url=request.build_absolute_uri, now=timezone.now())
    return StreamingHttpResponse(document, content_type="application/ld+json")


def claims_index(request):
    """Every accepted claim, newest first, with the search's form and filters:
    the search page's code, answering before anything is searched for."""
    return _claim_list(request, SearchForm(request.GET), CLAIMS_PAGE)


def _claim_list(request, form: SearchForm, page_of: dict):
    context = {"form": form, "results": None, "page": page_of}
    if not form.is_valid():
        return render(request, "public/search.html", context, status=400)
    data = form.cleaned_data
    filtered = filtered_claims(form)
    q = data["q"]
    if q and uses_full_text():
        order = keyset.RANKED
    elif data["said_from"] or data["said_until"]:
        order = keyset.BY_DATE
    else:
        order = keyset.NEWEST
    claims = search_claims(filtered, q) if q else filtered
    if data["after"]:
        try:
            claims = order.after(claims, data["after"])
        except ValueError:
            form.add_error("after", "is not a page of these results.")
            return render(request, "public/search.html", context, status=400)
    page = list(
        claims.select_related("speaker").order_by(*order.fields)[: PAGE_SIZE + 1]
    )
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    speaker = None
    if form.speaker_id is not None:
        speaker = queries.public_speakers().filter(pk=form.speaker_id).first()
    context.update(
        results=page,
        # Counted without the ranking or the page's cursor: all that match.
        matches=shown_count(
            capped_count(
                matching_claims(filtered, q) if q else filtered, SEARCH_COUNT_CAP
            ),
            SEARCH_COUNT_CAP,
        ),
        next_cursor=order.cursor(page[-1]) if more else None,
        paged=bool(data["after"]),
        speaker=speaker,
        order=order,
    )
    return render(request, "public/search.html", context)


SPEAKERS_PAGE_SIZE = 50
# Each count of the speakers' list stops here ("100+"): a page of 50 speakers
# reads at most 50 × 8 × 101 index entries, however many claims they have.
SPEAKER_COUNT_CAP = 100


def _bad_page(request, template: str, form):
    return render(request, template, {"form": form, "rows": None}, status=400)


def speaker_index(request):
    """Public speakers A to Z, each with their accepted claims counted by status."""
    form = SpeakerPageForm(request.GET)
    if not form.is_valid():
        return _bad_page(request, "public/speakers.html", form)
    after = form.cleaned_data["after"]
    speakers = queries.speakers_by_name()
    if after:
        speakers = queries.speakers_after(speakers, int(after))
    rows = list(speakers[: SPEAKERS_PAGE_SIZE + 1])
    more = len(rows) > SPEAKERS_PAGE_SIZE
    rows = rows[:SPEAKERS_PAGE_SIZE]
    counts = queries.status_counts_of_speakers(
        [speaker.pk for speaker in rows], SPEAKER_COUNT_CAP
    )
    return render(
        request,
        "public/speakers.html",
        {
            "form": form,
            "rows": [
                {
                    "speaker": speaker,
                    "counts": [c for c in counts[speaker.pk] if c.count],
                }
                for speaker in rows
            ],
            "next_cursor": str(rows[-1].pk) if more else None,
            "paged": bool(after),
        },
    )


def source_index(request):
    """Every source, latest published first, unknown dates last."""
    form = SourcePageForm(request.GET)
    if not form.is_valid():
        return _bad_page(request, "public/sources.html", form)
    after = form.cleaned_data["after"]
    rows = queries.sources_page(
        keyset.parse_source_cursor(after) if after else None, PAGE_SIZE + 1
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return render(
        request,
        "public/sources.html",
        {
            "form": form,
            "rows": rows,
            "next_cursor": keyset.source_cursor(rows[-1]) if more else None,
            "paged": bool(after),
        },
    )


__all__ = [
    "claim_detail",
    "claims_index",
    "search",
    "source_detail",
    "source_index",
    "speaker_detail",
    "speaker_index",
    "tracker",
]
