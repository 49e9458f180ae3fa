"""Every endpoint by every role, generated from the URL conf.

``test_every_endpoint_has_a_row`` lists every URL the project serves (with each
method DRF routes, or GET and POST for a Django view) and fails for one without
a row below, or a row without an endpoint. Each row gives the answer per role
of DESIGN.md — anonymous, contributor, reviewer, superuser — on one object:
another contributor's proposal (for the API's verdict endpoints, an accepted
claim). Every request runs in a savepoint rolled back afterwards, so each role
meets the same world; a refused request must also leave every table as it was.

Tokens, log-in throttling, user enumeration, CSRF and the Content Security
Policy have files of their own; the production settings are in test_project.py.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from claims import services
from claims.models import (
    Claim,
    ClaimEvent,
    Evidence,
    Job,
    Reanchoring,
    WebhookDelivery,
)
from sources.archive import warc_of
from sources.models import Publisher, Snapshot
from sources.services import create_source

from .conftest import (
    SAMPLE_TEXT,
    api_with,
    role_group,
    rolled_back,
    snapshot,
    span_of,
)
from .factories import SpeakerFactory, StaffFactory, UserFactory
from .routes import walk

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "contributor", "reviewer", "superuser")


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


def stored_snapshot(source):
    """A fetch of ``source``'s page, as the fetch would have kept it."""
    body = b"<html><body><p>A page of our own.</p></body></html>"
    return Snapshot.objects.create(
        source=source,
        url="https://news.example/page",
        final_url="https://news.example/page",
        status=200,
        media_type="text/html",
        address="203.0.113.7",
        fetched_at=timezone.now(),
        sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
        warc=warc_of(
            url="https://news.example/page",
            status=200,
            headers=[("content-type", "text/html")],
            body=body,
            fetched_at="2026-12-07T12:00:00Z",
            address="203.0.113.7",
            user_agent="claimtrack-tests",
        ),
    )


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
    # Rita's relation of the proposal to the accepted claim, to withdraw.
    relation = services.relate_claims(
        claim=proposal,
        other=accepted,
        kind="updates",
        rationale="A new deadline for the same works.",
        spans=[proposal.spans.get()],
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
        "snapshot": stored_snapshot(source),
        "orphan": Reanchoring.objects.create(
            span=proposal.spans.first(),
            revision=revision,
            method="orphan",
            score=0.0,
        ),
        "delivery": WebhookDelivery.objects.create(
            endpoint=services.create_endpoint(owner=otto, url="https://example.org/"),
            event=ClaimEvent.objects.order_by("id").first(),
            event_type="claim.proposed",
            message_id="msg_event_1",
            attempt=1,
            outcome="delivered",
        ),
        "job": Job.objects.create(  # otto's: a contributor reads only their own
            kind="fetch", params={"url": "https://example.org/"}, created_by=otto
        ),
        "watch": services.watches.watch(user=otto, kind="claim", pk=accepted.pk)[0],
        "speaker": speaker,
        "proposal": Claim.objects.get(pk=proposal.pk),
        "proposed_span": proposed_span,
        "proposed_evidence": proposed_evidence,
        "second_content": second_content,
        "loose_evidence": loose_evidence,
        "accepted": Claim.objects.get(pk=accepted.pk),
        "relation": relation,
        "publisher": Publisher.objects.get(name="City Gazette"),
        "token": AuthToken.objects.create(otto)[0],
    }


@pytest.fixture(scope="class")
def built_matrix_world(django_db_setup, django_db_blocker):
    """One world for the whole matrix, in a transaction rolled back at the end:
    each test nests in it (pytest-django's savepoint), each request in a
    savepoint of its own."""
    with rolled_back(django_db_blocker):
        yield build_world()


