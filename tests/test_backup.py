"""manage.py backup / restore: the whole database survives the round trip.

The main test fills the database through the services, reads every API
endpoint as an anonymous client and as a reviewer, backs up, empties the
database (content types and permissions come back under other ids), restores
and reads everything again: the bytes must be the same. On PostgreSQL the
same archive then goes through a SQLite database (real commands, in a
subprocess) and back.
"""

import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import time

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from knox.models import AuthToken
from rest_framework.throttling import SimpleRateThrottle

from claims import services
from claims.backup import restore_backup, write_backup
from claims.backup.restore import FEED_FROM_SQLITE, FEED_KEPT, FEED_RESTAMPED
from claims.models import Claim, ClaimEvent, ClaimExtraction, Speaker, Status
from claims.models.choices import VERDICTS
from claims.seeding import SEEDS_DIR, load_seeds
from claims.services.proposals import propose_claims
from sources.models import Source
from sources.services import create_source

from .conftest import SAMPLE_TEXT, role_group, span_of
from .factories import SpeakerFactory, UserFactory

SEEDS = (
    "khunjerab-2025-04-22",
    "khunjerab-follow-ups",  # the founding seed's correction cites its relations
    "harbourne-barrier-2025-11-04",
)
UNTHROTTLED = {"anon": "1000000/minute", "user": "1000000/minute"}


