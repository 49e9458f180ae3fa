"""Fuzz the REST API against its own OpenAPI schema, in process, as every role.

schemathesis loads /api/schema/ from the WSGI application and makes one test
per operation. Each generated request (MAX_EXAMPLES per operation, positive and
negative data, derandomized with a fixed seed) is sent as anonymous,
contributor, reviewer and staff in turn; every response must be a non-5xx with
a documented status code, a documented content type and a body matching the
response schema, and nothing may be throttled.

The database holds the seed claims (accepted, swept for deadlines) plus a
proposed and a rejected claim, loaded once for the module and rolled back at
its end; each test runs in a savepoint of that transaction. Hooks steer about
half of the generated values towards what exists, so requests get past the
first check: path ids of existing objects, If-Match with the claim's current
version, bodies with only declared fields and real source ids and offsets, and
Authorization headers shaped like tokens (for the anonymous role).

A failure names the role and, for a 5xx, ends with the server's traceback.
"""

import re
import traceback
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
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from bench import fuzz
from claims import services
from claims.models import Attribution, Claim, ClaimKind, Speaker
from claims.seeding import load_seeds
from config.wsgi import application
from sources.models import Source

from .conftest import rolled_back
from .factories import StaffFactory, UserFactory
from .routes import walk

MAX_EXAMPLES = 25  # per operation, each sent once per role
HOSTS = ["localhost", "testserver"]
# Throttling is off while fuzzing (a rate of None allows every request and
# reads no cache); the 429 it would answer is documented anyway.
NO_THROTTLE = {"anon": None, "user": None}
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20251128,
        "generation": {"mode": "all", "deterministic": True, "database": "none"},
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
        },
        # Failures print the exact request, test tokens included.
        "output": {"sanitization": {"enabled": False}},
    }
)


def load_schema():
    # Collection has no database: keep the schema view off the throttles'
    # database cache.
    with (
        override_settings(ALLOWED_HOSTS=HOSTS),
        mock.patch.object(SimpleRateThrottle, "THROTTLE_RATES", NO_THROTTLE),
    ):
        return schemathesis.openapi.from_wsgi(
            "/api/schema/", application, config=CONFIG
        )


schema = load_schema()

# Filled by the `fuzz_world` fixture: what exists, so requests can name it.
KNOWN: dict[str, dict[int, str]] = {}  # resource -> {id: text (sources only)}
# Ids that exist, current If-Match versions, bodies the services accept:
# bench/fuzz.py's hooks, the same for the live fuzzer.
fuzz.steer(schema, KNOWN)


# What a client may put in a header: Latin-1 without control characters
# (RFC 9110 field-vchar, obs-text included).
HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=70,
)


@schema.hook
def flatmap_headers(context, headers):
    """About half the time, a generated Authorization header looks like a
    token ("Token …"/"Bearer …"), so anonymous requests reach the token check."""
    if not headers or "Authorization" not in headers:
        return st.just(headers)
    tokens = st.tuples(st.sampled_from(["Token", "Bearer"]), HEADER_TEXT).map(
        lambda parts: {**headers, "Authorization": " ".join(parts)}
    )
    return st.one_of(tokens, st.just(headers))


def user_in(group, username):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group))
    return user


