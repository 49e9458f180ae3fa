"""Review-desk (Django admin) latency on PostgreSQL, through the whole stack.

    CLAIMTRACK_CACHE_URL=redis://127.0.0.1:6379/9 \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench \\
        uv run python bench/admin.py --claims 100000

The same database, safety checks, production-like settings (DJANGO_DEBUG=0)
and corpus as bench/api.py, whose pieces it imports. It creates (or reuses)
two users, the superuser ``bench-admin`` and the staff user ``bench-reviewer``
of the "reviewer" group, assigns a few proposed claims to the reviewer (through
``services.assign_claim``, so that "assigned to me" has rows), logs the
reviewer in with the test client's ``force_login`` and times GET requests to
the review queue, the claim list, the claim and source pages and the deadlines
view: --reps timed repetitions per row after 3 warm-ups, each response checked
(status 200 and the rows or the object it should show). SQL queries are
counted on extra, untimed requests (django.test.utils.CaptureQueriesContext).

Static files: with DJANGO_DEBUG=0 the settings use WhiteNoise's manifest
storage, whose ``{% static %}`` needs a manifest; the bench collects the static
files once into a temporary directory (removed at the end) and points
STATIC_ROOT at it for this process, as a deployment's collectstatic would.

Results print as a table and replace the admin block of docs/PERFORMANCE.md
(--no-write to skip).
"""

import datetime as dt
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import api as b  # noqa: E402

DOC = b.DOC
BEGIN = "<!-- bench/admin.py results: begin (generated, do not edit by hand) -->"
END = "<!-- bench/admin.py results: end -->"
WARMUP = 3
TARGET_MS = 500  # from the issue: the admin queue and changelist
ASSIGNED = 25  # proposed claims kept assigned to bench-reviewer
PER_OBJECT = 30  # different claims / sources for the page rows
COUNTED_PASSES = 5  # untimed requests with the queries counted, at least
SLOW_SQL_MS = 10  # statements listed in the report from this time on
CHECKBOX = re.compile(r'name="_selected_action" value="(\d+)"')


# --- setup --------------------------------------------------------------------


def collect_static() -> tuple[str, float]:
    """Collect the static files into a temporary STATIC_ROOT for this process
    (the manifest storage of DJANGO_DEBUG=0 needs one to render any page)."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    started = time.perf_counter()
    root = tempfile.mkdtemp(prefix="claimtrack-bench-static-")
    override_settings(STATIC_ROOT=root).enable()
    call_command("collectstatic", interactive=False, verbosity=0)
    return root, time.perf_counter() - started


def bench_users():
    """``bench-admin`` (superuser) and ``bench-reviewer`` (staff, in the
    reviewer group), created or brought back to that state; no passwords."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    group = Group.objects.filter(name="reviewer").first()
    if group is None:
        sys.exit('The "reviewer" group is missing (migration claims 0005_roles).')
    admin, _ = User.objects.get_or_create(
        username="bench-admin",
        defaults={"is_staff": True, "is_superuser": True, "is_active": True},
    )
    reviewer, _ = User.objects.get_or_create(
        username="bench-reviewer",
        defaults={"is_staff": True, "is_superuser": False, "is_active": True},
    )
    for user, superuser in ((admin, True), (reviewer, False)):
        if not (user.is_staff and user.is_active) or user.is_superuser != superuser:
            user.is_staff, user.is_active, user.is_superuser = True, True, superuser
            user.save(update_fields=["is_staff", "is_active", "is_superuser"])
        if user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
    if not reviewer.groups.filter(pk=group.pk).exists():
        reviewer.groups.add(group)
    reviewer = User.objects.get(pk=reviewer.pk)  # fresh permission cache
    from sources.review import is_reviewer

    if not is_reviewer(reviewer):
        sys.exit("bench-reviewer cannot review claims: check the reviewer group.")
    return admin, reviewer


