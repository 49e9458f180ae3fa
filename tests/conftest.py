import contextlib
import datetime
import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.test import Client, override_settings
from rest_framework.test import APIClient

from claims import services
from claims.models import (
    Attribution,
    Claim,
    ClaimEvent,
    ClaimKind,
    ClaimRelation,
    Evidence,
    RepeatCandidate,
    Span,
    SpanRole,
    Speaker,
    StatusChange,
)
from claims.seeding import load_seeds
from sources.models import Publisher, Source
from sources.services import create_source

from .factories import SpeakerFactory, StaffFactory, UserFactory

# A text of our own with curly quotes, accents, a combining mark and an emoji, so
# that offsets are exercised beyond ASCII. Offsets below are code points.
SAMPLE_TEXT = (
    "Mayor Zoë Okafor said on Monday that the harbour bridge “will reopen by June”.\n"
    "The council reportedly spent €4 million on repairs 🚧 last year.\n"
    "Okafor added that the ferry service “is the city’s lifeline”."
)


def allow_test_flush(sender, connection, **kwargs):
    """Let this session TRUNCATE the append-only tables (PostgreSQL).

    Migration 0016 refuses TRUNCATE of spans, evidence, the ledger and the
    change feed unless the session sets ``claimtrack.allow_truncate``; a
    transactional test ends with Django's flush, which empties every table
    with one TRUNCATE. Every connection the tests open (threads and the live
    server's included) sets it; a test of the guard turns it off.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET claimtrack.allow_truncate = on")


connection_created.connect(allow_test_flush)


def shard(items, spec: str) -> list:
    """The items of shard ``spec`` ("1/2"): whole files, each given to the
    shard with the fewest tests so far, biggest files first, so that the
    shards of one run are disjoint, cover every test and weigh alike."""
    index, count = (int(part) for part in spec.split("/"))
    files: dict[str, list] = {}
    for item in items:
        files.setdefault(item.nodeid.split("::")[0], []).append(item)
    sizes = [0] * count
    mine = set()
    for name in sorted(files, key=lambda name: (-len(files[name]), name)):
        lightest = sizes.index(min(sizes))
        sizes[lightest] += len(files[name])
        if lightest == index - 1:
            mine.add(name)
    return [item for item in items if item.nodeid.split("::")[0] in mine]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    if spec := os.environ.get("CLAIMTRACK_SHARD"):
        kept = shard(items, spec)
        ids = {id(item) for item in kept}
        config.hook.pytest_deselected(items=[i for i in items if id(i) not in ids])
        items[:] = kept
    required = os.environ.get("CLAIMTRACK_REQUIRE_DATABASE")
    if required and connection.vendor != required:
        raise pytest.UsageError(
            f"CLAIMTRACK_REQUIRE_DATABASE={required} but the tests would run on "
            f"{connection.vendor}: check DATABASE_URL."
        )
    # Last of all (trylast): in each run of one module's tests, as pytest and
    # pytest-django ordered them (rolled-back tests before transactional
    # ones), the tests on the shared seeds go last, where their module-scoped
    # load cannot leak into the others. The sort is stable.
    blocks, block, previous = {}, 0, None
    for item in items:
        module = item.nodeid.split("::")[0]
        block += module != previous
        blocks[id(item)], previous = block, module
    items.sort(
        key=lambda item: (
            blocks[id(item)],
            "seeds_for_module" in getattr(item, "fixturenames", ()),
        )
    )
    for item in items:
        if item.get_closest_marker("postgresql") and connection.vendor != "postgresql":
            item.add_marker(
                pytest.mark.skip(
                    reason="needs PostgreSQL: run with DATABASE_URL=postgres://… "
                    "(CI runs the suite on both databases)"
                )
            )


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """A private in-memory cache per test: throttle counts never leak between
    tests, and query counts pin the application's own queries."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": os.environ.get("PYTEST_CURRENT_TEST", "claimtrack-tests"),
        }
    }


