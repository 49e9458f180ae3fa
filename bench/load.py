"""A load test of the production server: gunicorn, PostgreSQL, DJANGO_DEBUG=0.

    CLAIMTRACK_CACHE_URL=redis://127.0.0.1:6379/9 \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench_load \\
        uv run python bench/load.py --claims 100000 --users 20 --duration 60

The same database, safety checks and corpus as bench/api.py, whose pieces it
imports (PostgreSQL only; the database name must contain "bench"). Then:

1. users and API tokens: ``bench-contributor`` (contributor group) and the
   corpus's ``bench-reviewer`` (reviewer group), each with a fresh hashed token
   that lives one day and is deleted at the end;
2. a plan for the load generator (bench/locustfile.py): samples of accepted
   claims, sources, speakers, search words, list and feed cursors, the
   proposed claims to review, a small "desk" of accepted claims whose statuses
   the reviewers move, and the transition table (claims/transitions.py);
3. gunicorn (``config.wsgi:application``, --workers sync workers) on a free
   loopback port with production settings: DJANGO_DEBUG=0, a throwaway
   secret, DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost, and
   DJANGO_SECURE_PROXY_SSL_HEADER=1 (the load generator sends
   ``X-Forwarded-Proto: https`` as a TLS proxy would, so the HTTPS redirect
   stays on); the API throttle rates are raised (--throttle-anon,
   --throttle-user) so the run measures the server, not the limiter (the
   throttle check itself still runs on every request); 429s are counted;
4. a short untimed warm-up, then locust, headless, for --duration seconds with
   --users concurrent users and no think time (a closed loop: the throughput
   is what the server sustains; latencies include the wait for a free worker);
5. afterwards, directly in the database: every claim's status equals the
   to_status of its latest ledger entry (one SQL query), the full provenance
   audit of ``manage.py verify_provenance`` passes (every span and evidence
   anchor verifies, every ledger chain follows), and the rows the run added
   match the answers (claims = proposals answered 201, ledger entries =
   those + status moves answered 200, change-feed events = those + reviews).

Reports requests, throughput, p50/p99 per request type and overall, status
codes, the checks, and the gunicorn workers' peak RSS and CPU (from /proc);
writes the block to bench/results/load.md. Exits non-zero on any 5xx, any
connection error, any answer that is not a legitimate outcome of its request
(a 412 after a lost If-Match race is one; a 429 is reported, not an error),
or a failed check.
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import api as b  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "load.md"
DEFAULT_RATE = "1000000/minute"
CONTRIBUTOR = "bench-contributor"
REVIEWER = "bench-reviewer"  # created by the corpus generator
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "Accept": "application/json"}

# The operations of one virtual user and their weights: 80 reads, 20 writes.
# A write is a read of what it changes, then the change.
READS = {
    "claims_first_page": 12,
    "claims_cursor": 8,
    "claims_status": 8,
    "claims_speaker": 8,
    "claims_search": 10,
    "claim_detail": 16,
    "source_detail": 10,
    "changes": 8,
}
WRITES = {"propose": 8, "review": 6, "change_status": 6}

# Every request name the locustfile uses: (read or write operation, the status
# codes that are a legitimate outcome). 412: another reviewer changed the
# claim between our read and our write (If-Match), which the client must
# expect; it is counted apart, never as an error.
REQUESTS = {
    "GET /claims/": ("read", {200}),
    "GET /claims/?cursor=": ("read", {200}),
    "GET /claims/?status=": ("read", {200}),
    "GET /claims/?speaker=": ("read", {200}),
    "GET /claims/?q=": ("read", {200}),
    "GET /claims/{id}/": ("read", {200}),
    "GET /sources/{id}/": ("read", {200}),
    "GET /changes/": ("read", {200}),
    "GET /changes/?after=": ("read", {200}),
    "GET /sources/{id}/ (to propose)": ("write", {200}),
    "POST /claims/": ("write", {201}),
    "GET /claims/{id}/ (to review)": ("write", {200}),
    "POST /claims/{id}/review/": ("write", {200, 412}),
    "GET /claims/{id}/ (to move status)": ("write", {200}),
    "POST /claims/{id}/status/": ("write", {200, 412}),
}

VERDICTS = ("confirmed", "partly_confirmed", "refuted")
STANCE = {"confirmed": "supports", "partly_confirmed": "context", "refuted": "refutes"}
SENTENCE_START = re.compile(r"[.!?][\"”’)]*\s+|\n+")
SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?=\s|$)")


# --- what the virtual users send (pure; the locustfile imports these) ----------


def pick_span(
    text: str, rng: random.Random, *, shortest: int = 20, longest: int = 240
) -> tuple[int, int] | None:
    """``(start, end)`` of one sentence of ``text`` (cut at a space if longer
    than ``longest``), without surrounding whitespace, as Python string indices:
    Unicode code points, the API's offsets. None if the text has no stretch of
    at least ``shortest`` characters."""
    starts = [0] + [m.end() for m in SENTENCE_START.finditer(text)]
    for _ in range(20):
        start = rng.choice(starts)
        while start < len(text) and text[start].isspace():
            start += 1
        if start >= len(text):
            continue
        match = SENTENCE_END.search(text, start)
        end = match.end() if match else len(text)
        if end - start > longest:
            cut = text.rfind(" ", start, start + longest)
            end = cut if cut > start + shortest else start + longest
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start >= shortest:
            return start, end
    return None


def proposal(
    source: dict, rng: random.Random, speakers: list, today: dt.date
) -> dict | None:
    """A claim proposal anchored in ``source`` (an API source with its text):
    one content span over a sentence, its words as the claim text, a kind and
    a speaker that fit the model's rules. None if the text has no sentence."""
    span = pick_span(source.get("text") or "", rng)
    if span is None:
        return None
    start, end = span
    exact = source["text"][start:end]
    kind = rng.choices(["fact", "prediction", "promise", "opinion"], [45, 25, 10, 20])[
        0
    ]
    body = {
        "text": exact[:2000],
        "kind": kind,
        "spans": [{"source": source["id"], "start": start, "end": end, "exact": exact}],
    }
    if (kind == "fact" and rng.random() < 0.5) or not speakers:
        body["attribution"] = "narrator"
    else:
        r = rng.random()
        if r < 0.8:
            body["speaker"] = {"name": rng.choice(speakers)[1]}
        elif r < 0.9:
            body["speaker"] = rng.choice(speakers)[0]
        else:  # a new speaker, created with the claim
            body["speaker"] = {"name": f"Load Speaker {rng.randrange(10**9)}"}
        body["attribution"] = rng.choice(["direct_quote", "indirect", "hedged"])
        body["speaker_title"] = rng.choice(["", "minister", "spokesperson", "mayor"])
    if source.get("published_on"):
        body["stated_on"] = source["published_on"]
        body["stated_on_precision"] = "day"
    if kind in ("prediction", "promise"):
        due = today + dt.timedelta(days=rng.randint(30, 900))
        body["due_on"] = due.isoformat()
        body["due_on_precision"] = "day"
        body["due_text"] = f"by {due.day} {due:%B %Y}"
    return body


