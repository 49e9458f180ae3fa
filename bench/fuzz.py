"""Fuzz the running API over HTTP with schemathesis, as each role.

    uv run python bench/fuzz.py --max-examples 500

tests/test_api_fuzz.py fuzzes the API in process (WSGI, the development
settings, inside a test transaction). This is the same idea against a real
server, as production runs it:

1. a scratch PostgreSQL database, ``claimtrack_fuzz`` (--database-url; its
   name must contain "fuzz", as it is dropped and created afresh), migrated,
   with the seed claims loaded and swept, a proposed and a rejected claim, and
   one user per role (``fuzz-contributor``, ``fuzz-reviewer``, ``fuzz-staff``);
2. gunicorn (bench/load.py's helpers) on a free loopback port with
   DJANGO_DEBUG=0, a throwaway secret, DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
   and DJANGO_SECURE_PROXY_SSL_HEADER=1 (every request carries
   ``X-Forwarded-Proto: https`` as a TLS proxy would, so the HTTPS redirect
   stays on), the throttle rates raised so that the limiter runs on every
   request but never refuses one; or, with --base-url, a server already
   running on the database of --database-url (nothing is dropped or seeded
   then, the fuzz users are added: never point it at data you care about,
   the fuzzer writes);
3. schemathesis loads /api/schema/ from the server and, for every operation,
   generates --max-examples requests (positive and negative data, from
   --seed), each sent once as every role in --roles, with a fresh API token
   per request (the fuzzer calls /auth/logout/, which revokes the token it
   is sent). About half the generated values are steered towards what
   exists (ids, the claim's current ETag, real source offsets) so requests
   get past the first check;
4. every response must pass schemathesis's not_a_server_error,
   status_code_conformance, content_type_conformance and
   response_schema_conformance checks, and none may be a 429.

Prints and writes a report (bench/results/fuzz.md unless --no-write): per
operation the requests and status codes, then every distinct failure with a
curl command to reproduce it and, for a 5xx, the server's traceback. Exits
non-zero on any failure. docs/FUZZING.md has the commands and a run's result.
"""

import argparse
import datetime as dt
import os
import platform
import re
import secrets
import shutil
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "fuzz.md"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/claimtrack_fuzz"
ROLES = ("anonymous", "contributor", "reviewer", "staff")
DEFAULT_ROLES = ("anonymous", "contributor", "reviewer")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
SEED = 20251128
PROXY_HEADERS = load.PROXY_HEADERS
# A rate so high that the throttle check runs on every request and never refuses.
RATE = load.DEFAULT_RATE
# The wrong-token lockout (claims/login_throttle.py) counts per address, and
# every request comes from 127.0.0.1: anonymous requests with made-up tokens
# would lock the role tokens out. Raised likewise: it still counts every one.
LIMITS = {"CLAIMTRACK_TOKEN_FAILURES": "1000000"}


# --- the scratch database and what it holds --------------------------------------


def recreate_database(url: str) -> None:
    """Drop and create the database of ``url``; only a name containing "fuzz"."""
    import dj_database_url
    from psycopg import sql

    parsed = dj_database_url.parse(url)
    if "postgresql" not in parsed["ENGINE"]:
        sys.exit(f"--database-url must be PostgreSQL, not {parsed['ENGINE']}.")
    name = parsed["NAME"]
    if "fuzz" not in name:
        sys.exit(
            f"Refusing to drop {name!r}: the fuzz database is scratch, and its name "
            f"must contain 'fuzz' (e.g. {DEFAULT_DATABASE_URL})."
        )
    from bench.api import maintenance_connection

    with maintenance_connection(parsed) as conn:
        name_sql = sql.Identifier(name)
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name_sql)
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name_sql))


def setup_django(url: str) -> None:
    """Production-like settings for this process, on the database of ``url``."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "fuzz-" + secrets.token_urlsafe(40))
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()


def role_users(roles=ROLES) -> dict:
    """One active user per role (None for anonymous), made if missing."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    users = {}
    for role in roles:
        if role == "anonymous":
            users[role] = None
            continue
        user, _ = User.objects.get_or_create(username=f"fuzz-{role}")
        user.is_active = True
        user.is_staff = user.is_superuser = role == "staff"
        user.set_unusable_password()
        user.save()
        if role != "staff":
            group = Group.objects.filter(name=role).first()
            if group is None:
                sys.exit(
                    f'The "{role}" group is missing (migration claims 0005_roles).'
                )
            user.groups.add(group)
        users[role] = User.objects.get(pk=user.pk)  # fresh permission cache
    return users


