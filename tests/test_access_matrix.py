"""Access control: every endpoint by every role, tokens, log-in throttling, user
enumeration, CSRF, the Content Security Policy and the production settings.

The matrix is generated from the URL conf: ``test_every_endpoint_has_a_row``
lists every URL the project serves (with each method DRF routes, or GET and
POST for a Django view) and fails for one without a row below, or a row
without an endpoint. Each row gives the answer per role of DESIGN.md —
anonymous, contributor, reviewer, superuser — on one object: another
contributor's proposal (for the API's verdict endpoints, an accepted claim). Every request runs in a savepoint rolled back afterwards, so each role
meets the same world; a refused request must also leave every table as it was.
"""

import datetime
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from claims import services
from claims.models import Claim, Evidence
from sources.models import Publisher, Source
from sources.services import create_source

from .conftest import SAMPLE_TEXT, role_group, span_of
from .errors import detail, error_codes
from .factories import SpeakerFactory, StaffFactory, UserFactory
from .routes import walk

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("anonymous", "contributor", "reviewer", "superuser")
PASSWORD = "correct horse battery staple"  # tests/factories.py
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


# --- the endpoints the project serves ------------------------------------------


def served_endpoints() -> set[tuple[str, str]]:
    """(name, or the route of an unnamed URL; method) for every URL served."""
    endpoints = set()
    for route, name, callback in walk():
        actions = getattr(callback, "actions", None)  # a DRF viewset route
        view_class = getattr(callback, "cls", None)  # a DRF APIView
        if actions:
            methods = [m for m in actions if m not in ("head", "options")]
        elif view_class is not None:
            methods = [
                m
                for m in ("get", "post", "put", "patch", "delete")
                if hasattr(view_class, m)
            ]
        else:  # a Django view: it may answer any method
            methods = ["get", "post"]
        endpoints |= {(name or route, method.upper()) for method in methods}
    return endpoints


# --- the world every row is tried on ---------------------------------------------


def build_world():
    for role in ("contributor", "reviewer"):
        role_group(role)
    otto = UserFactory(username="otto-contributor", is_staff=True)
    otto.groups.add(Group.objects.get(name="contributor"))
    carla = UserFactory(username="carla-contributor", is_staff=True)
    carla.groups.add(Group.objects.get(name="contributor"))
    rita = UserFactory(username="rita-reviewer", is_staff=True)
    rita.groups.add(Group.objects.get(name="reviewer"))
    users = {
        "anonymous": None,
        "contributor": carla,
        "reviewer": rita,
        "superuser": StaffFactory(username="sam-superuser"),
    }
    source = create_source(
        text=SAMPLE_TEXT, title="Bridge works", publisher="City Gazette", by=otto
    ).source
    speaker = SpeakerFactory(name="Zoë Okafor")
    proposal = services.propose_claim(  # otto's: carla may not see it
        text="The harbour bridge will reopen by June 2025.",
        kind="prediction",
        attribution="direct_quote",
        speaker=speaker,
        due_on=datetime.date(2025, 6, 30),
        due_on_precision="month",
        due_text="by June",
        spans=[span_of(source, "will reopen by June")],
        by=otto,
    )
    services.add_evidence(
        claim=proposal,
        evidence=services.EvidenceInput(source=source, stance="context"),
        by=otto,
    )
    accepted = services.propose_claim(
        text="The council spent four million euros on repairs.",
        kind="fact",
        attribution="indirect",
        speaker=speaker,
        spans=[span_of(source, "spent €4 million on repairs")],
        by=otto,
    )
    accepted = services.review_claim(claim=accepted, decision="accept", by=rita)
    services.change_status(
        claim=accepted,
        to_status="confirmed",
        rationale="The budget shows it.",
        by=rita,
        expected_version=accepted.version,
        evidence=[services.EvidenceInput(source=source, stance="supports")],
    )
    # Otto's additions to the accepted claim wait for a reviewer; Rita's are
    # accepted at once, and may be withdrawn.
    cue = SAMPLE_TEXT.index("Okafor added")
    proposed_span = services.add_span(
        claim=accepted,
        span=services.SpanInput(source, cue, cue + 12, role="cue"),
        by=otto,
    )
    proposed_evidence = services.add_evidence(
        claim=accepted,
        evidence=services.EvidenceInput(source=source, stance="context"),
        by=otto,
    )
    second_content = services.add_span(
        claim=accepted, span=span_of(source, "reportedly spent"), by=rita
    )
    loose_evidence = services.add_evidence(
        claim=accepted,
        evidence=services.EvidenceInput(source=source, stance="supports"),
        by=rita,
    )
    revision = create_source(  # otto's proposed link: only a reviewer decides
        text="Bridge works, corrected.",
        title="Bridge works (2)",
        revises=source,
        by=otto,
    ).source
    sessions, tokens = {"anonymous": None}, {"anonymous": None}
    for role, user in users.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            tokens[role] = AuthToken.objects.create(user)[1]
    return {
        "users": users,
        "sessions": sessions,
        "tokens": tokens,
        "otto": otto,
        "source": source,
        "revision": revision,
        "speaker": speaker,
        "proposal": Claim.objects.get(pk=proposal.pk),
        "proposed_span": proposed_span,
        "proposed_evidence": proposed_evidence,
        "second_content": second_content,
        "loose_evidence": loose_evidence,
        "accepted": Claim.objects.get(pk=accepted.pk),
        "publisher": Publisher.objects.get(name="City Gazette"),
        "token": AuthToken.objects.create(otto)[0],
    }