def assign_some(admin, reviewer, rng: random.Random) -> int:
    """Keep ASSIGNED proposed claims assigned to the reviewer (the service
    leaves version and change feed alone; history records it)."""
    from claims import services
    from claims.models import Claim

    proposed = Claim.objects.filter(review="proposed")
    have = proposed.filter(assigned_to=reviewer).count()
    if have < ASSIGNED:
        free = list(
            proposed.filter(assigned_to__isnull=True).values_list("id", flat=True)
        )
        for pk in sorted(rng.sample(free, min(len(free), ASSIGNED - have))):
            services.assign_claim(claim=Claim.objects.get(pk=pk), to=reviewer, by=admin)
        have = proposed.filter(assigned_to=reviewer).count()
    return have


# --- the cases ----------------------------------------------------------------


@dataclass
class Case:
    name: str
    note: str
    paths: list  # one URL, or one per repetition (cycled)
    check: object  # (body: str, index into paths) -> problem or None
    target: bool = False  # a list page: held to TARGET_MS
    results: dict = field(default_factory=dict)


def rows_check(expected: list[int], what: str):
    """The page lists exactly ``expected``, in that order (the action
    checkboxes carry the ids)."""

    def check(body: str, _i: int):
        if 'id="result_list"' not in body:
            return f"{what}: no result_list table"
        shown = [int(x) for x in CHECKBOX.findall(body)]
        if shown != expected:
            return (
                f"{what}: rows {shown[:5]}… ({len(shown)}) where "
                f"{expected[:5]}… ({len(expected)}) were expected"
            )
        return None

    return check


def change_url(name: str, pk: int) -> str:
    from django.urls import reverse

    return reverse(f"admin:{name}_change", args=[pk])


def page_ids(queryset, *order, start=0, size=100) -> list[int]:
    """The ids of one page of ``queryset`` in ``order``."""
    return list(
        queryset.order_by(*order).values_list("id", flat=True)[start : start + size]
    )


def with_query(base: str, **params) -> str:
    return f"{base}?{urlencode(params)}" if params else base


def substring_search(claims, word: str):
    """The claims with ``word`` in their text, speaker, title or deadline.

    A substring scan, independent of the full-text index the admin's search
    uses: the row check then also shows both find the same claims for these
    whole words."""
    from django.db.models import Q

    return claims.filter(
        Q(text__icontains=word)
        | Q(speaker__name__icontains=word)
        | Q(speaker_title__icontains=word)
        | Q(due_text__icontains=word)
    )


def search_words(claims, seed: int) -> dict:
    """{"common": (word, matches)} and, if a candidate fits, {"rare": …}: a
    word with 3 to 20 matches."""
    from bench.corpus import search_terms
    from claims.search import matching_claims

    common, candidates = search_terms(seed)
    terms = {"common": (common, substring_search(claims, common).count())}
    for word in candidates[:40]:
        count = substring_search(claims, word).count()
        # The substring scan also finds the word inside longer ones, which the
        # full-text index rightly does not: take a word both count alike.
        if 3 <= count <= 20 and matching_claims(claims, word).count() == count:
            terms["rare"] = (word, count)
            break
    return terms