@pytest.fixture
def unthrottled(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", UNTHROTTLED)


def build_world(*, api, api_user, propose, reviewer, source, speaker, seeds):
    """Three seed folders (the full set would only slow the test down) plus one of
    every kind of write; returns the API clients."""
    for name in SEEDS:
        (seeds / name).symlink_to(SEEDS_DIR / name)
    load_seeds(seeds)
    services.mark_overdue()
    claim = services.review_claim(claim=propose(), decision="accept", by=reviewer)
    words = "will reopen by June"
    start = source.text.index(words)
    services.change_status(
        claim=claim,
        to_status="confirmed",
        rationale="The bridge reopened in May.",
        by=reviewer,
        expected_version=claim.version,
        evidence=[
            services.EvidenceInput(
                source=source, stance="supports", start=start, end=start + len(words)
            )
        ],
    )
    opinion = propose(
        text="The ferry service is the city's lifeline.",
        kind="opinion",
        spans=[span_of(source, "is the city’s lifeline")],
    )
    services.review_claim(
        claim=opinion, decision="reject", note="An opinion, not news.", by=reviewer
    )
    twin = SpeakerFactory(name="Z. Okafor")
    propose(
        text="The council spent €4 million on repairs last year.",
        kind="fact",
        speaker=twin,
        spans=[span_of(source, "spent €4 million")],
    )
    services.merge_speakers(merged=twin, into=speaker, by=reviewer)
    revision = create_source(
        text=SAMPLE_TEXT + "\nMayor Zoë Okafor said the bridge “will reopen by July”.",
        title="Bridge works (corrected)",
        revises=source,
        by=reviewer,
    ).source
    propose_claims(source=revision)
    contributor = api_user("contributor")
    contributor.user_permissions.add(Permission.objects.get(codename="view_logentry"))
    LogEntry.objects.log_actions(reviewer.pk, [claim], CHANGE, "Checked the quote.")
    return {"anonymous": api(), "reviewer": api(api_user("reviewer"))}


def api_reads(clients) -> dict:
    """Every API read, by role and URL: status, ETag and body bytes."""
    reads = {}
    claims = list(Claim.objects.order_by("id").values_list("id", flat=True))
    rated = [*VERDICTS, Status.UNVERIFIABLE]
    verdicts = list(Claim.objects.filter(status__in=rated).values_list("id", flat=True))
    sources = list(Source.objects.order_by("id").values_list("id", flat=True))
    speakers = list(Speaker.objects.order_by("id").values_list("id", flat=True))
    for role, client in clients.items():

        def get(url, role=role, client=client):
            response = client.get(url)
            reads[role, url] = (
                response.status_code,
                response.get("ETag"),
                response.content,
            )
            return response

        for url in (
            "/api/v1/claims/?page_size=20",
            "/api/v1/claims/?page_size=20&ordering=id",
            "/api/v1/claims/?q=Starlink",
            "/api/v1/claims/?q=bridge%20reopen",
            "/api/v1/claims/?status=overdue",
            "/api/v1/claims/?review=proposed",
            "/api/v1/sources/?page_size=4",
            "/api/v1/speakers/?page_size=10",
        ):
            while url:
                url = get(url).json()["next"]
        for pk in [*claims, claims[-1] + 1]:
            get(f"/api/v1/claims/{pk}/")
            get(f"/api/v1/claims/{pk}/history/")
        for pk in [*verdicts, claims[0]]:
            get(f"/api/v1/claims/{pk}/claimreview/")
        for pk in [*sources, sources[-1] + 1]:
            get(f"/api/v1/sources/{pk}/")
        for pk in [*speakers, speakers[-1] + 1]:
            get(f"/api/v1/speakers/{pk}/")
        url = "/api/v1/changes/?page_size=40"
        while (page := get(url).json())["results"]:
            url = page["next"]
    return reads


def settled_feed(client, timeout=30.0) -> tuple[list, str]:
    """Wait until the feed serves every event; return them and the last cursor.

    On PostgreSQL the feed holds back events newer than the oldest transaction
    still running anywhere on the server (another test run, a benchmark): the
    reads are compared once nothing is held back."""
    total, deadline = ClaimEvent.objects.count(), time.monotonic() + timeout
    while True:
        url, events = "/api/v1/changes/?page_size=100", []
        while (page := client.get(url).json())["results"]:
            url, events = page["next"], events + page["results"]
        if len(events) == total:
            return events, page["cursor"]
        assert time.monotonic() < deadline, f"the feed serves {len(events)} of {total}"
        time.sleep(0.1)


def feed_events(reads) -> dict:
    """The change feed's events per role, without the cursors."""
    return {
        role: [
            e
            for (r, url), read in reads.items()
            if r == role and "/api/v1/changes/" in url
            for e in json.loads(read[2])["results"]
        ]
        for role in {role for role, _ in reads}
    }


def assert_same_reads(before, after, *, except_feed_cursors=False):
    assert before.keys() == after.keys() or except_feed_cursors
    for key, read in before.items():
        if except_feed_cursors and "/api/v1/changes/" in key[1]:
            continue
        assert after.get(key) == read, f"{key} answers differently after the restore"
    if except_feed_cursors:
        assert feed_events(before) == feed_events(after)


def empty_database():
    """Every table emptied (TRUNCATE on PostgreSQL: no row trigger fires), then
    what `migrate` leaves in a new database, under ids the archive never saw."""
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.all().delete()
    ContentType.objects.clear_cache()
    for app_config in reversed(apps.get_app_configs()):
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
    role_group("contributor")
    role_group("reviewer")


def manifest_of(path):
    with gzip.open(path, "rb") as file:
        return json.loads(file.readlines()[-1])["manifest"]


def read_feed_until(client, cursor, claim_pk, timeout=30.0):
    """Resume the feed from ``cursor`` until an event of ``claim_pk`` arrives
    (another transaction on the server may hold the feed's horizon back)."""
    deadline = time.monotonic() + timeout
    while True:
        events = client.get("/api/v1/changes/", {"after": cursor}).json()["results"]
        if any(e["claim"] == claim_pk for e in events):
            return events
        assert time.monotonic() < deadline, "the new event never came"
        time.sleep(0.05)


def run_commands(database_url, *commands):
    """Run management commands in one new process on another database."""
    script = "from django.core.management import call_command\n" + "\n".join(
        f"call_command(*{command!r})" for command in commands
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_api_read_answers_the_same_after_backup_and_restore(
    api, api_user, propose, reviewer, source, speaker, unthrottled, tmp_path, capsys
):
    (tmp_path / "seeds").mkdir()
    clients = build_world(
        seeds=tmp_path / "seeds",
        api=api,
        api_user=api_user,
        propose=propose,
        reviewer=reviewer,
        source=source,
        speaker=speaker,
    )
    assert ClaimExtraction.objects.exists()
    assert LogEntry.objects.exists()
    _, cursor = settled_feed(clients["reviewer"])
    before = api_reads(clients)
    archive = tmp_path / "claimtrack.jsonl.gz"
    call_command("backup", str(archive))
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    old_type_ids = dict(ContentType.objects.values_list("model", "id"))

    empty_database()
    assert not Claim.objects.exists()
    assert dict(ContentType.objects.values_list("model", "id")) != old_type_ids
    call_command("restore", str(archive))
    assert FEED_KEPT in capsys.readouterr().out

    settled_feed(clients["reviewer"])
    assert_same_reads(before, api_reads(clients))
    call_command("verify_provenance")
    again = tmp_path / "again.jsonl.gz"
    write_backup(again)
    assert manifest_of(again)["tables"] == manifest_of(archive)["tables"]

    # Writing goes on where it stopped, and a feed client resumes from its
    # last cursor to exactly the new events.
    last_claim = Claim.objects.order_by("id").last()
    claim = propose(text="A claim made after the restore.")
    assert claim.pk > last_claim.pk
    events = read_feed_until(clients["reviewer"], cursor, claim.pk)
    assert [(e["claim"], e["type"]) for e in events] == [(claim.pk, "created")]

    if connection.vendor == "postgresql":
        # PostgreSQL → SQLite (a new file, migrated) → PostgreSQL.
        sqlite_url = f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        through_sqlite = tmp_path / "through-sqlite.jsonl.gz"
        output = run_commands(
            sqlite_url,
            ("migrate", "--verbosity=0"),
            ("restore", str(archive)),
            ("verify_provenance",),
            ("backup", str(through_sqlite)),
        )
        assert "Provenance verified: no problems." in output
        empty_database()
        result = restore_backup(through_sqlite)
        assert result.feed == FEED_FROM_SQLITE
        assert result.rebuilt == ["claims.claimsearch"]  # the full-text documents
        settled_feed(clients["reviewer"])
        assert_same_reads(before, api_reads(clients), except_feed_cursors=True)


@pytest.mark.django_db
def test_a_database_that_is_not_empty_is_refused_and_nothing_is_written(
    request, tmp_path
):
    empty = tmp_path / "empty.jsonl.gz"
    write_backup(empty)
    UserFactory(username="lone-user")
    with pytest.raises(CommandError, match=r"not empty \(rows in auth\.user\)"):
        call_command("restore", str(empty))

    archive = tmp_path / "claim.jsonl.gz"
    claim = request.getfixturevalue("propose")()
    write_backup(archive)
    groups = set(Group.objects.values_list("name", flat=True))
    counts = {m: m.objects.count() for m in (Claim, ClaimEvent, Source, Speaker)}
    with pytest.raises(CommandError, match=r"claims\.claim.*Nothing was written"):
        call_command("restore", str(archive))
    assert {m: m.objects.count() for m in counts} == counts
    assert set(Group.objects.values_list("name", flat=True)) == groups
    claim.refresh_from_db()
    assert claim.version == 1


def rewrite(path, edit):
    """Apply ``edit(table, row) -> row or None`` to every row and re-sign the
    manifest, as someone who knows the format could."""
    with gzip.open(path, "rb") as file:
        lines = file.readlines()
    out, table, digests = [lines[0]], None, {}
    for line in lines[1:-1]:
        if line.startswith(b"{"):
            table = json.loads(line)["table"]
            digests[table] = (hashlib.sha256(), 0)
            out.append(line)
            continue
        row = edit(table, json.loads(line))
        if row is None:
            continue
        line = (
            json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        )
        digest, count = digests[table]
        digest.update(line)
        digests[table] = (digest, count + 1)
        out.append(line)
    manifest = json.loads(lines[-1])
    manifest["manifest"]["tables"] = {
        name: {"rows": count, "sha256": digest.hexdigest()}
        for name, (digest, count) in digests.items()
    }
    out.append(json.dumps(manifest).encode() + b"\n")
    with gzip.open(path, "wb") as file:
        file.writelines(out)


def damage(path, how):
    with gzip.open(path, "rb") as file:
        lines = file.readlines()
    if how == "edited":
        lines = [line.replace(b"harbour", b"harbor") for line in lines]
    elif how == "truncated":
        lines = lines[:-1]
    elif how == "header":
        lines[0] = lines[0].replace(b'"claims":["0001_initial"', b'"claims":["0001_x"')
    with gzip.open(path, "wb") as file:
        file.writelines(lines)
    if how == "not gzip":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("edited", "does not match its SHA-256"),
        ("truncated", "ends before its manifest"),
        ("header", "header does not match its checksum"),
        ("not gzip", "not a whole gzip file"),
    ],
)
def test_a_damaged_archive_is_refused(propose, tmp_path, how, message):
    archive = tmp_path / "claimtrack.jsonl.gz"
    propose()
    write_backup(archive)
    damage(archive, how)
    for options in ({"dry_run": True}, {}):
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(archive), **options)


