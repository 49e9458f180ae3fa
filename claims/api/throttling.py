"""Request throttles: a generic cell rate algorithm (GCRA) per client.

A rate of ``N/period`` lets a client send a burst of N requests, then one every
``period / N``; a refused request is told exactly when the next one will pass
(``Retry-After``). Each client's state is one number, its *theoretical arrival
time* (TAT), kept in the shared cache so that every worker counts alike.

On Redis (production) the check is one Lua script: one round trip, atomic
across workers, timed by the Redis server's clock. On any other cache (the
database table in development, memory in tests) the same arithmetic runs in
Python with a read and a write, which is not atomic across workers, as DRF's
own throttles are not. (DRF's throttles keep the timestamp of every request in
the window and make two round trips per request, with a fresh Redis client
each: about 0.7 ms of a 3 ms claim read.)

If Redis does not answer, requests are let through and the failure is logged:
throttling protects the service, it must not take it down.
"""

import hashlib
import logging
import math
import os
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, RedisError
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)

# KEYS[1]: the client's key. ARGV[1]: the interval between requests and
# ARGV[2]: the period, both in milliseconds. Returns 0 if the request may pass
# (and records it), else the milliseconds to wait.
GCRA_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + tonumber(now_parts[2]) / 1000
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + interval
local wait = new_tat - now - period
if wait > 0 then return math.ceil(wait) end
redis.call('SET', KEYS[1], string.format('%.3f', new_tat),
           'PX', math.ceil(new_tat - now))
return 0
"""


def gcra(tat: float | None, now: float, interval: float, period: float):
    """The GCRA step: ``(new_tat, 0)`` if a request arriving at ``now`` passes,
    ``(tat, wait)`` if it must wait ``wait`` more (same unit as the inputs)."""
    tat = max(tat or now, now)
    new_tat = tat + interval
    wait = new_tat - now - period
    if wait > 0:
        return tat, wait
    return new_tat, 0


class GCRAScript:
    """The GCRA script on one Redis server, sent over a connection of each
    thread's own: one command, one reply.

    redis-py's client wraps every command in its pool (a lock to borrow a
    connection and one to give it back), a retry policy and instrumentation
    hooks: 0.045-0.06 ms of the 0.18 ms a throttle check took inside an API
    read (docs/PERFORMANCE.md, "Fixed for scale", 18). Its ``Connection`` is used
    as it is: it connects on first use, and on any error while sending or
    reading it closes itself, so no half-read reply is left for the next call.
    """

    def __init__(self, backend: RedisCache):
        # The pool's settings: the URL's host, database and credentials, and
        # the cache's OPTIONS (its socket timeouts).
        pool = backend._cache.get_client(write=True).connection_pool
        self.connection_class = pool.connection_class
        self.connection_kwargs = pool.connection_kwargs
        self.sha = hashlib.sha1(GCRA_SCRIPT.encode()).hexdigest()
        self.local = threading.local()

    def connection(self):
        """This thread's connection; a new one in a forked child (a socket
        shared with the parent would interleave their replies)."""
        local = self.local
        if getattr(local, "pid", None) != os.getpid():
            local.connection = self.connection_class(**self.connection_kwargs)
            local.pid = os.getpid()
        return local.connection

    def __call__(self, key: str, interval_ms: float, period_ms: float) -> int:
        connection = self.connection()
        reused = connection.is_connected
        try:
            return self.run(connection, key, interval_ms, period_ms)
        except RedisConnectionError:
            if not reused:  # a Redis that is down, or refuses this client
                raise
            # A connection the server has closed since its last use (a
            # restart, an idle timeout) fails on its first use after: it has
            # closed itself, and one more try connects afresh.
            return self.run(connection, key, interval_ms, period_ms)

    def run(self, connection, key: str, interval_ms: float, period_ms: float) -> int:
        connection.send_command("EVALSHA", self.sha, 1, key, interval_ms, period_ms)
        try:
            reply = connection.read_response()
        except NoScriptError:  # a server restarted or flushed since it last ran
            connection.send_command("EVAL", GCRA_SCRIPT, 1, key, interval_ms, period_ms)
            reply = connection.read_response()
        if connection.should_reconnect():
            # A managed Redis announced that it moves (redis-py's maintenance
            # notifications, which its client checks after each command).
            connection.disconnect()
        return int(reply)


class GCRAThrottle:
    """Mixed into DRF's rate throttles: their scopes, rates (``THROTTLE_RATES``)
    and cache keys, with the GCRA check instead of a request history."""

    _scripts: dict = {}  # one GCRAScript per Redis server list, per process

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        period_ms = self.duration * 1000
        interval_ms = period_ms / self.num_requests
        try:
            wait_ms = self.check(self.key, interval_ms, period_ms)
        except (RedisError, DatabaseError, OSError):  # the cache is down
            logger.exception("throttle cache unavailable; request not throttled")
            return True
        self.wait_seconds = wait_ms / 1000
        return wait_ms == 0

    def check(self, key: str, interval_ms: float, period_ms: float) -> float:
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            servers = tuple(backend._servers)
            script = self._scripts.get(servers)
            if script is None:
                script = self._scripts[servers] = GCRAScript(backend)
            return script(backend.make_key(key), interval_ms, period_ms)
        now = time.time() * 1000
        new_tat, wait = gcra(backend.get(key), now, interval_ms, period_ms)
        if wait == 0:
            backend.set(key, new_tat, math.ceil((new_tat - now) / 1000))
        return wait

    def wait(self):
        return max(1, math.ceil(getattr(self, "wait_seconds", 0)))


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