def build_world(roles=ROLES) -> dict:
    """The seeds (accepted claims, swept for deadlines), a proposed and a
    rejected claim, and the role users; returns the users by role."""
    from claims import services
    from claims.models import Attribution, ClaimKind
    from claims.seeding import load_seeds
    from sources.models import Source

    load_seeds()
    services.mark_overdue()
    users = role_users(roles)
    author = users.get("contributor") or services.get_system_user()
    made = []
    for text, words in (
        ("The border crossing has opened.", "has been opened"),
        ("Officials met in person.", "virtual meeting"),
    ):
        source = Source.objects.filter(text__contains=words).first()
        start = source.text.index(words)
        span = services.SpanInput(
            source=source, start=start, end=start + len(words), exact=words
        )
        made.append(
            services.propose_claim(
                text=text,
                kind=ClaimKind.FACT,
                attribution=Attribution.NARRATOR,
                spans=[span],
                by=author,
            )
        )
    services.review_claim(
        claim=made[1],
        decision="reject",
        note="It was virtual.",
        by=services.get_system_user(),
    )
    return users


def known_objects() -> dict:
    """What exists, so requests can name it: {resource: {id: text}}."""
    from claims.models import Claim, Speaker
    from sources.models import Source

    return {
        "claims": dict.fromkeys(Claim.objects.values_list("id", flat=True), ""),
        "sources": dict(Source.objects.values_list("id", "text")),
        "speakers": dict.fromkeys(Speaker.objects.values_list("id", flat=True), ""),
    }


# --- steering: about half the values name what exists -----------------------------


def steer(schema, known: dict) -> None:
    """Register schema hooks that steer about half the generated values
    towards existing objects: ids that exist, If-Match with the claim's current
    version, bodies with only declared fields, existing source and speaker ids
    and offsets inside a source text. ``known`` (resource -> {id: text, for
    sources}) may be filled later; while it is empty nothing is steered.
    tests/test_api_fuzz.py uses the same hooks in process."""
    from hypothesis import strategies as st

    components = schema.raw_schema.get("components", {}).get("schemas", {})
    steered = steered_bodies(components, known)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        if not path_parameters or "id" not in path_parameters:
            return st.just(path_parameters)
        resource = context.operation.path.split("/")[3]  # /api/v1/<resource>/{id}/
        if not known.get(resource):
            return st.just(path_parameters)
        return st.one_of(
            st.sampled_from(sorted(known[resource])).map(
                lambda pk: {**path_parameters, "id": str(pk)}
            ),
            st.just(path_parameters),
        )

    @schema.hook
    def flatmap_case(context, case):
        if not known or "If-Match" not in (case.headers or {}):
            return st.just(case)
        return st.one_of(st.builds(lambda: with_current_version(case)), st.just(case))

    @schema.hook
    def flatmap_body(context, body):
        definition = context.operation.definition.raw.get("requestBody")
        if not known or not isinstance(body, dict) or definition is None:
            return st.just(body)
        body_schema = definition["content"]["application/json"]["schema"]
        return st.one_of(steered(body, body_schema), st.just(body))


def resolve(node, components: dict):
    """``node``, or the schema component its ``$ref`` names."""
    while isinstance(node, dict) and "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[-1]]
    return node


def with_current_version(case):
    """``case`` with If-Match set to the claim's current version, if it names one."""
    from claims.models import Claim

    pk = str(case.path_parameters.get("id", ""))
    if pk.isdigit() and len(pk) <= 18:
        version = Claim.objects.filter(pk=pk).values_list("version", flat=True)
        if version:
            case.headers["If-Match"] = f'"{version[0]}"'
    return case


def steered_bodies(components: dict, known: dict):
    """A strategy factory: ``steered(value, node)`` draws ``value`` (generated
    for schema ``node``) with only its declared fields, the content a write
    needs, and ids and offsets of what exists."""
    from hypothesis import strategies as st

    @st.composite
    def steered(draw, value, node):
        node = resolve(node, components)
        if isinstance(value, list) and "items" in node:
            return [draw(steered(item, node["items"])) for item in value]
        if not isinstance(value, dict) or "properties" not in node:
            return value
        properties = node["properties"]
        value = with_content(draw, value, properties)
        result = {
            name: draw(steered(item, properties[name]))
            for name, item in value.items()
            if name in properties
        }
        name_what_exists(draw, result, properties, known)
        return result

    return steered