@pytest.fixture
def matrix_world(built_matrix_world, db):
    return built_matrix_world


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
admin:claims_claim_repeat               login 403 403 403                login 403 302 302
admin:claims_claim_reject               login 403 200 200                login 403 200 200
admin:claims_claim_status               login 403 200 200                login 403 200 200
admin:claims_claim_relate               login 403 200 200                login 403 200 200
admin:claims_claim_withdraw_relation    login 403 200 200                login 403 200 200
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
admin:claims_orphan_changelist          login 200 200 200                login 200 200 200
admin:claims_orphan_add                 login 403 403 403                login 403 403 403
admin:claims_orphan_change              login admin 200 200              login admin 403 403
admin:claims_orphan_history             login admin 200 200              login admin 200 200
admin:claims_orphan_delete              login 403 403 403                login 403 403 403
admin/claims/orphan/<path:object_id>/   login 302 302 302                login 302 302 302
admin:claims_webhookendpoint_changelist login 200 200 200               login 200 200 200
admin:claims_webhookendpoint_add        login 200 200 200                login 200 200 200
admin:claims_webhookendpoint_change     login admin 200 200              login admin 403 403
admin:claims_webhookendpoint_history    login admin 200 200              login admin 200 200
admin:claims_webhookendpoint_delete     login 403 403 403                login 403 403 403
admin/claims/webhookendpoint/<path:object_id>/ login 302 302 302        login 302 302 302
admin:claims_job_changelist             login 200 200 200                login 200 200 200
admin:claims_job_add                    login 403 403 403                login 403 403 403
admin:claims_job_change                 login admin 200 200              login admin 403 403
admin:claims_job_history                login admin 200 200              login admin 200 200
admin:claims_job_delete                 login 403 403 403                login 403 403 403
admin/claims/job/<path:object_id>/      login 302 302 302                login 302 302 302
admin:claims_watch_changelist           login 200 200 200                login 200 200 200
admin:claims_watch_add                  login 403 403 403                login 403 403 403
admin:claims_watch_change               login admin admin admin          login admin admin admin
admin:claims_watch_history              login admin admin admin          login admin admin admin
admin:claims_watch_delete               login admin admin admin          login admin admin admin
admin/claims/watch/<path:object_id>/    login 302 302 302                login 302 302 302
admin:sources_source_changelist         login 200 200 200                login 200 200 200
admin:sources_source_add                login 200 200 200                login 200 200 200
admin:sources_source_change             login 200 200 200                login 403 200 200
admin:sources_source_history            login 200 200 200                login 200 200 200
admin:sources_source_simple_history     login 200 200 200                login 403 200 200
admin:sources_source_delete             login 403 403 200                login 403 403 200
admin:sources_source_text               login 200 200 200                login 200 200 200
admin:sources_source_revision_review    login 403 403 403                login 403 302 302
admin:sources_source_add_from_url       login 200 200 200                login 200 200 200
admin:sources_source_snapshot           login 200 200 200                login 405 405 405
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
public:snapshot                         200 200 200 200                  405 405 405 405
public:speakers                         200 200 200 200                  405 405 405 405
public:speaker                          200 200 200 200                  405 405 405 405
public:search                           200 200 200 200                  405 405 405 405
public:claimreview-feed                 200 200 200 200                  405 405 405 405
public:export-csv                       200 200 200 200                  405 405 405 405
public:export-jsonl                     200 200 200 200                  405 405 405 405
public:verdicts-rss                     200 200 200 200                  405 405 405 405
public:verdicts-atom                    200 200 200 200                  405 405 405 405
public:speaker-rss                      200 200 200 200                  405 405 405 405
public:speaker-atom                     200 200 200 200                  405 405 405 405
public:search-rss                       200 200 200 200                  405 405 405 405
public:search-atom                      200 200 200 200                  405 405 405 405
public:watching                         login 200 200 200                login 302 302 302
public:watch                            login 200 200 200                login 302 302 302
public:unsubscribe                      200 200 200 200                  200 200 200 200
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
        "orphan": w["orphan"],
        "job": w["job"],
        "webhookendpoint": w["delivery"].endpoint,
        "watch": w["watch"],  # otto's: nobody else's to see
        "publisher": w["publisher"],
        "user": w["otto"],
        "group": Group.objects.get(name="contributor"),
        "authtoken": w["token"],
    }[model]


# Admin URLs that need more than a name and an object id.
SPECIAL_ADMIN_PATHS = {
    "admin-login": lambda w: "/admin/login/",
    "admin:login": lambda w: "/admin/login/",
    "admin/(?P<url>.*)$": lambda w: "/admin/no-such-page/",
    "admin:autocomplete": lambda w: (
        reverse("admin:autocomplete")
        + "?app_label=claims&model_name=claim&field_name=speaker&term=Zo"
    ),
    "admin:app_list": lambda w: reverse(
        "admin:app_list", kwargs={"app_label": "claims"}
    ),
    "admin:view_on_site": lambda w: reverse(
        "admin:view_on_site",
        args=[ContentType.objects.get_for_model(Claim).pk, w["proposal"].pk],
    ),
    # otto's proposed link
    "admin:sources_source_add_from_url": lambda w: reverse(
        "admin:sources_source_add_from_url"
    ),
    "admin:sources_source_snapshot": lambda w: reverse(
        "admin:sources_source_snapshot", args=[w["source"].pk, w["snapshot"].pk]
    ),
    "admin:sources_source_revision_review": lambda w: reverse(
        "admin:sources_source_revision_review", args=[w["revision"].pk]
    ),
    # Rita's relation of the proposal
    "admin:claims_claim_withdraw_relation": lambda w: reverse(
        "admin:claims_claim_withdraw_relation",
        args=[w["proposal"].pk, w["relation"].pk],
    ),
    "admin:auth_user_password_change": lambda w: reverse(
        "admin:auth_user_password_change", args=[w["otto"].pk]
    ),
}