@pytest.fixture(scope="class")
def shared_world(django_db_setup, django_db_blocker):
    """One world for the whole matrix, in a transaction rolled back at the end:
    each test nests in it (pytest-django's savepoint), each request in a
    savepoint of its own."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
            world = build_world()
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(shared_world, db):
    return shared_world


# One statement: every row count a request could change, the claims' versions,
# the names and titles shown (a rename or retitle changes their lengths) and
# the sources' revision links with their review states.
WRITTEN_SQL = """
SELECT (SELECT COUNT(*) FROM sources_source),
       (SELECT COUNT(*) FROM sources_publisher),
       (SELECT COUNT(*) FROM claims_claim),
       (SELECT COUNT(*) FROM claims_span),
       (SELECT COUNT(*) FROM claims_statuschange),
       (SELECT COUNT(*) FROM claims_evidence),
       (SELECT COUNT(*) FROM claims_claimevent),
       (SELECT COUNT(*) FROM claims_speaker),
       (SELECT SUM(version) FROM claims_claim),
       (SELECT SUM(LENGTH(name) + id) FROM claims_speaker),
       (SELECT SUM(LENGTH(title) + id) FROM sources_source),
       (SELECT SUM(LENGTH(revises_review) + COALESCE(revises_id, 0))
          FROM sources_source),
       (SELECT COUNT(*) FROM sources_historicalsource),
       (SELECT COUNT(*) FROM auth_user),
       (SELECT COUNT(*) FROM auth_group)