@pytest.fixture
def reviewer(db):
    """A member of the reviewer group (spans and evidence they add are accepted
    at once)."""
    user = UserFactory(username="rita-reviewer")
    user.groups.add(role_group("reviewer"))
    return user


@pytest.fixture
def other_reviewer(db):
    user = UserFactory(username="omar-reviewer")
    user.groups.add(role_group("reviewer"))
    return user


@pytest.fixture
def proposer(db):
    """Who the ``propose`` fixture's claims come from: not the reviewer, whom
    four eyes would keep from reviewing them."""
    return UserFactory(username="pat-proposer")


@pytest.fixture
def source(db, reviewer):
    return create_source(
        text=SAMPLE_TEXT,
        title="Bridge works",
        kind="news_article",
        language="en",
        published_on=datetime.date(2025, 3, 10),
        by=reviewer,
    ).source


# The seeds' news article (seeds/khunjerab-2025-04-22).
SEED_ARTICLE = "Khunjerab border opens year-round"


@pytest.fixture(scope="module")
def seeds_for_module(django_db_setup, django_db_blocker):
    """The seeds, loaded once for a module's tests that use ``seeded`` and rolled
    back after them: a load takes about 2 s and some sixty tests need one. Those
    tests run last in their module (``pytest_collection_modifyitems``), so the
    module's other tests never see the seeds."""
    with rolled_back(django_db_blocker):
        load_seeds()
        yield


@pytest.fixture
def seeded(seeds_for_module, db):
    """The seeds loaded; returns their news article. Each test nests in the
    module's load (pytest-django's savepoint), so what it changes is undone.
    Tests with a live server load their own (tests/browser/conftest.py)."""
    return Source.objects.get(title__startswith=SEED_ARTICLE)


@pytest.fixture
def speaker(db):
    return SpeakerFactory(name="Zoë Okafor", aliases=["Mayor Okafor"])


def span_of(source, words, role=SpanRole.CONTENT, occurrence=1):
    """A SpanInput for the ``occurrence``-th appearance of ``words`` in ``source``."""
    start = -1
    for _ in range(occurrence):
        start = source.text.index(words, start + 1)
    return services.SpanInput(
        source=source, start=start, end=start + len(words), role=role, exact=words
    )


@pytest.fixture
def propose(source, speaker, proposer):
    """Propose a claim with sensible defaults; keyword arguments override them."""

    def make(**overrides):
        kind = overrides.get("kind", ClaimKind.PREDICTION)
        fields = {
            "text": "The harbour bridge will reopen by June 2025.",
            "kind": kind,
            "attribution": Attribution.DIRECT_QUOTE,
            "speaker": speaker,
            "speaker_title": "Mayor",
            "stated_on": datetime.date(2025, 3, 10),
            "stated_on_precision": "day",
            "spans": [span_of(source, "will reopen by June")],
            "by": proposer,
        }
        if kind in (ClaimKind.PREDICTION, ClaimKind.PROMISE):
            fields.update(
                due_on=datetime.date(2025, 6, 1),
                due_on_precision="month",
                due_text="by June",
            )
        fields.update(overrides)
        return services.propose_claim(**fields)

    return make


@pytest.fixture
def propose_accepted(propose, other_reviewer):
    """Propose a claim and have another reviewer accept it (the deadline sweep
    moves accepted claims only)."""

    def make(**overrides):
        claim = propose(**overrides)
        return services.review_claim(claim=claim, decision="accept", by=other_reviewer)

    return make


@pytest.fixture
def api_user(db):
    """A user in a role group: api_user("reviewer") / api_user("contributor")."""

    def make(role, username=None):
        user = UserFactory(username=username or f"{role}-user")
        user.groups.add(role_group(role))
        return user

    return make


@pytest.fixture
def reviewer_api(api, api_user):
    """An API client with a reviewer's token."""
    return api(api_user("reviewer"))


@pytest.fixture
def contributor_api(api, api_user):
    """An API client with a contributor's token."""
    return api(api_user("contributor"))