def claim_page_case(claims, rng: random.Random) -> Case:
    """30 different claims: a third proposed, a third accepted without
    evidence, a third accepted with evidence (the ledger and its sources)."""
    from django.db.models import Exists, OuterRef
    from django.urls import reverse

    from claims.models import Evidence, StatusChange

    # Each pool: the newest 5,000 of its kind (an anti-join, not NOT IN over
    # every evidence row, which PostgreSQL runs once per claim at 1M).
    evidenced = Exists(Evidence.objects.filter(claim=OuterRef("pk")))
    accepted = claims.filter(review="accepted")

    def newest(queryset):
        return list(queryset.order_by("-id").values_list("id", flat=True)[:5000])

    pools = [
        newest(claims.filter(review="proposed")),
        newest(accepted.filter(~evidenced)),
        newest(accepted.filter(evidenced)),
    ]
    per_pool = PER_OBJECT // len(pools)
    picked = [pk for pool in pools for pk in rng.sample(pool, per_pool)]
    rng.shuffle(picked)
    ledger = Counter(
        StatusChange.objects.filter(claim_id__in=picked).values_list(
            "claim_id", flat=True
        )
    )

    def claim_check(body: str, i: int):
        pk = picked[i]
        history = reverse("admin:claims_claim_history", args=[pk])
        if 'id="ct-desk-title"' not in body or history not in body:
            return f"claim page {pk}: no review desk or history link"
        if body.count("<tr>", body.index('id="ct-ledger-title"')) < ledger[pk] + 1:
            return f"claim page {pk}: fewer ledger rows than its {ledger[pk]}"
        return None

    return Case(
        "claim page",
        f"{PER_OBJECT} claims: {per_pool} proposed, {per_pool} accepted, "
        f"{per_pool} accepted with evidence",
        [change_url("claims_claim", pk) for pk in picked],
        claim_check,
    )


def source_page_case(sources_with_claims: list, rng: random.Random) -> Case:
    """30 sources with text, of ``sources_with_claims`` ((id, claims) rows)."""
    from claims.models import Span

    chosen = rng.sample(sources_with_claims, PER_OBJECT)
    spans_of = Counter(
        Span.objects.filter(source_id__in=[s for s, _ in chosen]).values_list(
            "source_id", flat=True
        )
    )

    def source_check(body: str, i: int):
        pk, n = chosen[i]
        wanted = f"{n} claim{'s' if n != 1 else ''} anchored here"
        if f'data-source="{pk}"' not in body or wanted not in body:
            return f"source page {pk}: no text panel with {wanted!r}"
        if body.count('class="ct-mark ') < 1:
            return f"source page {pk}: no highlighted span"
        return None

    return Case(
        "source page",
        f"{PER_OBJECT} sources with text, {min(spans_of.values())}–"
        f"{max(spans_of.values())} spans each",
        [change_url("sources_source", pk) for pk, _ in chosen],
        source_check,
    )