"""


def written():
    """What a refused request must leave unchanged."""
    with connection.cursor() as cursor:
        cursor.execute(WRITTEN_SQL)
        return cursor.fetchone()


# --- the matrix --------------------------------------------------------------------

# Outcomes: a status code; "login": redirected to the admin's log-in; "admin":
# redirected to the admin index (Django's answer for an object the user may not
# see: "doesn't exist, perhaps it was deleted"); "302": redirected elsewhere.
#
# The admin, with a session, on another contributor's proposal (and its span,
# ledger entry and evidence), the source and speaker, a publisher, a user, a
# group and a token. POST bodies are empty: a refused POST must be refused
# before it reads anything, an allowed one answers its form with errors.
ADMIN = """
name                                    GET: anon contrib review super   POST: anon contrib review super
admin:index                             login 200 200 200                login 200 200 200
admin-login                             200 admin admin admin            200 200 200 200
admin:login                             200 admin admin admin            200 200 200 200
admin:logout                            admin 405 405 405                admin 200 200 200
admin:password_change                   login 200 200 200                login 200 200 200
admin:password_change_done              login 200 200 200                login 405 405 405
admin:autocomplete                      login 200 200 200                login 405 405 405
admin:jsi18n                            login 200 200 200                login 405 405 405
admin:view_on_site                      login 404 404 404                login 404 404 404
admin:app_list                          login 200 200 200                login 200 200 200
admin/(?P<url>.*)$                      login 404 404 404                login 404 404 404
admin:auth_group_changelist             login 403 403 200                login 403 403 200
admin:auth_group_add                    login 403 403 200                login 403 403 200
admin:auth_group_history                login 403 403 200                login 403 403 200
admin:auth_group_delete                 login 403 403 200                login 403 403 200
admin:auth_group_change                 login 403 403 200                login 403 403 200
admin/auth/group/<path:object_id>/      login 302 302 302                login 302 302 302
admin:auth_user_changelist              login 403 403 200                login 403 403 200
admin:auth_user_add                     login 403 403 200                login 403 403 200
admin:auth_user_history                 login 403 403 200                login 403 403 200
admin:auth_user_delete                  login 403 403 200                login 403 403 200
admin:auth_user_change                  login 403 403 200                login 403 403 200
admin:auth_user_password_change         login 403 403 200                login 403 403 200
admin/auth/user/<path:object_id>/       login 302 302 302                login 302 302 302
admin:knox_authtoken_changelist         login 403 403 200                login 403 403 200
admin:knox_authtoken_add                login 403 403 200                login 403 403 200
admin:knox_authtoken_history            login 403 403 200                login 403 403 200
admin:knox_authtoken_delete             login 403 403 200                login 403 403 200
admin:knox_authtoken_change             login 403 403 200                login 403 403 200
admin/knox/authtoken/<path:object_id>/  login 302 302 302                login 302 302 302
admin:claims_claim_changelist           login 200 200 200                login 200 200 200
admin:claims_claim_add                  login 200 200 200                login 200 200 200
admin:claims_claim_change               login admin 200 200              login admin 200 200
admin:claims_claim_history              login admin 200 200              login admin 200 200
admin:claims_claim_simple_history       login admin 200 200              login admin 405 405
admin:claims_claim_delete               login 403 403 403                login 403 403 403
admin:claims_claim_review               login 403 403 403                login 403 302 302
admin:claims_claim_reject               login 403 200 200                login 403 200 200
admin:claims_claim_status               login 403 200 200                login 403 200 200
admin/claims/claim/<path:object_id>/    login 302 302 302                login 302 302 302
admin:claims_queuedclaim_changelist     login 200 200 200                login 200 200 200
admin:claims_queuedclaim_add            login 403 403 403                login 403 403 403
admin:claims_queuedclaim_change         login admin 200 200              login admin 403 403
admin:claims_queuedclaim_history        login admin 200 200              login admin 200 200
admin:claims_queuedclaim_delete         login 403 403 403                login 403 403 403
admin/claims/queuedclaim/<path:object_id>/ login 302 302 302             login 302 302 302
admin:claims_deadlineclaim_changelist   login 200 200 200                login 200 200 200
admin:claims_deadlineclaim_add          login 403 403 403                login 403 403 403
admin:claims_deadlineclaim_change       login admin 200 200              login admin 403 403
admin:claims_deadlineclaim_history      login admin 200 200              login admin 200 200
admin:claims_deadlineclaim_delete       login 403 403 403                login 403 403 403
admin/claims/deadlineclaim/<path:object_id>/ login 302 302 302           login 302 302 302
admin:claims_queuedspan_changelist      login 403 200 200                login 403 200 200
admin:claims_queuedspan_add             login 403 403 403                login 403 403 403
admin:claims_queuedspan_change          login 403 200 200                login 403 403 403
admin:claims_queuedspan_history         login 403 200 200                login 403 200 200
admin:claims_queuedspan_delete          login 403 403 403                login 403 403 403
admin/claims/queuedspan/<path:object_id>/ login 302 302 302             login 302 302 302
admin:claims_queuedevidence_changelist  login 403 200 200                login 403 200 200
admin:claims_queuedevidence_add         login 403 403 403                login 403 403 403
admin:claims_queuedevidence_change      login 403 200 200                login 403 403 403
admin:claims_queuedevidence_history     login 403 200 200                login 403 200 200
admin:claims_queuedevidence_delete      login 403 403 403                login 403 403 403
admin/claims/queuedevidence/<path:object_id>/ login 302 302 302         login 302 302 302
admin:claims_span_changelist            login 200 200 200                login 200 200 200
admin:claims_span_add                   login 403 403 403                login 403 403 403
admin:claims_span_change                login admin 200 200              login admin 403 403
admin:claims_span_history               login admin 200 200              login admin 200 200
admin:claims_span_delete                login 403 403 403                login 403 403 403
admin/claims/span/<path:object_id>/     login 302 302 302                login 302 302 302
admin:claims_statuschange_changelist    login 200 200 200                login 200 200 200
admin:claims_statuschange_add           login 403 403 403                login 403 403 403
admin:claims_statuschange_change        login admin 200 200              login admin 403 403
admin:claims_statuschange_history       login admin 200 200              login admin 200 200
admin:claims_statuschange_delete        login 403 403 403                login 403 403 403
admin/claims/statuschange/<path:object_id>/ login 302 302 302            login 302 302 302
admin:claims_evidence_changelist        login 200 200 200                login 200 200 200
admin:claims_evidence_add               login 403 403 403                login 403 403 403
admin:claims_evidence_change            login admin 200 200              login admin 403 403
admin:claims_evidence_history           login admin 200 200              login admin 200 200
admin:claims_evidence_delete            login 403 403 403                login 403 403 403
admin/claims/evidence/<path:object_id>/ login 302 302 302                login 302 302 302
admin:claims_speaker_changelist         login 200 200 200                login 200 200 200
admin:claims_speaker_add                login 200 200 200                login 200 200 200
admin:claims_speaker_change             login 200 200 200                login 403 200 200
admin:claims_speaker_history            login 200 200 200                login 200 200 200
admin:claims_speaker_simple_history     login 200 200 200                login 403 200 200
admin:claims_speaker_delete             login 403 403 200                login 403 403 200
admin/claims/speaker/<path:object_id>/  login 302 302 302                login 302 302 302
admin:sources_source_changelist         login 200 200 200                login 200 200 200
admin:sources_source_add                login 200 200 200                login 200 200 200
admin:sources_source_change             login 200 200 200                login 403 200 200
admin:sources_source_history            login 200 200 200                login 200 200 200
admin:sources_source_simple_history     login 200 200 200                login 403 200 200
admin:sources_source_delete             login 403 403 200                login 403 403 200
admin:sources_source_text               login 200 200 200                login 200 200 200
admin:sources_source_revision_review    login 403 403 403                login 403 302 302
admin/sources/source/<path:object_id>/  login 302 302 302                login 302 302 302
admin:sources_publisher_changelist      login 200 200 200                login 200 200 200
admin:sources_publisher_add             login 200 200 200                login 200 200 200
admin:sources_publisher_change          login 200 200 200                login 403 200 200
admin:sources_publisher_history         login 200 200 200                login 200 200 200
admin:sources_publisher_delete          login 403 403 200                login 403 403 200
admin/sources/publisher/<path:object_id>/ login 302 302 302              login 302 302 302
"""

# The public pages and the health check: anyone reads; nothing else is allowed.
PUBLIC = """
name                                    GET: anon contrib review super   POST: anon contrib review super
healthz                                 200 200 200 200                  405 405 405 405
public:tracker                          200 200 200 200                  405 405 405 405
public:claims                           200 200 200 200                  405 405 405 405
public:claim                            200 200 200 200                  405 405 405 405
public:sources                          200 200 200 200                  405 405 405 405
public:source                           200 200 200 200                  405 405 405 405
public:speakers                         200 200 200 200                  405 405 405 405
public:speaker                          200 200 200 200                  405 405 405 405
public:search                           200 200 200 200                  405 405 405 405
"""


def parse(table: str) -> dict:
    rows = {}
    for line in table.strip().splitlines()[1:]:
        name, *cells = line.split()
        for method, outcomes in (("GET", cells[:4]), ("POST", cells[4:])):
            rows[(name, method)] = tuple(
                int(o) if o.isdigit() and o != "302" else o for o in outcomes
            )
    return rows


# Which object each admin model's URLs are tried on.
def admin_object(w, model: str):
    proposal = w["proposal"]
    return {
        "claim": proposal,
        "queuedclaim": proposal,
        "deadlineclaim": proposal,
        "span": proposal.spans.first(),
        "queuedspan": w["proposed_span"],
        "queuedevidence": w["proposed_evidence"],
        "statuschange": proposal.ledger.first(),
        "evidence": Evidence.objects.filter(claim=proposal).first(),
        "speaker": w["speaker"],
        "source": w["source"],
        "publisher": w["publisher"],
        "user": w["otto"],
        "group": Group.objects.get(name="contributor"),
        "authtoken": w["token"],
    }[model]


def admin_path(w, name: str) -> str:
    if name in ("admin-login", "admin:login"):
        return "/admin/login/"
    if name == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    if name == "admin:autocomplete":
        return reverse(name) + (
            "?app_label=claims&model_name=claim&field_name=speaker&term=Zo"
        )
    if name == "admin:app_list":
        return reverse(name, kwargs={"app_label": "claims"})
    if name == "admin:view_on_site":
        claim = ContentType.objects.get_for_model(Claim)
        return reverse(name, args=[claim.pk, w["proposal"].pk])
    if name.startswith("admin/"):  # /admin/<app>/<model>/<id>/: to the change page
        model = name.split("/")[2]
        return f"/admin/{name.split('/')[1]}/{model}/{admin_object(w, model).pk}/"
    models = ("admin:auth_", "admin:knox_", "admin:claims_", "admin:sources_")
    if not name.startswith(models):  # a site-wide admin page
        return reverse(name)
    if name == "admin:sources_source_revision_review":  # otto's proposed link
        return reverse(name, args=[w["revision"].pk])
    if name == "admin:auth_user_password_change":
        return reverse(name, args=[w["otto"].pk])
    app_model, view = name.split(":")[1].rsplit("_", 1)
    model = app_model.split("_", 1)[1]
    if view == "history" and app_model.endswith("simple"):  # "<model>_simple_history"
        app_model, view = app_model.rsplit("_", 1)[0], "simple_history"
        model = app_model.split("_", 1)[1]
    if view in ("changelist", "add"):
        return reverse(name)
    obj = admin_object(w, model)
    if view == "simple_history":
        return reverse(name, args=[obj.pk, obj.history.first().history_id])
    return reverse(name, args=[obj.pk])


def public_path(w, name: str) -> str:
    accepted = w["accepted"]
    return {
        "healthz": "/healthz",
        "public:tracker": "/",
        "public:claims": "/claims/?status=pending",
        "public:claim": f"/claims/{accepted.pk}/",
        "public:sources": "/sources/",
        "public:speakers": "/speakers/",
        "public:source": f"/sources/{w['source'].pk}/",
        "public:speaker": f"/speakers/{w['speaker'].pk}/",
        "public:search": "/search/?q=bridge",
    }[name]


@dataclass(frozen=True)
class ApiRow:
    path: object  # world -> path
    expected: tuple
    body: object = None  # world -> JSON body
    if_match: bool = False  # send the object's ETag


def _span_body(w):
    start = SAMPLE_TEXT.index("Okafor added")
    return {"source": w["source"].pk, "start": start, "end": start + 12, "role": "cue"}


PROPOSE = {
    "text": "Ferries run on time.",
    "attribution": "hedged",
    "kind": "fact",
    "spans": [{"source": None, "start": 0, "end": 5}],
}


def _propose_body(w):
    body = json.loads(json.dumps(PROPOSE))
    body["spans"][0]["source"] = w["source"].pk
    return body


def _claim(w, which="proposal"):
    return f"/api/v1/claims/{w[which].pk}/"


def _item(w, kind, which):
    return _claim(w, "accepted") + f"{kind}/{w[which].pk}/"


# The API, with tokens, on another contributor's proposal: a contributor may
# neither read nor extend it; the verdict endpoints on an accepted claim.
API = {
    ("claim-list", "GET"): ApiRow(lambda w: "/api/v1/claims/", (200, 200, 200, 200)),
    ("claim-list", "POST"): ApiRow(
        lambda w: "/api/v1/claims/", (401, 201, 201, 201), _propose_body
    ),
    ("claim-detail", "GET"): ApiRow(_claim, (404, 404, 200, 200)),
    ("claim-detail", "PATCH"): ApiRow(
        _claim, (401, 403, 200, 200), lambda w: {"speaker_title": "Mayor"}, True
    ),
    ("claim-history", "GET"): ApiRow(
        lambda w: _claim(w) + "history/", (404, 404, 200, 200)
    ),
    ("claim-claimreview", "GET"): ApiRow(
        lambda w: _claim(w, "accepted") + "claimreview/", (200, 200, 200, 200)
    ),
    ("claim-review", "POST"): ApiRow(
        lambda w: _claim(w) + "review/",
        (401, 403, 200, 200),
        lambda w: {"decision": "accept"},
    ),
    ("claim-review-span", "POST"): ApiRow(
        lambda w: _item(w, "spans", "proposed_span") + "review/",
        (401, 403, 200, 200),
        lambda w: {"decision": "accept"},
    ),
    ("claim-review-evidence", "POST"): ApiRow(
        lambda w: _item(w, "evidence", "proposed_evidence") + "review/",
        (401, 403, 200, 200),
        lambda w: {"decision": "reject", "note": "Not about the repairs."},
    ),
    ("claim-withdraw-span", "POST"): ApiRow(
        lambda w: _item(w, "spans", "second_content") + "withdraw/",
        (401, 403, 200, 200),
        lambda w: {"reason": "Anchored on the wrong words."},
    ),
    ("claim-withdraw-evidence", "POST"): ApiRow(
        lambda w: _item(w, "evidence", "loose_evidence") + "withdraw/",
        (401, 403, 200, 200),
        lambda w: {"reason": "The wrong report."},
    ),
    ("claim-status", "POST"): ApiRow(
        lambda w: _claim(w, "accepted") + "status/",
        (401, 403, 200, 200),
        lambda w: {"status": "retracted", "rationale": "Withdrawn."},
        True,
    ),
    ("claim-spans", "POST"): ApiRow(
        lambda w: _claim(w) + "spans/", (401, 404, 201, 201), _span_body
    ),
    ("claim-evidence", "POST"): ApiRow(
        lambda w: _claim(w) + "evidence/",
        (401, 404, 201, 201),
        lambda w: {"source": w["source"].pk, "stance": "context"},
    ),
    ("source-list", "GET"): ApiRow(lambda w: "/api/v1/sources/", (200, 200, 200, 200)),
    ("source-list", "POST"): ApiRow(
        lambda w: "/api/v1/sources/", (401, 201, 201, 201), lambda w: {"text": "New."}
    ),
    ("source-detail", "GET"): ApiRow(
        lambda w: f"/api/v1/sources/{w['source'].pk}/", (200, 200, 200, 200)
    ),
    ("source-revision", "POST"): ApiRow(
        lambda w: f"/api/v1/sources/{w['revision'].pk}/revision/",
        (401, 403, 200, 200),
        lambda w: {"revises": None},
    ),
    ("source-revision-review", "POST"): ApiRow(
        lambda w: f"/api/v1/sources/{w['revision'].pk}/revision/review/",
        (401, 403, 200, 200),
        lambda w: {"decision": "accept"},
    ),
    ("speaker-list", "GET"): ApiRow(
        lambda w: "/api/v1/speakers/", (200, 200, 200, 200)
    ),
    ("speaker-detail", "GET"): ApiRow(
        lambda w: f"/api/v1/speakers/{w['speaker'].pk}/", (200, 200, 200, 200)
    ),
    ("changes", "GET"): ApiRow(lambda w: "/api/v1/changes/", (200, 200, 200, 200)),
    ("knox-logout", "POST"): ApiRow(
        lambda w: "/api/v1/auth/logout/", (401, 204, 204, 204)
    ),
    ("api-root", "GET"): ApiRow(lambda w: "/api/v1/", (200, 200, 200, 200)),
    ("schema", "GET"): ApiRow(lambda w: "/api/schema/", (200, 200, 200, 200)),
    ("docs", "GET"): ApiRow(lambda w: "/api/docs/", (200, 200, 200, 200)),
}

PUBLIC_ROWS = parse(PUBLIC)
MATRIX = {**parse(ADMIN), **PUBLIC_ROWS, **API}


def test_every_endpoint_has_a_row():
    served = served_endpoints()
    missing = sorted(served - set(MATRIX))
    stale = sorted(set(MATRIX) - served)
    assert not missing, f"endpoints without a row in the access matrix: {missing}"
    assert not stale, f"rows for endpoints that no longer exist: {stale}"


def outcome(response):
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith("/admin/login/"):
        return "login"
    if location == "/admin/":
        return "admin"
    return "302"


def session_client(world, role):
    client = Client()
    if world["sessions"][role] is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][role]
    return client


def token_client(world, role):
    client = APIClient()
    if world["tokens"][role] is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {world['tokens'][role]}")
    return client


class Rollback(Exception):
    pass


def attempt(send, before):
    """``send()`` in a savepoint that is rolled back, so that every role meets
    the same world. Returns the outcome and whether a refusal wrote anything."""
    result = {}
    try:
        with transaction.atomic():
            result["outcome"] = got = outcome(send())
            refused = not (isinstance(got, int) and got < 300) and got != "302"
            result["wrote"] = refused and written() != before
            raise Rollback
    except Rollback:
        pass
    return result["outcome"], result["wrote"]


class TestMatrix:
    @pytest.mark.parametrize(
        ("name", "method"), sorted(MATRIX), ids=[f"{n} {m}" for n, m in sorted(MATRIX)]
    )
    def test_endpoint_by_role(self, world, name, method):
        row = MATRIX[(name, method)]
        before = written()
        got, wrote = [], []
        for role in ROLES:
            if isinstance(row, ApiRow):
                client = token_client(world, role)
                kwargs = {"format": "json"}
                if row.body is not None:
                    kwargs["data"] = row.body(world)
                path = row.path(world)
                if row.if_match:
                    version = Claim.objects.get(pk=int(path.split("/")[4])).version
                    kwargs["HTTP_IF_MATCH"] = f'"{version}"'
                expected = row.expected
            else:
                client = session_client(world, role)
                pages = public_path if (name, method) in PUBLIC_ROWS else admin_path
                path, kwargs, expected = pages(world, name), {}, row
            send = getattr(client, method.lower())
            result, changed = attempt(
                lambda send=send, path=path, kwargs=kwargs: send(path, **kwargs), before
            )
            got.append(result)
            if changed:
                wrote.append(role)
        assert tuple(got) == tuple(expected), dict(zip(ROLES, got, strict=True))
        assert not wrote, f"refused, yet the tables changed for {wrote}"

    def test_a_speaker_only_a_proposal_names_is_hidden_like_the_proposal(self, world):
        """The speaker rows above name a public speaker; one that only otto's
        proposal names (an extractor's "Local") is read as that proposal is:
        by otto and the reviewers, a 404 to everyone else, on the API and the
        public page alike."""
        with transaction.atomic():
            local = SpeakerFactory(name="Local", kind="organization")
            services.propose_claim(
                text="Ferries will run every hour.",
                kind="fact",
                attribution="hedged",
                speaker=local,
                spans=[span_of(world["source"], "ferry service")],
                by=world["otto"],
            )
            otto = AuthToken.objects.create(world["otto"])[1]
            api = f"/api/v1/speakers/{local.pk}/"
            got = {}
            for role in ROLES:
                client = token_client(world, role)
                listed = client.get("/api/v1/speakers/").json()["results"]
                got[role] = (
                    client.get(api).status_code,
                    local.pk in {row["id"] for row in listed},
                    session_client(world, role)
                    .get(f"/speakers/{local.pk}/")
                    .status_code,
                )
            assert api_with(otto).get(api).status_code == 200
            transaction.set_rollback(True)
        assert got == {
            "anonymous": (404, False, 404),
            "contributor": (404, False, 404),
            "reviewer": (200, True, 404),
            "superuser": (200, True, 404),
        }

    def test_no_api_endpoint_deletes_or_replaces(self, world):
        """DRF routes only the methods a view has: nothing answers DELETE or PUT."""
        client = token_client(world, "superuser")
        for path in (
            _claim(world),
            f"/api/v1/sources/{world['source'].pk}/",
            f"/api/v1/speakers/{world['speaker'].pk}/",
            "/api/v1/changes/",
        ):
            assert client.delete(path).status_code == 405, path
            assert client.put(path, {}, format="json").status_code == 405, path


# --- tokens: hashed, expiring, revocable ----------------------------------------


def api_with(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_tokens_are_stored_hashed_and_expire_after_the_configured_ttl(api_user):
    user = api_user("contributor")
    instance, token = AuthToken.objects.create(user)
    stored = AuthToken.objects.filter(pk=instance.pk).values().get()
    assert token not in json.dumps(stored, default=str)  # only a hash and a prefix
    assert stored["digest"] == hashlib.sha512(token.encode()).hexdigest()
    assert len(stored["token_key"]) == 15 and token.startswith(stored["token_key"])
    ttl = datetime.timedelta(days=90)  # CLAIMTRACK_TOKEN_TTL_DAYS' default
    assert settings.REST_KNOX["TOKEN_TTL"] == ttl
    assert abs(instance.expiry - (timezone.now() + ttl)) < datetime.timedelta(minutes=1)
    assert api_with(token).get("/api/v1/claims/").status_code == 200
    AuthToken.objects.filter(pk=instance.pk).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1)
    )
    refused = api_with(token).get("/api/v1/claims/")
    assert refused.status_code == 401
    assert error_codes(refused) == {None: ["authentication_failed"]}
    assert detail(refused) == "Invalid token."
    assert not AuthToken.objects.filter(pk=instance.pk).exists()  # and deleted


def test_logout_revokes_only_the_token_sent(api_user):
    user = api_user("contributor")
    laptop = AuthToken.objects.create(user)[1]
    phone = AuthToken.objects.create(user)[1]
    assert api_with(laptop).post("/api/v1/auth/logout/").status_code == 204
    assert api_with(laptop).get("/api/v1/claims/").status_code == 401
    assert api_with(phone).get("/api/v1/claims/").status_code == 200


def test_revoke_tokens_revokes_every_token_of_the_named_users(api_user, capsys):
    carla, omar = api_user("contributor", "carla"), api_user("reviewer", "omar")
    carlas = [AuthToken.objects.create(carla)[1] for _ in range(2)]
    omars = AuthToken.objects.create(omar)[1]
    call_command("revoke_tokens", "carla")
    assert "carla: 2 token(s) revoked." in capsys.readouterr().out
    for token in carlas:
        assert api_with(token).get("/api/v1/claims/").status_code == 401
    assert api_with(omars).get("/api/v1/claims/").status_code == 200
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("revoke_tokens", "omar", "nobody")
    assert api_with(omars).get("/api/v1/claims/").status_code == 200  # all or none
    with pytest.raises(CommandError, match="Name one or more users"):
        call_command("revoke_tokens")


def test_revoke_tokens_expired_deletes_only_expired_tokens(api_user, capsys):
    user = api_user("contributor")
    old = AuthToken.objects.create(user, expiry=datetime.timedelta(days=1))[0]
    AuthToken.objects.filter(pk=old.pk).update(expiry=timezone.now())
    live = AuthToken.objects.create(user)[1]
    call_command("revoke_tokens", "--expired")
    assert "1 expired token(s) deleted." in capsys.readouterr().out
    assert not AuthToken.objects.filter(pk=old.pk).exists()
    assert api_with(live).get("/api/v1/claims/").status_code == 200


def test_unknown_expired_and_revoked_tokens_get_the_same_answer(api_user):
    user = api_user("contributor")
    expired, expired_token = AuthToken.objects.create(user)
    AuthToken.objects.filter(pk=expired.pk).update(
        expiry=timezone.now() - datetime.timedelta(days=1)
    )
    revoked = AuthToken.objects.create(user)[1]
    call_command("revoke_tokens", user.username, stdout=io.StringIO())
    answers = {
        (response.status_code, response.content)
        for response in (
            api_with("ab" * 32).get("/api/v1/claims/"),
            api_with(expired_token).get("/api/v1/claims/"),
            api_with(revoked).get("/api/v1/claims/"),
        )
    }
    assert answers == {
        (
            401,
            b'{"type":"client_error","errors":[{"code":"authentication_failed",'
            b'"detail":"Invalid token.","attr":null}]}',
        )
    }


# --- log-in throttling and user enumeration ----------------------------------------

LOGIN = "/admin/login/"


def log_in(username, password, address="203.0.113.7"):
    return Client(REMOTE_ADDR=address).post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}
    )


@pytest.fixture
def desk_user(db):
    return StaffFactory(username="rita")


def test_admin_log_in_is_refused_after_n_failures_for_a_username_and_address(
    desk_user, settings
):
    settings.CLAIMTRACK_LOGIN_FAILURES = 3
    for _ in range(3):
        response = log_in("rita", "wrong")
        assert response.status_code == 200
        assert b"Please enter the correct username and password" in response.content
    refused = log_in("rita", PASSWORD)  # even the right password, now
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert b"Too many failed log-ins for this username from your address" in (
        refused.content
    )
    assert "_auth_user_id" not in refused.wsgi_request.session
    # Not a lock-out: the user logs in from elsewhere, others from here.
    assert log_in("rita", PASSWORD, address="198.51.100.9").status_code == 302
    StaffFactory(username="omar")
    assert log_in("omar", PASSWORD).status_code == 302


def test_the_window_runs_from_the_last_failure(desk_user, settings):
    settings.CLAIMTRACK_LOGIN_FAILURES = 2
    settings.CLAIMTRACK_LOGIN_WINDOW_SECONDS = 1
    log_in("rita", "wrong")
    log_in("rita", "wrong")
    assert log_in("rita", PASSWORD).status_code == 429
    time.sleep(1.2)
    assert log_in("rita", PASSWORD).status_code == 302


def test_a_successful_log_in_clears_its_count(desk_user, settings):
    settings.CLAIMTRACK_LOGIN_FAILURES = 3
    log_in("rita", "wrong")
    log_in("rita", "wrong")
    assert log_in("rita", PASSWORD).status_code == 302
    log_in("rita", "wrong")
    log_in("rita", "wrong")
    assert log_in("rita", PASSWORD).status_code == 302


def test_one_address_guessing_across_usernames_is_refused(desk_user, settings):
    settings.CLAIMTRACK_LOGIN_FAILURES = 2  # and 20 per address
    for index in range(20):
        assert log_in(f"user{index}", "guess").status_code == 200
    assert log_in("rita", PASSWORD).status_code == 429
    assert log_in("rita", PASSWORD, address="198.51.100.9").status_code == 302


def test_a_client_sent_forwarded_for_does_not_change_the_address(desk_user, settings):
    settings.CLAIMTRACK_LOGIN_FAILURES = 2
    for hop in ("1.1.1.1", "2.2.2.2"):
        Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=hop).post(
            LOGIN, {"username": "rita", "password": "wrong"}
        )
    assert log_in("rita", PASSWORD).status_code == 429
    # Behind one proxy that records the client, its record is the address.
    settings.CLAIMTRACK_TRUSTED_PROXIES = 1
    behind = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert (
        behind.post(LOGIN, {"username": "rita", "password": PASSWORD}).status_code
        == 302
    )


def test_the_log_in_counts_live_in_the_shared_cache(desk_user, settings):
    """On the database cache (what every worker shares without Redis) the
    counts hold, and each key expires a window after the last failure."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "claimtrack_cache",
        }
    }
    settings.CLAIMTRACK_LOGIN_FAILURES = 2
    log_in("rita", "wrong")
    log_in("rita", "wrong")
    assert log_in("rita", PASSWORD).status_code == 429
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM claimtrack_cache")
        expiries = [row[0] for row in cursor.fetchall()]
    assert expiries
    for expires in expiries:
        if timezone.is_naive(expires):
            expires = timezone.make_aware(expires, datetime.UTC)
        left = (expires - timezone.now()).total_seconds()
        assert 800 < left <= 900, left