def status_move(claim: dict, moves: dict, today: str, rng: random.Random):
    """A status change for ``claim`` (the API's claim) that the transition
    table allows, with evidence anchored in one of its own spans when the new
    status is a verdict; None if the claim has no allowed move."""
    targets = sorted(moves.get(claim["kind"], {}).get(claim["status"], []))
    if claim.get("due_on") and claim["due_on"] < today:
        targets = [t for t in targets if t != "pending"]  # past its deadline
    if not targets:
        return None
    target = rng.choice(targets)
    body = {
        "status": target,
        "rationale": f"Load test: {claim['status']} to {target}.",
    }
    if target in VERDICTS:
        spans = [s for s in claim["spans"] if s["role"] == "content"] or claim["spans"]
        span = rng.choice(spans)
        body["evidence"] = [
            {
                "source": span["source"],
                "stance": STANCE[target],
                "start": span["start"],
                "end": span["end"],
                "exact": span["exact"],
            }
        ]
    return body


# --- the numbers -----------------------------------------------------------------


def summarize(records: list, seconds: float) -> dict:
    """Per request name and overall: count, throughput, p50/p99/max (ms) and
    status codes, from ``(name, status code, milliseconds)`` records; the
    answers that are not legitimate outcomes (REQUESTS) listed apart."""
    by_name: dict[str, dict] = {}
    for name, code, ms in records:
        row = by_name.setdefault(name, {"times": [], "codes": Counter()})
        row["times"].append(ms)
        row["codes"][code] += 1
    order = [n for n in REQUESTS if n in by_name] + sorted(
        n for n in by_name if n not in REQUESTS
    )

    def stats(times, codes):
        return {
            "requests": len(times),
            "rps": len(times) / seconds if seconds else 0.0,
            "p50": b.percentile(times, 0.50),
            "p99": b.percentile(times, 0.99),
            "max": max(times),
            "codes": dict(sorted(codes.items())),
        }

    rows = []
    unexpected = Counter()
    for name in order:
        row = by_name[name]
        allowed = REQUESTS.get(name, ("?", set()))[1]
        for code, n in row["codes"].items():
            if code not in allowed and code != 429:
                unexpected[(name, code)] += n
        rows.append({"name": name, **stats(row["times"], row["codes"])})
    codes = Counter()
    for row in by_name.values():
        codes.update(row["codes"])
    overall = (
        stats([ms for _, _, ms in records], codes)
        if records
        else {"requests": 0, "rps": 0.0, "p50": 0, "p99": 0, "max": 0, "codes": {}}
    )
    return {
        "rows": rows,
        "overall": overall,
        "codes": dict(sorted(codes.items())),
        "server_errors": sum(n for c, n in codes.items() if c >= 500),
        "connection_errors": codes.get(0, 0),
        "throttled": codes.get(429, 0),
        "lost_races": sum(
            row["codes"].get(412, 0) for n, row in by_name.items() if "POST" in n
        ),
        "unexpected": {f"{n} → {c}": k for (n, c), k in sorted(unexpected.items())},
        "reads": sum(
            len(r["times"])
            for n, r in by_name.items()
            if REQUESTS.get(n, "?")[0] == "read"
        ),
        "writes": sum(
            len(r["times"])
            for n, r in by_name.items()
            if REQUESTS.get(n, "?")[0] == "write"
        ),
    }