def build_cases(reviewer, seed: int, assigned: int) -> tuple[list[Case], dict]:
    from django.db import connection
    from django.db.models import Exists, OuterRef, Q
    from django.urls import reverse
    from django.utils import timezone

    from claims.models import Claim, Span
    from claims.models.choices import KINDS_WITH_DEADLINE

    rng = random.Random(f"bench-admin:{seed}")
    claims = Claim.objects.all()  # the reviewer sees every claim
    proposed = claims.filter(review="proposed")
    queue_url = reverse("admin:claims_queuedclaim_changelist")
    list_url = reverse("admin:claims_claim_changelist")
    deadlines_url = reverse("admin:claims_deadlineclaim_changelist")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT speaker_id, count(*) FROM claims_claim WHERE review = 'proposed' "
            "AND speaker_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
        )
        speaker, speaker_proposed = cursor.fetchone()
        cursor.execute(
            "SELECT kind, count(*) FROM claims_claim WHERE review = 'proposed' "
            "AND speaker_id = %s GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
            [speaker],
        )
        kind, kind_count = cursor.fetchone()
        cursor.execute(
            "SELECT source_id, count(DISTINCT claim_id) FROM claims_span "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
        )
        source, source_claims = cursor.fetchone()
        # The newest 20,000 sources: a sample whose cost does not grow with
        # the corpus (text_length, not the text itself, says it has text).
        cursor.execute(
            "SELECT s.id, count(DISTINCT sp.claim_id) FROM sources_source s "
            "JOIN claims_span sp ON sp.source_id = s.id WHERE s.text_length > 0 "
            "AND s.id > (SELECT max(id) - 20000 FROM sources_source) "
            "GROUP BY s.id ORDER BY s.id"
        )
        sources_with_claims = cursor.fetchall()

    terms = search_words(claims, seed)
    confirmed = claims.filter(status="confirmed")
    with_source = claims.filter(
        Exists(Span.objects.filter(claim=OuterRef("pk"), source_id=source))
    )
    today = timezone.localdate()
    deadline_q = Q(kind__in=KINDS_WITH_DEADLINE, due_on__isnull=False)
    overdue = Q(status="overdue") | Q(status="pending", due_on__lt=today)
    soon = Q(status="pending", due_on__lte=today + dt.timedelta(days=30))
    deadlines = claims.filter(deadline_q).filter(overdue | soon)
    overdue_claims = claims.filter(deadline_q).filter(overdue)
    queue_speaker_kind = proposed.filter(speaker_id=speaker, kind=kind)
    mine = proposed.filter(assigned_to=reviewer)

    cases = [
        Case(
            "queue, first page",
            f"{proposed.count():,} proposed claims, oldest 50",
            [queue_url],
            rows_check(page_ids(proposed, "id", size=50), "queue"),
            target=True,
        ),
        Case(
            "queue ?speaker=&kind__exact=",
            f"top proposing speaker {speaker} ({speaker_proposed} proposed), "
            f"kind {kind}: {kind_count} rows",
            [with_query(queue_url, speaker=speaker, kind__exact=kind)],
            rows_check(
                page_ids(queue_speaker_kind, "id", size=50), "queue by speaker and kind"
            ),
            target=True,
        ),
        Case(
            "queue ?assigned=me",
            f"{assigned} claims assigned to bench-reviewer",
            [with_query(queue_url, assigned="me")],
            rows_check(page_ids(mine, "id", size=50), "queue assigned to me"),
            target=True,
        ),
        Case(
            "claim list, first page",
            f"{claims.count():,} claims, newest 100",
            [list_url],
            rows_check(page_ids(claims, "-id"), "claim list"),
            target=True,
        ),
        Case(
            "claim list ?status__exact=confirmed",
            f"{confirmed.count():,} confirmed",
            [with_query(list_url, status__exact="confirmed")],
            rows_check(page_ids(confirmed, "-id"), "confirmed claims"),
            target=True,
        ),
        Case(
            "claim list ?source=",
            f"source {source}, the most claims: {source_claims}",
            [with_query(list_url, source=source)],
            rows_check(page_ids(with_source, "-id"), "claims of a source"),
            target=True,
        ),
    ]
    for label, (word, count) in terms.items():
        cases.append(
            Case(
                f"claim list ?q={word} ({label})",
                f"{count:,} matches, through the full-text index",
                [with_query(list_url, q=word)],
                rows_check(
                    page_ids(substring_search(claims, word), "-id"), f"search {word!r}"
                ),
                target=True,
            )
        )
    cases.append(
        Case(
            "claim list ?p=20",
            "page 20: rows 1,901–2,000 (OFFSET)",
            [with_query(list_url, p=20)],
            rows_check(page_ids(claims, "-id", start=1900), "page 20"),
            target=True,
        )
    )

    cases.append(claim_page_case(claims, rng))
    cases.append(source_page_case(sources_with_claims, rng))
    cases += [
        Case(
            "deadlines",
            f"{deadlines.count():,} overdue or due within 30 days, first 100",
            [deadlines_url],
            rows_check(page_ids(deadlines, "due_on", "id"), "deadlines"),
            target=True,
        ),
        Case(
            "deadlines ?when=overdue",
            f"{overdue_claims.count():,} overdue",
            [with_query(deadlines_url, when="overdue")],
            rows_check(page_ids(overdue_claims, "due_on", "id"), "overdue"),
            target=True,
        ),
    ]
    info = {"speaker": speaker, "kind": kind, "source": source, "terms": terms}
    return cases, info


# --- measuring ----------------------------------------------------------------