def with_content(draw, value: dict, properties: dict) -> dict:
    """``value`` with what a write cannot do without: a span for a claim, a
    text (or URL) for a source."""
    from hypothesis import strategies as st

    if "spans" in properties and not value.get("spans"):
        value = {**value, "spans": [{"source": 1, "start": 0, "end": 1}]}
    if {"text", "url"} <= set(properties) and not (
        value.get("text") or value.get("url")
    ):
        value = {**value, "text": draw(st.text(min_size=1, max_size=300))}
    return value


def name_what_exists(draw, result: dict, properties: dict, known: dict) -> None:
    """Point ``result`` at what exists, in place: a known language, speaker
    and source ids, offsets inside the source's text and its words there."""
    from hypothesis import strategies as st

    if "language" in result:
        result["language"] = draw(st.sampled_from([result["language"], "en", "pt-BR"]))
    for name, resource in (("speaker", "speakers"), ("revises", "sources")):
        if isinstance(result.get(name), int) and not isinstance(result[name], bool):
            result[name] = draw(st.sampled_from(sorted(known[resource])))
    if isinstance(result.get("source"), int) and "start" in properties:
        source = draw(st.sampled_from(sorted(known["sources"])))
        text = known["sources"][source]
        start = draw(st.integers(0, max(len(text) - 1, 0)))
        end = draw(st.integers(start + 1, start + 60))
        result.update(source=source, start=start, end=end)
        if "exact" in result:
            result["exact"] = draw(st.sampled_from([result["exact"], text[start:end]]))


# --- the run ---------------------------------------------------------------------


@dataclass
class Failure:
    operation: str
    role: str
    title: str
    status: int | None
    detail: str
    count: int = 1


@dataclass
class OperationStats:
    label: str
    requests: int = 0
    codes: Counter = field(default_factory=Counter)
    failures: int = 0


@dataclass
class Run:
    base_url: str
    roles: tuple
    max_examples: int
    seed: int
    seconds: float = 0.0
    operations: list = field(default_factory=list)
    failures: dict = field(default_factory=dict)  # key -> Failure

    @property
    def requests(self) -> int:
        return sum(op.requests for op in self.operations)

    @property
    def codes(self) -> Counter:
        total = Counter()
        for op in self.operations:
            total.update(op.codes)
        return total

    @property
    def failed(self) -> int:
        return sum(f.count for f in self.failures.values())

    def record(self, stats, case, role, headers, title, status, detail=""):
        """Count a failure; keep the first of each kind with how to reproduce it
        (schemathesis's own message has a curl command, tokens filtered)."""
        stats.failures += 1
        key = (stats.label, role, title, status)
        if key in self.failures:
            self.failures[key].count += 1
            return
        if not detail:
            shown = {**headers}
            if "Authorization" in shown:
                shown["Authorization"] = "[Filtered]"
            try:
                detail = case.as_curl_command(headers=shown, base_url=self.base_url)
            except Exception as error:  # a curl line is a convenience
                detail = f"(no curl command: {error})"
        self.failures[key] = Failure(stats.label, role, title, status, detail[:4000])


def load_schema(base_url: str):
    import schemathesis

    config = schemathesis.Config.from_dict(
        {
            "checks": {
                "enabled": False,
                **{name: {"enabled": True} for name in CHECKS},
            },
        }
    )
    return schemathesis.openapi.from_url(
        f"{base_url}/api/schema/", config=config, headers=PROXY_HEADERS, timeout=30
    )


