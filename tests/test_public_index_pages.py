"""The public index pages (issue 20, 24): /claims/ (every accepted claim, with
the search's filters), /speakers/ (A to Z with their claims counted by status)
and /sources/ (latest published first), each linked from the header, paged by
keyset, with a fixed number of queries."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Status
from sources.services import create_source

from .factories import SpeakerFactory
from .test_public_pages import accept, move, reject

pytestmark = pytest.mark.django_db


def queries_of(client, url) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def linked(page: str, kind: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'href="/{kind}/(\d+)/"', page)]


def walk(client, url, kind) -> tuple[list[int], int]:
    """Every id listed on ``url``'s pages, following Next page; and the pages."""
    seen, query, pages = [], "", 0
    while True:
        page = client.get(url + query)
        assert page.status_code == 200, page.text
        main = page.text.split('<main id="content"')[1]
        seen += linked(main, kind)
        pages += 1
        match = re.search(r'<a href="(\?[^"]*)" rel="next">', main)
        if not match:
            return seen, pages
        query = match[1].replace("&amp;", "&")


def test_the_header_links_the_three_index_pages(client):
    header = client.get("/").text.split("</header>")[0]
    for path in ("/claims/", "/speakers/", "/sources/"):
        assert f'href="{path}"' in header
    page = client.get("/speakers/").text.split("</header>")[0]
    assert 'href="/speakers/" aria-current="page"' in page


def test_the_claims_page_lists_every_accepted_claim_newest_first(
    client, propose, reviewer, source
):
    first = accept(propose(text="First claim about the harbour."), reviewer)
    second = accept(propose(text="Second claim about the ferry."), reviewer)
    reject(propose(text="A rejected claim."), reviewer)
    propose(text="A proposal nobody reviewed.")
    page = client.get("/claims/")
    assert page.status_code == 200
    results = page.text.split('id="results-heading"')[1]
    assert re.findall(r'class="claim-link" href="/claims/(\d+)/"', results) == [
        str(second.pk),
        str(first.pk),
    ]
    assert "rejected" not in results
    assert "nobody reviewed" not in results
    # The search's form, sent back to this page.
    assert 'action="/claims/"' in page.text
    assert "<h1>All claims</h1>" in page.text


def test_the_claims_page_filters_like_the_search(client, propose, reviewer, source):
    bridge = accept(propose(text="The bridge opens."), reviewer)
    ferry = accept(
        propose(text="The ferry sails.", speaker=SpeakerFactory(name="Ines Varga")),
        reviewer,
    )
    ferry = move(ferry, Status.CONFIRMED, reviewer, source, words="last year")

    def listed(**params):
        page = client.get("/claims/", params)
        assert page.status_code == 200, page.text
        results = page.text.split('id="results-heading"')[1]
        return set(
            map(int, re.findall(r'class="claim-link" href="/claims/(\d+)/"', results))
        )

    assert listed() == {bridge.pk, ferry.pk}
    assert listed(status="confirmed") == {ferry.pk}
    assert listed(speaker="varga") == {ferry.pk}
    assert listed(q="bridge") == {bridge.pk}
    bad = client.get("/claims/", {"said_from": "2025-13-01"})
    assert bad.status_code == 400
    assert "Enter a valid date" in bad.text


def test_the_claims_page_pages_by_keyset(client, propose, reviewer, monkeypatch):
    from public import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [accept(propose(text=f"Claim {n}."), reviewer).pk for n in range(5)]
    seen, pages = walk(client, "/claims/", "claims")
    assert seen == sorted(made, reverse=True)
    assert pages == 3


def test_the_speakers_page_lists_public_speakers_a_to_z_with_counts(
    client, propose, reviewer, source, speaker
):
    # speaker is Zoë Okafor; Ines Varga has one accepted claim; Hidden Hal
    # only a proposal, and is not published.
    ines = SpeakerFactory(name="Ines Varga")
    hal = SpeakerFactory(name="Hidden Hal")
    accept(propose(speaker=ines, text="Ines said one thing."), reviewer)
    propose(speaker=hal, text="Hal said a secret thing.")
    for n in range(3):
        accept(propose(text=f"Zoë said {n}."), reviewer)
    confirmed = accept(propose(text="Zoë was right."), reviewer)
    move(confirmed, Status.CONFIRMED, reviewer, source, words="last year")
    reject(propose(text="Zoë never said this."), reviewer)
    page = client.get("/speakers/")
    assert page.status_code == 200
    main = page.text.split('<main id="content"')[1]
    assert linked(main, "speakers") == [ines.pk, speaker.pk]
    assert "Hidden Hal" not in page.text
    okafor = main.split(f'href="/speakers/{speaker.pk}/"')[1]
    assert 'aria-label="3 pending"' in okafor
    assert 'aria-label="1 confirmed"' in okafor
    assert f"/claims/?speaker={speaker.pk}&amp;status=confirmed" in okafor
    assert "rejected" not in okafor.lower()


def test_the_speakers_counts_stop_at_their_cap(
    client, propose, reviewer, speaker, monkeypatch
):
    from public import views

    monkeypatch.setattr(views, "SPEAKER_COUNT_CAP", 2)
    for n in range(3):
        accept(propose(text=f"Said {n}."), reviewer)
    assert 'aria-label="2+ pending"' in client.get("/speakers/").text


