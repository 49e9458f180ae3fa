"""Request throttles: a generic cell rate algorithm (GCRA) per client.

A rate of ``N/period`` lets a client send a burst of N requests, then one every
``period / N``; a refused request is told exactly when the next one will pass
(``Retry-After``). Each client's state is one number, its *theoretical arrival
time* (TAT), kept in the shared cache so that every worker counts alike. Every
API response announces the client's allowance in the ``RateLimit-Policy`` and
``RateLimit`` headers (draft-ietf-httpapi-ratelimit-headers).

On Redis (production) the check is one Lua script run by redis-py's
``register_script``: one round trip, atomic across workers, timed by the Redis
server's clock. On any other cache (the database table in development, memory
in tests) the same arithmetic runs in Python with a read and a write, which is
not atomic across workers, as DRF's own throttles are not. (DRF's throttles
keep the timestamp of every request in the window and make two round trips
per request.)

If Redis does not answer, requests are let through and the failure is logged:
throttling protects the service, it must not take it down.
"""

import contextvars
import functools
import logging
import math
import time
from typing import TYPE_CHECKING, Any

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

# KEYS[1]: the client's key. ARGV[1]: the interval between requests and
# ARGV[2]: the period, both in milliseconds. Returns {wait, backlog}: wait is 0
# if the request may pass (and is recorded), else the milliseconds to wait;
# backlog is how far the client's TAT is ahead of now, in whole milliseconds.
GCRA_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + tonumber(now_parts[2]) / 1000
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + interval
local wait = new_tat - now - period
if wait > 0 then return {math.ceil(wait), math.floor(tat - now)} end
redis.call('SET', KEYS[1], string.format('%.3f', new_tat),
           'PX', math.ceil(new_tat - now))
return {0, math.floor(new_tat - now)}
"""

# The allowance of the request being answered, for RateLimitHeadersMiddleware.
# (scope, limit, period in seconds, requests left, seconds until reset)
current_limit: contextvars.ContextVar[tuple[str | None, int, int, int, int] | None] = (
    contextvars.ContextVar("current_limit", default=None)
)


def gcra(tat: float | None, now: float, interval: float, period: float):
    """The GCRA step: ``(new_tat, 0)`` if a request arriving at ``now`` passes,
    ``(tat, wait)`` if it must wait ``wait`` more (same unit as the inputs)."""
    tat = max(tat or now, now)
    new_tat = tat + interval
    wait = new_tat - now - period
    if wait > 0:
        return tat, wait
    return new_tat, 0


@functools.cache
def gcra_script(location: str, timeout: float | None, connect_timeout: float | None):
    """The GCRA script on a Redis server, through one client per process.

    One retry, at once, so that a connection the server closed since its last
    use (a restart, an idle timeout) is replaced instead of letting a request
    through; redis-py's default would back off for seconds on a dead server.
    """
    client = redis.Redis.from_url(
        location,
        socket_timeout=timeout,
        socket_connect_timeout=connect_timeout,
        retry=Retry(NoBackoff(), 1),
    )
    return client.register_script(GCRA_SCRIPT)


def redis_script():
    """The script on the server the default cache writes to (its first
    LOCATION), with the cache's socket timeouts."""
    config: dict[str, Any] = settings.CACHES["default"]
    location = config["LOCATION"]
    if isinstance(location, str):
        location = location.split(",")
    options = config.get("OPTIONS", {})
    return gcra_script(
        location[0],
        options.get("socket_timeout"),
        options.get("socket_connect_timeout"),
    )


class GCRAThrottle:
    """Mixed into DRF's rate throttles: their scopes, rates (``THROTTLE_RATES``)
    and cache keys, with the GCRA check instead of a request history."""

    # What the throttle it is mixed into provides (the last two are set
    # whenever the rate is).
    rate: str | None
    scope: str | None
    key: str | None
    num_requests: int
    duration: int

    if TYPE_CHECKING:

        def get_cache_key(self, request: Request, view: APIView) -> str | None: ...

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        period_ms = self.duration * 1000
        interval_ms = period_ms / self.num_requests
        try:
            wait_ms, backlog_ms = self.check(self.key, interval_ms, period_ms)
        except (RedisError, DatabaseError, OSError):  # the cache is down
            logger.exception("throttle cache unavailable; request not throttled")
            return True
        self.wait_seconds = wait_ms / 1000
        remaining = 0 if wait_ms else (period_ms - backlog_ms) // interval_ms
        current_limit.set(
            (
                self.scope,
                self.num_requests,
                self.duration,
                int(remaining),
                math.ceil((wait_ms or backlog_ms) / 1000),
            )
        )
        return wait_ms == 0

    def check(self, key: str, interval_ms: float, period_ms: float):
        """``(wait, backlog)`` in milliseconds: see GCRA_SCRIPT."""
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            script = redis_script()
            wait, backlog = script(
                keys=[backend.make_key(key)], args=[interval_ms, period_ms]
            )
            return int(wait), int(backlog)
        now = time.time() * 1000
        tat, wait = gcra(backend.get(key), now, interval_ms, period_ms)
        if wait == 0:
            backend.set(key, tat, math.ceil((tat - now) / 1000))
        return wait, math.floor(tat - now)

    def wait(self):
        return max(1, math.ceil(getattr(self, "wait_seconds", 0)))


class RateLimitHeadersMiddleware:
    """Announce the throttle's allowance on every response it checked:
    ``RateLimit-Policy: "anon";q=120;w=60`` (the rate) and
    ``RateLimit: "anon";r=117;t=2`` (requests left now, and the seconds until
    the whole burst is back, or until the next request may pass on a 429)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_limit.set(None)
        try:
            response = self.get_response(request)
            limit = current_limit.get()
        finally:
            current_limit.reset(token)
        if limit is not None:
            scope, quota, window, remaining, reset = limit
            response["RateLimit-Policy"] = f'"{scope}";q={quota};w={window}'
            response["RateLimit"] = f'"{scope}";r={remaining};t={reset}'
        return response


class AnonymousThrottle(GCRAThrottle, AnonRateThrottle):
    """Anonymous clients, counted per IP address (rate: CLAIMTRACK_THROTTLE_ANON)."""


class AuthenticatedThrottle(GCRAThrottle, UserRateThrottle):
    """Signed-in clients, counted per user (rate: CLAIMTRACK_THROTTLE_USER).

    Unlike DRF's UserRateThrottle it leaves anonymous clients to
    AnonymousThrottle, so each request costs one throttle check, not two.
    """

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
