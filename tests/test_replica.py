"""Anonymous reads go to the read replica; writers and signed-in users to the
primary (claims/replica.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.test import RequestFactory
from knox.models import AuthToken
from psycopg import sql

from claims.models import Claim
from claims.replica import anonymous_read

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("method", "path", "extra", "replica"),
    [
        ("get", "/claims/1/", {}, True),
        ("get", "/api/v1/claims/", {}, True),
        ("head", "/search/?q=x", {}, True),
        ("get", "/api/v1/claims/", {"HTTP_AUTHORIZATION": "Token abc"}, False),
        ("get", "/claims/1/", {"HTTP_COOKIE": "sessionid=abc"}, False),
        ("post", "/api/v1/claims/", {}, False),
        ("get", "/admin/claims/claim/", {}, False),
        ("get", "/api/v1/changes/", {}, False),
        ("get", "/healthz", {}, False),
    ],
)
def test_only_anonymous_reads_may_use_the_replica(method, path, extra, replica):
    request = getattr(RequestFactory(), method)(path, **extra)
    assert anonymous_read(request) is replica


SCRIPT = """
import json, os, sys
import django
django.setup()
from django.test import Client
claim, token = int(sys.argv[1]), sys.argv[2]
anonymous, signed_in = Client(), Client(HTTP_AUTHORIZATION=f"Token {token}")
first = anonymous.get(f"/api/v1/claims/{claim}/")
assert first.status_code == 200, (first.status_code, first.content.decode()[:600])
print(json.dumps({
    "api_anonymous": anonymous.get(f"/api/v1/claims/{claim}/").json()["text"],
    "api_list_anonymous": anonymous.get("/api/v1/claims/").json()["results"][0]["text"],
    "api_signed_in": signed_in.get(f"/api/v1/claims/{claim}/").json()["text"],
    "page_anonymous": "REPLICA COPY" in anonymous.get(f"/claims/{claim}/").text,
}))
"""


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_replica_serves_anonymous_readers_and_the_primary_everyone_else(
    propose, reviewer
):
    """Two real databases: the primary, and a copy standing in for the replica
    whose claim text is changed, so each answer shows where it was read."""
    claim = propose(text="The primary holds this wording.")
    Claim.objects.filter(pk=claim.pk).update(review="accepted")
    token = AuthToken.objects.create(reviewer)[1]
    primary = connection.settings_dict
    copy = f"{primary['NAME']}_replica"
    connection.close()  # CREATE DATABASE … TEMPLATE needs the source unused
    params = {
        "host": primary["HOST"] or None,
        "port": primary["PORT"] or None,
        "user": primary["USER"] or None,
    }
    params = {k: v for k, v in params.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(copy))
        )
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(copy), sql.Identifier(primary["NAME"])
            )
        )
    try:
        with psycopg.connect(dbname=copy, autocommit=True, **params) as replica:
            replica.execute(
                "UPDATE claims_claim SET text = 'The REPLICA COPY holds this.' "
                "WHERE id = %s",
                [claim.pk],
            )
        host = params.get("host", "")
        user = params.get("user", "")
        base = f"postgres://{user}@{host}:{params.get('port', 5432)}"
        env = dict(
            os.environ,
            DATABASE_URL=f"{base}/{primary['NAME']}",
            DATABASE_REPLICA_URL=f"{base}/{copy}",
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_DEBUG="1",
            DJANGO_ALLOWED_HOSTS="testserver",
        )
        env.pop("CLAIMTRACK_CACHE_URL", None)
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(claim.pk), token],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        seen = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(copy)
                )
            )
    assert seen == {
        "api_anonymous": "The REPLICA COPY holds this.",
        "api_list_anonymous": "The REPLICA COPY holds this.",
        "api_signed_in": "The primary holds this wording.",
        "page_anonymous": True,
    }
