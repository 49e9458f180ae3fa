"""Webhook deliveries through the real worker, to a receiver on 127.0.0.1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench \\
        uv run python bench/webhooks.py [--changes 50] [--slow-events 125]

On a copy of the corpus database (bench/api.py's ``on_a_copy``), with
``CLAIMTRACK_TASKS=database`` and one ``manage.py db_worker`` process started
as compose starts it:

1. **Latency.** One endpoint; ``--changes`` status changes, one at a time,
   each timed from its commit until the receiver has it. Reports the median
   and the 95th percentile.
2. **Throughput to a slow receiver.** The receiver takes 200 ms to answer;
   8 endpoints (the worker's ``CLAIMTRACK_WEBHOOK_CONCURRENCY``) each want
   ``--slow-events`` status changes made at once, 1,000 deliveries at the
   default. Reports deliveries a minute until the last has arrived, and
   checks that each endpoint got its events in order.
"""

import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import api as b  # noqa: E402

SLOW_SECONDS = 0.2
ENDPOINTS = 8


class Receiver(ThreadingHTTPServer):
    """Records when each delivery arrived, by endpoint path and webhook-id."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.delay = 0.0
        self.arrived: dict[str, list[tuple[str, float]]] = {}
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{path}"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.server.delay:
            time.sleep(self.server.delay)
        with self.server.lock:
            self.server.arrived.setdefault(self.path, []).append(
                (self.headers["webhook-id"], time.perf_counter())
            )
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def facts(count: int):
    """Accepted facts still unverified, to move to unverifiable."""
    from claims.models import Claim

    claims = list(
        Claim.objects.filter(
            kind="fact", status="unverified", review="accepted"
        ).order_by("id")[:count]
    )
    if len(claims) < count:
        sys.exit(f"the corpus has {len(claims)} unverified accepted facts, not {count}")
    return claims


def move(claim, by) -> None:
    from claims import services

    services.change_status(
        claim=claim,
        to_status="unverifiable",
        rationale="No record exists.",
        by=by,
        expected_version=claim.version,
    )


def wait_for(receiver: Receiver, path: str, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(receiver.arrived.get(path, [])) < count:
        if time.monotonic() > deadline:
            sys.exit(
                f"{path}: {len(receiver.arrived.get(path, []))} of {count} arrived"
            )
        time.sleep(0.002)


def main(argv=None) -> None:
    parser = b.bench_arguments(
        "Webhook deliveries through the worker.", reps=1, explain="(unused)"
    )
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--slow-events", type=int, default=125)
    args = parser.parse_args(argv)
    os.environ["CLAIMTRACK_TASKS"] = "database"
    os.environ["CLAIMTRACK_FETCH_ALLOW_PRIVATE"] = "1"
    b.prepare_database(allow_any=args.allow_any_database)
    b.top_up_corpus(args.claims, args.seed)

    from django.utils import timezone

    from claims import services
    from claims.models import WebhookEndpoint
    from claims.services import get_system_user

    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    with b.on_a_copy("webhooks") as copy:
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{copy}"
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            stdout=subprocess.DEVNULL,
        )
        try:
            desk = get_system_user("bench-desk")
            claims = facts(args.changes + args.slow_events)
            time.sleep(2)  # the worker's start-up

            services.create_endpoint(owner=desk, url=receiver.url("latency"))
            latencies = []
            for n, claim in enumerate(claims[: args.changes], start=1):
                started = time.perf_counter()
                move(claim, desk)  # committed on return
                wait_for(receiver, "/latency", n, timeout=30)
                latencies.append(receiver.arrived["/latency"][-1][1] - started)
            WebhookEndpoint.objects.update(disabled_at=timezone.now())

            receiver.delay = SLOW_SECONDS
            for n in range(ENDPOINTS):
                services.create_endpoint(owner=desk, url=receiver.url(f"slow{n}"))
            started = time.perf_counter()
            for claim in claims[args.changes :]:
                move(claim, desk)
            for n in range(ENDPOINTS):
                wait_for(receiver, f"/slow{n}", args.slow_events, timeout=600)
            last = max(
                at for n in range(ENDPOINTS) for _, at in receiver.arrived[f"/slow{n}"]
            )
            seconds = last - started
            order = [msg for msg, _ in receiver.arrived["/slow0"]]
            in_order = all(
                [msg for msg, _ in receiver.arrived[f"/slow{n}"]] == order
                for n in range(ENDPOINTS)
            ) and order == sorted(order, key=lambda m: int(m.rsplit("_", 1)[1]))
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    deliveries = ENDPOINTS * args.slow_events
    median = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1]
    print(
        f"latency, commit to receiver, {len(latencies)} changes: median "
        f"{median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )
    print(
        f"{deliveries:,} deliveries to a {SLOW_SECONDS * 1000:.0f} ms receiver over "
        f"{ENDPOINTS} endpoints in {seconds:.1f} s: {deliveries / seconds * 60:,.0f} a "
        f"minute; each endpoint in order: {in_order}"
    )
    b.dump_json(
        args,
        "webhooks",
        [
            {"name": "latency median", "seconds": median},
            {"name": "latency p95", "seconds": p95},
            {
                "name": "slow receiver",
                "seconds": seconds,
                "deliveries_per_minute": deliveries / seconds * 60,
            },
        ],
    )


if __name__ == "__main__":
    main()