def role_group(name: str):
    """The role group that migration 0005_roles makes.

    A transactional test ends by emptying every table, a data migration's rows
    included, so a later transactional test may find the group gone: it is
    made again here, with the migration's own list of permissions.
    """
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType

    group, created = Group.objects.get_or_create(name=name)
    if created:
        # After a flush that skipped post_migrate (a serialized-rollback test
        # ends that way), content types and permissions are gone too.
        ContentType.objects.clear_cache()
        for app_config in apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0)
            create_permissions(app_config, verbosity=0)
        roles = import_module("claims.migrations.0005_roles").ROLES
        for label in roles[name]:
            app_label, codename = label.split(".")
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )
    return group


@pytest.fixture
def api(db):
    """An API client; api(user) authenticates it with a fresh hashed token."""
    from knox.models import AuthToken

    def make(user=None, prefix="Token"):
        client = APIClient()
        if user is not None:
            token = AuthToken.objects.create(user)[1]
            client.credentials(HTTP_AUTHORIZATION=f"{prefix} {token}")
        return client

    return make


def database_url(settings_dict) -> str:
    """A URL of the test database, for another process (a server) or a bench helper."""
    from urllib.parse import quote

    user = quote(settings_dict["USER"] or "")
    password = settings_dict["PASSWORD"]
    credentials = f"{user}:{quote(password)}@" if password else f"{user}@"
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


@contextlib.contextmanager
def rolled_back(django_db_blocker):
    """Rows built once for a class or a module, in a transaction rolled back at
    its end; each test nests in it (pytest-django's savepoint). The autouse
    fixtures are function-scoped, so the fast hasher is set here too."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        yield
        transaction.set_rollback(True)


def api_with(token):
    """An API client that sends ``token``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


LOGIN = "/admin/login/"


def log_in(username, password, address="203.0.113.7"):
    """Post the admin's log-in form from ``address``."""
    return Client(REMOTE_ADDR=address).post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}
    )


@pytest.fixture
def desk_user(db):
    """A superuser of the admin, who logs in with the factories' PASSWORD."""
    return StaffFactory(username="rita")


# Every table a request could write.
WRITTEN = (
    Source,
    Publisher,
    Speaker,
    Claim,
    Span,
    StatusChange,
    Evidence,
    ClaimEvent,
    RepeatCandidate,
    ClaimRelation,
    get_user_model(),
    Group,
)


def snapshot():
    """Everything a refused request must leave as it was: the row count of each
    table a request could write, every claim, source and speaker as stored (a
    version, a status, a title, a name, a revision link), and the history."""
    return {
        "counts": {model.__name__: model.objects.count() for model in WRITTEN},
        "claims": list(Claim.objects.order_by("id").values()),
        "sources": list(Source.objects.order_by("id").values()),
        "speakers": list(Speaker.objects.order_by("id").values()),
        "history": [model.history.count() for model in (Claim, Source, Speaker)],
    }


FOLLOW_UP = (
    "Three weeks on, the mayor stood by her promise.\n"
    "Okafor repeated that the harbour bridge would reopen by June, "
    "speaking at the council on 2 April.\n"
    "A spokesman said the bridge would now reopen by September instead.\n"
)


@pytest.fixture
def follow_up(reviewer):
    """A later article in which the mayor repeats her bridge promise."""
    return create_source(
        text=FOLLOW_UP,
        title="Bridge follow-up",
        kind="news_article",
        language="en",
        published_on=datetime.date(2025, 4, 3),
        by=reviewer,
    ).source


@pytest.fixture
def repeat(propose, follow_up, speaker):
    """A proposal, from the follow-up, of the claim ``propose`` makes."""

    def make(**overrides):
        fields = {
            "text": "The harbour bridge will reopen by June.",
            "speaker": speaker,
            "speaker_title": "the mayor",
            "stated_on": datetime.date(2025, 4, 2),
            "spans": [span_of(follow_up, "the harbour bridge would reopen by June")],
        }
        return propose(**(fields | overrides))

    return make
