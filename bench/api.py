"""Read-API latency beside the same page fetched by one raw SQL query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench \\
        uv run python bench/api.py --claims 100000

PostgreSQL only (SQLite is refused), on a dedicated database: the name must
contain "bench" unless --allow-any-database is given, because the corpus is
bulk-loaded into it. The database is created if missing and migrated; the
corpus (bench/corpus.py) is generated when it holds fewer claims than asked.

Each endpoint is fetched in-process through Django's WSGI application, called
as a WSGI server (gunicorn) calls it: the whole stack (request signals and the
connection health check, middleware, authentication, throttling, DRF, JSON
rendering) with DJANGO_DEBUG=0, as an anonymous reader (accepted claims only),
timed until the body is complete; beside it the
same rows come from one hand-written SQL query that builds the page's JSON in
the database (json_agg over a keyset query), sent straight through psycopg.
Both run on the same connection,
interleaved, --reps times each after a warm-up, each repetition's rows read
once untimed first (so that both find them in PostgreSQL's buffers). The
ratio is API median / raw median. Query counts come from one extra request
per endpoint (not timed).

Results print as a table and replace the generated block of
docs/PERFORMANCE.md (--no-write to skip).
"""

import argparse
import base64
import contextlib
import datetime as dt
import io
import json
import math
import os
import platform
import random
import secrets
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "PERFORMANCE.md"
RESULTS = ROOT / "bench" / "results"
BEGIN = "<!-- bench/api.py results: begin (generated, do not edit by hand) -->"
END = "<!-- bench/api.py results: end -->"
SUGGESTED_URL = "postgres://postgres@127.0.0.1:5432/claimtrack_bench"
WARMUP = 5
IPS = 200  # anonymous clients the requests rotate through (see throttling note)


# --- setup --------------------------------------------------------------------


def configure_environment() -> dict:
    """Production-like settings for the bench process; refuse anything but a
    dedicated PostgreSQL database. Returns the parsed DATABASE_URL."""
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        sys.exit(
            "DATABASE_URL is not set: the benchmark runs on PostgreSQL only (never "
            f"the SQLite file). Try:\n  DATABASE_URL={SUGGESTED_URL} "
            "uv run python bench/api.py --claims 100000"
        )
    parsed = dj_database_url.parse(url)
    if "postgresql" not in parsed["ENGINE"]:
        sys.exit(f"DATABASE_URL must be a PostgreSQL database, not {parsed['ENGINE']}.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return parsed


def maintenance_connection(parsed: dict | None = None):
    """A connection to the ``postgres`` database of DATABASE_URL's server, in
    autocommit: for creating and dropping databases."""
    import dj_database_url
    import psycopg

    parsed = parsed or dj_database_url.parse(os.environ["DATABASE_URL"])
    params = {
        "dbname": "postgres",
        "host": parsed.get("HOST") or None,
        "port": parsed.get("PORT") or None,
        "user": parsed.get("USER") or None,
        "password": parsed.get("PASSWORD") or None,
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


def clone_database(template: str, name: str) -> None:
    """``name`` as a fresh copy of ``template`` (replacing an earlier copy);
    nothing may be connected to ``template`` meanwhile."""
    from psycopg import sql

    drop_database(name)
    with maintenance_connection() as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )


def resident_mib() -> float:
    """This process's resident memory now (Linux), in MiB."""
    import resource

    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def dirty_mib() -> float | None:
    """The kernel's page cache waiting to be written (Dirty + Writeback), in
    MiB, or None where /proc/meminfo is not there."""
    try:
        lines = Path("/proc/meminfo").read_text().splitlines()
    except OSError:
        return None
    kib = 0
    for line in lines:
        name, _, value = line.partition(":")
        if name in ("Dirty", "Writeback"):
            kib += int(value.split()[0])
    return kib / 1024


def autovacuum_workers(conn) -> int:
    return conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
    ).fetchone()[0]


def settle(*, timeout: float = 180.0, dirty_limit_mib: float = 64.0) -> str:
    """Let the writes of what ran before finish before anything is timed, and
    say what that took.

    A database copy (``CREATE DATABASE … TEMPLATE`` is WAL-logged) or a bulk
    load leaves the server a checkpoint to make, which PostgreSQL spreads over
    most of ``checkpoint_timeout`` (checkpoint_completion_target): minutes of
    writes under the next bench's timings. So: an immediate CHECKPOINT (where
    the role may: superuser or pg_checkpoint; elsewhere it is skipped and
    said), the kernel's dirty pages written (``os.sync``), and a wait, up to
    ``timeout`` seconds, until no autovacuum worker runs and the dirty pages
    are under ``dirty_limit_mib``."""
    import psycopg

    started = time.perf_counter()
    checkpoint = ""
    with maintenance_connection() as conn:
        try:
            conn.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:
            checkpoint = "no CHECKPOINT (the role may not), "
        os.sync()
        while True:
            vacuums = autovacuum_workers(conn)
            dirty = dirty_mib()
            quiet = not vacuums and (dirty is None or dirty < dirty_limit_mib)
            if quiet or time.perf_counter() - started > timeout:
                break
            time.sleep(1)
    took = time.perf_counter() - started
    state = "quiet" if quiet else "still busy, timed anyway"
    dirty_text = "unknown" if dirty is None else f"{dirty:.0f} MiB"
    return (
        f"settled in {took:.1f} s ({checkpoint}{state}: {vacuums} autovacuum "
        f"workers, {dirty_text} dirty)"
    )


