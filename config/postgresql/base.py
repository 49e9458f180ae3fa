"""Django's PostgreSQL backend, with a health check that skips its round trip
on a connection that is in use.

Django's check (``CONN_HEALTH_CHECKS``) sends ``SELECT 1`` before a request's
first query, so that a persistent connection the server has dropped is replaced
instead of failing the request: a round trip on every request, about 0.1 ms of
a 2 ms API read (docs/PERFORMANCE.md, "Fixed for scale", 17).

Here the round trip is skipped when the connection handed out a cursor (to run
a query) less than ``RECENT_SECONDS`` ago, is idle, and nothing has arrived on
its socket since: a server that ends a connection (a restart,
``pg_terminate_backend``, an idle timeout) sends a message and closes its end,
and either makes the socket readable. Otherwise (idle for longer, anything
waiting, or no ``select.poll`` on this platform) the full check runs. What
only the full check would have seen, a path that died without a word within
that second, costs that one request: an error answered 503 (config/health.py)
if the network says so, a wait for TCP to give up if it says nothing (as
``SELECT 1`` would wait); the next request reconnects. That is what Django
does without health checks.
"""

import select
import time

from django.db.backends.postgresql import base
from psycopg import pq

RECENT_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    used_at = float("-inf")  # time.monotonic() when it last handed out a cursor

    def create_cursor(self, name=None):
        self.used_at = time.monotonic()
        return super().create_cursor(name)

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and time.monotonic() - self.used_at < RECENT_SECONDS
            and self.quietly_idle()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def quietly_idle(self) -> bool:
        """Open, outside any transaction, and nothing to read on its socket."""
        pgconn = self.connection.pgconn
        if (
            self.connection.closed
            or self.connection.broken
            or pgconn.status != pq.ConnStatus.OK
            or pgconn.transaction_status != pq.TransactionStatus.IDLE
        ):
            return False
        if not hasattr(select, "poll"):  # Windows: no cheap look at the socket
            return False
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