def compact(sql: str, width: int = 200) -> str:
    """A statement on one line, its select list elided, cut at ``width``."""
    text = re.sub(r"\s+", " ", sql).strip()
    if text.startswith("SELECT ") and " FROM " in text:
        columns, rest = text[7:].split(" FROM ", 1)
        if len(columns) > 40:
            text = f"SELECT … FROM {rest}"
    return text if len(text) <= width else text[: width - 1] + "…"


class SqlTimer:
    """An execute wrapper that times each statement (perf_counter, in ms)."""

    def __init__(self):
        self.times = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.times.append((time.perf_counter() - started) * 1000)


def shape(sql: str) -> str:
    """A statement with its numbers (ids, limits) blanked, to spot repeated
    ones: the same row read twice, or one query per related row (N+1)."""
    return re.sub(r"\b\d+\b", "?", sql)


class Runner:
    def __init__(self, user):
        from django.db import connection
        from django.test import Client

        self.connection = connection
        self.client = Client()
        self.client.force_login(user)

    def get(self, path: str):
        started = time.perf_counter()
        response = self.client.get(path, secure=True)
        body = response.content
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            where = response.get("Location", "")
            raise SystemExit(
                f"GET {path}: {response.status_code} {where} {body[:300]!r}"
            )
        return elapsed, body

    def verify(self, case: Case, i: int, body: bytes) -> None:
        problem = case.check(body.decode(), i % len(case.paths))
        if problem:
            raise SystemExit(
                f"{case.name}: {problem} (GET {case.paths[i % len(case.paths)]})"
            )

    def measure(self, case: Case, reps: int) -> dict:
        from django.test.utils import CaptureQueriesContext

        times, sizes = [], []
        for i in range(WARMUP + reps):
            path = case.paths[i % len(case.paths)]
            elapsed, body = self.get(path)
            self.verify(case, i, body)
            if i >= WARMUP:
                times.append(elapsed * 1000)
                sizes.append(len(body))
        # Queries: one extra, untimed request per distinct URL after the timings
        # (COUNTED_PASSES of them for a single URL, for a steadier SQL time),
        # each statement timed by an execute wrapper.
        passes = []  # (index into paths, [(sql, ms), …])
        for i in range(max(len(case.paths), COUNTED_PASSES)):
            timer = SqlTimer()
            with (
                CaptureQueriesContext(self.connection) as queries,
                self.connection.execute_wrapper(timer),
            ):
                _, body = self.get(case.paths[i % len(case.paths)])
            self.verify(case, i, body)
            sqls = [q["sql"] for q in queries.captured_queries]
            passes.append(
                (i % len(case.paths), list(zip(sqls, timer.times, strict=True)))
            )
        counts = [len(statements) for _, statements in passes]
        sql_ms = [sum(ms for _, ms in statements) for _, statements in passes]
        middle = statistics.median_low(sql_ms)
        # The pass shown in detail: one with the most statements, its SQL time
        # nearest the median.
        shown = min(
            range(len(passes)),
            key=lambda k: (-counts[k], abs(sql_ms[k] - middle)),
        )
        index, statements = passes[shown]
        repeated = Counter(shape(sql) for sql, _ in statements)
        return {
            "name": case.name,
            "note": case.note,
            "target": case.target,
            "median": statistics.median(times),
            "p95": b.percentile(times, 0.95),
            "queries": (min(counts), max(counts)),
            "sql_ms": statistics.median(sql_ms),
            "size": statistics.median(sizes),
            "slowest": max(ms for _, ms in statements),
            "repeated": [(n, s) for s, n in repeated.most_common() if n > 1],
            "sql": statements,
            "path": case.paths[index],
        }


def verdict(r: dict) -> str:
    if not r["target"]:
        return "—"
    if r["median"] > TARGET_MS:
        return "**over**"
    return "met" if r["p95"] <= TARGET_MS else "met (p95 over)"