@contextlib.contextmanager
def on_a_copy(suffix: str):
    """Run the block on a fresh copy of the corpus database, dropped after it:
    for benches that commit what they write, as production does, and leave the
    corpus as it was. Every connection opened meanwhile, in any thread, opens
    the copy. Nothing else may be connected to the corpus while it is copied."""
    from django.db import connection, connections

    corpus = connection.settings_dict["NAME"]
    copy = f"{corpus}_{suffix}"
    connections.close_all()
    started = time.perf_counter()
    clone_database(corpus, copy)
    print(f"Copied {corpus} to {copy} in {time.perf_counter() - started:.0f} s")
    connection.settings_dict["NAME"] = copy
    try:
        print(settle())  # the copy's checkpoint, before the block's timings
        yield copy
    finally:
        connections.close_all()
        connection.settings_dict["NAME"] = corpus
        drop_database(copy)


def drop_database(name: str) -> None:
    from psycopg import sql

    with maintenance_connection() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def ensure_database(parsed: dict, *, allow_any: bool) -> None:
    from psycopg import sql

    name = parsed["NAME"]
    if "bench" not in name and not allow_any:
        sys.exit(
            f"Refusing to bulk-load a benchmark corpus into {name!r}: use a dedicated "
            f"database whose name contains 'bench' (e.g. {SUGGESTED_URL}) or pass "
            "--allow-any-database."
        )
    with maintenance_connection(parsed) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            print(f"Creating database {name} …")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare_database(*, allow_any: bool = False) -> None:
    """Check DATABASE_URL, create the database if missing, set Django up,
    migrate and create the cache table (the throttles keep their counts there)."""
    parsed = configure_environment()
    ensure_database(parsed, allow_any=allow_any)
    import django

    # Production static storage without collectstatic: whitenoise only notes it.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)


# --- the raw SQL side ---------------------------------------------------------

# One claim as ClaimSerializer shows it, from claims_claim c LEFT JOIN claims_speaker sp.
CLAIM_JSON = """json_build_object(
    'id', c.id, 'text', c.text,
    'speaker', CASE WHEN sp.id IS NULL THEN NULL ELSE json_build_object(
        'id', sp.id, 'name', sp.name, 'wikidata_id', NULLIF(sp.wikidata_id, '')) END,
    'speaker_title', c.speaker_title, 'attribution', c.attribution, 'kind', c.kind,
    'stated_on', c.stated_on, 'stated_on_precision', c.stated_on_precision,
    'due_on', c.due_on, 'due_on_precision', c.due_on_precision,
    'due_text', c.due_text, 'status', c.status, 'review', c.review,
    'version', c.version,
    'spans', COALESCE((SELECT json_agg(json_build_object(
        'source', s.source_id, 'role', s.role, 'start', s.start, 'end', s."end",
        'exact', s.exact, 'prefix', s.prefix, 'suffix', s.suffix) ORDER BY s.id)
        FROM claims_span s WHERE s.claim_id = c.id), '[]'),
    'evidence', COALESCE((SELECT json_agg(json_build_object(
        'id', e.id, 'source', e.source_id, 'stance', e.stance, 'start', e.start,
        'end', e."end", 'exact', e.exact, 'prefix', e.prefix, 'suffix', e.suffix,
        'note', e.note, 'status_change', e.status_change_id,
        'created_at', e.created_at) ORDER BY e.id)
        FROM claims_evidence e WHERE e.claim_id = c.id), '[]'),
    'ledger_length', (SELECT count(*) FROM claims_statuschange l
                      WHERE l.claim_id = c.id),
    'created_at', c.created_at, 'updated_at', c.updated_at)"""


def claims_page_sql(where: str = "", order: str = "c.id DESC") -> str:
    """A page of accepted claims: a keyset subquery, then one JSON array."""
    outer = order.replace("c.", "p.")
    return f"""
SELECT COALESCE(json_agg({CLAIM_JSON.replace("c.", "p.")} ORDER BY {outer}), '[]')::text
FROM (SELECT c.* FROM claims_claim c
      WHERE c.review = 'accepted' {where}
      ORDER BY {order} LIMIT %(limit)s) p
LEFT JOIN claims_speaker sp ON sp.id = p.speaker_id
"""


