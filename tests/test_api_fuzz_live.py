"""schemathesis against a running server, as each role: bench/fuzz.py, CI-sized.

tests/test_api_fuzz.py fuzzes the API in process. Here gunicorn serves the
test database with production settings (DJANGO_DEBUG=0, HTTPS redirect on
behind X-Forwarded-Proto, the throttles and the wrong-token lockout checked
on every request) and schemathesis sends its requests over HTTP, a fresh
token per request, every operation MAX_EXAMPLES times as anonymous,
contributor and reviewer. Zero 5xx, zero 429, and every response within the
schema. docs/FUZZING.md has the longer run.

PostgreSQL only: the server is another process, so it needs a database it can
reach (SQLite's test database lives in this process's memory), and what it
should reach is production's database.
"""

import pytest
from django.db import connection

from bench import fuzz, load

from .conftest import database_url, role_group

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

MAX_EXAMPLES = 8  # per operation, each sent once per role
ROLES = ("anonymous", "contributor", "reviewer")


def test_the_running_server_answers_every_operation_within_its_schema(
    tmp_path, monkeypatch
):
    for role in ("contributor", "reviewer"):
        role_group(role)  # gone if an earlier transactional test emptied the tables
    users = {role: user for role, user in fuzz.build_world().items() if role in ROLES}
    monkeypatch.setenv("DATABASE_URL", database_url(connection.settings_dict))
    log = tmp_path / "gunicorn.log"
    base, server = fuzz.start_server(workers=1, log_path=log)
    try:
        run = fuzz.fuzz(base, users, max_examples=MAX_EXAMPLES, progress=str)
    finally:
        load.stop(server)
    report = fuzz.render(
        run,
        "pytest tests/test_api_fuzz_live.py",
        f"gunicorn on {base}",
        fuzz.server_tracebacks(load.tail(log, 100_000)),
    )
    assert not run.failures, report
    # Every operation of the schema was fuzzed, each example sent as each role.
    assert len(run.operations) >= 17, report
    for operation in run.operations:
        assert operation.requests == MAX_EXAMPLES * len(ROLES), report
    codes = run.codes
    for status in (200, 201, 400, 401):
        assert codes[status], report
