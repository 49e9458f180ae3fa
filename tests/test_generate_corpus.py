"""bench/generate_corpus.py: a synthetic corpus whose every guarantee holds
(PostgreSQL)."""

import json

import pytest
from django.db import connection

from bench import api, corpus, generate_corpus
from claims.integrity import audit_provenance
from claims.models import Claim, Span
from sources.models import Source

from .conftest import database_url


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_small_corpus_has_the_sources_asked_for_and_verifies(
    capsys, monkeypatch, tmp_path
):
    # Three chunks, planned by two worker processes while this one loads.
    monkeypatch.setattr(corpus, "CLAIMS_PER_CHUNK", 100)
    monkeypatch.setattr(api, "RESULTS", tmp_path)
    generate_corpus.main(
        ["--claims", "300", "--sources", "30", "--seed", "7", "--workers", "2"]
    )
    assert Claim.objects.count() == 300
    sources = Source.objects.count()
    assert 20 <= sources <= 45  # about 10 claims a source
    assert Span.objects.count() >= 300
    assert set(Claim.objects.values_list("review", flat=True)) == {
        "accepted",
        "proposed",
    }
    assert len(set(Claim.objects.values_list("status", flat=True))) >= 4
    assert list(audit_provenance()) == []
    out = capsys.readouterr()
    assert "Generated 300 claims" in out.out
    assert "300/300 claims" in out.err  # the progress bar
    record = json.loads(
        api.generation_record(connection.settings_dict["NAME"]).read_text()
    )
    assert record["added"] == 300  # for the reports of the benches run later
    generate_corpus.main(["--claims", "300"])
    assert "Nothing to do" in capsys.readouterr().out


@pytest.mark.django_db
def test_bad_arguments_are_refused():
    if connection.vendor != "postgresql":
        with pytest.raises(SystemExit, match="needs PostgreSQL"):
            generate_corpus.main(["--claims", "10"])
        return
    with pytest.raises(SystemExit, match="--sources must be between"):
        generate_corpus.main(["--claims", "10", "--sources", "11"])


@pytest.mark.django_db(transaction=True)
def test_the_corpus_is_the_same_whatever_the_number_of_workers(monkeypatch):
    monkeypatch.setattr(corpus, "CLAIMS_PER_CHUNK", 100)
    generator = corpus.Generator(3, 0, 350, log=lambda line: None)
    generator.prepare()
    generator.first_claim = 0
    sizes = [100, 100, 100, 50]

    def planned(workers):
        return list(corpus._planned(generator, sizes, 10.0, 0.5, workers))

    alone = planned(1)
    assert planned(2) == alone
    assert planned(3) == alone
    # Every chunk has rows of its own, and counts its ids from 0 but its claims'.
    assert [len(rows["claim"]) for rows in alone] == sizes
    assert alone[1]["claim"][0][0] == 101
    assert alone[0]["source"][0][0] == alone[1]["source"][0][0] == 1
    assert alone[0]["source"] != alone[1]["source"]


def test_shifting_makes_a_chunks_ids_follow_the_rows_loaded_before():
    rows = {
        "source": [(1, "title")],
        "claim": [(7, "text")],
        "span": [(1, 7, 1, "content")],
        "ledger": [(1, 7, "", "pending"), (2, 7, "pending", "confirmed")],
        "evidence": [(1, 7, 2, 1, "supports"), (2, 7, 2, 1, "context")],
        "event": [(1, 7, "created")],
    }
    base = {
        "source": 40,
        "claim": 6,
        "span": 50,
        "ledger": 60,
        "evidence": 70,
        "event": 80,
    }
    shifted = corpus._shift(rows, base)
    assert shifted["source"] == [[41, "title"]]
    assert shifted["claim"] == [(7, "text")]
    assert shifted["span"] == [[51, 7, 41, "content"]]
    assert shifted["ledger"] == [
        [61, 7, "", "pending"],
        [62, 7, "pending", "confirmed"],
    ]
    assert shifted["evidence"] == [
        [71, 7, 62, 41, "supports"],
        [72, 7, 62, 41, "context"],
    ]
    assert shifted["event"] == [[81, 7, "created"]]