SEARCH_SQL = f"""
SELECT COALESCE(json_agg({CLAIM_JSON.replace("c.", "p.")}
                ORDER BY p.rank_key DESC, p.id DESC), '[]')::text
FROM (SELECT c.*, (ts_rank(d.document, q)::double precision * 1000000)::integer
             AS rank_key
      FROM claims_claim c
      JOIN claims_claimsearch d ON d.claim_id = c.id,
           websearch_to_tsquery('english', %(q)s) q
      WHERE c.review = 'accepted' AND d.document @@ q
        AND c.id IN (SELECT w.claim_id FROM claims_claimsearch w
                     WHERE w.document @@ websearch_to_tsquery('english', %(q)s)
                     ORDER BY w.claim_id DESC LIMIT %(window)s)
      ORDER BY rank_key DESC, c.id DESC LIMIT %(limit)s) p
LEFT JOIN claims_speaker sp ON sp.id = p.speaker_id
"""

CLAIM_DETAIL_SQL = f"""
SELECT {CLAIM_JSON}::text
FROM claims_claim c LEFT JOIN claims_speaker sp ON sp.id = c.speaker_id
WHERE c.id = %(id)s AND c.review = 'accepted'
"""

SOURCE_DETAIL_SQL = """
SELECT json_build_object(
    'id', s.id, 'title', s.title, 'url', s.url, 'publisher', p.name,
    'kind', s.kind, 'language', s.language, 'published_on', s.published_on,
    'retrieved_at', s.retrieved_at, 'content_hash', s.content_hash,
    'length', s.text_length, 'revises', s.revises_id, 'text', s.text,
    'claims', COALESCE((
        SELECT json_agg(json_build_object('id', c.id, 'text', c.text,
               'status', c.status, 'review', c.review, 'kind', c.kind)
               ORDER BY c.id DESC)
        FROM (SELECT c.* FROM claims_claim c
              WHERE c.review = 'accepted' AND c.id IN (
                  SELECT sp.claim_id FROM claims_span sp WHERE sp.source_id = s.id)
              ORDER BY c.id DESC LIMIT 100) c), '[]'))::text
FROM sources_source s LEFT JOIN sources_publisher p ON p.id = s.publisher_id
WHERE s.id = %(id)s
"""

FEED_SQL = """
SELECT COALESCE(json_agg(json_build_object(
    'id', e.id, 'claim', e.claim_id, 'type', e.kind, 'version', e.version,
    'state', e.state, 'detail', e.detail, 'by', u.username, 'at', e.created_at)
    ORDER BY e.txid, e.id), '[]')::text
FROM (SELECT e.* FROM claims_claimevent e
      WHERE (e.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
             OR e.txid = pg_current_xact_id_if_assigned()::text::bigint)
        AND (e.txid, e.id) > (%(txid)s, %(id)s)
        AND NOT e.internal AND e.state->>'review' = 'accepted'
        AND EXISTS (SELECT 1 FROM claims_claim c
                    WHERE c.id = e.claim_id AND c.review = 'accepted')
      ORDER BY e.txid, e.id LIMIT %(limit)s) e
JOIN auth_user u ON u.id = e.actor_id
"""


# --- the cases ----------------------------------------------------------------


def claim_key(item: dict) -> tuple:
    return (
        item["id"],
        len(item["spans"]),
        tuple(e["id"] for e in item["evidence"]),
        item["ledger_length"],
    )


def page_keys(data) -> list:
    items = data["results"] if isinstance(data, dict) else data
    return [claim_key(item) for item in items]


def feed_keys(data) -> list:
    items = data["results"] if isinstance(data, dict) else data
    return [(e["id"], e["claim"], e["version"]) for e in items]


def source_key(data) -> tuple:
    return (data["id"], data["length"], tuple(c["id"] for c in data["claims"]))


@dataclass
class Case:
    name: str
    note: str
    path: object  # rep -> API path with query string
    sql: str
    params: object  # rep -> dict of SQL parameters
    key: object  # parsed JSON -> comparable rows
    target: bool = False  # list/detail: held to the 3x target


def drf_cursor(position: int) -> str:
    """A DRF CursorPagination cursor for "rows after id ``position``"."""
    return base64.b64encode(urlencode({"p": position}).encode()).decode()