def admin_path(w, name: str) -> str:
    if name in SPECIAL_ADMIN_PATHS:
        return SPECIAL_ADMIN_PATHS[name](w)
    if name.startswith("admin/"):  # /admin/<app>/<model>/<id>/: to the change page
        model = name.split("/")[2]
        return f"/admin/{name.split('/')[1]}/{model}/{admin_object(w, model).pk}/"
    models = ("admin:auth_", "admin:knox_", "admin:claims_", "admin:sources_")
    if not name.startswith(models):  # a site-wide admin page
        return reverse(name)
    return model_admin_path(w, name)


def model_admin_path(w, name: str) -> str:
    """A model admin's page: its list or add page, or one object's page."""
    app_model, view = name.split(":")[1].rsplit("_", 1)
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
        "public:snapshot": (
            f"/sources/{w['source'].pk}/snapshots/{w['snapshot'].pk}.warc"
        ),
        "public:speaker": f"/speakers/{w['speaker'].pk}/",
        "public:search": "/search/?q=bridge",
        "public:claimreview-feed": "/claimreview.json",
        "public:export-csv": "/search/claims.csv?q=bridge",
        "public:export-jsonl": "/search/claims.jsonl",
        "public:verdicts-rss": "/verdicts.rss",
        "public:verdicts-atom": "/verdicts.atom",
        "public:speaker-rss": f"/speakers/{w['speaker'].pk}/claims.rss",
        "public:speaker-atom": f"/speakers/{w['speaker'].pk}/claims.atom",
        "public:search-rss": "/search/claims.rss?q=bridge",
        "public:search-atom": "/search/claims.atom?q=bridge",
        "public:watching": "/watching/",
        "public:watch": f"/watching/claim/{accepted.pk}/",
        # otto's watch: the token is the proof, whoever follows the link
        "public:unsubscribe": "/unsubscribe/{}/".format(
            services.watches.unsubscribe_token(w["otto"], f"watch:{w['watch'].pk}")
        ),
    }[name]


@dataclass(frozen=True)
class ApiRow:
    path: object  # world -> path
    expected: tuple
    body: object = None  # world -> JSON body
    if_match: bool = False  # send the object's ETag


