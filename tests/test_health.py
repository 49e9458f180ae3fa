"""/healthz: what a load balancer or container probe asks (config/health.py)."""

import copy
import logging
import runpy
import socket
import time
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.utils import load_backend

from claims.api.throttling import AnonymousThrottle

from .faults import WSGIClient, closed_port, unreachable_database

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "config" / "settings.py"


def production_settings(monkeypatch, **env) -> dict:
    """config/settings.py as it reads this environment (debug off)."""
    monkeypatch.setenv("DJANGO_DEBUG", "0")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "health-tests-" + "x" * 40)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_healthz_answers_ok_without_a_login_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_healthz_is_never_throttled(client, api, monkeypatch):
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "1/minute"})
    assert api().get("/api/v1/claims/").status_code == 200
    assert api().get("/api/v1/claims/").status_code == 429  # the API is
    for _ in range(3):
        assert client.get("/healthz").status_code == 200


def test_healthz_answers_503_naming_the_database_when_it_cannot_be_reached(
    client, tmp_path, caplog
):
    with (
        unreachable_database(tmp_path),
        caplog.at_level(logging.ERROR, logger="config.health"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unavailable",
        "cache": "ok",
    }
    assert response["Retry-After"]
    assert "no-store" in response["Cache-Control"]
    assert "the database check failed" in caplog.text
    assert client.get("/healthz").status_code == 200  # back when it is


def test_healthz_answers_503_naming_the_cache_when_redis_refuses(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "cache": "unavailable",
    }


@pytest.mark.slow
def test_healthz_gives_up_on_a_redis_that_never_answers(client, settings, monkeypatch):
    """A Redis that accepts connections and then says nothing (a hung server,
    a network partition): the production settings' socket timeouts bound the
    wait, for /healthz and for the API throttle alike."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # connections complete in the backlog, never answered
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        settings.CACHES = production_settings(monkeypatch, CLAIMTRACK_CACHE_URL=url)[
            "CACHES"
        ]
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"
    assert elapsed < 6, elapsed


# Only /healthz reads the replica's entry here; its connection is set by hand.
@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_healthz_names_a_replica_that_cannot_be_reached(client, settings):
    replica = copy.deepcopy(connection.settings_dict)
    if connection.vendor == "postgresql":
        replica.update(HOST="127.0.0.1", PORT=str(closed_port()))
    else:
        replica.update(NAME="/nonexistent/claimtrack/replica.sqlite3")
    settings.DATABASES = {**settings.DATABASES, "replica": replica}
    connections["replica"] = load_backend(replica["ENGINE"]).DatabaseWrapper(
        replica, "replica"
    )
    try:
        response = client.get("/healthz")
    finally:
        connections["replica"].close()
        del connections["replica"]
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "replica": "unavailable",
        "cache": "ok",
    }


def test_healthz_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    assert client.get("/healthz").status_code == 200


def test_production_settings_health_check_and_time_out_database_connections(
    monkeypatch,
):
    url = "postgres://claimtrack:secret@db.internal:5432/claimtrack"
    database = production_settings(monkeypatch, DATABASE_URL=url)["DATABASES"][
        "default"
    ]
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] > 0
    assert database["OPTIONS"]["connect_timeout"] == 5
    own = production_settings(monkeypatch, DATABASE_URL=f"{url}?connect_timeout=9")
    assert str(own["DATABASES"]["default"]["OPTIONS"]["connect_timeout"]) == "9"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_probes_statement_timeout_stays_in_its_own_transaction():
    client = WSGIClient()
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]
    assert client.get("/healthz").status_code == 200
    # The same persistent connection serves the next request: unchanged.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before
