"""Bulk backfill (issue 24): `manage.py ingest FILE` of JSON Lines, texts of
our own and pages on a local server; a rerun skips what is stored."""

import json

import pytest
from django.core.management import CommandError, call_command

from claims.models import Claim
from sources.models import Snapshot, Source

from .faults import SimulatedCrash, crash_on
from .test_web_sources import ARTICLE


@pytest.fixture
def backlog(tmp_path, httpserver, settings):
    settings.CLAIMTRACK_FETCH_ALLOW_PRIVATE = True
    httpserver.expect_request("/ferry").respond_with_data(
        ARTICLE, content_type="text/html; charset=utf-8"
    )
    lines = [
        {
            "title": "Port fees",
            "published_on": "2026-03-02",
            "text": "The port will raise its fees by 12% from April 2026, its "
            "director Ana Ruiz said on Monday.",
        },
        {"url": httpserver.url_for("/ferry")},
        {
            "text": "The port will raise its fees by 12% from April 2026, its "
            "director Ana Ruiz said on Monday."
        },  # the first again
        {"url": "https://elsewhere.example/page"},  # not an allowed host
        "not an object",
    ]
    path = tmp_path / "backlog.jsonl"
    path.write_text(
        "\n".join(json.dumps(line) for line in lines) + "\n{not json\n",
        encoding="utf-8",
    )
    return path


def test_ingest_stores_skips_and_refuses_line_by_line(backlog, capsys, db):
    with pytest.raises(CommandError, match="3 line"):
        call_command("ingest", str(backlog), "--propose", "--quiet")
    out = capsys.readouterr().out
    assert "line 1: stored: source" in out
    assert "line 2: stored: fetched into source" in out
    assert "line 3: skipped: already stored as source" in out
    assert "line 4: refused: url: refused: elsewhere.example" in out
    assert "line 5: refused: line: must be a JSON object." in out
    assert "line 6: refused: not JSON" in out
    assert Source.objects.count() == 2
    assert Snapshot.objects.count() == 1
    assert Claim.objects.exists()
    claims = Claim.objects.count()
    # A rerun (after a crash, say) stores nothing twice and proposes nothing more.
    with pytest.raises(CommandError):
        call_command("ingest", str(backlog), "--propose", "--quiet")
    rerun = capsys.readouterr().out
    assert "line 1: skipped: already stored" in rerun
    assert "line 2: skipped:" in rerun
    assert "was fetched before" in rerun
    assert Source.objects.count() == 2
    assert Claim.objects.count() == claims


def test_a_crash_while_proposing_leaves_the_line_for_the_rerun(tmp_path, capsys, db):
    """The source is not kept without its proposals: the rerun stores both."""
    path = tmp_path / "one.jsonl"
    path.write_text(
        json.dumps(
            {
                "published_on": "2026-03-02",
                "text": "The port will raise its fees by 12% from April 2026, its "
                "director Ana Ruiz said on Monday.",
            }
        ),
        encoding="utf-8",
    )
    with crash_on("claims_claim"), pytest.raises(SimulatedCrash):
        call_command("ingest", str(path), "--propose", "--quiet")
    assert not Source.objects.exists()
    call_command("ingest", str(path), "--propose", "--quiet")
    assert "line 1: stored: source" in capsys.readouterr().out
    assert Claim.objects.filter(spans__source__in=Source.objects.all()).exists()


def test_ingest_reads_a_warc_file_into_sources_and_snapshots(tmp_path, capsys, db):
    from sources.archive import warc_of

    page = warc_of(
        url="https://harbour.example/ferry",
        status=200,
        headers=[("Content-Type", "text/html; charset=utf-8")],
        body=ARTICLE.encode(),
        fetched_at="2026-11-30T09:00:00Z",
        address="203.0.113.9",
        user_agent="an archiver",
    )
    pdf = warc_of(
        url="https://harbour.example/report.pdf",
        status=200,
        headers=[("Content-Type", "application/pdf")],
        body=b"%PDF-1.7",
        fetched_at="2026-11-30T09:01:00Z",
        address="",
        user_agent="an archiver",
    )
    path = tmp_path / "crawl.warc"
    path.write_bytes(page + pdf)
    with pytest.raises(CommandError, match="1 line"):
        call_command("ingest", str(path), "--quiet")
    out = capsys.readouterr().out
    assert "archived into source" in out
    assert "application/pdf is not supported yet" in out
    snapshot = Snapshot.objects.get()
    assert snapshot.address == "203.0.113.9"
    assert snapshot.fetched_at.isoformat() == "2026-11-30T09:00:00+00:00"
    assert "Tromvik ferry" in snapshot.source.text
    with pytest.raises(CommandError):
        call_command("ingest", str(path), "--quiet")
    assert "was stored before" in capsys.readouterr().out
    assert Snapshot.objects.count() == 1
