import datetime
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.models import Claim, ClaimRelation, Evidence, Span, Speaker, StatusChange
from claims.seeding import SEEDS_DIR, SeedError, load_seeds, read_seed
from sources.models import Source
from sources.text import content_hash

pytestmark = pytest.mark.django_db

ARTICLE_DIR = SEEDS_DIR / "khunjerab-2025-04-22"


def seed_rows():
    """Everything load_seeds writes, minus timestamps."""
    return {
        "sources": list(Source.objects.values_list("id", "content_hash", "title")),
        "speakers": list(Speaker.objects.values_list("id", "name", "aliases")),
        "claims": list(
            Claim.objects.values_list("id", "text", "status", "review", "version")
        ),
        "spans": list(
            Span.objects.values_list(
                "id", "claim_id", "start", "end", "stated_on", "speaker_id", "review"
            )
        ),
        "relations": list(
            ClaimRelation.objects.values_list("id", "claim_id", "other_id", "kind")
        ),
        "ledger": list(StatusChange.objects.values_list("id", "claim_id", "to_status")),
        "evidence": list(Evidence.objects.values_list("id", "claim_id", "start")),
        "history": Claim.history.count(),
    }


def test_seeds_load_idempotently(db):
    call_command("load_seeds")
    first = seed_rows()
    call_command("load_seeds")
    assert seed_rows() == first


def test_the_seed_article_is_stored_verbatim_with_its_metadata(seeded):
    article = Source.objects.get(title__startswith="Khunjerab")
    raw = (ARTICLE_DIR / "article.txt").read_text("utf-8")
    assert article.text == raw  # already normalized: LF, NFC
    assert article.content_hash == content_hash(raw)
    assert len(article.text) == 2961
    assert article.published_on == datetime.date(2025, 4, 22)
    assert (article.kind, article.language) == ("news_article", "en")


def test_every_seed_span_verifies_against_its_source(seeded):
    spans = list(Span.objects.select_related("source")) + list(
        Evidence.objects.exclude(start=None).select_related("source")
    )
    assert len(spans) >= 30
    for span in spans:
        text = span.source.text
        assert text[span.start : span.end] == span.exact
        assert text[max(0, span.start - 32) : span.start] == span.prefix
        assert text[span.end : span.end + 32] == span.suffix


def test_the_curation_is_complete(seeded):
    claims = Claim.objects.select_related("speaker", "reviewed_by")
    assert claims.count() >= 15
    assert {c.review for c in claims} == {"accepted"}
    assert {c.reviewed_by.username for c in claims} == {"seed-reviewer"}
    assert all(c.spans.filter(role="content").exists() for c in claims)
    # A source without a publication date (seeds/svalbard-fjords-study) leaves
    # its claims undated unless the text dates them.
    dated = [c for c in claims if c.spans.first().source.published_on]
    assert all(c.stated_on and c.stated_on_precision for c in dated)
    assert set(claims.values_list("attribution", flat=True)) == {
        "direct_quote",
        "indirect",
        "narrator",
        "hedged",
    }
    assert set(claims.values_list("kind", flat=True)) == {
        "fact",
        "prediction",
        "promise",
        "opinion",
    }
    titles = {
        (c.speaker.name, c.speaker_title) for c in claims if c.speaker is not None
    }
    assert ("Haji Gulbar Khan", "Gilgit Baltistan Chief Minister") in titles
    assert ("Erkin Tuniyaz", "Governor of Xinjiang") in titles
    assert ("Shehbaz Sharif", "Prime Minister") in titles
    assert ("Shehbaz Sharif", "PM") in titles
    assert ("Shaza Fatima Khawaja", "state minister") in titles
    assert all(c.speaker is None for c in claims if c.attribution == "narrator")


def test_the_starlink_prediction_is_due_end_of_2025_at_month_precision(seeded):
    claim = Claim.objects.get(text__startswith="Starlink")
    assert claim.kind == "prediction"
    assert claim.speaker.name == "Shaza Fatima Khawaja"
    assert (claim.stated_on, claim.stated_on_precision) == (
        datetime.date(2025, 4, 1),
        "month",
    )
    assert (claim.due_on, claim.due_on_precision, claim.due_text) == (
        datetime.date(2025, 12, 31),
        "month",
        "by November or December",
    )
    assert claim.status == "pending"  # until the sweep runs
    content = claim.spans.get(role="content", source__title__startswith="Khunjerab")
    assert content.exact.endswith("set to launch in Pakistan by November or December")
    assert claim.evidence.count() == 2


def test_relative_dates_are_resolved_with_their_precision(seeded):
    first_step = Claim.objects.get(text__contains="first step in space")
    assert (first_step.stated_on, first_step.stated_on_precision) == (
        datetime.date(2024, 1, 1),
        "year",
    )
    on_tuesday = Claim.objects.get(text__startswith="Pakistan is keen")
    assert (on_tuesday.stated_on, on_tuesday.stated_on_precision) == (
        datetime.date(2025, 4, 22),
        "day",
    )