def explain(results: list[dict], path: Path) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every query of each row's counted request."""
    from django.db import connection

    lines = []
    for r in results:
        lines.append(f"#### {r['name']} — GET {r['path']}\n")
        for sql, ms in r["sql"]:
            lines.append(f"-- {ms:.2f} ms (in the request)\n{sql}\n")
            if sql.split(" ", 1)[0].upper() != "SELECT":
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                lines.extend(row[0] for row in cursor.fetchall())
            lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    print(f"EXPLAIN ANALYZE of the admin's queries written to {path}")


# --- reporting ----------------------------------------------------------------


def queries_text(r: dict) -> str:
    low, high = r["queries"]
    return f"{low}" if low == high else f"{low}–{high}"


def print_table(results: list[dict]) -> None:
    header = (
        f"{'page':<40} {'queries':>7} {'sql ms':>7} {'median':>8} {'p95':>8} "
        f"{'KiB':>6}  target"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['name'][:40]:<40} {queries_text(r):>7} {r['sql_ms']:>7.1f} "
            f"{r['median']:>8.1f} {r['p95']:>8.1f} {r['size'] / 1024:>6.0f}  "
            f"{verdict(r).replace('*', '')}"
        )
    print(
        "(ms; sql ms = time in SQL of the counted requests, median; "
        f"target: list pages ≤ {TARGET_MS} ms)"
    )


def render(results, corpus, generation, command, reps, load, static_s) -> str:
    import django

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Run {now} — `{command}`",
        "",
        f"- machine: {b.machine()}; the database server on the same host",
        f"- PostgreSQL {corpus['pg_version']} (shared_buffers {corpus['shared_buffers']}, "
        f"work_mem {corpus['work_mem']}), Python {sys.version.split()[0]}, "
        f"Django {django.get_version()}, DJANGO_DEBUG=0 (static files collected "
        f"into a temporary STATIC_ROOT in {static_s:.0f} s)",
        f"- corpus: {corpus['claims']:,} claims ({corpus['accepted']:,} accepted), "
        f"{corpus['sources']:,} sources (mean {corpus['source_chars']:,} characters), "
        f"{corpus['speakers']:,} speakers, {corpus['spans']:,} spans, "
        f"{corpus['evidence']:,} evidence, {corpus['ledger']:,} ledger entries; "
        f"database {corpus['db_size']}",
    ]
    if generation:
        lines.append(
            f"- corpus generation: {generation['seconds']:.0f} s for "
            f"{generation['added']:,} claims ({generation.get('when', 'this run')})"
        )
    lines += [
        f"- as `bench-reviewer` (reviewer group); {reps} timed repetitions per row "
        f"after {WARMUP} warm-up ones; times in milliseconds; *queries* per request "
        "(a range where the row visits several objects) and *in SQL* their "
        f"database time (median), both from extra untimed requests (one per "
        f"object, or {COUNTED_PASSES}); size: the median body",
        "",
        "| page | what | queries | in SQL | median | p95 | size | target ≤ 500 ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['note']} | {queries_text(r)} | {r['sql_ms']:.1f} | "
            f"{r['median']:.1f} | {r['p95']:.1f} | {r['size'] / 1024:.0f} KiB | "
            f"{verdict(r)} |"
        )
    slow = [
        (r["name"], ms, sql)
        for r in results
        for sql, ms in r["sql"]
        if ms >= SLOW_SQL_MS
    ]
    lines += [
        "",
        f"Statements of {SLOW_SQL_MS} ms or more (in the request of each row looked "
        f"at in detail; every other statement took less):",
        "",
        *(f"- {name}: {ms:.1f} ms — `{compact(sql)}`" for name, ms, sql in slow),
        *(["- none"] if not slow else []),
    ]
    repeats = [r for r in results if r["repeated"]]
    if repeats:
        lines += ["", "Statements sent more than once in one request:", ""]
        for r in repeats:
            for n, sql in r["repeated"]:
                lines.append(f"- {r['name']}: {n}× `{compact(sql, 160)}`")
    lines += ["", f"Load average before / after the timings: {load}."]
    return "\n".join(lines) + "\n"


