"""Fetching pages into sources, end to end, against a local server.

    uv run python bench/fetch.py [--pages 200] [--workers 4]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack uv run python bench/fetch.py

Serves ``--pages`` distinct article pages of our own (bench/extraction.py's
generated articles, wrapped in a page with a menu and a footer) from a
threaded HTTP server on 127.0.0.1, then runs ``sources.web.fetch_source`` on
each from ``--workers`` threads: the address checks, the fetch, trafilatura,
the WARC record, the source and its snapshot, every guard and trigger on. On
a scratch test database (created and dropped; a file for SQLite, so that the
threads share it). Reports pages per second and the process's peak memory.
"""

import argparse
import html
import os
import resource
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGE = """<!doctype html><html lang="en"><head><title>Article {n}</title>
<meta property="og:site_name" content="The Bench Gazette"></head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a></nav><article><h1>Article {n}</h1>
{paragraphs}</article><footer>Subscribe · Privacy</footer></body></html>"""


def pages(count: int) -> list[bytes]:
    from bench.extraction import generate

    built = []
    for n, (text, _) in enumerate(generate(count, seed=1)):
        paragraphs = "".join(
            f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip()
        )
        built.append(PAGE.format(n=n, paragraphs=paragraphs).encode())
    return built


def serve(bodies: list[bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            index = int(self.path.strip("/") or 0)
            body = bodies[index]
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["CLAIMTRACK_FETCH_ALLOW_PRIVATE"] = "1"
    import django

    django.setup()
    from django.db import connection, connections

    from sources.models import Snapshot
    from sources.web import fetch_source

    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = "/tmp/claimtrack-bench-fetch.sqlite3"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    server = serve(pages(args.pages))
    base = f"http://127.0.0.1:{server.server_port}/"
    try:

        def one(n: int) -> None:
            try:
                fetch_source(f"{base}{n}")
            finally:
                connections.close_all()

        started = time.perf_counter()
        with ThreadPoolExecutor(args.workers) as pool:
            list(pool.map(one, range(args.pages)))
        elapsed = time.perf_counter() - started
        stored = Snapshot.objects.count()
    finally:
        server.shutdown()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{stored} pages fetched into sources by {args.workers} workers on "
        f"{connection.vendor} in {elapsed:.2f} s: {stored / elapsed:.1f} pages/s; "
        f"peak resident memory {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
