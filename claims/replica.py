"""Anonymous reads from a PostgreSQL read replica, when one is configured.

With ``DATABASE_REPLICA_URL`` set, the settings add a ``replica`` database and
this router. :class:`ReplicaReadsMiddleware` marks a request as a replica
reader when it can only be an anonymous read: a GET or HEAD with neither an
``Authorization`` header nor a session cookie, outside the admin, the change
feed and the health check. For such a request every ORM read (and the raw
SQL in claims/api/payloads.py, through :func:`read_alias`) goes to the
replica; everything else — writes, signed-in users, the review desk, the
change feed (whose cursor needs the primary's transaction horizon) — uses the
primary. Readers may then see a change a replication delay late; a writer,
signed in, always reads the primary, so it sees its own writes and the version
it must send as If-Match.

Without ``DATABASE_REPLICA_URL`` nothing changes: every read uses ``default``.
docs/DEPLOYMENT.md says when a replica is worth adding.
"""

from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
PRIMARY_ONLY_PATHS = ("/admin/", "/api/v1/changes/", "/healthz")

_replica_reads: ContextVar[bool] = ContextVar("claimtrack_replica_reads", default=False)


def read_alias() -> str:
    """The database alias this request's reads go to."""
    if _replica_reads.get() and REPLICA in settings.DATABASES:
        return REPLICA
    return "default"


def anonymous_read(request) -> bool:
    """Whether ``request`` can only be an anonymous read."""
    return (
        request.method in ("GET", "HEAD")
        and "authorization" not in request.headers
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith(PRIMARY_ONLY_PATHS)
    )


class ReplicaReadsMiddleware:
    """Send anonymous reads to the replica (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not anonymous_read(request):
            return self.get_response(request)
        token = _replica_reads.set(True)
        try:
            return self.get_response(request)
        finally:
            _replica_reads.reset(token)


class ReplicaRouter:
    """Reads to :func:`read_alias`; writes, relations and migrations to the
    primary (the replica is a copy of it, kept by PostgreSQL)."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
