"""The API's throttles: the GCRA arithmetic, and the real thing on Redis.

The Redis tests use the server at CLAIMTRACK_TEST_REDIS_URL (default
redis://127.0.0.1:6379/15, a database of its own). Without one they skip,
unless CLAIMTRACK_REQUIRE_REDIS=1 (as in CI), which makes them fail instead.
"""

import logging
import os
import uuid

import pytest
import redis

from claims.api.throttling import (
    AnonymousThrottle,
    AuthenticatedThrottle,
    gcra,
    redis_script,
)

from .errors import error_codes

REDIS_URL = os.environ.get("CLAIMTRACK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def test_a_burst_of_n_passes_then_one_per_interval():
    tat, now = None, 1000.0
    for _ in range(3):  # 3 per 60 s: a burst of three
        tat, wait = gcra(tat, now, interval=20, period=60)
        assert wait == 0
    tat, wait = gcra(tat, now, interval=20, period=60)
    assert wait == 20  # the fourth waits for the first interval to drain
    assert gcra(tat, now + 19, 20, 60)[1] == 1
    tat, wait = gcra(tat, now + 20, 20, 60)
    assert wait == 0
    assert gcra(tat, now + 20, 20, 60)[1] == 20
    # A client idle for a whole period has its full burst again.
    for _ in range(3):
        tat, wait = gcra(tat, now + 200, 20, 60)
        assert wait == 0


@pytest.fixture
def redis_cache(settings):
    if not redis_answers():
        if os.environ.get("CLAIMTRACK_REQUIRE_REDIS") == "1":
            pytest.fail(f"CLAIMTRACK_REQUIRE_REDIS=1 but no Redis at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL} (CI sets CLAIMTRACK_REQUIRE_REDIS=1)")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A fresh prefix per test: no counts from an earlier run.
            "KEY_PREFIX": uuid.uuid4().hex,
        }
    }


@pytest.mark.django_db
def test_on_redis_a_client_gets_its_burst_then_a_429_with_retry_after(
    redis_cache, api, api_user, monkeypatch
):
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    client = api()
    codes = [client.get("/api/v1/claims/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/api/v1/claims/")
    assert refused.status_code == 429
    assert 19 <= int(refused["Retry-After"]) <= 20
    # Another address has an allowance of its own.
    assert client.get("/api/v1/claims/", REMOTE_ADDR="10.9.9.9").status_code == 200
    # The state in Redis is one short-lived number per client.
    server = redis.Redis.from_url(REDIS_URL)
    keys = [k for k in server.keys("*") if k.startswith(redis_key_prefix().encode())]
    assert len(keys) == 2
    assert all(0 < server.pttl(k) <= 60_000 for k in keys)


@pytest.mark.django_db
def test_on_redis_the_count_goes_on_past_a_flushed_script_and_a_closed_connection(
    redis_cache, api, monkeypatch, caplog
):
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "4/minute"})
    client = api()
    server = redis.Redis.from_url(REDIS_URL)
    caplog.set_level(logging.ERROR, logger="claims.api.throttling")
    assert client.get("/api/v1/claims/").status_code == 200
    # A restarted or flushed server no longer knows the script: it is sent
    # again in full, and the count is the one already recorded.
    server.script_flush()
    assert client.get("/api/v1/claims/").status_code == 200
    # The server closes the throttle's connection (a restart, an idle
    # timeout): the check connects afresh instead of letting the request
    # through unthrottled.
    # The pool's one idle connection answers CLIENT ID, and is the next one
    # the throttle takes.
    throttle_id = redis_script().registered_client.client_id()
    assert server.client_kill_filter(_id=throttle_id) == 1
    codes = [client.get("/api/v1/claims/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "throttle cache unavailable" not in caplog.text


@pytest.mark.django_db
def test_a_client_sent_forwarded_for_buys_no_new_allowance(
    redis_cache, api, settings, monkeypatch
):
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    client = api()
    codes = [
        client.get("/api/v1/claims/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_address_it_recorded_is_counted(
    redis_cache, api, settings, monkeypatch
):
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = api()

    def get(forwarded):
        return client.get("/api/v1/claims/", HTTP_X_FORWARDED_FOR=forwarded)

    # The proxy appends the address it saw; whatever the client put before it
    # is ignored.
    assert [get(f"6.6.6.{n}, 10.0.0.1").status_code for n in range(3)] == [
        200,
        200,
        429,
    ]
    assert get("10.0.0.2").status_code == 200


def redis_key_prefix():
    from django.core.cache import caches

    return caches["default"].key_prefix


@pytest.mark.django_db
def test_on_redis_each_user_is_counted_apart(redis_cache, api, api_user, monkeypatch):
    monkeypatch.setattr(AuthenticatedThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    first = api(api_user("contributor", "c1"))
    second = api(api_user("contributor", "c2"))
    assert [first.get("/api/v1/claims/").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert second.get("/api/v1/claims/").status_code == 200


@pytest.mark.django_db
def test_when_the_throttle_cache_is_down_requests_pass_and_it_is_logged(
    settings, api, caplog, monkeypatch
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 1.
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    attempts = []
    connect = redis.connection.Connection._connect
    monkeypatch.setattr(
        redis.connection.Connection,
        "_connect",
        lambda self: attempts.append(self) or connect(self),
    )
    with caplog.at_level(logging.ERROR, logger="claims.api.throttling"):
        response = api().get("/api/v1/claims/")
    assert response.status_code == 200
    assert "throttle cache unavailable" in caplog.text
    # One retry, at once (it replaces a connection the server closed): a
    # Redis that refuses a new connection is not asked a third time.
    assert len(attempts) == 2
    assert "RateLimit" not in response  # nothing counted, nothing announced


@pytest.mark.django_db
@pytest.mark.parametrize("cache", ["redis", "database"])
def test_every_response_announces_the_allowance_left(
    cache, request, api, api_user, monkeypatch
):
    if cache == "redis":
        request.getfixturevalue("redis_cache")
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    monkeypatch.setattr(AuthenticatedThrottle, "THROTTLE_RATES", {"user": "5/hour"})
    client = api()
    answers = [client.get("/api/v1/claims/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert {a["RateLimit-Policy"] for a in answers} == {'"anon";q=3;w=60'}
    # One request drains 20 s of the burst: after the first, 2 are left and
    # the whole burst is back in 20 s; the 429 says when the next may pass.
    assert [a["RateLimit"] for a in answers[:3]] == [
        '"anon";r=2;t=20',
        '"anon";r=1;t=40',
        '"anon";r=0;t=60',
    ]
    assert answers[3]["RateLimit"] == f'"anon";r=0;t={answers[3]["Retry-After"]}'
    assert error_codes(answers[3]) == {None: ["throttled"]}
    user = api(api_user("contributor"))
    signed_in = user.get("/api/v1/claims/")
    assert signed_in["RateLimit-Policy"] == '"user";q=5;w=3600'
    assert signed_in["RateLimit"] == '"user";r=4;t=720'
    # Outside the API nothing is throttled, so nothing is announced.
    assert "RateLimit" not in client.get("/")
