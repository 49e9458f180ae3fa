"""Fuzz the REST API against its own OpenAPI schema, in process, as every role.

schemathesis loads /api/schema/ from the WSGI application and, for each
operation in it, runs a bounded, derandomized set of requests (coverage-phase
boundary cases plus generated ones) as anonymous, contributor, reviewer and
staff. Every response must be a non-5xx with a documented status code, a
documented content type and a body matching the response schema.

The database holds the seed claims (ids 1..18, swept for deadlines) for the
whole module; path ids are often drawn from 1..20 so detail endpoints answer
200 as well as 404. Each test runs in a savepoint rolled back afterwards.
"""

import traceback
from dataclasses import dataclass
from unittest import mock

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from knox.models import AuthToken
from rest_framework.throttling import SimpleRateThrottle

from claims.seeding import load_seeds
from claims.services import mark_overdue
from config.wsgi import application

from .factories import StaffFactory, UserFactory

ROLES = ["anonymous", "contributor", "reviewer", "staff"]
HOSTS = ["localhost", "testserver", "127.0.0.1"]
# Throttling is off while fuzzing (rate None: every request allowed, no cache
# access); the 429 it would answer is documented anyway.
NO_THROTTLE = {"anon": None, "user": None}
MAX_EXAMPLES = 12
SEED_IDS = st.integers(min_value=1, max_value=20)

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20251,
        "generation": {"mode": "all", "deterministic": True, "database": "none"},
        "phases": {"examples": {"enabled": False}, "stateful": {"enabled": False}},
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
        },
    }
)


def load_schema():
    # At collection no database is available: the schema view must not touch
    # it (the throttles would read the database cache).
    with (
        override_settings(ALLOWED_HOSTS=HOSTS),
        mock.patch.object(SimpleRateThrottle, "THROTTLE_RATES", NO_THROTTLE),
    ):
        return schemathesis.openapi.from_wsgi(
            "/api/schema/", application, config=CONFIG
        )


schema = load_schema()


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, an id that exists (the seeds are 1..18)."""
    if not path_parameters or "id" not in path_parameters:
        return st.just(path_parameters)
    return st.one_of(
        st.just(path_parameters),
        SEED_IDS.map(lambda pk: {**path_parameters, "id": str(pk)}),
    )


@schema.hook
def flatmap_headers(context, headers):
    """Half the time, an If-Match naming a plausible current version."""
    if not headers or "If-Match" not in headers:
        return st.just(headers)
    return st.one_of(
        st.just(headers),
        st.integers(1, 4).map(lambda version: {**headers, "If-Match": f'"{version}"'}),
    )


@dataclass
class World:
    users: dict

    def headers(self, role, case):
        user = self.users.get(role)
        if user is None:
            return None
        _, token = AuthToken.objects.create(user)
        return {"Authorization": f"Token {token}"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The seeds and one user per role, loaded once, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_seeds()
        mark_overdue()
        contributor = UserFactory(username="fuzz-contributor")
        contributor.groups.add(Group.objects.get(name="contributor"))
        reviewer = UserFactory(username="fuzz-reviewer")
        reviewer.groups.add(Group.objects.get(name="reviewer"))
        staff = StaffFactory(username="fuzz-staff")
        yield World(
            users={"contributor": contributor, "reviewer": reviewer, "staff": staff}
        )
        transaction.set_rollback(True)


@pytest.fixture
def in_process(settings, monkeypatch):
    """Serve requests the way django.test.Client does, inside the test's
    transaction: keep the connection open between requests, no throttling."""
    settings.ALLOWED_HOSTS = HOSTS
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", NO_THROTTLE)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    errors = []

    def record(sender, request, **kwargs):
        errors.append(traceback.format_exc())

    got_request_exception.connect(record)
    try:
        yield errors
    finally:
        got_request_exception.disconnect(record)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_schema(case, role, world, in_process):
    errors = in_process
    errors.clear()
    try:
        case.call_and_validate(headers=world.headers(role, case))
    except BaseException as failure:
        if errors:
            failure.add_note("Server traceback:\n" + errors[-1])
        raise