def test_log_in_works_when_the_cache_is_down(desk_user, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    assert log_in("rita", "wrong").status_code == 200
    assert log_in("rita", PASSWORD).status_code == 302
    assert "log-in throttle cache unavailable" in caplog.text


def test_wrong_api_tokens_are_refused_per_address(api_user, settings):
    settings.CLAIMTRACK_TOKEN_FAILURES = 3
    token = AuthToken.objects.create(api_user("contributor"))[1]
    guesser = APIClient(REMOTE_ADDR="203.0.113.7")
    for guess in range(3):
        guesser.credentials(HTTP_AUTHORIZATION=f"Token {guess:064x}")
        assert guesser.get("/api/v1/claims/").status_code == 401
    guesser.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    refused = guesser.get("/api/v1/claims/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert "Too many wrong tokens" in detail(refused)
    elsewhere = APIClient(REMOTE_ADDR="198.51.100.9")
    elsewhere.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert elsewhere.get("/api/v1/claims/").status_code == 200
    # Malformed headers are refused before any lookup, and are no guesses.
    sloppy = APIClient(REMOTE_ADDR="192.0.2.1")
    for header in ("Token not-hex", "Token a b", "Bearer " + "z" * 64) * 3:
        sloppy.credentials(HTTP_AUTHORIZATION=header)
        assert sloppy.get("/api/v1/claims/").status_code == 401
    sloppy.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert sloppy.get("/api/v1/claims/").status_code == 200
    # Anonymous reads from the guessing address still pass: only tokens count.
    assert (
        APIClient(REMOTE_ADDR="203.0.113.7").get("/api/v1/claims/").status_code == 200
    )


# What differs between any two answers: the CSRF token and the CSP nonce.
PER_REQUEST = re.compile(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"')


def page_of(response, username):
    """The answer with what differs per request, and the username, removed."""
    return PER_REQUEST.sub(b"", response.content).replace(username.encode(), b"USER")


def test_unknown_users_and_wrong_passwords_get_the_same_answer(desk_user, settings):
    settings.CLAIMTRACK_LOGIN_FAILURES = 2
    UserFactory(username="ina", is_staff=True, is_active=False)
    UserFactory(username="nina", is_staff=False)
    attempts = {
        "rita": "wrong",  # a desk user, the wrong password
        "nobody-here": "wrong",  # no such user
        "ina": PASSWORD,  # inactive, with the right password
        "nina": PASSWORD,  # not staff, with the right password
    }
    answers = [(name, log_in(name, password)) for name, password in attempts.items()]
    assert {response.status_code for _, response in answers} == {200}
    assert len({page_of(response, name) for name, response in answers}) == 1
    # And the refusal, once each is throttled.
    refusals = []
    for name, password in attempts.items():
        for _ in range(2):
            log_in(name, password)
        refusals.append((name, log_in(name, password)))
    assert {response.status_code for _, response in refusals} == {429}
    assert len({page_of(response, name) for name, response in refusals}) == 1


class CountingHasher(PBKDF2PasswordHasher):
    """Django's hasher with few rounds, recording the rounds of every hash it
    computes: the work a log-in does, whatever else the machine is doing."""

    iterations = 1_000
    rounds: list[int] = []

    def encode(self, password, salt, iterations=None):
        CountingHasher.rounds.append(iterations or self.iterations)
        return super().encode(password, salt, iterations)


def test_unknown_users_take_as_long_as_wrong_passwords(db, settings):
    """An unknown username must cost the same password hashing as a wrong
    password, or the answer's time tells which accounts exist. The hashing is
    what takes the time (Django's hasher is tuned to be slow; the rest of a
    log-in is a query or two), so the test compares the work done, not the
    wall clock, which failed on a busy machine (a ratio of 2.26 against 2).
    Without Django's dummy hash for unknown users the rounds differ (one hash
    against none) on any machine."""
    settings.PASSWORD_HASHERS = ["tests.test_access_matrix.CountingHasher"]
    settings.CLAIMTRACK_LOGIN_FAILURES = 1000
    StaffFactory(username="rita")

    def work(username):
        CountingHasher.rounds.clear()
        assert log_in(username, "wrong").status_code == 200
        return list(CountingHasher.rounds)

    known = work("rita")
    assert known == [CountingHasher.iterations]  # the stored hash was checked
    assert work("nobody") == known
    assert work("rita") == known  # and it stays so, in any order


# --- CSRF on session writes -----------------------------------------------------------


def test_an_admin_post_without_the_csrf_token_is_refused(db):
    superuser = StaffFactory(username="sam")
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    before = Source.objects.count()
    refused = client.post(
        reverse("admin:sources_source_add"),
        {"text": "A new text.", "kind": "news_article"},
    )
    assert refused.status_code == 403
    assert b"CSRF verification failed" in refused.content
    assert Source.objects.count() == before
    # The log-in form too (no forced log-ins from other sites).
    anonymous = Client(enforce_csrf_checks=True)
    assert (
        anonymous.post(LOGIN, {"username": "sam", "password": PASSWORD}).status_code
        == 403
    )


def test_a_session_api_post_without_the_csrf_token_is_refused(api_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(api_user("contributor"))
    before = Source.objects.count()
    refused = client.post("/api/v1/sources/", {"text": "Session."}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in detail(refused)
    assert Source.objects.count() == before
    client.get(LOGIN)  # sets the csrftoken cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/sources/", {"text": "Session."}, format="json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 201


def test_a_token_api_post_needs_no_csrf_token(api_user):
    # A token is sent by the program, never by a browser on its own: no CSRF risk.
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(api_user('contributor'))[1]}"
    )
    assert (
        client.post("/api/v1/sources/", {"text": "T."}, format="json").status_code
        == 201
    )


# --- Content Security Policy -----------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)([^>]*)>", re.I)
STYLE_BLOCK = re.compile(r"<style\b([^>]*)>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
DATA_BLOCK = re.compile(r'type="application/(ld\+)?json"')


@pytest.fixture
def csp_pages(db, reviewer, propose, source):
    claim = propose(text="The harbour bridge will reopen by June 2025.")
    claim = services.review_claim(claim=claim, decision="accept", by=reviewer)
    superuser = Client()
    superuser.force_login(StaffFactory(username="sam"))
    return claim, source, superuser


def policy(response) -> dict:
    header = response["Content-Security-Policy"]
    return {
        directive.split()[0]: directive.split()[1:] for directive in header.split("; ")
    }


def test_every_page_sends_the_content_security_policy(client, csp_pages):
    claim, source, superuser = csp_pages
    pages = [
        (client, "/"),
        (client, f"/claims/{claim.pk}/"),
        (client, f"/sources/{source.pk}/"),
        (client, "/search/?q=bridge"),
        (client, "/claims/"),
        (client, "/speakers/"),
        (client, "/sources/"),
        (client, LOGIN),
        (client, "/api/docs/"),
        (client, "/api/v1/claims/?format=api"),
        (client, "/api/v1/claims/"),
        (superuser, "/admin/"),
        (superuser, reverse("admin:claims_claim_change", args=[claim.pk])),
        (superuser, reverse("admin:claims_claim_changelist")),
        (superuser, reverse("admin:sources_source_add")),
    ]
    for http, path in pages:
        response = http.get(path)
        assert response.status_code == 200, path
        rules = policy(response)
        assert rules["default-src"] == ["'self'"], path
        assert rules["script-src"][0] == "'self'", path
        assert rules["object-src"] == ["'none'"], path
        assert rules["frame-ancestors"] == ["'none'"], path
        assert rules["base-uri"] == ["'none'"], path
        assert rules["form-action"] == ["'self'"], path
        header = response["Content-Security-Policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header, path
        assert "http" not in header, path  # no other origin is allowed anything
        if response["Content-Type"].startswith("text/html"):
            check_no_inline_code(response.content.decode(), rules, path)


def check_no_inline_code(html, rules, path):
    """What the policy would block: inline scripts and styles without the
    nonce (data blocks such as JSON-LD are not scripts), event handlers."""
    nonces = {v[7:-1] for v in rules.get("script-src", []) if v.startswith("'nonce-")}
    for attributes in INLINE_SCRIPT.findall(html):
        if DATA_BLOCK.search(attributes):
            continue
        assert any(f'nonce="{n}"' in attributes for n in nonces), (path, attributes)
    for attributes in STYLE_BLOCK.findall(html):
        assert any(f'nonce="{n}"' in attributes for n in nonces), (path, attributes)
    assert not EVENT_HANDLER.search(html), (path, EVENT_HANDLER.search(html))
    assert "javascript:" not in html, path


def test_the_api_docs_load_only_our_own_files(client):
    page = client.get("/api/docs/").content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls
    for url in urls:
        assert url.startswith(("/static/", "/api/docs/?")), url
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


# --- production settings: HTTPS, cookies, HSTS ---------------------------------------

PRODUCTION_CHECK = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
# No collectstatic here: plain static storage; everything else as in production.
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
    plain = Client().get("/admin/login/")
    secure = Client().get("/admin/login/", secure=True)
cookie = secure.cookies["csrftoken"]
print(json.dumps({
    "redirect": [plain.status_code, plain.get("Location")],
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy", ""),
    "frame": secure.get("X-Frame-Options"),
    "nosniff": secure.get("X-Content-Type-Options"),
    "referrer": secure.get("Referrer-Policy"),
    "csrf_cookie_secure": bool(cookie["secure"]),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "fallbacks": settings.SECRET_KEY_FALLBACKS,
    "ttl_days": settings.REST_KNOX["TOKEN_TTL"].days,
    "max_body": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
}))
"""


def test_production_settings_use_https_secure_cookies_and_hsts(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CLAIMTRACK_")) and key != "DATABASE_URL"
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x7-" + "kq9Vb2Lm" * 8,
        DJANGO_SECRET_KEY_FALLBACKS="old-key-one,old-key-two",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'never-used.sqlite3'}",
        CLAIMTRACK_TOKEN_TTL_DAYS="7",
    )
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_CHECK],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["redirect"] == [301, "https://testserver/admin/login/"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in seen["csp"]
    assert seen["frame"] == "DENY"
    assert seen["nosniff"] == "nosniff"
    assert seen["referrer"] == "same-origin"
    assert seen["csrf_cookie_secure"] is True
    assert seen["session_cookie_secure"] is True
    assert seen["session_cookie_httponly"] is True
    assert seen["fallbacks"] == ["old-key-one", "old-key-two"]
    assert seen["ttl_days"] == 7
    assert seen["max_body"] == 16 * 1024 * 1024