def fuzz(
    base_url: str,
    users: dict,
    *,
    max_examples: int,
    seed: int = SEED,
    progress=print,
) -> Run:
    """Send every operation's generated requests to ``base_url`` as each role."""
    import requests
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st
    from knox.models import AuthToken
    from schemathesis import GenerationMode

    schema = load_schema(base_url)
    steer(schema, known_objects())
    run = Run(base_url, tuple(users), max_examples, seed)
    session = requests.Session()
    # What a client may put in a header: visible Latin-1 (RFC 9110 field-vchar
    # and obs-text), for token-shaped Authorization headers of anonymous requests.
    header_text = st.text(
        st.characters(
            min_codepoint=0x21, max_codepoint=0xFF, exclude_characters="\x7f"
        ),
        max_size=70,
    )
    junk_tokens = st.one_of(
        st.none(),
        st.tuples(st.sampled_from(["Token", "Bearer"]), header_text).map(" ".join),
    )

    def send_as_every_role(stats, case, junk):
        for role, user in users.items():
            headers = dict(PROXY_HEADERS)
            if user is not None:
                token = AuthToken.objects.create(user, expiry=dt.timedelta(hours=6))
                headers["Authorization"] = f"Token {token[1]}"
            elif junk is not None:
                headers["Authorization"] = junk
            send(run, session, stats, case, role, headers)

    def hypothesis_test(operation, stats):
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @hypothesis_seed(seed)
        @settings(
            max_examples=max_examples,
            derandomize=False,  # the seed decides, in CI too (hypothesis's ci profile)
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            print_blob=False,
        )
        @given(case=strategy, junk=junk_tokens)
        def test(case, junk):
            send_as_every_role(stats, case, junk)

        return test

    started = time.perf_counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        stats = OperationStats(f"{operation.method.upper()} {operation.path}")
        run.operations.append(stats)
        hypothesis_test(operation, stats)()
        progress(
            f"  {stats.label}: {stats.requests} requests, "
            f"{codes_text(stats.codes)}"
            + (f", {stats.failures} FAILED" if stats.failures else "")
        )
    run.seconds = time.perf_counter() - started
    session.close()
    return run


def send(run: Run, session, stats: OperationStats, case, role: str, headers) -> None:
    """Send ``case`` once with ``headers`` and check the answer, recording any
    failure in ``run``."""
    import requests
    from requests.exceptions import InvalidHeader, InvalidURL
    from schemathesis.core.failures import FailureGroup

    stats.requests += 1
    try:
        response = case.call(
            base_url=run.base_url, headers=headers, session=session, timeout=60
        )
    except (InvalidHeader, InvalidURL, UnicodeError):
        # Refused by the HTTP client before sending: nothing to check.
        stats.codes["unsent"] += 1
        return
    except requests.RequestException as error:
        stats.codes["error"] += 1
        run.record(stats, case, role, headers, repr(error), None)
        return
    stats.codes[response.status_code] += 1
    if response.status_code == 429:
        run.record(stats, case, role, headers, "Throttled (429)", 429)
        return
    try:
        case.validate_response(response, headers=headers)
    except (FailureGroup, Exception) as failure:  # every failed check
        found = getattr(failure, "exceptions", [failure])
        titles = " + ".join(getattr(f, "title", type(f).__name__) for f in found)
        run.record(
            stats, case, role, headers, titles, response.status_code, str(failure)
        )


# --- the report ------------------------------------------------------------------


def codes_text(codes: Counter) -> str:
    return " ".join(f"{code}×{n}" for code, n in sorted(codes.items(), key=str))


SERVER_ERROR = re.compile(r"^Internal Server Error: ")
LOG_RECORD = re.compile(
    r"^(Bad Request|Not Found|Unauthorized|Forbidden|Method Not Allowed|"
    r"Precondition|Too Many|Conflict|Unsupported|Internal Server Error)"
)


def server_tracebacks(log_text: str, limit: int = 5, keep: int = 30) -> list[str]:
    """The first ``limit`` 5xx Django logged, each its first line and the last
    ``keep`` lines of its traceback (where the exception is named)."""
    blocks, current = [], None
    for line in log_text.splitlines():
        if SERVER_ERROR.match(line) or (current is not None and LOG_RECORD.match(line)):
            if current:
                blocks.append(current)
            current = [line] if SERVER_ERROR.match(line) else None
        elif current is not None:
            current.append(line)
    if current:
        blocks.append(current)
    shown = []
    for first, *rest in blocks[:limit]:
        cut = ["  …"] if len(rest) > keep else []
        shown.append("\n".join([first, *cut, *rest[-keep:]]))
    return shown


