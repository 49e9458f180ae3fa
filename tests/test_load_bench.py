"""bench/load.py: what its virtual users send, how it counts, and its check of
the database (the load test itself runs gunicorn and locust: see bench/README.md)."""

import datetime
import random

import pytest
from django.db import connection

from bench.load import (
    REQUESTS,
    pick_span,
    proposal,
    status_mismatches,
    status_move,
    summarize,
)
from claims import services
from claims.models import Status
from claims.transitions import MANUAL_MOVES, move_problem

from .conftest import SAMPLE_TEXT

MOVES = {
    str(kind): {str(s): sorted(map(str, t)) for s, t in table.items()}
    for kind, table in MANUAL_MOVES.items()
}


def test_spans_are_whole_sentences_in_code_points():
    text = SAMPLE_TEXT + "\n" + "A very long sentence without an end " * 20
    seen = set()
    for seed in range(200):
        start, end = pick_span(text, random.Random(seed))
        exact = text[start:end]
        assert 20 <= len(exact) <= 240
        assert exact == exact.strip()
        seen.add(start)
    # Every sentence start is picked, the ones after the emoji included (a
    # UTF-16 offset would be one more).
    assert {0, text.index("The council"), text.index("Okafor added")} <= seen
    assert pick_span("Too short.", random.Random(1)) is None


@pytest.mark.django_db
def test_proposals_reviews_and_moves_are_what_the_api_accepts(api, api_user, source):
    contributor = api(api_user("contributor"))
    reviewer = api(api_user("reviewer"))
    speakers = [(services.find_or_create_speaker(name="Zoë Okafor").pk, "Zoë Okafor")]
    payload = contributor.get(f"/api/v1/sources/{source.pk}/").json()
    today = datetime.date(2026, 11, 28)
    kinds = set()
    created = []
    for seed in range(8):
        body = proposal(payload, random.Random(seed), speakers, today)
        response = contributor.post("/api/v1/claims/", body, format="json")
        assert response.status_code == 201, response.json()
        kinds.add(body["kind"])
        created.append(response.json()["id"])
    assert len(kinds) >= 3
    pk = created[0]
    etag = reviewer.get(f"/api/v1/claims/{pk}/").headers["ETag"]
    response = reviewer.post(
        f"/api/v1/claims/{pk}/review/",
        {"decision": "accept", "note": "Faithful."},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200
    read = reviewer.get(f"/api/v1/claims/{pk}/")
    rng = random.Random(3)
    body = status_move(read.json(), MOVES, today.isoformat(), rng)
    url = f"/api/v1/claims/{pk}/status/"
    ok = reviewer.post(url, body, format="json", HTTP_IF_MATCH=read.headers["ETag"])
    assert ok.status_code == 200, ok.json()
    # The race the load test counts apart: a second reviewer with the old ETag.
    again = status_move(ok.json(), MOVES, today.isoformat(), rng)
    stale = reviewer.post(url, again, format="json", HTTP_IF_MATCH=read.headers["ETag"])
    assert stale.status_code == 412


def test_status_moves_follow_the_transition_table():
    rng = random.Random(5)
    for kind, table in MOVES.items():
        for status in table:
            for due_on in (None, "2020-01-01", "2030-01-01"):
                claim = {
                    "kind": kind,
                    "status": status,
                    "due_on": due_on if kind in ("prediction", "promise") else None,
                    "spans": [
                        {
                            "source": 1,
                            "role": "content",
                            "start": 0,
                            "end": 4,
                            "exact": "Word",
                        }
                    ],
                }
                for _ in range(10):
                    body = status_move(claim, MOVES, "2026-11-28", rng)
                    target = body["status"]
                    assert move_problem(kind, status, target, by_sweep=False) is None
                    if claim["due_on"] == "2020-01-01":
                        assert target != Status.PENDING
                    verdict = target in ("confirmed", "partly_confirmed", "refuted")
                    assert ("evidence" in body) == verdict


def test_summary_counts_races_and_throttling_apart_from_errors():
    records = [
        ("GET /claims/", 200, 10.0),
        ("GET /claims/", 200, 30.0),
        ("POST /claims/{id}/status/", 200, 50.0),
        ("POST /claims/{id}/status/", 412, 20.0),
        ("GET /claims/{id}/", 429, 1.0),
        ("GET /claims/{id}/", 500, 5.0),
        ("POST /claims/", 400, 8.0),
        ("GET /changes/", 0, 60000.0),
    ]
    summary = summarize(records, seconds=2.0)
    assert summary["overall"]["requests"] == 8
    assert summary["overall"]["rps"] == 4.0
    assert summary["lost_races"] == 1
    assert summary["throttled"] == 1
    assert summary["server_errors"] == 1
    assert summary["connection_errors"] == 1
    assert summary["unexpected"] == {
        "GET /claims/{id}/ → 500": 1,
        "POST /claims/ → 400": 1,
        "GET /changes/ → 0": 1,
    }
    first = summary["rows"][0]
    assert (first["name"], first["p50"], first["p99"]) == ("GET /claims/", 10.0, 30.0)
    assert [row["name"] for row in summary["rows"]] == [
        name for name in REQUESTS if any(r[0] == name for r in records)
    ]


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_status_check_finds_a_claim_that_left_its_ledger(propose):
    claim = propose()
    with connection.cursor() as cursor:
        assert status_mismatches(cursor) == []
        # Only with the database's guards off (triggers skipped for this
        # transaction) can a status differ from its ledger.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE claims_claim SET status = 'refuted' WHERE id = %s", [claim.pk]
        )
        assert status_mismatches(cursor) == [(claim.pk, "refuted", "pending")]
        cursor.execute(
            "DELETE FROM claims_statuschange WHERE claim_id = %s", [claim.pk]
        )
        assert status_mismatches(cursor) == [(claim.pk, "refuted", None)]
