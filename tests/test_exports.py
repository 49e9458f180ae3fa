"""Exports (issue 25): the claims a search shows, as CSV and JSON Lines,
streamed in keyset chunks, from the public search and the API."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import exports
from claims.models import Claim, Status

from .test_public_pages import accept, move

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def read_lines(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return [json.loads(line) for line in body.splitlines()]


@pytest.fixture
def claims(propose, other_reviewer, reviewer, source):
    verdict = move(
        accept(propose(), other_reviewer),
        Status.CONFIRMED,
        reviewer,
        source,
        rationale="It reopened on 2 June.",
        words="will reopen by June",
    )
    formula = accept(
        propose(text='=HYPERLINK("http://x.example") tolls will fall in May 2025.'),
        other_reviewer,
    )
    hidden = propose(text="A proposal nobody accepted yet, by June 2025.")
    return verdict, formula, hidden


def test_the_public_search_exports_every_claim_it_shows(client, claims, speaker):
    verdict, formula, _ = claims  # and a proposal, in no export
    response = client.get("/search/claims.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="claims.csv"'
    rows = read_csv(response)
    assert [int(r["id"]) for r in rows] == [formula.pk, verdict.pk]
    assert list(rows[0]) == list(exports.FIELDS)
    first = rows[1]
    assert first["claim"] == verdict.text
    assert first["speaker"] == speaker.name
    assert first["status"] == "confirmed"
    assert first["quote"] == "will reopen by June"
    assert first["verdict_date"]
    assert first["rationale"] == "It reopened on 2 June."
    assert (first["stated_on"], first["stated_on_precision"]) == ("2025-03-10", "day")
    assert rows[0]["claim"].startswith("'=HYPERLINK")  # never run as a formula
    lines = read_lines(client.get("/search/claims.jsonl?q=bridge"))
    assert [line["id"] for line in lines] == [verdict.pk]
    assert lines[0]["claim"] == verdict.text
    assert client.get("/search/claims.csv?status=nonsense").status_code == 400
    page = client.get("/search/?q=bridge").content.decode()
    assert 'href="/search/claims.csv?q=bridge" download' in page


def test_the_api_list_exports_as_the_asker_may_read(api, api_user, claims, proposer):
    verdict, formula, hidden = claims
    anonymous = api(None).get("/api/v1/claims/?format=csv")
    assert anonymous.status_code == 200
    assert {int(r["id"]) for r in read_csv(anonymous)} == {verdict.pk, formula.pk}
    asked = api(None).get("/api/v1/claims/", HTTP_ACCEPT="application/jsonl")
    assert asked["Content-Type"].startswith("application/jsonl")
    assert {line["id"] for line in read_lines(asked)} == {verdict.pk, formula.pk}
    filtered = api(None).get("/api/v1/claims/?format=csv&status=confirmed")
    assert [int(r["id"]) for r in read_csv(filtered)] == [verdict.pk]
    own = api(proposer).get("/api/v1/claims/?format=jsonl")
    assert hidden.pk in {line["id"] for line in read_lines(own)}
    detail = api(None).get(f"/api/v1/claims/{verdict.pk}/?format=csv")
    assert detail.status_code == 404  # only the list is a file


def test_an_export_reads_in_chunks_of_a_fixed_cost(
    monkeypatch, propose, other_reviewer
):
    for n in range(5):
        accept(
            propose(text=f"The ferry will run by May {n + 1}, 2025."), other_reviewer
        )
    monkeypatch.setattr(exports, "CHUNK", 2)

    with CaptureQueriesContext(connection) as captured:
        ids = [row["id"] for row in exports.rows(Claim.objects.all())]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 5
    # Each chunk: its ids, its claims, their appearances, their verdicts;
    # then the empty chunk that ends it.
    assert len(captured) == 3 * 4 + 1


def test_the_claimreview_data_feed_holds_every_rated_claim(client, claims):
    verdict, _, _ = claims  # the formula claim has no rating
    response = client.get("/claimreview.json")
    assert response["Content-Type"] == "application/ld+json"
    feed = json.loads(b"".join(response.streaming_content))
    assert (feed["@context"], feed["@type"]) == ("https://schema.org", "DataFeed")
    (element,) = feed["dataFeedElement"]  # the pending claim has no rating
    assert element["@type"] == "DataFeedItem"
    (review,) = element["item"]
    assert review["@type"] == "ClaimReview"
    assert review["url"] == f"http://testserver/claims/{verdict.pk}/"
    assert review["reviewRating"]["alternateName"] == "True"
    assert review["reviewBody"] == "It reopened on 2 June."
    assert element["dateCreated"] == review["datePublished"]


def test_the_data_feed_reads_a_fixed_number_of_queries(
    client, monkeypatch, propose, other_reviewer, reviewer, source
):
    from claims import claimreview

    for n in range(5):
        claim = accept(
            propose(text=f"The ferry will run by May {n + 1}, 2025."), other_reviewer
        )
        move(claim, Status.UNVERIFIABLE, reviewer, source)
    monkeypatch.setattr(claimreview, "FEED_CHUNK", 2)
    with CaptureQueriesContext(connection) as captured:
        feed = json.loads(b"".join(client.get("/claimreview.json").streaming_content))
    assert len(feed["dataFeedElement"]) == 5
    # Three chunks of claims, spans and verdicts, and the empty one after.
    assert len([q for q in captured if "claims_" in q["sql"]]) == 3 * 3 + 1


def test_the_admin_downloads_the_selected_claims(client, claims, desk_user):
    verdict, _, hidden = claims
    client.force_login(desk_user)
    response = client.post(
        "/admin/claims/claim/",
        {"action": "export_csv", "_selected_action": [verdict.pk, hidden.pk]},
    )
    assert response["Content-Disposition"] == 'attachment; filename="claims.csv"'
    assert [int(r["id"]) for r in read_csv(response)] == [hidden.pk, verdict.pk]