def test_seed_verdicts_carry_evidence_spans(seeded):
    corrected = Claim.objects.get(text__contains="Shanghai SpaceCom")
    assert corrected.status == "unverifiable"  # corrected, docs/seeds.md
    entry = corrected.ledger.get(to_status="refuted")
    assert entry.evidence.get().stance == "refutes"
    eo_sat = Claim.objects.get(text__contains="electro-optical satellite from Jiuquan")
    assert eo_sat.status == "confirmed"
    assert "17 January 2025" in eo_sat.ledger.last().evidence.get().exact


def copy_seed(tmp_path, edit):
    """The founding seed, edited, beside the follow-ups its correction cites."""
    folder = tmp_path / "seeds" / "broken"
    shutil.copytree(ARTICLE_DIR, folder)
    follow_ups = ARTICLE_DIR.parent / "khunjerab-follow-ups"
    shutil.copytree(follow_ups, folder.parent / follow_ups.name)
    seed = folder / "seed.yaml"
    seed.write_text(edit(seed.read_text("utf-8")), "utf-8")
    return folder.parent


def test_a_quote_that_is_not_in_the_article_is_refused_and_nothing_written(
    db, tmp_path
):
    root = copy_seed(
        tmp_path,
        lambda text: text.replace(
            "quote: Pakistan gave great importance",
            "quote: Pakistan gave huge importance",
        ),
    )
    with pytest.raises(SeedError) as error:
        load_seeds(root)
    assert "does not occur in the text" in str(error.value)
    assert "Pakistan gave huge importance" in str(error.value)
    assert not Claim.objects.exists()
    assert not Source.objects.exists()


def test_an_ambiguous_quote_needs_an_occurrence(tmp_path):
    root = copy_seed(
        tmp_path,
        lambda text: text.replace(
            "{quote: said, occurrence: 3, role: cue}", "{quote: said, role: cue}"
        ),
    )
    with pytest.raises(SeedError) as error:
        read_seed(root / "broken")
    assert "occurs 5 times" in str(error.value)


def test_an_occurrence_past_the_count_is_refused(tmp_path):
    root = copy_seed(
        tmp_path, lambda text: text.replace("occurrence: 5", "occurrence: 6")
    )
    with pytest.raises(SeedError) as error:
        read_seed(root / "broken")
    assert "occurs only 5 time(s), not 6" in str(error.value)


def test_the_command_reports_a_bad_seed_as_a_command_error(db, tmp_path, monkeypatch):
    root = copy_seed(
        tmp_path, lambda text: text.replace("file: article.txt", "file: missing.txt")
    )
    monkeypatch.setattr("claims.management.commands.load_seeds.SEEDS_DIR", root)
    with pytest.raises(CommandError) as error:
        call_command("load_seeds")
    assert "cannot read its file" in str(error.value)


def test_an_edited_seed_claim_is_updated_through_the_service(db, tmp_path):
    load_seeds()
    root = copy_seed(
        tmp_path,
        lambda text: text.replace(
            "text: Pakistan gives great importance to the space technology sector.",
            "text: Pakistan gives great importance to its space technology sector.",
        ),
    )
    before = Claim.objects.count()
    report = load_seeds(root)
    assert (report.claims_created, report.claims_updated) == (0, 1)
    claim = Claim.objects.get(text__contains="its space technology sector")
    assert claim.version == 3  # proposed, accepted, edited
    assert claim.history.first().history_change_reason == "seed file updated"
    assert Claim.objects.count() == before


def test_a_rerun_keeps_what_reviewers_changed(db, reviewer):
    from claims import services

    load_seeds()
    claim = Claim.objects.get(text__startswith="Pakistan gives great importance")
    services.edit_claim(
        claim=claim,
        expected_version=claim.version,
        by=reviewer,
        text="Pakistan attaches great importance to the space technology sector.",
    )
    shehbaz = Speaker.objects.get(name="Shehbaz Sharif")
    twin = services.find_or_create_speaker(name="Shahbaz Sharif", by=reviewer)
    services.merge_speakers(merged=shehbaz, into=twin, by=reviewer)
    speakers = Speaker.objects.count()

    report = load_seeds()

    claim.refresh_from_db()
    assert claim.text.startswith("Pakistan attaches")
    assert Speaker.objects.count() == speakers  # the merged name is not re-created
    assert Claim.objects.filter(speaker=shehbaz).count() == 0
    assert report.claims_kept >= 1


def test_a_bad_vocabulary_value_stops_the_load_before_anything_is_written(db, tmp_path):
    root = copy_seed(
        tmp_path,
        lambda text: text.replace("attribution: hedged", "attribution: rumoured"),
    )
    with pytest.raises(SeedError) as error:
        load_seeds(root)
    assert "'rumoured' is not one of" in str(error.value)
    assert not Claim.objects.exists()