def _webhook(w):
    return f"/api/v1/webhooks/{w['delivery'].endpoint_id}/"


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
    ("claim-similar", "GET"): ApiRow(
        lambda w: _claim(w, "accepted") + "similar/", (200, 200, 200, 200)
    ),
    ("claim-not-a-repeat", "POST"): ApiRow(
        lambda w: _claim(w) + "not-a-repeat/",
        (401, 403, 200, 200),
        lambda w: {"of": w["accepted"].pk},
    ),
    ("claim-relations", "POST"): ApiRow(
        lambda w: _claim(w, "accepted") + "relations/",
        (401, 403, 201, 201),
        lambda w: {
            "other": w["proposal"].pk,
            "kind": "supports",
            "rationale": "The same repairs.",
            "spans": [w["second_content"].pk],
        },
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
    # A job is its asker's and the reviewers' (tests/test_web_sources.py): to
    # anyone else, and for an id that is no job, a 404.
    ("job-detail", "GET"): ApiRow(
        lambda w: "/api/v1/jobs/00000000-0000-4000-8000-000000000000/",
        (404, 404, 404, 404),
    ),
    ("speaker-detail", "GET"): ApiRow(
        lambda w: f"/api/v1/speakers/{w['speaker'].pk}/", (200, 200, 200, 200)
    ),
    ("changes", "GET"): ApiRow(lambda w: "/api/v1/changes/", (200, 200, 200, 200)),
    # A webhook endpoint is its owner's to change and the reviewers' to read
    # (tests/test_api_webhooks.py); this one is otto's.
    ("webhook-list", "GET"): ApiRow(
        lambda w: "/api/v1/webhooks/", (200, 200, 200, 200)
    ),
    ("webhook-list", "POST"): ApiRow(
        lambda w: "/api/v1/webhooks/",
        (401, 201, 201, 201),
        lambda w: {"url": "https://example.org/hook"},
    ),
    ("webhook-detail", "GET"): ApiRow(_webhook, (404, 404, 200, 200)),
    ("webhook-detail", "PATCH"): ApiRow(
        _webhook, (401, 404, 403, 403), lambda w: {"description": "Mine now."}
    ),
    ("webhook-detail", "DELETE"): ApiRow(_webhook, (401, 404, 403, 403)),
    ("webhook-deliveries", "GET"): ApiRow(
        lambda w: _webhook(w) + "deliveries/", (404, 404, 200, 200)
    ),
    ("webhook-replay", "POST"): ApiRow(
        lambda w: _webhook(w) + "replay/",
        (401, 404, 403, 403),
        lambda w: {"from_event": w["delivery"].event_id},
    ),
    ("webhook-resend", "POST"): ApiRow(
        lambda w: _webhook(w) + f"deliveries/{w['delivery'].pk}/resend/",
        (401, 404, 403, 403),
    ),
    ("knox-logout", "POST"): ApiRow(
        lambda w: "/api/v1/auth/logout/", (401, 204, 204, 204)
    ),
    # Each user's watches are their own (tests/test_watching.py): otto's is
    # nobody else's to read or stop.
    ("watch-list", "GET"): ApiRow(lambda w: "/api/v1/watches/", (401, 200, 200, 200)),
    ("watch-list", "POST"): ApiRow(
        lambda w: "/api/v1/watches/",
        (401, 201, 201, 201),
        lambda w: {"claim": w["accepted"].pk},
    ),
    ("watch-detail", "GET"): ApiRow(
        lambda w: f"/api/v1/watches/{w['watch'].pk}/", (401, 404, 404, 404)
    ),
    ("watch-detail", "DELETE"): ApiRow(
        lambda w: f"/api/v1/watches/{w['watch'].pk}/", (401, 404, 404, 404)
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
            result["wrote"] = refused and snapshot() != before
            raise Rollback
    except Rollback:
        pass
    return result["outcome"], result["wrote"]


class TestMatrix:
    @pytest.mark.parametrize(
        ("name", "method"), sorted(MATRIX), ids=[f"{n} {m}" for n, m in sorted(MATRIX)]
    )
    def test_endpoint_by_role(self, matrix_world, name, method):
        row = MATRIX[(name, method)]
        before = snapshot()
        got, wrote = [], []
        for role in ROLES:
            if isinstance(row, ApiRow):
                client = token_client(matrix_world, role)
                kwargs = {"format": "json"}
                if row.body is not None:
                    kwargs["data"] = row.body(matrix_world)
                path = row.path(matrix_world)
                if row.if_match:
                    version = Claim.objects.get(pk=int(path.split("/")[4])).version
                    kwargs["HTTP_IF_MATCH"] = f'"{version}"'
                expected = row.expected
            else:
                client = session_client(matrix_world, role)
                pages = public_path if (name, method) in PUBLIC_ROWS else admin_path
                path, kwargs, expected = pages(matrix_world, name), {}, row
            send = getattr(client, method.lower())
            result, changed = attempt(
                lambda send=send, path=path, kwargs=kwargs: send(path, **kwargs), before
            )
            got.append(result)
            if changed:
                wrote.append(role)
        assert tuple(got) == tuple(expected), dict(zip(ROLES, got, strict=True))
        assert not wrote, f"refused, yet the tables changed for {wrote}"

    def test_a_speaker_only_a_proposal_names_is_hidden_like_the_proposal(
        self, matrix_world
    ):
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
                spans=[span_of(matrix_world["source"], "ferry service")],
                by=matrix_world["otto"],
            )
            otto = AuthToken.objects.create(matrix_world["otto"])[1]
            api = f"/api/v1/speakers/{local.pk}/"
            got = {}
            for role in ROLES:
                client = token_client(matrix_world, role)
                listed = client.get("/api/v1/speakers/").json()["results"]
                got[role] = (
                    client.get(api).status_code,
                    local.pk in {row["id"] for row in listed},
                    session_client(matrix_world, role)
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

    def test_no_api_endpoint_deletes_or_replaces(self, matrix_world):
        """DRF routes only the methods a view has: nothing answers DELETE or PUT."""
        client = token_client(matrix_world, "superuser")
        for path in (
            _claim(matrix_world),
            f"/api/v1/sources/{matrix_world['source'].pk}/",
            f"/api/v1/speakers/{matrix_world['speaker'].pk}/",
            "/api/v1/changes/",
        ):
            assert client.delete(path).status_code == 405, path
            assert client.put(path, {}, format="json").status_code == 405, path