def propose(text, words, by):
    source = Source.objects.filter(text__contains=words).first()
    start = source.text.index(words)
    return services.propose_claim(
        text=text,
        kind=ClaimKind.FACT,
        attribution=Attribution.NARRATOR,
        spans=[
            services.SpanInput(
                source=source, start=start, end=start + len(words), exact=words
            )
        ],
        by=by,
    )


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The seeds, a proposed and a rejected claim and one user per role; loaded
    once for the module and rolled back after it."""
    with rolled_back(django_db_blocker):
        load_seeds()
        services.mark_overdue()
        contributor = user_in("contributor", "fuzz-contributor")
        reviewer = user_in("reviewer", "fuzz-reviewer")
        propose("The border crossing has opened.", "has been opened", contributor)
        rejected = propose("Officials met in person.", "virtual meeting", contributor)
        services.review_claim(
            claim=rejected, decision="reject", note="It was virtual.", by=reviewer
        )
        KNOWN.update(
            claims=dict.fromkeys(Claim.objects.values_list("id", flat=True), ""),
            sources=dict(Source.objects.values_list("id", "text")),
            speakers=dict.fromkeys(Speaker.objects.values_list("id", flat=True), ""),
        )
        yield {
            "anonymous": None,
            "contributor": contributor,
            "reviewer": reviewer,
            "staff": StaffFactory(username="fuzz-staff"),
        }
        KNOWN.clear()


@pytest.fixture
def server_errors(settings, monkeypatch):
    """Serve requests as django.test.Client does, inside the test transaction
    (no connection closing between requests), unthrottled; collect the
    traceback of any exception the application raises."""
    settings.ALLOWED_HOSTS = HOSTS
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", NO_THROTTLE)
    errors = []

    def record(sender, request=None, **kwargs):
        errors.append(traceback.format_exc())

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(record)
    try:
        yield errors
    finally:
        got_request_exception.disconnect(record)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_schema(case, fuzz_world, server_errors):
    for role, user in fuzz_world.items():
        headers = None
        if user is not None:
            # A fresh token each time: POST /auth/logout/ revokes the one it gets.
            headers = {"Authorization": f"Token {AuthToken.objects.create(user)[1]}"}
        server_errors.clear()
        try:
            response = case.call_and_validate(headers=headers)
            assert response.status_code != 429, "throttled while fuzzing"
        except BaseException as failure:
            failure.add_note(f"Role: {role}")
            if server_errors:
                failure.add_note("Server traceback:\n" + server_errors[-1])
            raise


# --- beyond the schema: every route of the URL conf ---------------------------------

GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")


def api_routes():
    """(path template, methods) of every API URL the URL conf routes, the
    schema's or not: ``/api/v1/claims/{pk}/spans/`` and the like."""
    for route, _name, view in walk():
        if not route.startswith("api/"):
            continue
        actions = getattr(view, "actions", None)  # a DRF viewset route
        view_class = getattr(view, "cls", getattr(view, "view_class", None))
        if actions:
            methods = sorted(m for m in actions if m not in ("head", "options"))
        else:
            methods = [
                m
                for m in ("get", "post", "put", "patch", "delete")
                if hasattr(view_class, m)
            ]
        template = GROUP.sub(lambda m: "{%s}" % (m[1] or m[2]), route)
        if "{format}" in template:  # a suffixed twin: tried with its route below
            continue
        yield (
            "/" + template.replace("^", "").replace("$", "").replace("\\", ""),
            methods,
        )


def route_values(claim):
    """A value for each path parameter: the ids of ``claim`` and of what it holds."""
    return {
        "claims": {
            "pk": claim.pk,
            "span_id": claim.spans.values_list("pk", flat=True).first() or 1,
            "evidence_id": claim.evidence.values_list("pk", flat=True).first() or 1,
        },
        "sources": {"pk": claim.spans.values_list("source_id", flat=True).first()},
        "speakers": {"pk": claim.speaker_id},
        "jobs": {"pk": "00000000-0000-4000-8000-000000000000"},  # nobody's: a 404
        "webhooks": {"pk": 1, "delivery": 1},
        "watches": {"pk": 1},
    }


@pytest.mark.slow
@pytest.mark.django_db
def test_every_api_route_with_or_without_a_format_suffix_is_not_a_5xx(
    fuzz_world, server_errors
):
    """schemathesis sends only what the schema documents. This crawls the URL
    conf instead, so a route the schema does not show (a format suffix, an
    alias) is reached too: each route and each method it routes, as every role,
    on an accepted claim, with an empty body. None may be a 5xx, and the
    ``.json`` suffixes are not routed: a 404, like any other unknown URL."""
    claim = (
        Claim.objects.filter(review="accepted", speaker__isnull=False)
        .exclude(evidence=None)
        .first()
    )
    values = route_values(claim)
    routes = list(api_routes())
    assert len(routes) >= 20, routes
    failures = []
    for template, methods in routes:
        resource = template.removeprefix("/api/v1/").split("/")[0]
        path = template.format(**values.get(resource, {}))
        if "{" in path:  # a route of a new resource: give it values above
            failures.append(f"no value for a parameter of {template}")
            continue
        for method in methods:
            for url in (path, path.rstrip("/") + ".json"):
                for role, user in fuzz_world.items():
                    client = APIClient(raise_request_exception=False)
                    if user is not None:
                        token = AuthToken.objects.create(user)[1]
                        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
                    server_errors.clear()
                    with transaction.atomic():
                        response = getattr(client, method)(url, {}, format="json")
                        transaction.set_rollback(True)
                    got = response.status_code
                    if got >= 500 or (url.endswith(".json") and got != 404):
                        failures.append(
                            f"{method.upper()} {url} as {role}: {got}\n"
                            + "".join(server_errors[-1:])
                        )
    assert not failures, "\n".join(failures)
