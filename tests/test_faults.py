"""The database going away: 503 with Retry-After, nothing committed lost, and
the next request served again (config/health.py, CONN_HEALTH_CHECKS)."""

import logging
import shutil

import pytest
from django.db import connection
from knox.models import AuthToken

from claims.models import Claim
from sources.models import Source

from .conftest import SAMPLE_TEXT
from .errors import error_codes
from .faults import (
    WSGIClient,
    backend_pid,
    crash_on,
    default_database,
    terminate_backend,
    unreachable_database,
)

SOURCE = {"text": SAMPLE_TEXT, "title": "Bridge works", "language": "en"}
WORDS = "will reopen by June"


def proposal(source_id: int) -> dict:
    start = SAMPLE_TEXT.index(WORDS)
    return {
        "text": "The harbour bridge will reopen by June 2025.",
        "kind": "prediction",
        "attribution": "direct_quote",
        "speaker": {"name": "Zoë Okafor"},
        "due_on": "2025-06-01",
        "due_on_precision": "month",
        "spans": [{"source": source_id, "start": start, "end": start + len(WORDS)}],
    }


def contributor_token(api_user) -> str:
    return AuthToken.objects.create(api_user("contributor"))[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "content_type", "words"),
    [
        ("/api/v1/claims/", "application/json", b'"service_unavailable"'),
        ("/", "text/html", b"Temporarily unavailable"),
    ],
    ids=["api", "public"],
)
def test_an_unreachable_database_answers_503_with_retry_after(
    client, tmp_path, caplog, path, content_type, words
):
    with (
        unreachable_database(tmp_path),
        caplog.at_level(logging.ERROR, logger="config.health"),
    ):
        response = client.get(path)
    assert response.status_code == 503
    assert response["Content-Type"].startswith(content_type)
    assert words in response.content
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]
    assert f"database unavailable: GET {path} answered 503" in caplog.text
    assert client.get(path).status_code == 200  # and served again once it is back


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_killed_mid_request_answers_503_and_keeps_what_was_committed(
    api_user, caplog
):
    client = WSGIClient(contributor_token(api_user))
    created = client.post("/api/v1/sources/", SOURCE)
    assert created.status_code == 201
    source_id = created.json()["id"]
    # The server process dies between the claim's row and its span.
    with (
        crash_on("claims_span", how="kill"),
        caplog.at_level(logging.ERROR, logger="config.health"),
    ):
        lost = client.post("/api/v1/claims/", proposal(source_id))
    assert lost.status_code == 503, lost.content
    assert lost.json() == {
        "type": "server_error",
        "errors": [
            {
                "code": "service_unavailable",
                "detail": "The database is unavailable. Try again in a few seconds.",
                "attr": None,
            }
        ],
    }
    assert lost.headers["Retry-After"] == "5"
    assert "database unavailable: POST /api/v1/claims/" in caplog.text
    # What was committed stays; the interrupted claim left nothing behind.
    assert list(Source.objects.values_list("id", flat=True)) == [source_id]
    assert not Claim.objects.exists()
    # The next request gets a new connection and succeeds.
    again = client.post("/api/v1/claims/", proposal(source_id))
    assert again.status_code == 201, again.content
    claim = Claim.objects.get()
    assert (claim.spans.count(), claim.ledger.count()) == (1, 1)
    assert (claim.history.count(), claim.events.count()) == (1, 1)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("health_checks", [True, False], ids=["checked", "unchecked"])
def test_a_connection_the_server_dropped_between_requests(health_checks):
    """With CONN_HEALTH_CHECKS (as settings set it) the dead persistent
    connection is replaced before use; without, one request answers 503 and
    the next reconnects."""
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    saved = {
        key: connection.settings_dict[key]
        for key in ("CONN_HEALTH_CHECKS", "CONN_MAX_AGE")
    }
    connection.settings_dict.update(CONN_HEALTH_CHECKS=health_checks, CONN_MAX_AGE=60)
    connection.close()
    try:
        client = WSGIClient()
        assert client.get("/api/v1/claims/").status_code == 200
        first = backend_pid()
        terminate_backend(first)
        after = client.get("/api/v1/claims/")
        if health_checks:
            assert after.status_code == 200
        else:
            assert after.status_code == 503
            assert client.get("/api/v1/claims/").status_code == 200
        assert backend_pid() != first
    finally:
        connection.settings_dict.update(saved)
        connection.close()


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's own failure, its file going away (PostgreSQL's: above)",
)
@pytest.mark.django_db(transaction=True)
def test_a_sqlite_file_that_becomes_unreadable_answers_503_and_keeps_what_was_committed(
    api_user, tmp_path
):
    token = contributor_token(api_user)
    folder, moved = tmp_path / "data", tmp_path / "data-moved"
    folder.mkdir()
    path = folder / "db.sqlite3"
    with connection.cursor() as cursor:  # a file copy of the test database
        cursor.execute("VACUUM INTO %s", [str(path)])
    with default_database(NAME=str(path)):
        client = WSGIClient(token)
        created = client.post("/api/v1/sources/", SOURCE)
        assert created.status_code == 201
        shutil.move(folder, moved)  # the volume is gone
        gone = client.get("/api/v1/sources/")
        assert gone.status_code == 503
        assert gone.headers["Retry-After"] == "5"
        assert error_codes(gone) == {None: ["service_unavailable"]}
        shutil.move(moved, folder)  # and back
        back = client.get("/api/v1/sources/")
        assert back.status_code == 200
        assert [s["id"] for s in back.json()["results"]] == [created.json()["id"]]