@pytest.mark.django_db
def test_an_archive_from_other_migrations_is_refused(tmp_path):
    recorder = MigrationRecorder(connection)
    archive = tmp_path / "future.jsonl.gz"
    recorder.record_applied("claims", "9999_from_the_future")
    write_backup(archive)
    recorder.record_unapplied("claims", "9999_from_the_future")
    with pytest.raises(
        CommandError, match="claims 9999_from_the_future only in the archive"
    ):
        call_command("restore", str(archive), dry_run=True)

    past = tmp_path / "past.jsonl.gz"
    write_backup(past)
    recorder.record_applied("claims", "9999_from_the_future")
    with pytest.raises(
        CommandError, match="9999_from_the_future only in this database"
    ):
        call_command("restore", str(past), dry_run=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("table", "column", "old", "new"),
    [
        # A span whose words are not in its source (the anchor trigger).
        ("claims.span", "exact", "June", "July"),
        # A first ledger entry that claims to follow another (the chain trigger).
        ("claims.statuschange", "from_status", "", "unverified"),
    ],
)
def test_a_restore_that_fails_midway_leaves_the_database_empty(
    propose, tmp_path, table, column, old, new
):
    propose()
    archive = tmp_path / "claimtrack.jsonl.gz"
    write_backup(archive)
    with gzip.open(archive, "rb") as file:
        header = json.loads(file.readline())
    index = next(t["columns"] for t in header["tables"] if t["name"] == table).index(
        column
    )

    def tamper(name, row):
        if name == table:
            row[index] = row[index].replace(old, new) if old else new
        return row

    rewrite(archive, tamper)
    call_command("flush", interactive=False, verbosity=0)
    # The archive's checksums hold, but one of the database's own guards
    # refuses a row: everything is rolled back.
    with pytest.raises(CommandError, match=r"refused the archive.*Nothing was written"):
        call_command("restore", str(archive))
    for model in (Claim, Source, ClaimEvent, Speaker, Group, Group.permissions.through):
        assert not model.objects.exists(), model