SECTION = """## The review desk (admin)

The admin pages reviewers work in, timed through the whole stack (sessions,
authentication, the admin, template rendering) with `DJANGO_DEBUG=0`, on the
same corpus, by one command:

```sh
CLAIMTRACK_CACHE_URL=redis://127.0.0.1:6379/9 \\
DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench \\
    uv run python bench/admin.py --claims 100000
```

Every request is a test-client GET as `bench-reviewer` (staff, reviewer
group: sees every claim), logged in with `force_login`. Rows: the review
queue (first page of 50 proposed claims, oldest first; filtered by the
speaker with the most proposed claims and their commonest kind; `assigned=me`,
25 claims the bench assigns to the reviewer); the claim list (first page of
100; `status__exact=confirmed`; `source=` the source with the most claims;
the admin search `q=` for a common and a rare word, through the claims'
full-text index; page 20, `OFFSET 1900`); the claim page of 30
different claims (proposed, accepted, accepted with evidence) and the source
page of 30 sources (the whole text with every claim's spans highlighted);
the deadlines view and `when=overdue`. Every response is checked: status 200
and exactly the rows (ids, in order) an independent ORM query expects, or the
object's desk, ledger and highlighted text. Queries are counted, and timed,
on extra untimed requests (one per object, five for a single page). Target
(from the issue): queue and list pages at most 500 ms.
"""


def write_doc(block: str) -> None:
    b.write_block(block, BEGIN, END, section=f"{SECTION}\n")


def load_average() -> tuple:
    return os.getloadavg()


def main(argv=None) -> None:
    parser = b.bench_arguments(
        "Review-desk (admin) page latency through the whole stack.",
        reps=30,
        explain="also write EXPLAIN (ANALYZE, BUFFERS) of the pages' queries to FILE",
    )
    args = parser.parse_args(argv)
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    command = "uv run python bench/admin.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    started = time.perf_counter()
    b.prepare_database(allow_any=args.allow_any_database)
    generation = b.top_up_corpus(args.claims, args.seed)
    static_root, static_s = collect_static()
    try:
        admin, reviewer = bench_users()
        assigned = assign_some(admin, reviewer, random.Random(f"assign:{args.seed}"))
        cases, _ = build_cases(reviewer, args.seed, assigned)
        runner = Runner(reviewer)
        before = load_average()
        results = []
        for case in cases:
            result = runner.measure(case, args.reps)
            results.append(result)
            print(
                f"  {case.name:<42} {result['median']:8.1f} ms  p95 "
                f"{result['p95']:8.1f}  {queries_text(result)} queries"
            )
        after = load_average()
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    load = (
        f"{' '.join(f'{x:.2f}' for x in before)} / "
        f"{' '.join(f'{x:.2f}' for x in after)} (1, 5, 15 min)"
    )
    print()
    print_table(results)
    print(f"load average {load}")
    for r in results:
        for n, sql in r["repeated"]:
            print(f"  repeated in {r['name']}: {n}× {compact(sql, 150)}")
    if args.explain:
        explain(results, args.explain)
    url = os.environ["DATABASE_URL"]
    cache_url = os.environ.get("CLAIMTRACK_CACHE_URL")
    cache = f"CLAIMTRACK_CACHE_URL={cache_url} " if cache_url else ""
    block = render(
        results,
        b.corpus_summary(),
        generation,
        f"{cache}DATABASE_URL={url} {command}",
        args.reps,
        load,
        static_s,
    )
    if not args.no_write:
        write_doc(block)
    b.dump_json(
        args,
        "admin",
        [b.summary_row(r, TARGET_MS if r["target"] else None) for r in results],
    )
    print(f"Total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
