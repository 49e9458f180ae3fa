"""Failed log-ins and failed API tokens, counted in the shared cache.

A failure is counted under one or more keys (username and address, address
alone); once a key holds its limit of failures, attempts under it are refused
until CLAIMTRACK_LOGIN_WINDOW_SECONDS have passed since the last failure. The
counts live in the default cache, which every worker shares (Redis in
production, a database table otherwise), so a client cannot spread its guesses
over the workers. Usernames are hashed into the keys: the cache never holds
what someone typed into a log-in form.

Keyed by username *and* address, a guesser is stopped without letting anyone
lock a user out from elsewhere; the looser limit per address alone stops one
address from trying one password against many usernames.

If the cache does not answer, attempts are let through and the failure is
logged, as the API's request throttles do: an outage of the cache must not lock
every user out.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
CACHE_ERRORS = (RedisError, DatabaseError, OSError)


def client_address(request) -> str:
    """The client's address: the connecting one, or, behind
    CLAIMTRACK_TRUSTED_PROXIES proxies, the one they recorded in
    X-Forwarded-For (a client-sent header is otherwise ignored)."""
    proxies = settings.CLAIMTRACK_TRUSTED_PROXIES
    if proxies > 0:
        hops = [
            hop.strip()
            for hop in request.headers.get("x-forwarded-for", "").split(",")
            if hop.strip()
        ]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "replace"))
    return f"claimtrack:{kind}-failures:{digest.hexdigest()[:40]}"


@dataclass(frozen=True)
class Counter:
    key: str
    limit: int

    def refused(self) -> bool:
        return (cache.get(self.key) or 0) >= self.limit


def login_counters(username: str, address: str) -> list[Counter]:
    limit = settings.CLAIMTRACK_LOGIN_FAILURES
    return [
        Counter(_key("login", username.casefold(), address), limit),
        Counter(_key("login-address", address), limit * 10),
    ]


def token_counters(address: str) -> list[Counter]:
    return [Counter(_key("token", address), settings.CLAIMTRACK_TOKEN_FAILURES)]


def refused(counters: list[Counter]) -> bool:
    """True while any of ``counters`` has reached its limit."""
    try:
        return any(counter.refused() for counter in counters)
    except CACHE_ERRORS:
        logger.exception("log-in throttle cache unavailable; attempt not throttled")
        return False


def record_failure(counters: list[Counter]) -> None:
    window = settings.CLAIMTRACK_LOGIN_WINDOW_SECONDS
    try:
        for counter in counters:
            cache.add(counter.key, 0, timeout=window)
            try:
                cache.incr(counter.key)
            except ValueError:  # expired between add and incr
                cache.set(counter.key, 1, timeout=window)
            # Some caches' incr rewrites the entry with the default timeout:
            # the window always runs from the latest failure.
            cache.touch(counter.key, timeout=window)
    except CACHE_ERRORS:
        logger.exception("log-in throttle cache unavailable; failure not counted")


def clear(counters: list[Counter]) -> None:
    try:
        cache.delete_many([counter.key for counter in counters])
    except CACHE_ERRORS:
        logger.exception("log-in throttle cache unavailable; count not cleared")


def retry_after() -> int:
    """Seconds a refused client is told to wait (the whole window: a failure
    count does not say when it started)."""
    return settings.CLAIMTRACK_LOGIN_WINDOW_SECONDS
