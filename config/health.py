"""Availability: the ``/healthz`` probe, and a 503 when the database is gone.

``healthz`` checks what every request needs, the database and the shared cache,
and answers 200 or 503 naming the part that failed. It is a plain Django view:
no authentication, no throttle, never cached, exempt from the HTTPS redirect
(``SECURE_REDIRECT_EXEMPT``) so that a probe can ask over plain HTTP.

``DatabaseUnavailableMiddleware`` turns a lost or refused database connection
in a view into ``503 Service Unavailable`` with ``Retry-After`` (JSON under
/api/, a short page elsewhere) instead of a 500, and logs it. The request's own
transaction is rolled back by the database; what earlier requests committed is
untouched. Django drops the broken connection at the end of the request and
``CONN_HEALTH_CHECKS`` replaces a stale one before the next request uses it.
"""

import logging
import secrets
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import (
    DEFAULT_DB_ALIAS,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from claims.api.errors import error_response

logger = logging.getLogger(__name__)

# How long a client is asked to wait before trying again (seconds).
RETRY_AFTER_SECONDS = 5
# The longest the probe's query may run on PostgreSQL (milliseconds).
HEALTH_STATEMENT_TIMEOUT_MS = 2000

# DB-API "operational" errors (disconnects, refused connections, timeouts, a
# locked SQLite file) and "interface" errors (a closed connection), as Django
# wraps them; psycopg's own in case one escapes Django's wrapper.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
try:
    import psycopg
except ImportError:  # pragma: no cover (psycopg is a dependency)
    pass
else:
    UNAVAILABLE_ERRORS += (psycopg.OperationalError, psycopg.InterfaceError)

UNAVAILABLE_DETAIL = "The database is unavailable. Try again in a few seconds."
UNAVAILABLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Temporarily unavailable · claimtrack</title></head>
<body><main><h1>Temporarily unavailable</h1>
<p>claimtrack cannot reach its database just now. Please try again in a few
seconds. Everything saved before is safe; if you were saving a change, check
whether it was recorded before you send it again.</p></main></body></html>
"""


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After, not 500, when a view loses the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, UNAVAILABLE_ERRORS):
            return None
        logger.error(
            "database unavailable: %s %s answered 503",
            request.method,
            request.path,
            exc_info=exception,
        )
        return unavailable_response(request)


def unavailable_response(request) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        response = error_response(503, "service_unavailable", UNAVAILABLE_DETAIL)
    else:
        response = HttpResponse(UNAVAILABLE_PAGE, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def check_database(alias: str = DEFAULT_DB_ALIAS) -> None:
    """One short query; raises if the database cannot answer it."""
    db = connections[alias]
    if db.vendor == "postgresql":
        with transaction.atomic(using=alias), db.cursor() as cursor:
            # Local to this transaction: the connection is reused afterwards.
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                [str(HEALTH_STATEMENT_TIMEOUT_MS)],
            )
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return
    # SQLite opens its file lazily and SELECT 1 never reads it; the schema
    # version is in the file's header. (No transaction: ours take the write lock.)
    with db.cursor() as cursor:
        cursor.execute("PRAGMA schema_version")
        cursor.fetchone()


def check_cache() -> None:
    """A write and a read of a short-lived key; raises if the cache fails."""
    key, value = "claimtrack:healthz", secrets.token_hex(8)
    cache.set(key, value, 30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was just written")


def checks() -> dict:
    """What /healthz checks, by the name it answers with: the database, a read
    replica when one is configured (DATABASE_REPLICA_URL), the cache."""
    named = {"database": check_database}
    for alias in settings.DATABASES:
        if alias != DEFAULT_DB_ALIAS:
            named[alias] = partial(check_database, alias)
    named["cache"] = check_cache
    return named


@csrf_exempt  # a POST is a 405 from require_safe, not the CSRF 403
@never_cache
@require_safe
def healthz(request):
    """200 ``{"status": "ok", "database": "ok", "cache": "ok"}``, or 503 with
    ``"unavailable"`` for each part that failed (details go to the log only)."""
    result = {}
    for name, check in checks().items():
        try:
            check()
        except Exception:  # any failure is an answer here, never a 500
            logger.exception("healthz: the %s check failed", name)
            result[name] = "unavailable"
        else:
            result[name] = "ok"
    healthy = all(value == "ok" for value in result.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "unavailable", **result},
        status=200 if healthy else 503,
    )
    if not healthy:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