def render(run: Run, command: str, server: str, tracebacks: list[str]) -> str:
    codes = run.codes
    five = sum(n for code, n in codes.items() if isinstance(code, int) and code >= 500)
    lines = [
        f"- command: `{command}`",
        f"- when: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, on {platform.node()} "
        f"({os.cpu_count()} CPUs, Python {platform.python_version()})",
        f"- server: {server}",
        f"- {len(run.operations)} operations × {run.max_examples} generated requests "
        f"(positive and negative, seed {run.seed}) × {len(run.roles)} roles "
        f"({', '.join(run.roles)}), a fresh token per request",
        f"- checks: {', '.join(CHECKS)}, and no 429",
        f"- **{run.requests:,} requests in {run.seconds:.0f} s**; status codes: "
        f"{codes_text(codes)}",
        f"- **5xx: {five}; failures: {run.failed} ({len(run.failures)} distinct)**",
        "",
        "| operation | requests | status codes | failures |",
        "| --- | ---: | --- | ---: |",
    ]
    for op in run.operations:
        lines.append(
            f"| `{op.label}` | {op.requests:,} | {codes_text(op.codes)} | {op.failures} |"
        )
    for failure in run.failures.values():
        lines += [
            "",
            f"### {failure.operation} as {failure.role}: {failure.title} "
            f"(status {failure.status}, ×{failure.count})",
            "",
            "```",
            failure.detail.strip(),
            "```",
        ]
    if tracebacks:
        lines += ["", "### Server tracebacks (first few)", ""]
        for block in tracebacks:
            lines += ["```", block, "```"]
    return "\n".join(lines) + "\n"


# --- main ------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="schemathesis against a running claimtrack server, as each role."
    )
    parser.add_argument(
        "--max-examples",
        type=int,
        default=25,
        help="generated requests per operation (each sent once per role)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--roles",
        default=",".join(DEFAULT_ROLES),
        help=f"comma-separated, of {', '.join(ROLES)} (default: %(default)s)",
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help="the scratch database, dropped and created afresh (default "
        "%(default)s); with --base-url, the database that server runs on",
    )
    parser.add_argument(
        "--base-url",
        help="fuzz a server already running on --database-url instead of "
        "starting gunicorn",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    args.roles = tuple(r.strip() for r in args.roles.split(",") if r.strip())
    unknown = set(args.roles) - set(ROLES)
    if unknown or not args.roles:
        parser.error(f"--roles: choose among {', '.join(ROLES)}")
    if args.max_examples < 1 or args.workers < 1:
        parser.error("--max-examples and --workers must be at least 1")
    return args


def start_server(workers: int, log_path: Path):
    """gunicorn on the database of DATABASE_URL, production settings, the
    limiters out of the way (LIMITS); returns (base URL, process)."""
    port = load.free_port()
    base = f"http://127.0.0.1:{port}"
    options = SimpleNamespace(workers=workers, throttle_anon=RATE, throttle_user=RATE)
    saved = {name: os.environ.get(name) for name in LIMITS}
    os.environ.update(LIMITS)  # load.start_gunicorn passes os.environ on
    try:
        server = load.start_gunicorn(options, port, log_path)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    load.wait_ready(base, server, log_path)
    return base, server


def main(argv=None) -> int:
    args = parse_args(argv)
    command = "uv run python bench/fuzz.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    started = time.perf_counter()
    if not args.base_url:
        print(f"Recreating {args.database_url.rsplit('/', 1)[-1]} …")
        recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    work = Path(tempfile.mkdtemp(prefix="claimtrack-fuzz-"))
    server = None
    log_path = work / "gunicorn.log"
    if args.base_url:
        users = role_users(args.roles)
        base = args.base_url.rstrip("/")
        described = f"{base} (already running)"
    else:
        call_command("migrate", verbosity=0, interactive=False)
        users = {r: u for r, u in build_world().items() if r in args.roles}
        print(f"Starting gunicorn ({args.workers} workers) …")
        base, server = start_server(args.workers, log_path)
        described = (
            f"gunicorn, {args.workers} sync workers, DJANGO_DEBUG=0, PostgreSQL "
            f"`{args.database_url.rsplit('/', 1)[-1]}`, throttles at {RATE}"
        )
    users = {role: users[role] for role in args.roles}
    print(
        f"Fuzzing {base} as {', '.join(args.roles)}, {args.max_examples} "
        "examples per operation …"
    )
    try:
        run = fuzz(base, users, max_examples=args.max_examples, seed=args.seed)
    finally:
        if server is not None:
            load.stop(server)
        from knox.models import AuthToken

        AuthToken.objects.filter(user__username__startswith="fuzz-").delete()
    tracebacks = server_tracebacks(load.tail(log_path, 100_000)) if server else []
    block = render(run, command, described, tracebacks)
    print()
    print(block)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            "## Fuzzing the running API\n\n"
            "<!-- written by bench/fuzz.py; see docs/FUZZING.md -->\n\n" + block
        )
        print(f"Report written to {RESULTS.relative_to(ROOT)}")
    print(f"Total {time.perf_counter() - started:.0f} s")
    if run.failures:
        print(f"FAILED: {run.failed} failures ({len(run.failures)} distinct)")
        print(f"(server log kept in {log_path})")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