def answered(summary: dict, name: str, code: int) -> int:
    for row in summary["rows"]:
        if row["name"] == name:
            return row["codes"].get(code, 0)
    return 0


# --- database checks ---------------------------------------------------------------

# Claims whose status is not the to_status of their latest ledger entry (or
# that have no ledger at all): (id, status, latest to_status or NULL).
STATUS_MISMATCH_SQL = """
SELECT c.id, c.status, last.to_status
FROM claims_claim c
LEFT JOIN LATERAL (
    SELECT l.to_status FROM claims_statuschange l
    WHERE l.claim_id = c.id ORDER BY l.id DESC LIMIT 1
) last ON true
WHERE last.to_status IS DISTINCT FROM c.status
ORDER BY c.id
"""


def status_mismatches(cursor) -> list[tuple]:
    """Every claim whose status differs from its latest ledger entry."""
    cursor.execute(STATUS_MISMATCH_SQL)
    return cursor.fetchall()


def row_counts() -> dict:
    from django.db import connection

    tables = {
        "claims": "claims_claim",
        "ledger": "claims_statuschange",
        "events": "claims_claimevent",
        "evidence": "claims_evidence",
        "spans": "claims_span",
    }
    with connection.cursor() as cursor:
        counts = {}
        for key, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[key] = cursor.fetchone()[0]
    return counts


def check_database(before: dict, summary: dict) -> dict:
    """The consistency checks after the run; ``ok`` is True if all hold."""
    from django.db import connection

    from claims.integrity import audit_provenance

    started = time.perf_counter()
    with connection.cursor() as cursor:
        mismatches = status_mismatches(cursor)
        cursor.execute("SELECT count(*) FROM claims_claim")
        claims = cursor.fetchone()[0]
    status_s = time.perf_counter() - started
    started = time.perf_counter()
    problems = list(audit_provenance())
    audit_s = time.perf_counter() - started
    after = row_counts()
    proposed = answered(summary, "POST /claims/", 201)
    reviewed = answered(summary, "POST /claims/{id}/review/", 200)
    moved = answered(summary, "POST /claims/{id}/status/", 200)
    accounting = [
        ("claims", after["claims"] - before["claims"], proposed),
        ("ledger entries", after["ledger"] - before["ledger"], proposed + moved),
        (
            "change-feed events",
            after["events"] - before["events"],
            proposed + reviewed + moved,
        ),
    ]
    return {
        "claims": claims,
        "mismatches": mismatches,
        "status_s": status_s,
        "problems": problems,
        "audit_s": audit_s,
        "accounting": accounting,
        "added": {k: after[k] - before[k] for k in after},
        "ok": not mismatches
        and not problems
        and all(got == want for _, got, want in accounting),
    }


# --- setup -------------------------------------------------------------------------