@pytest.mark.django_db(transaction=True)
def test_without_tokens_the_users_come_back_but_not_their_api_tokens(
    api, api_user, tmp_path, capsys
):
    client = api(api_user("reviewer"))
    assert client.get("/api/v1/changes/").status_code == 200
    archive = tmp_path / "claimtrack.jsonl.gz"
    write_backup(archive)
    call_command("flush", interactive=False, verbosity=0)

    call_command("restore", str(archive), without_tokens=True)
    assert "knox.authtoken: not restored here." in capsys.readouterr().out
    assert not AuthToken.objects.exists()
    assert get_user_model().objects.filter(username="reviewer-user").exists()
    assert client.get("/api/v1/changes/").status_code == 401


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_feed_txids_ahead_of_this_server_are_restamped(
    api, api_user, propose, reviewer, tmp_path
):
    for claim in (propose(), propose(text="Another claim.", kind="fact")):
        services.review_claim(claim=claim, decision="accept", by=reviewer)
    with connection.cursor() as cursor:
        # As if the archive came from an older, busier cluster.
        cursor.execute(
            "ALTER TABLE claims_claimevent DISABLE TRIGGER claims_claimevent_append_only"
        )
        cursor.execute("UPDATE claims_claimevent SET txid = txid + 2^40")
        cursor.execute(
            "ALTER TABLE claims_claimevent ENABLE TRIGGER claims_claimevent_append_only"
        )
    ids = list(ClaimEvent.objects.order_by("id").values_list("id", flat=True))
    archive = tmp_path / "ahead.jsonl.gz"
    write_backup(archive)
    call_command("flush", interactive=False, verbosity=0)

    assert restore_backup(archive).feed == FEED_RESTAMPED
    txids = set(ClaimEvent.objects.values_list("txid", flat=True))
    assert len(txids) == 1
    assert txids.pop() < 2**40
    client = api(api_user("reviewer", "feed-reader"))
    events, cursor = settled_feed(client)
    assert [e["id"] for e in events] == ids
    claim = propose(text="A claim made after the restore.")
    events = read_feed_until(client, cursor, claim.pk)
    assert [e["claim"] for e in events] == [claim.pk]


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_say_what_they_did_in_plain_numbers(
    api_user, propose, tmp_path, capsys
):
    propose()
    AuthToken.objects.create(user=api_user("reviewer"))  # left out below
    archive = tmp_path / "claimtrack.jsonl.gz"
    call_command("backup", str(archive))
    out = capsys.readouterr().out
    size = archive.stat().st_size
    assert size < 1_000_000  # a few kilobytes: no "(0.0 MB)"
    assert re.search(r"\(\d+(\.\d)? KB\)\.$", out.strip()), out

    call_command("flush", interactive=False, verbosity=0)
    call_command("restore", str(archive), without_tokens=True)
    out = capsys.readouterr().out
    total = int(re.search(r"(\d+) rows in \d+ tables", out)[1])
    restored = int(re.search(r"Restored (\d+) of the archive's", out)[1])
    matched = int(re.search(r"(\d+) content types and permissions", out)[1])
    assert "were already here from `migrate`" in out
    tokens = manifest_of(archive)["tables"]["knox.authtoken"]["rows"]
    assert tokens == 1
    assert "; 1 row left out (knox.authtoken)." in out
    assert total == restored + matched + tokens
