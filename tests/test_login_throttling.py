"""Guessing credentials: failed admin log-ins are counted per username and per
address, wrong API tokens per address, in the cache every worker shares."""

import datetime
import time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from .conftest import LOGIN, log_in
from .errors import detail
from .factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db


def test_admin_log_in_is_refused_after_n_failures_for_a_username_and_address(
    desk_user, settings
):
    settings.CLAIMTRACK_LOGIN_FAILURES = 3
    for _ in range(3):
        response = log_in("rita", "wrong")
        assert response.status_code == 200
        assert b"Please enter the correct username and password" in response.content
    refused = log_in("rita", PASSWORD)  # even the right password, now
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert b"Too many failed log-ins for this username from your address" in (
        refused.content
    )
    assert "_auth_user_id" not in refused.wsgi_request.session
    # Not a lock-out: the user logs in from elsewhere, others from here.
    assert log_in("rita", PASSWORD, address="198.51.100.9").status_code == 302
    StaffFactory(username="omar")
    assert log_in("omar", PASSWORD).status_code == 302


@pytest.mark.slow
def test_the_window_runs_from_the_last_failure(desk_user, settings):
    settings.CLAIMTRACK_LOGIN_FAILURES = 2
    settings.CLAIMTRACK_LOGIN_WINDOW_SECONDS = 1
    log_in("rita", "wrong")
    log_in("rita", "wrong")
    assert log_in("rita", PASSWORD).status_code == 429
    time.sleep(1.2)
    assert log_in("rita", PASSWORD).status_code == 302


def test_a_successful_log_in_clears_its_count(desk_user, settings):
    settings.CLAIMTRACK_LOGIN_FAILURES = 3
    log_in("rita", "wrong")
    log_in("rita", "wrong")
    assert log_in("rita", PASSWORD).status_code == 302
    log_in("rita", "wrong")
    log_in("rita", "wrong")
    assert log_in("rita", PASSWORD).status_code == 302


def test_one_address_guessing_across_usernames_is_refused(desk_user, settings):
    settings.CLAIMTRACK_LOGIN_FAILURES = 2  # and 20 per address
    for index in range(20):
        assert log_in(f"user{index}", "guess").status_code == 200
    assert log_in("rita", PASSWORD).status_code == 429
    assert log_in("rita", PASSWORD, address="198.51.100.9").status_code == 302


def test_a_client_sent_forwarded_for_does_not_change_the_address(desk_user, settings):
    settings.CLAIMTRACK_LOGIN_FAILURES = 2
    for hop in ("1.1.1.1", "2.2.2.2"):
        Client(REMOTE_ADDR="203.0.113.7", headers={"x-forwarded-for": hop}).post(
            LOGIN, {"username": "rita", "password": "wrong"}
        )
    assert log_in("rita", PASSWORD).status_code == 429
    # Behind one proxy that records the client, its record is the address.
    settings.CLAIMTRACK_TRUSTED_PROXIES = 1
    behind = Client(REMOTE_ADDR="10.0.0.2", headers={"x-forwarded-for": "198.51.100.9"})
    assert (
        behind.post(LOGIN, {"username": "rita", "password": PASSWORD}).status_code
        == 302
    )


def test_the_log_in_counts_live_in_the_shared_cache(desk_user, settings):
    """On the database cache (what every worker shares without Redis) the
    counts hold, and each key expires a window after the last failure."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "claimtrack_cache",
        }
    }
    settings.CLAIMTRACK_LOGIN_FAILURES = 2
    log_in("rita", "wrong")
    log_in("rita", "wrong")
    assert log_in("rita", PASSWORD).status_code == 429
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM claimtrack_cache")
        expiries = [row[0] for row in cursor.fetchall()]
    assert expiries
    for expires in expiries:
        if timezone.is_naive(expires):
            expires = timezone.make_aware(expires, datetime.UTC)
        left = (expires - timezone.now()).total_seconds()
        assert 800 < left <= 900, left


def test_log_in_works_when_the_cache_is_down(desk_user, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    assert log_in("rita", "wrong").status_code == 200
    assert log_in("rita", PASSWORD).status_code == 302
    assert "log-in throttle cache unavailable" in caplog.text


def test_wrong_api_tokens_are_refused_per_address(api_user, settings):
    settings.CLAIMTRACK_TOKEN_FAILURES = 3
    token = AuthToken.objects.create(api_user("contributor"))[1]
    guesser = APIClient(REMOTE_ADDR="203.0.113.7")
    for guess in range(3):
        guesser.credentials(HTTP_AUTHORIZATION=f"Token {guess:064x}")
        assert guesser.get("/api/v1/claims/").status_code == 401
    guesser.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    refused = guesser.get("/api/v1/claims/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert "Too many wrong tokens" in detail(refused)
    elsewhere = APIClient(REMOTE_ADDR="198.51.100.9")
    elsewhere.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert elsewhere.get("/api/v1/claims/").status_code == 200
    # Malformed headers are refused before any lookup, and are no guesses.
    sloppy = APIClient(REMOTE_ADDR="192.0.2.1")
    for header in ("Token not-hex", "Token a b", "Bearer " + "z" * 64) * 3:
        sloppy.credentials(HTTP_AUTHORIZATION=header)
        assert sloppy.get("/api/v1/claims/").status_code == 401
    sloppy.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert sloppy.get("/api/v1/claims/").status_code == 200
    # Anonymous reads from the guessing address still pass: only tokens count.
    assert (
        APIClient(REMOTE_ADDR="203.0.113.7").get("/api/v1/claims/").status_code == 200
    )