def role_users():
    """``bench-contributor`` in the contributor group and ``bench-reviewer``
    (the corpus's reviewer) in the reviewer group; active, no password."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from sources.review import is_reviewer

    User = get_user_model()
    users = []
    for username, role in ((CONTRIBUTOR, "contributor"), (REVIEWER, "reviewer")):
        group = Group.objects.filter(name=role).first()
        if group is None:
            sys.exit(f'The "{role}" group is missing (migration claims 0005_roles).')
        user, _ = User.objects.get_or_create(username=username)
        if not user.is_active or user.has_usable_password():
            user.is_active = True
            user.set_unusable_password()
            user.save(update_fields=["is_active", "password"])
        user.groups.add(group)
        users.append(User.objects.get(pk=user.pk))  # fresh permission cache
    contributor, reviewer = users
    if not is_reviewer(reviewer):
        sys.exit(f"{REVIEWER} cannot review claims: check the reviewer group.")
    return contributor, reviewer


def issue_tokens(users) -> tuple[list[str], list]:
    """One API token per user (knox: only the hash is stored), for a day."""
    from knox.models import AuthToken

    instances, tokens = [], []
    for user in users:
        instance, token = AuthToken.objects.create(user, expiry=dt.timedelta(days=1))
        instances.append(instance)
        tokens.append(token)
    return tokens, instances


def build_plan(seed: int, desk: int) -> dict:
    """What the virtual users pick from, sampled from the database."""
    from django.db import connection
    from django.utils import timezone

    from bench.corpus import search_terms
    from claims.transitions import MANUAL_MOVES

    rng = random.Random(f"load:{seed}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, speaker_id FROM claims_claim WHERE review = 'accepted' "
            "ORDER BY id"
        )
        accepted = cursor.fetchall()
        cursor.execute(
            "SELECT id FROM claims_claim WHERE review = 'proposed' ORDER BY id"
        )
        proposed = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT id FROM sources_source WHERE text_length > 0 ORDER BY id"
        )
        sources = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT id, name FROM claims_speaker WHERE merged_into_id IS NULL "
            "ORDER BY id"
        )
        speakers = cursor.fetchall()
        cursor.execute("SELECT min(id), max(id) FROM claims_claimevent")
        first_event, last_event = cursor.fetchone()
        event_ids = sorted({rng.randint(first_event, last_event) for _ in range(500)})
        cursor.execute(
            "SELECT id, txid FROM claims_claimevent WHERE id = ANY(%s)", [event_ids]
        )
        feed_cursors = [b.feed_cursor(txid, pk) for pk, txid in cursor.fetchall()]
        sample = rng.sample(accepted, min(200, len(accepted)))
        cursor.execute(
            "SELECT text FROM claims_claim WHERE id = ANY(%s)", [[i for i, _ in sample]]
        )
        texts = [row[0] for row in cursor.fetchall()]
    if not accepted or not sources:
        sys.exit("The corpus has no accepted claims or no sources with text.")
    ids = [pk for pk, _ in accepted]
    # Speakers as often as they speak (a claim's speaker): popular ones more.
    by_claim = [sp for _, sp in accepted if sp is not None]
    common, rare = search_terms(seed)
    words = sorted({w for text in texts for w in re.findall(r"[A-Za-z]{5,}", text)})
    terms = [common] * 10 + rare[:40] + rng.sample(words, min(50, len(words)))
    rng.shuffle(proposed)
    desk_claims = rng.sample(ids, min(desk, len(ids)))
    return {
        "today": timezone.localdate().isoformat(),
        "claims": rng.sample(ids, min(5000, len(ids))),
        "cursors": [b.drf_cursor(pk) for pk in rng.sample(ids, min(500, len(ids)))],
        "statuses": [
            "unverified",
            "pending",
            "confirmed",
            "partly_confirmed",
            "refuted",
            "overdue",
            "unverifiable",
            "retracted",
        ],
        "speakers": rng.choices(by_claim, k=1000) if by_claim else [],
        "speaker_names": [
            list(s) for s in rng.sample(speakers, min(300, len(speakers)))
        ],
        "terms": terms,
        "sources": rng.sample(sources, min(2000, len(sources))),
        "feed_cursors": feed_cursors,
        "proposed": proposed,
        "desk": desk_claims,
        "moves": {
            str(kind): {str(s): sorted(map(str, t)) for s, t in table.items()}
            for kind, table in MANUAL_MOVES.items()
        },
    }


# --- the server --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_environment(args) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="load-" + secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        DJANGO_LOG_LEVEL="WARNING",
        CLAIMTRACK_THROTTLE_ANON=args.throttle_anon,
        CLAIMTRACK_THROTTLE_USER=args.throttle_user,
        PYTHONWARNINGS="ignore:No directory at",
    )
    return env


def start_gunicorn(args, port: int, log_path: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",
    ]
    log = log_path.open("w")
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=server_environment(args),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=PROXY_HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_ready(base: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited ({server.returncode}):\n{tail(log_path)}")
        try:
            code, body = get(f"{base}/api/v1/claims/?page_size=1", timeout=5)
        except OSError:
            time.sleep(0.2)
            continue
        if code == 200:
            return
        sys.exit(f"gunicorn answers {code}: {body[:300]!r}\n{tail(log_path)}")
    sys.exit(f"gunicorn did not answer within 60 s:\n{tail(log_path)}")


def warm_up(base: str, plan: dict, rounds: int) -> None:
    """Untimed requests so every worker has imported and connected."""
    rng = random.Random("warm-up")
    paths = [
        "/api/v1/claims/",
        f"/api/v1/claims/?q={plan['terms'][0]}",
        "/api/v1/changes/",
    ]
    for _ in range(rounds):
        for path in [
            *paths,
            f"/api/v1/claims/{rng.choice(plan['claims'])}/",
            f"/api/v1/sources/{rng.choice(plan['sources'])}/",
        ]:
            code, body = get(base + path)
            if code != 200:
                sys.exit(f"warm-up GET {path}: {code} {body[:300]!r}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command may contain spaces and parentheses: split after the last ")".
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def proc_status(pid: int) -> dict:
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(value.split()[0]) * 1024
    except (OSError, ValueError):
        pass
    return values


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far; None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_backends(name: str, exclude: int) -> list[int]:
    """The PostgreSQL backends (same host) connected to database ``name``,
    found by their process title ("postgres: … user name host(port) state")."""
    found = []
    marker = f" {name} ".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == exclude:
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and marker in title:
            found.append(int(entry.name))
    return found


class CpuTracker:
    """CPU seconds a set of processes use from now on: each process counts
    from its value when first seen (from zero if it started later), up to
    its value when last seen."""

    def __init__(self):
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def see(self, pids, *, new: bool) -> None:
        for pid in pids:
            value = cpu_seconds(pid)
            if value is None:
                continue
            self.first.setdefault(pid, 0.0 if new else value)
            self.last[pid] = value

    def total(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


class Sampler(threading.Thread):
    """Samples, twice a second, the RSS of the gunicorn master and its workers
    and the CPU time they and the database's backends use from now on."""

    def __init__(self, master: int):
        from django.db import connection

        super().__init__(daemon=True)
        self.master = master
        self.peak_total = 0
        self.peak_worker = 0
        self.workers: set[int] = set()
        self.stopped = threading.Event()
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), pg_backend_pid()")
            self.database, self.own_backend = cursor.fetchone()
        self.cpu = CpuTracker()
        self.cpu.see([master, *children(master)], new=False)
        self.db_cpu = CpuTracker()
        self.db_cpu.see(self.backends(), new=False)

    def backends(self) -> list[int]:
        return database_backends(self.database, self.own_backend)

    def run(self):
        while not self.stopped.wait(0.5):
            self.sample()

    def sample(self):
        workers = children(self.master)
        self.workers.update(workers)
        self.cpu.see([self.master, *workers], new=True)
        self.db_cpu.see(self.backends(), new=True)
        rss = [proc_status(pid).get("VmRSS", 0) for pid in workers]
        total = sum(rss) + proc_status(self.master).get("VmRSS", 0)
        self.peak_total = max(self.peak_total, total)
        self.peak_worker = max([self.peak_worker, *rss])

    def finish(self) -> dict:
        """Peaks, read before the server stops (VmHWM: each process's own
        high-water mark, so a peak between two samples is not missed), and
        the CPU seconds used (a process that ended loses at most its last
        half second)."""
        self.stopped.set()
        self.join()
        self.sample()
        workers = children(self.master)
        hwm = [proc_status(pid).get("VmHWM", 0) for pid in workers]
        return {
            "workers": len(workers),
            "restarted": len(self.workers) - len(workers),
            "peak_worker": max([self.peak_worker, *hwm]),
            "peak_total": self.peak_total,
            "cpu": self.cpu.total(),
            "db_cpu": self.db_cpu.total() if self.db_cpu.last else None,
            "db_backends": len(self.db_cpu.last),
        }


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- the load ----------------------------------------------------------------------