def test_a_generation_is_recorded_for_the_reports_of_later_runs(tmp_path, monkeypatch):
    """bench/generate_corpus.py records its generation as the benches do, so
    that their reports give the corpus's real generation time."""
    monkeypatch.setattr(api, "RESULTS", tmp_path)
    api.record_generation({"seconds": 12.5, "added": 300})
    path = api.generation_record(connection.settings_dict["NAME"])
    assert path.parent == tmp_path
    record = json.loads(path.read_text())
    assert record["seconds"] == 12.5
    assert record["added"] == 300
    assert record["when"].endswith(" UTC")


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_benches_time_nothing_before_the_server_has_checkpointed(monkeypatch):
    """settle() checkpoints at once (so no spread checkpoint of a database copy
    writes through the next timings) and waits while autovacuum runs or pages
    are still dirty."""
    monkeypatch.setenv("DATABASE_URL", database_url(connection.settings_dict))

    def checkpoint_lsn():
        with api.maintenance_connection() as conn:
            return conn.execute(
                "SELECT checkpoint_lsn FROM pg_control_checkpoint()"
            ).fetchone()[0]

    before = checkpoint_lsn()
    assert api.settle(timeout=5).startswith("settled in ")
    assert checkpoint_lsn() != before

    # What the server and the kernel report, poll by poll, then quiet.
    vacuums, dirty = [1, 0, 0], [0.0, 500.0]
    monkeypatch.setattr(api, "autovacuum_workers", lambda conn: vacuums.pop(0))
    monkeypatch.setattr(api, "dirty_mib", lambda: dirty.pop(0) if dirty else 0.0)
    monkeypatch.setattr(api.time, "sleep", lambda seconds: None)
    assert api.settle().endswith("(quiet: 0 autovacuum workers, 0 MiB dirty)")
    assert vacuums == []
    assert dirty == []

    monkeypatch.setattr(api, "autovacuum_workers", lambda conn: 0)
    monkeypatch.setattr(api, "dirty_mib", lambda: 500.0)
    assert api.settle(timeout=0).endswith(
        "(still busy, timed anyway: 0 autovacuum workers, 500 MiB dirty)"
    )


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_role_that_may_not_checkpoint_still_settles(monkeypatch):
    """On a server where the bench's role may not CHECKPOINT (a managed
    PostgreSQL), settle() says so and goes on waiting, rather than failing."""
    role = "claimtrack_test_no_checkpoint"
    settings = {**connection.settings_dict, "USER": role, "PASSWORD": ""}
    with api.maintenance_connection(connection.settings_dict) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {role}")
        admin.execute(f"CREATE ROLE {role} LOGIN")
        try:
            monkeypatch.setenv("DATABASE_URL", database_url(settings))
            assert "(no CHECKPOINT (the role may not), " in api.settle(timeout=5)
        finally:
            admin.execute(f"DROP ROLE {role}")


def test_a_corpus_top_up_records_its_generation_then_settles(monkeypatch):
    """Every bench settles before its timings, after its corpus is recorded
    (a settle that fails or waits must not lose a finished generation's record
    or stamp it late)."""
    calls = []
    monkeypatch.setattr(api, "record_generation", lambda g: calls.append("record"))
    monkeypatch.setattr(api, "settle", lambda: calls.append("settle") or "settled")
    monkeypatch.setattr(corpus, "generate", lambda claims, seed: {"seconds": 1.0})
    assert api.top_up_corpus(10, 1) == {"seconds": 1.0}
    assert calls == ["record", "settle"]

    calls.clear()
    monkeypatch.setattr(corpus, "generate", lambda claims, seed: None)
    api.top_up_corpus(10, 1)
    assert calls == ["settle"]