def feed_cursor(txid: int, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{txid}:{pk}".encode()).decode().rstrip("=")


def build_cases(reps: int, seed: int) -> tuple[list[Case], dict]:
    from django.db import connection

    from bench.corpus import search_terms
    from claims.search import RANK_WINDOW

    rng = random.Random(f"bench:{seed}")
    n = reps + WARMUP
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM claims_claim WHERE review = 'accepted' ORDER BY id"
        )
        accepted = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id FROM sources_source ORDER BY id")
        sources = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT speaker_id, count(*) FROM claims_claim "
            "WHERE review = 'accepted' AND speaker_id IS NOT NULL "
            "GROUP BY speaker_id ORDER BY count(*) DESC, speaker_id"
        )
        by_speaker = cursor.fetchall()
        cursor.execute("SELECT min(id), max(id) FROM claims_claimevent")
        first_event, last_event = cursor.fetchone()
        event_ids = sorted(rng.randint(first_event, last_event) for _ in range(n))
        cursor.execute(
            "SELECT id, txid FROM claims_claimevent WHERE id = ANY(%s)", [event_ids]
        )
        txids = dict(cursor.fetchall())
        common, candidates = search_terms(seed)

        def matches_of(word):
            cursor.execute(
                "SELECT count(*) FROM claims_claimsearch d JOIN claims_claim c "
                "ON c.id = d.claim_id WHERE c.review = 'accepted' "
                "AND d.document @@ websearch_to_tsquery('english', %s)",
                [word],
            )
            return cursor.fetchone()[0]

        matches = {"common": matches_of(common)}
        terms = {"common": common, "rare": candidates[0]}
        for word in candidates:
            count = matches_of(word)
            if 3 <= count <= 20:
                terms["rare"], matches["rare"] = word, count
                break
        else:
            matches["rare"] = matches_of(terms["rare"])
        cursor.execute(
            "SELECT count(*) FROM claims_claim "
            "WHERE review = 'accepted' AND status = 'confirmed'"
        )
        confirmed = cursor.fetchone()[0]
    top_speaker, top_count = by_speaker[0]
    # A speaker from the long tail: the first with at most 10 accepted claims.
    tail_speaker, tail_count = next(
        (row for row in by_speaker if row[1] <= 10), by_speaker[-1]
    )
    details = [rng.choice(accepted) for _ in range(n)]
    deep = [rng.choice(accepted[len(accepted) // 10 :]) for _ in range(n)]
    source_ids = [rng.choice(sources) for _ in range(n)]
    feed_after = [(txids[pk], pk) for pk in event_ids]
    rng.shuffle(feed_after)

    def q(path, **params):
        return f"{path}?{urlencode(params)}" if params else path

    claims = "/api/v1/claims/"
    cases = [
        Case(
            "claims list, first page, 25",
            "newest 25 accepted claims",
            lambda i: claims,
            claims_page_sql(),
            lambda i: {"limit": 25},
            page_keys,
            target=True,
        ),
        Case(
            "claims list, first page, 100",
            "newest 100",
            lambda i: q(claims, page_size=100),
            claims_page_sql(),
            lambda i: {"limit": 100},
            page_keys,
            target=True,
        ),
        Case(
            "claims list, deep cursor, 25",
            "25 claims after a random id (keyset)",
            lambda i: q(claims, cursor=drf_cursor(deep[i])),
            claims_page_sql("AND c.id < %(after)s"),
            lambda i: {"limit": 25, "after": deep[i]},
            page_keys,
            target=True,
        ),
        Case(
            "list ?status=confirmed",
            f"{confirmed} accepted claims match",
            lambda i: q(claims, status="confirmed"),
            claims_page_sql("AND c.status = 'confirmed'"),
            lambda i: {"limit": 25},
            page_keys,
            target=True,
        ),
        Case(
            "list ?speaker= (top speaker)",
            f"speaker {top_speaker}, {top_count} accepted claims",
            lambda i: q(claims, speaker=top_speaker),
            claims_page_sql("AND c.speaker_id = %(speaker)s"),
            lambda i: {"limit": 25, "speaker": top_speaker},
            page_keys,
            target=True,
        ),
        Case(
            "list ?speaker= (tail speaker)",
            f"speaker {tail_speaker}, {tail_count} accepted claims",
            lambda i: q(claims, speaker=tail_speaker),
            claims_page_sql("AND c.speaker_id = %(speaker)s"),
            lambda i: {"limit": 25, "speaker": tail_speaker},
            page_keys,
            target=True,
        ),
        Case(
            f"search ?q={terms['common']} (common)",
            f"{matches['common']} matches, the newest {RANK_WINDOW:,} ranked",
            lambda i: q(claims, q=terms["common"]),
            SEARCH_SQL,
            lambda i: {"limit": 25, "q": terms["common"], "window": RANK_WINDOW},
            page_keys,
        ),
        Case(
            f"search ?q={terms['rare']} (rare)",
            f"{matches['rare']} matches, ranked",
            lambda i: q(claims, q=terms["rare"]),
            SEARCH_SQL,
            lambda i: {"limit": 25, "q": terms["rare"], "window": RANK_WINDOW},
            page_keys,
        ),
        Case(
            "claim detail",
            f"{reps} different accepted claims",
            lambda i: f"{claims}{details[i]}/",
            CLAIM_DETAIL_SQL,
            lambda i: {"id": details[i]},
            claim_key,
            target=True,
        ),
        Case(
            "source detail",
            f"{reps} different sources, text + claims",
            lambda i: f"/api/v1/sources/{source_ids[i]}/",
            SOURCE_DETAIL_SQL,
            lambda i: {"id": source_ids[i]},
            source_key,
        ),
        Case(
            "change feed, first page",
            "25 events from the start",
            lambda i: "/api/v1/changes/",
            FEED_SQL,
            lambda i: {"limit": 25, "txid": 0, "id": 0},
            feed_keys,
        ),
        Case(
            "change feed, from a cursor",
            "25 events after a random event",
            lambda i: q("/api/v1/changes/", after=feed_cursor(*feed_after[i])),
            FEED_SQL,
            lambda i: {"limit": 25, "txid": feed_after[i][0], "id": feed_after[i][1]},
            feed_keys,
        ),
    ]
    info = {
        "terms": terms,
        "matches": matches,
        "top_speaker": (top_speaker, top_count),
        "tail_speaker": (tail_speaker, tail_count),
    }
    return cases, info


# --- measuring ----------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def wsgi_environ(path: str, ip: str) -> dict:
    """A GET of ``path`` over HTTPS from ``ip``, as a WSGI server passes it."""
    path_info, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_ACCEPT": "application/json",
        "REMOTE_ADDR": ip,
        "HTTPS": "on",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


class Runner:
    """Requests through Django's WSGI application, called as gunicorn's worker
    calls it (the request signals included, so the connection health check
    runs), beside raw queries on the same database connection."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler
        from django.db import connection

        self.connection = connection
        self.app = WSGIHandler()
        self.requests = 0

    def api(self, path: str, *, same_client: bool = False):
        """``(seconds, body)`` of a GET: from the call until the body is
        complete. The response's close() (request_finished) runs after, as a
        server runs it once the response is sent."""
        if not same_client:
            self.requests += 1
        ip = f"10.0.{self.requests % IPS // 250}.{self.requests % IPS % 250 + 1}"
        environ = wsgi_environ(path, ip)
        status = []
        started = time.perf_counter()
        response = self.app(environ, lambda line, headers, *exc: status.append(line))
        body = b"".join(response)
        elapsed = time.perf_counter() - started
        response.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"GET {path}: {status[0]} {body[:300]!r}")
        return elapsed, body

    def raw(self, sql: str, params: dict):
        """``(seconds, first column)`` of one query sent straight through the
        psycopg connection: not through Django's cursor, whose first use after
        a request runs the connection health check (PERFORMANCE.md, fix 17)."""
        self.connection.ensure_connection()
        started = time.perf_counter()
        with self.connection.connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        elapsed = time.perf_counter() - started
        return elapsed, row[0] if row else None

    def count_queries(self, path: str) -> tuple[int, int, list]:
        from django.test.utils import CaptureQueriesContext

        # From the address of the request before, so that its throttle entry
        # exists and is fresh: the steady state. (An address whose entry has
        # expired costs one more query, a DELETE of the stale entry.)
        with CaptureQueriesContext(self.connection) as captured:
            self.api(path, same_client=True)
        # The throttle's DatabaseCache reads and writes its table inside
        # transaction.atomic (BEGIN … COMMIT): everything else is the view's.
        cache = [
            q
            for q in captured.captured_queries
            if "claimtrack_cache" in q["sql"]
            or q["sql"].split(" ", 1)[0] in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")
        ]
        app = [q for q in captured.captured_queries if q not in cache]
        return len(captured.captured_queries), len(cache), app

    def measure(self, case: Case, reps: int) -> dict:
        _, api_body = self.api(case.path(0))
        _, raw_body = self.raw(case.sql, case.params(0))
        api_key, raw_key = (
            case.key(json.loads(api_body)),
            case.key(json.loads(raw_body)),
        )
        if api_key != raw_key:
            raise SystemExit(
                f"{case.name}: the raw query does not return the API's rows:\n"
                f"  API {api_key!r:.300}\n  raw {raw_key!r:.300}"
            )
        api_times, raw_times = [], []
        for i in range(WARMUP + reps):
            # Both read the same rows, and the first read of a row outside
            # PostgreSQL's buffers takes about twice as long (rows picked at
            # random from a database many times shared_buffers): whichever
            # went second got that for free. An untimed read first puts both
            # on the same footing, the rows in the buffers.
            self.raw(case.sql, case.params(i))
            api_elapsed, _ = self.api(case.path(i))
            raw_elapsed, _ = self.raw(case.sql, case.params(i))
            if i >= WARMUP:
                api_times.append(api_elapsed * 1000)
                raw_times.append(raw_elapsed * 1000)
        # Counted after the timings, in the steady state.
        total, cache, app = self.count_queries(case.path(0))
        rows = api_key if isinstance(api_key, list) else [api_key]
        return {
            "name": case.name,
            "note": case.note,
            "target": case.target,
            "rows": len(rows),
            "queries": total,
            "cache_queries": cache,
            "app_sql": app,
            "api_median": statistics.median(api_times),
            "api_p95": percentile(api_times, 0.95),
            "raw_median": statistics.median(raw_times),
            "raw_p95": percentile(raw_times, 0.95),
            "ratio": statistics.median(api_times) / statistics.median(raw_times),
        }


def breakdown(runner: Runner, reps: int, seed: int) -> list[dict]:
    """Where a request's time goes, for the claim detail and the first list
    page: the full request, the same with the throttle off (a patch of the view
    class in this process only), the view's database read alone, that +
    JSON rendering, and the raw query."""
    from django.contrib.auth.models import AnonymousUser

    from claims.api.payloads import page_payloads, payload_for
    from claims.api.renderers import FastJSONRenderer as JSONRenderer
    from claims.api.views.claims import ClaimViewSet
    from claims.models import Claim

    rng = random.Random(f"breakdown:{seed}")
    accepted = list(
        Claim.objects.filter(review="accepted").values_list("id", flat=True)[:20000]
    )
    ids = [rng.choice(accepted) for _ in range(WARMUP + reps)]
    anonymous = AnonymousUser()
    renderer = JSONRenderer()

    def orm_detail(i):
        return [payload_for(ids[i], anonymous)]

    def orm_list(i):
        # As the paginator asks: one row more than the page, to know of a next.
        return page_payloads(
            Claim.objects.visible_to(anonymous).order_by("-id")[:26], anonymous
        )

    saved = ClaimViewSet.throttle_classes

    def unthrottled(path):
        ClaimViewSet.throttle_classes = []
        try:
            return runner.api(path)
        finally:
            ClaimViewSet.throttle_classes = saved

    def timed(stages: dict) -> dict:
        """Median of each stage, the stages interleaved repetition by repetition
        so that a slow moment of the machine hits them all alike."""
        times = {name: [] for name in stages}
        for i in range(WARMUP + reps):
            for name, fn in stages.items():
                started = time.perf_counter()
                fn(i)
                if i >= WARMUP:
                    times[name].append((time.perf_counter() - started) * 1000)
        return {name: statistics.median(values) for name, values in times.items()}

    rows = []
    for name, path, orm, serialize, sql, params in [
        (
            "claim detail",
            lambda i: f"/api/v1/claims/{ids[i]}/",
            orm_detail,
            lambda i: renderer.render(orm_detail(i)[0]),
            CLAIM_DETAIL_SQL,
            lambda i: {"id": ids[i]},
        ),
        (
            "claims list, first page, 25",
            lambda i: "/api/v1/claims/",
            orm_list,
            lambda i: renderer.render(orm_list(i)),
            claims_page_sql(),
            lambda i: {"limit": 25},
        ),
    ]:
        medians = timed(
            {
                "full": lambda i, path=path: runner.api(path(i)),
                "unthrottled": lambda i, path=path: unthrottled(path(i)),
                "orm": orm,
                "serialized": serialize,
                "raw": lambda i, sql=sql, params=params: runner.raw(sql, params(i)),
            }
        )
        rows.append({"name": name, **medians})
    return rows


def explain(results: list[dict], path: Path) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every application query the API ran."""
    from django.db import connection

    lines = []
    for result in results:
        lines.append(f"#### {result['name']}\n")
        for query in result["app_sql"]:
            lines.append(f"-- {query['time']} s (captured)\n{query['sql']}\n")
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                lines.extend(row[0] for row in cursor.fetchall())
            lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    print(f"EXPLAIN ANALYZE of the API's queries written to {path}")


# --- reporting ----------------------------------------------------------------


def corpus_summary() -> dict:
    from django.db import connection

    queries = {
        "claims": "SELECT count(*) FROM claims_claim",
        "accepted": "SELECT count(*) FROM claims_claim WHERE review = 'accepted'",
        "sources": "SELECT count(*) FROM sources_source",
        "source_chars": "SELECT COALESCE(avg(text_length), 0)::int FROM sources_source",
        "speakers": "SELECT count(*) FROM claims_speaker",
        "spans": "SELECT count(*) FROM claims_span",
        "evidence": "SELECT count(*) FROM claims_evidence",
        "ledger": "SELECT count(*) FROM claims_statuschange",
        "events": "SELECT count(*) FROM claims_claimevent",
        "db_size": "SELECT pg_size_pretty(pg_database_size(current_database()))",
        "pg_version": "SHOW server_version",
        "shared_buffers": "SHOW shared_buffers",
        "work_mem": "SHOW work_mem",
    }
    summary = {}
    with connection.cursor() as cursor:
        for key, sql in queries.items():
            cursor.execute(sql)
            summary[key] = cursor.fetchone()[0]
    return summary


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({model}){memory}, {platform.system()} {platform.release()}"


def render(results, info, corpus, generation, command, reps, parts, load) -> str:
    import django

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Run {now} — `{command}`",
        "",
        f"- machine: {machine()}; the database server on the same host",
        f"- PostgreSQL {corpus['pg_version']} (shared_buffers {corpus['shared_buffers']}, "
        f"work_mem {corpus['work_mem']}), Python {platform.python_version()}, "
        f"Django {django.get_version()}, DJANGO_DEBUG=0",
        f"- corpus: {corpus['claims']:,} claims ({corpus['accepted']:,} accepted), "
        f"{corpus['sources']:,} sources (mean {corpus['source_chars']:,} characters), "
        f"{corpus['speakers']:,} speakers, {corpus['spans']:,} spans, "
        f"{corpus['evidence']:,} evidence, {corpus['ledger']:,} ledger entries, "
        f"{corpus['events']:,} events; database {corpus['db_size']}",
    ]
    if generation:
        lines.append(
            f"- corpus generation: {generation['seconds']:.0f} s for "
            f"{generation['added']:,} claims ({generation.get('when', 'this run')})"
        )
    lines += [
        f"- {reps} timed repetitions per row after {WARMUP} warm-up ones; API and raw "
        "interleaved on one connection; times in milliseconds",
        "",
        "| endpoint | rows | SQL queries (of which throttle cache) | API median | "
        "API p95 | raw median | raw p95 | ratio | target ≤ 3× |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        verdict = ("met" if r["ratio"] <= 3 else "**missed**") if r["target"] else "—"
        lines.append(
            f"| {r['name']} — {r['note']} | {r['rows']} | {r['queries']} "
            f"({r['cache_queries']}) | {r['api_median']:.2f} | {r['api_p95']:.2f} | "
            f"{r['raw_median']:.2f} | {r['raw_p95']:.2f} | "
            f"{r['ratio']:.1f}× | {verdict} |"
        )
    lines += [
        "",
        "Where the time goes (medians, ms): the full request; the same with the "
        "anonymous throttle switched off in the bench process; the view's "
        "database read alone (building the query, reading the payloads); that "
        "plus JSON rendering; the raw query.",
        "",
        "| endpoint | full request | throttle off | database read | read + render "
        "| raw SQL |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p in parts:
        lines.append(
            f"| {p['name']} | {p['full']:.2f} | {p['unthrottled']:.2f} | "
            f"{p['orm']:.2f} | {p['serialized']:.2f} | {p['raw']:.2f} |"
        )
    lines += ["", f"Load average before / after the timings: {load}."]
    return "\n".join(lines) + "\n"


def print_table(results) -> None:
    header = (
        f"{'endpoint':<36} {'q':>3} {'api med':>8} {'api p95':>8} "
        f"{'raw med':>8} {'raw p95':>8} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        flag = " *" if r["target"] and r["ratio"] > 3 else ""
        print(
            f"{r['name'][:36]:<36} {r['queries']:>3} {r['api_median']:>8.2f} "
            f"{r['api_p95']:>8.2f} {r['raw_median']:>8.2f} {r['raw_p95']:>8.2f} "
            f"{r['ratio']:>5.1f}×{flag}"
        )
    print(
        "(ms; q = SQL queries per request incl. throttle cache; * = over the 3× target)"
    )


def write_block(block: str, begin: str, end: str, section: str = "") -> None:
    """Replace the generated block between ``begin`` and ``end`` in
    docs/PERFORMANCE.md (appended, after ``section``, if missing); the rest of
    the file is kept."""
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    if begin not in text or end not in text:
        text = text.rstrip("\n") + f"\n\n{section}{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(f"{head}{begin}\n{block}{end}{tail}")
    print(f"Results written to {DOC.relative_to(ROOT)}")


def write_doc(block: str) -> None:
    write_block(block, BEGIN, END)


def bench_arguments(description: str, *, reps: int, explain: str):
    """The options every benchmark here shares."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--claims", type=int, default=100_000, help="corpus size (default 100000)"
    )
    parser.add_argument("--reps", type=int, default=reps, help="timed repetitions")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-write", action="store_true", help="do not update docs/PERFORMANCE.md"
    )
    parser.add_argument("--explain", type=Path, metavar="FILE", help=explain)
    parser.add_argument("--allow-any-database", action="store_true")
    parser.add_argument(
        "--json",
        type=Path,
        metavar="FILE",
        help="also write the rows as JSON (bench/suite.py collects them)",
    )
    return parser


def summary_row(r: dict, target_ms: float | None = None) -> dict:
    """One result row in the suite's shape: median and p95 in ms, queries per
    request, and, for API rows, the raw query and the ratio."""
    queries = r["queries"]
    row = {
        "name": r["name"],
        "note": r.get("note", ""),
        "median": r.get("median", r.get("api_median")),
        "p95": r.get("p95", r.get("api_p95")),
        "queries": list(queries) if isinstance(queries, tuple) else [queries] * 2,
        "target_ms": target_ms,
    }
    if "raw_median" in r:
        row.update(
            raw_median=r["raw_median"],
            raw_p95=r["raw_p95"],
            ratio=r["ratio"],
            ratio_target=bool(r["target"]),
        )
    return row


def dump_json(args, bench: str, rows: list[dict], **extra) -> None:
    """Write ``rows`` to ``--json FILE`` if given, with the corpus size."""
    if not getattr(args, "json", None):
        return
    import resource

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_claim")
        claims = cursor.fetchone()[0]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "bench": bench,
                "claims": claims,
                "rows": rows,
                "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                **extra,
            },
            indent=2,
            default=str,
        )
        + "\n"
    )


def top_up_corpus(claims: int, seed: int) -> dict | None:
    """Generate the corpus up to ``claims`` (bench/corpus.py), record it, then
    wait for its writes, and those of whatever ran before, to finish
    (``settle``); the generation's time and counts, from this run or the last
    one that generated (kept in bench/results/corpus-<database>.json), or None
    if unknown."""
    from django.db import connection

    from bench import corpus

    generation = corpus.generate(claims, seed=seed)
    if generation:
        record_generation(generation)
    else:
        stats = generation_record(connection.settings_dict["NAME"])
        if stats.exists():
            generation = json.loads(stats.read_text())
            generation["when"] = f"generated {generation.get('when', 'earlier')}"
    print(settle())
    return generation


def generation_record(database: str) -> Path:
    """Where the last generation of ``database``'s corpus is recorded."""
    return RESULTS / f"corpus-{database}.json"


def record_generation(generation: dict) -> None:
    """Record a corpus generation's time and counts for later runs' reports
    (a run that finds the corpus complete reports the last generation)."""
    from django.db import connection

    generation["when"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    stats = generation_record(connection.settings_dict["NAME"])
    stats.parent.mkdir(parents=True, exist_ok=True)
    stats.write_text(json.dumps(generation, indent=2) + "\n")


def main(argv=None) -> None:
    parser = bench_arguments(
        "Read-API latency beside one raw SQL query per page.",
        reps=50,
        explain="also write EXPLAIN (ANALYZE, BUFFERS) of the API's queries to FILE",
    )
    args = parser.parse_args(argv)
    command = "uv run python bench/api.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    started = time.perf_counter()
    prepare_database(allow_any=args.allow_any_database)
    generation = top_up_corpus(args.claims, args.seed)
    cases, info = build_cases(args.reps, args.seed)
    load_before = os.getloadavg()
    runner = Runner()
    results = []
    for case in cases:
        result = runner.measure(case, args.reps)
        results.append(result)
        print(
            f"  {case.name:<40} API {result['api_median']:7.2f} ms  "
            f"raw {result['raw_median']:7.2f} ms  {result['ratio']:5.1f}×  "
            f"{result['queries']} queries"
        )
    parts = breakdown(runner, args.reps, args.seed)
    load = (
        f"{' '.join(f'{x:.2f}' for x in load_before)} / "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)"
    )
    print()
    print_table(results)
    print()
    for p in parts:
        print(
            f"{p['name']}: full {p['full']:.2f} ms, throttle off "
            f"{p['unthrottled']:.2f}, read {p['orm']:.2f}, read+render "
            f"{p['serialized']:.2f}, raw {p['raw']:.2f}"
        )
    print(f"load average {load}")
    if args.explain:
        explain(results, args.explain)
    corpus_summary_ = corpus_summary()
    url = os.environ["DATABASE_URL"]
    cache_url = os.environ.get("CLAIMTRACK_CACHE_URL")
    cache = f"CLAIMTRACK_CACHE_URL={cache_url} " if cache_url else ""
    block = render(
        results,
        info,
        corpus_summary_,
        generation,
        f"{cache}DATABASE_URL={url} {command}",
        args.reps,
        parts,
        load,
    )
    if not args.no_write:
        write_doc(block)
    dump_json(
        args,
        "api",
        [summary_row(r, 30 if r["target"] else None) for r in results],
        parts=parts,
        corpus=corpus_summary_,
    )
    print(f"Total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