def run_locust(args, base: str, work: Path, plan_path: Path, tokens) -> dict:
    output = work / "records.json"
    log_path = work / "locust.log"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.users),
        "--run-time",
        f"{args.duration}s",
        "--stop-timeout",
        "30",
        "--host",
        base,
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    env = dict(os.environ)
    env.update(
        CLAIMTRACK_LOAD_PLAN=str(plan_path),
        CLAIMTRACK_LOAD_OUTPUT=str(output),
        CLAIMTRACK_LOAD_CONTRIBUTOR_TOKEN=tokens[0],
        CLAIMTRACK_LOAD_REVIEWER_TOKEN=tokens[1],
        CLAIMTRACK_LOAD_SEED=str(args.seed),
        CLAIMTRACK_LOAD_THINK_MS=str(args.think_ms),
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log_path.open("w") as log:
        code = subprocess.call(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != 0 or not output.exists():
        sys.exit(f"locust failed ({code}):\n{tail(log_path)}")
    data = json.loads(output.read_text())
    data["cpu"] = (after.ru_utime - before.ru_utime) + (
        after.ru_stime - before.ru_stime
    )
    data["log"] = log_path.read_text(errors="replace")
    return data


# --- reporting ---------------------------------------------------------------------


def mib(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MiB"


def codes_text(codes: dict) -> str:
    return ", ".join(f"{code}×{n:,}" for code, n in codes.items()) or "—"


def print_report(summary: dict, seconds: float) -> None:
    header = (
        f"{'request':<36} {'count':>7} {'req/s':>7} {'p50':>7} {'p99':>7} "
        f"{'max':>7}  codes"
    )
    print(header)
    print("-" * len(header))
    for row in [*summary["rows"], {"name": "all", **summary["overall"]}]:
        print(
            f"{row['name'][:36]:<36} {row['requests']:>7,} {row['rps']:>7.1f} "
            f"{row['p50']:>7.1f} {row['p99']:>7.1f} {row['max']:>7.0f}  "
            f"{codes_text(row['codes'])}"
        )
    print(f"(ms; over {seconds:.1f} s)")


def render(
    command, args, summary, run, checks, server, corpus, generation, load, plan
) -> str:
    import django
    import gunicorn
    import locust

    overall = summary["overall"]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    codes = summary["codes"]
    two = sum(n for c, n in codes.items() if 200 <= c < 300)
    four = {c: n for c, n in codes.items() if 400 <= c < 500}
    five = {c: n for c, n in codes.items() if c >= 500}
    ops = run["operations"]
    op_total = sum(ops.values()) or 1
    write_ops = sum(ops.get(k, 0) for k in WRITES)
    lines = [
        f"Run {now} — `{command}`",
        "",
        f"- machine: {b.machine()}; server, database, Redis and load generator "
        "on the same host",
        f"- server: gunicorn {gunicorn.__version__} (`config.wsgi:application`, "
        f"{args.workers} sync workers) on 127.0.0.1, Django {django.get_version()}, "
        f"Python {platform.python_version()}, DJANGO_DEBUG=0, PostgreSQL "
        f"{corpus['pg_version']}, throttle cache "
        f"{'Redis' if os.environ.get('CLAIMTRACK_CACHE_URL') else 'database table'}; "
        f"throttle rates raised to {args.throttle_anon} (anonymous) and "
        f"{args.throttle_user} (per user) so that the limiter is checked but never "
        f"refuses: 429s counted apart ({summary['throttled']})",
        f"- load: locust {locust.__version__} (FastHttpUser, one process), "
        f"{args.users} users started at once, "
        + (f"{args.think_ms} ms think time" if args.think_ms else "no think time")
        + f" (a closed loop: latencies include the wait for one of the "
        f"{args.workers} workers)"
        + f", {args.duration} s then the tasks in flight finish "
        f"({run['seconds']:.1f} s measured)",
        f"- corpus: {corpus['claims']:,} claims ({corpus['accepted']:,} accepted), "
        f"{corpus['sources']:,} sources, {corpus['speakers']:,} speakers, "
        f"{corpus['spans']:,} spans, {corpus['ledger']:,} ledger entries, "
        f"{corpus['events']:,} events (after the run); database {corpus['db_size']}",
        f"- mix: {op_total:,} operations, {100 - 100 * write_ops / op_total:.1f} % reads "
        f"/ {100 * write_ops / op_total:.1f} % writes ("
        + ", ".join(f"{k} {v:,}" for k, v in sorted(ops.items()))
        + "); reads half anonymous, a quarter each with the contributor's and the "
        "reviewer's token; a write reads what it changes first (the source to "
        f"anchor a proposal in, the claim and its ETag), status moves among a desk of "
        f"{len(plan['desk'])} accepted claims"
        + (
            "; found nothing to do: "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(run["skipped"].items()))
            if run.get("skipped")
            else ""
        ),
    ]
    if generation and generation.get("when") and "generated" not in generation["when"]:
        lines.append(
            f"- corpus generated by this run: {generation['added']:,} claims in "
            f"{generation['seconds']:.0f} s"
        )
    lines += [
        "",
        "| request | requests | req/s | p50 ms | p99 ms | max ms | status codes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in summary["rows"]:
        lines.append(
            f"| {row['name'].replace('|', '/')} | {row['requests']:,} | "
            f"{row['rps']:.1f} | {row['p50']:.1f} | {row['p99']:.1f} | "
            f"{row['max']:.0f} | {codes_text(row['codes'])} |"
        )
    lines.append(
        f"| **all** | **{overall['requests']:,}** | **{overall['rps']:.1f}** | "
        f"**{overall['p50']:.1f}** | **{overall['p99']:.1f}** | "
        f"{overall['max']:.0f} | {codes_text(overall['codes'])} |"
    )
    mismatches = checks["mismatches"]
    lines += [
        "",
        f"- requests: {summary['reads']:,} of read operations, "
        f"{summary['writes']:,} of write operations (their reads included); "
        f"**2xx {two:,}**; 4xx {sum(four.values()):,}"
        + (f" ({codes_text(four)})" if four else "")
        + f", of which 412 (a reviewer lost an If-Match race: the change was "
        f"refused, as it must be) {summary['lost_races']:,} and 429 (throttled) "
        f"{summary['throttled']:,}; **5xx {sum(five.values()):,}**"
        + (f" ({codes_text(five)})" if five else "")
        + f"; connection errors {summary['connection_errors']:,}",
        f"- unexpected answers: {len(summary['unexpected'])}"
        + (
            " — " + "; ".join(f"{k} ×{v}" for k, v in summary["unexpected"].items())
            if summary["unexpected"]
            else ""
        ),
        f"- status = last ledger entry: {checks['claims']:,} claims checked in one "
        f"query ({checks['status_s']:.1f} s), {len(mismatches)} mismatches",
        f"- `verify_provenance` (claims.integrity.audit_provenance: every text hash, "
        f"span and evidence anchor, ledger chain and verdict's evidence): "
        f"{len(checks['problems'])} problems ({checks['audit_s']:.0f} s)",
        "- rows added = answers: "
        + "; ".join(
            f"{what} +{got:,} {'=' if got == want else '≠'} {want:,}"
            for what, got, want in checks["accounting"]
        ),
        f"- consistency: **{'passed' if checks['ok'] else 'FAILED'}**",
        f"- gunicorn: {server['workers']} workers"
        + (f" ({server['restarted']} restarted)" if server["restarted"] else "")
        + f", peak RSS {mib(server['peak_worker'])} per worker (the largest), "
        f"{mib(server['peak_total'])} master and workers together (sampled every "
        f"0.5 s)",
        f"- CPU during the run ({run['seconds'] * (os.cpu_count() or 1):.0f} "
        f"core-seconds available): gunicorn {server['cpu']:.1f} s "
        f"({1000 * server['cpu'] / max(1, overall['requests']):.1f} ms a request), "
        + (
            f"its PostgreSQL backends {server['db_cpu']:.1f} s "
            f"({server['db_backends']} connections over the run), "
            if server["db_cpu"] is not None
            else "its PostgreSQL backends not measured (server not on this host), "
        )
        + f"the load generator "
        f"{run['cpu']:.1f} s (anything else the machine ran is not counted: see "
        "the load average)",
        f"- load average before / after: {load}",
    ]
    return "\n".join(lines) + "\n"


def write_results(block: str) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        "## Load test: the production server under locust\n\n"
        "<!-- written by bench/load.py; see bench/README.md -->\n\n" + block
    )
    print(f"Results written to {RESULTS.relative_to(ROOT)}")


# --- main --------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Load test of gunicorn + PostgreSQL under locust (80 % reads, "
        "20 % writes), then consistency checks in the database."
    )
    parser.add_argument("--claims", type=int, default=100_000, help="corpus size")
    parser.add_argument("--users", type=int, default=20, help="concurrent users")
    parser.add_argument(
        "--duration", type=int, default=60, help="seconds of load (default 60)"
    )
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn workers (default 4)"
    )
    parser.add_argument(
        "--think-ms", type=int, default=0, help="pause between a user's operations"
    )
    parser.add_argument(
        "--desk",
        type=int,
        default=25,
        help="accepted claims whose statuses reviewers move (default 25)",
    )
    parser.add_argument("--throttle-anon", default=DEFAULT_RATE)
    parser.add_argument("--throttle-user", default=DEFAULT_RATE)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-write", action="store_true", help="do not write bench/results/load.md"
    )
    parser.add_argument("--allow-any-database", action="store_true")
    args = parser.parse_args(argv)
    for name in ("users", "duration", "workers", "desk"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.think_ms < 0:
        parser.error("--think-ms must not be negative")
    return args


def what_failed(summary: dict, checks: dict) -> list[str]:
    """Why the run failed, if it did: errors, unexpected answers, the database."""
    failures = []
    if summary["server_errors"]:
        failures.append(f"{summary['server_errors']} 5xx answers")
    if summary["connection_errors"]:
        failures.append(f"{summary['connection_errors']} connection errors")
    if summary["unexpected"]:
        failures.append(f"unexpected answers: {summary['unexpected']}")
    if not checks["ok"]:
        failures.append("the database checks failed")
    return failures


def print_check_findings(checks: dict) -> None:
    """The first 20 claims off their ledger and the first 20 other problems."""
    for pk, status, last in checks["mismatches"][:20]:
        print(f"  claim {pk}: status {status!r}, last ledger entry {last!r}")
    for line in checks["problems"][:20]:
        print(f"  {line}")


def main(argv=None) -> int:
    args = parse_args(argv)
    command = "uv run python bench/load.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    started = time.perf_counter()
    b.prepare_database(allow_any=args.allow_any_database)
    generation = b.top_up_corpus(args.claims, args.seed)
    users = role_users()
    tokens, token_rows = issue_tokens(users)
    work = Path(tempfile.mkdtemp(prefix="claimtrack-load-"))
    server = None
    try:
        plan = build_plan(args.seed, args.desk)
        plan_path = work / "plan.json"
        plan_path.write_text(json.dumps(plan))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server_log = work / "gunicorn.log"
        print(f"Starting gunicorn ({args.workers} workers) on {base} …")
        server = start_gunicorn(args, port, server_log)
        wait_ready(base, server, server_log)
        warm_up(base, plan, rounds=4 * args.workers)
        sampler = Sampler(server.pid)
        sampler.start()
        before = row_counts()
        load_before = os.getloadavg()
        print(
            f"locust: {args.users} users, {args.duration} s, "
            f"{'no think time' if not args.think_ms else f'{args.think_ms} ms think time'} …"
        )
        run = run_locust(args, base, work, plan_path, tokens)
        load_after = os.getloadavg()
        server_stats = sampler.finish()
        stop(server)
        gunicorn_log = tail(server_log, 200)
    finally:
        if server is not None:
            stop(server)
        for row in token_rows:
            row.delete()
    summary = summarize(run["records"], run["seconds"])
    print()
    print_report(summary, run["seconds"])
    print("Checking the database …")
    checks = check_database(before, summary)
    load = (
        f"{' '.join(f'{x:.2f}' for x in load_before)} / "
        f"{' '.join(f'{x:.2f}' for x in load_after)} (1, 5, 15 min)"
    )
    url = os.environ["DATABASE_URL"]
    cache_url = os.environ.get("CLAIMTRACK_CACHE_URL")
    cache = f"CLAIMTRACK_CACHE_URL={cache_url} " if cache_url else ""
    block = render(
        f"{cache}DATABASE_URL={url} {command}",
        args,
        summary,
        run,
        checks,
        server_stats,
        b.corpus_summary(),
        generation,
        load,
        plan,
    )
    print()
    print(block)
    if not args.no_write:
        write_results(block)
    failures = what_failed(summary, checks)
    if not checks["ok"]:
        print_check_findings(checks)
    if failures:
        if summary["server_errors"] or summary["unexpected"]:
            print("gunicorn log (tail):\n" + gunicorn_log)
            print("locust log (tail):\n" + "\n".join(run["log"].splitlines()[-40:]))
        print("FAILED: " + "; ".join(failures))
        print(f"(logs kept in {work})")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print(f"Total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
