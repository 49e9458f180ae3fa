"""Real faults for the fault tests: a database that cannot be reached, a
connection whose server process is killed, a crash at a chosen statement.

Nothing here mocks the database: an unreachable database is a connection to a
closed port (PostgreSQL) or to a file in a missing folder (SQLite); a killed
connection is ``pg_terminate_backend`` from a second connection; a crash is an
exception raised on our own connection (``execute_wrapper``) just before the
chosen statement reaches the database, as if the process had died there.
"""

import copy
import json
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.handlers.wsgi import WSGIHandler
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.utils import load_backend
from django.test import RequestFactory


class SimulatedCrash(Exception):
    """Stands for the process dying at this point."""


def closed_port() -> int:
    """A local TCP port nothing listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def default_database(**changes):
    """Serve the ``default`` alias from a new connection whose settings differ
    by ``changes``; the test's own connection (and its transaction) is put
    back untouched afterwards."""
    original = connections[DEFAULT_DB_ALIAS]
    settings_dict = copy.deepcopy(original.settings_dict)
    settings_dict.update(changes)
    backend = load_backend(settings_dict["ENGINE"])
    replacement = backend.DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = replacement
    try:
        yield replacement
    finally:
        replacement.close()
        connections[DEFAULT_DB_ALIAS] = original


def unreachable_database(tmp_path):
    """The database gone: a refused port, or a SQLite file that cannot be opened."""
    if connection.vendor == "postgresql":
        return default_database(HOST="127.0.0.1", PORT=str(closed_port()))
    return default_database(NAME=str(tmp_path / "gone" / "db.sqlite3"))


def backend_pid(db=None) -> int:
    db = db or connection
    db.ensure_connection()
    return db.connection.info.backend_pid


def terminate_backend(pid: int, db=None) -> None:
    """Kill a PostgreSQL server process from a second connection, and wait
    until it is gone."""
    other = (db or connection).copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(200):
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone() is None:
                    return
                time.sleep(0.025)
        raise AssertionError(f"backend {pid} did not terminate")
    finally:
        other.close()


@contextmanager
def crash_on(table: str, *, nth: int = 1, how: str = "raise", error=SimulatedCrash):
    """Fail the ``nth`` INSERT into ``table`` on this thread's connection.

    ``how="raise"`` raises ``error`` before the statement runs; ``how="kill"``
    (PostgreSQL) terminates the connection's server process first, so the
    statement fails for real and the server rolls back the open transaction.
    """
    seen = 0

    def wrapper(execute, sql, params, many, context):
        nonlocal seen
        if f"insert into {table} " in sql.lower().replace('"', ""):
            seen += 1
            if seen == nth:
                if how == "kill":
                    db = context["connection"]
                    terminate_backend(backend_pid(db), db)
                else:
                    raise error(f"crash at INSERT #{nth} into {table}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


@dataclass
class WSGIResponse:
    status_code: int
    headers: dict
    content: bytes

    def json(self):
        return json.loads(self.content)


class WSGIClient:
    """Requests through Django's WSGI handler, as gunicorn makes them.

    Unlike the test Client it keeps Django's request-boundary connection
    handling (``close_old_connections`` on request start and finish), which is
    what drops a broken connection and health-checks a persistent one. Use it
    in ``transaction=True`` tests only.
    """

    def __init__(self, token: str | None = None):
        self.handler = WSGIHandler()
        self.token = token

    def request(self, method: str, path: str, body=None) -> WSGIResponse:
        extra = {"HTTP_AUTHORIZATION": f"Token {self.token}"} if self.token else {}
        request = RequestFactory().generic(
            method,
            path,
            data=json.dumps(body) if body is not None else "",
            content_type="application/json",
            **extra,
        )
        started = {}

        def start_response(status, headers, exc_info=None):
            started["status"], started["headers"] = status, dict(headers)

        result = self.handler(request.environ, start_response)
        try:
            content = b"".join(result)
        finally:
            result.close()  # request_finished, as a WSGI server sends it
        return WSGIResponse(
            int(started["status"].split()[0]), started["headers"], content
        )

    def get(self, path: str) -> WSGIResponse:
        return self.request("GET", path)

    def post(self, path: str, body) -> WSGIResponse:
        return self.request("POST", path, body)