def test_the_speakers_page_pages_by_name_without_offset(
    client, propose, reviewer, monkeypatch
):
    from public import views

    monkeypatch.setattr(views, "SPEAKERS_PAGE_SIZE", 2)
    names = ["Ada", "Bea", "Bea", "Cy", "Dot"]  # two speakers share a name
    speakers = [SpeakerFactory.build(name=name) for name in names]
    made = []
    for n, speaker in enumerate(speakers):
        speaker.save()
        accept(propose(speaker=speaker, text=f"Claim {n}."), reviewer)
        made.append(speaker.pk)
    with CaptureQueriesContext(connection) as captured:
        seen, pages = walk(client, "/speakers/", "speakers")
    assert seen == made
    assert pages == 3
    assert not any("OFFSET" in q["sql"].upper() for q in captured.captured_queries)


def test_the_sources_page_lists_latest_published_first_undated_last(
    client, reviewer, monkeypatch
):
    from public import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)

    def add(title, published_on):
        return create_source(
            text=f"Words of {title}.",
            title=title,
            published_on=published_on,
            by=reviewer,
        ).source.pk

    undated = add("Undated memo", None)
    old = add("Old report", datetime.date(2024, 2, 1))
    new = add("New report", datetime.date(2025, 9, 3))
    same_day = add("Same day report", datetime.date(2025, 9, 3))
    undated_later = add("Another memo", None)
    seen, pages = walk(client, "/sources/", "sources")
    assert seen == [same_day, new, old, undated_later, undated]
    assert pages == 3
    assert "date unknown" in client.get(f"/sources/?after=2024-02-01.{old}").text


def test_source_titles_are_escaped_on_the_sources_page(client, reviewer):
    create_source(text="Some words.", title="<script>alert(1)</script>", by=reviewer)
    page = client.get("/sources/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "url",
    [
        "/speakers/?after=abc",
        "/speakers/?after=1234567890123456789",
        "/sources/?after=12",
        "/sources/?after=2025-13-01.4",
        "/sources/?after=someday.4",
        "/claims/?after=x",
        "/claims/?status=nonsense",
    ],
)
def test_a_bad_page_of_an_index_is_a_400_with_the_reason(client, url):
    page = client.get(url)
    assert page.status_code == 400, url
    assert "does not exist" in page.text or "Select a valid choice" in page.text


def test_the_index_pages_run_a_fixed_number_of_queries(
    client, propose, reviewer, source, speaker, django_assert_max_num_queries
):
    accept(propose(text="One."), reviewer)
    urls = ["/claims/", "/claims/?status=pending", "/speakers/", "/sources/"]
    few = [queries_of(client, url) for url in urls]
    for n in range(12):
        other = SpeakerFactory(name=f"Speaker {n}")
        claim = accept(propose(text=f"More {n}.", speaker=other), reviewer)
        if n % 3 == 0:
            move(claim, Status.CONFIRMED, reviewer, source, words="last year")
        create_source(text=f"Source {n}.", title=f"Source {n}", by=reviewer)
    assert [queries_of(client, url) for url in urls] == few == [2, 2, 2, 1]
    for url in urls:
        with django_assert_max_num_queries(2):
            client.get(url)


def test_every_page_of_sources_runs_at_most_two_queries(
    client, reviewer, monkeypatch, django_assert_max_num_queries
):
    """One query a page; two on the page where the dated sources end and the
    undated begin."""
    from public import views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    for n in range(4):
        create_source(
            text=f"Dated {n}.",
            title=f"Dated {n}",
            published_on=datetime.date(2025, 1, 1 + n % 2),
            by=reviewer,
        )
        create_source(text=f"Undated {n}.", title=f"Undated {n}", by=reviewer)
    query, seen = "", 0
    while True:
        with django_assert_max_num_queries(2):
            page = client.get("/sources/" + query).text
        seen += len(linked(page.split('<main id="content"')[1], "sources"))
        match = re.search(r'<a href="(\?[^"]*)" rel="next">', page)
        if not match:
            break
        query = match[1].replace("&amp;", "&")
    assert seen == 8


@pytest.mark.postgresql
def test_the_speakers_page_reads_names_in_index_order(propose, reviewer, speaker):
    """A page of speakers walks speaker_public_name_idx from the cursor's name
    (SQLite, without statistics, picks another index over a test's few rows)."""
    from public.queries import speakers_after, speakers_by_name

    accept(propose(), reviewer)
    sql, params = speakers_after(speakers_by_name(), speaker.pk)[
        :51
    ].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "speaker_public_name_idx" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.postgresql
def test_a_page_of_sources_is_a_range_of_their_index(reviewer):
    """The cursor is a range of source_publication_order_idx, not a filter on
    a walk from the top (which read 147,000 index entries for a page deep in
    200,000 sources: 52 ms against 0.3)."""
    from public.queries import sources_page

    create_source(text="Some words.", title="A", by=reviewer)
    with CaptureQueriesContext(connection) as captured:
        sources_page((datetime.date(2025, 1, 1), 10), 26)
    statement = captured.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        for setting in ("seqscan", "bitmapscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{setting} = off")
        cursor.execute("EXPLAIN " + statement)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using source_publication_order_idx" in plan, plan
    assert "Index Cond: ((published_on IS NOT NULL) AND (published_on <=" in plan, plan
    assert "Sort" not in plan, plan
