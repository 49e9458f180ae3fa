"""Scoring the extractor against curated claims (claims/extraction/evaluation.py),
the evaluate_extraction command, and the targets on the seed article."""

import datetime
import json

import pytest
from django.core.management import call_command

from claims.extraction import Proposal, extract
from claims.extraction.evaluation import Expected, combine, match, score
from claims.management.commands.evaluate_extraction import curated_articles
from claims.seeding import SEEDS_DIR

DAY = datetime.date(2025, 4, 22)


def proposal(spans, speaker=None, attribution="narrator", kind="fact", **fields):
    values = {
        "content_spans": tuple(spans),
        "cue_span": None,
        "speaker_span": None,
        "speaker_name": speaker,
        "speaker_title": "",
        "speaker_kind": None,
        "attribution": attribution,
        "kind": kind,
        "stated_on": DAY,
        "stated_on_precision": "day",
        "due_on": None,
        "due_on_precision": "",
        "due_text": "",
        "text": "x",
        "confidence": 0.5,
        "rule": "narrator",
    }
    values.update(fields)
    return Proposal(**values)


def claim(spans, speaker=None, attribution="narrator", kind="fact", **fields):
    values = {"stated_on": DAY, "stated_on_precision": "day"}
    values.update(fields)
    return Expected(tuple(spans), speaker, attribution, kind, **values)


def test_a_match_needs_half_of_the_shorter_span():
    expected = [claim([(0, 100)])]
    assert match(expected, [proposal([(80, 200)])]) == []  # 20 of the shorter 100
    assert match(expected, [proposal([(50, 150)])]) == [(0, 0)]  # 50 of 100: half
    assert match(expected, [proposal([(10, 20)])]) == [(0, 0)]  # inside


def test_any_pair_of_content_spans_can_match():
    expected = [claim([(0, 10), (50, 60)])]
    assert match(expected, [proposal([(200, 210), (52, 60)])]) == [(0, 0)]


def test_matching_is_one_to_one_best_overlap_first():
    expected = [claim([(0, 100)]), claim([(100, 140)])]
    proposals = [proposal([(0, 140)]), proposal([(0, 98)])]
    # The whole-paragraph proposal overlaps both, but (0, 98) fits the first
    # claim better, so the long one goes to the second claim.
    assert match(expected, proposals) == [(0, 1), (1, 0)]


def test_precision_recall_and_f1():
    expected = [claim([(0, 10)]), claim([(20, 30)]), claim([(40, 50)])]
    proposals = [proposal([(0, 10)]), proposal([(20, 30)]), proposal([(90, 99)])]
    result = score(expected, proposals)
    assert (result.matched, result.precision, result.recall) == (2, 2 / 3, 2 / 3)
    assert result.f1 == pytest.approx(2 / 3)
    assert [m.content_spans for m in result.misses] == [((40, 50),)]
    assert [p.content_spans for p in result.false_positives] == [((90, 99),)]


def test_field_accuracies_on_matched_pairs():
    expected = [
        claim([(0, 10)], "Ana Ruiz", "direct_quote", "promise"),
        claim([(20, 30)]),
        claim(
            [(40, 50)],
            "Omar Haddad",
            "indirect",
            "prediction",
            stated_on=datetime.date(2025, 4, 1),
            stated_on_precision="month",
            due_on=datetime.date(2025, 12, 1),
            due_on_precision="month",
        ),
    ]
    proposals = [
        proposal([(0, 10)], "ana  ruiz", "direct_quote", "prediction"),
        proposal([(20, 30)]),
        proposal(
            [(40, 50)],
            "Omar Haddad",
            "indirect",
            "prediction",
            stated_on=datetime.date(2025, 4, 1),
            stated_on_precision="month",
            due_on=datetime.date(2025, 12, 31),  # the same month
            due_on_precision="month",
        ),
    ]
    result = score(expected, proposals)
    assert result.accuracy("speaker") == 1  # case and spacing aside; both none
    assert result.accuracy("attribution") == 1
    assert result.accuracy("kind") == pytest.approx(2 / 3)
    assert result.accuracy("stated_on") == 1
    assert result.accuracy("due") == 1


def test_nothing_to_find_and_nothing_found():
    empty = score([], [])
    assert (empty.precision, empty.recall, empty.matched) == (1.0, 1.0, 0)
    assert empty.accuracy("speaker") is None
    assert score([claim([(0, 5)])], []).recall == 0


def test_combining_articles_sums_counts():
    one = score([claim([(0, 10)])], [proposal([(0, 10)])])
    two = score([claim([(0, 10)])], [proposal([(50, 60)])])
    total = combine([one, two])
    assert (total.expected, total.proposed, total.matched) == (2, 2, 1)
    assert total.as_dict()["precision"] == 0.5


def test_the_seed_article_meets_its_targets():
    """Recall ≥ 0.9, precision ≥ 0.8, speakers ≥ 0.9 on the founding article,
    with and without its speakers known (read from the seed files, no DB)."""
    (article,) = curated_articles(SEEDS_DIR / "khunjerab-2025-04-22")
    for known in (article.speakers, ()):
        result = score(
            article.expected, extract(article.text, article.published_on, known)
        )
        assert result.recall >= 0.9
        assert result.precision >= 0.8
        assert result.accuracy("speaker") >= 0.9


CURATED_FOR_EXTRACTION = (
    "khunjerab-2025-04-22",
    "riverton-water-2026-03-10",
    "harbourne-barrier-2025-11-04",
    "tromvik-ferry-2026-02-12",
    "svalbard-fjords-study",
)


@pytest.mark.parametrize("folder", CURATED_FOR_EXTRACTION)
def test_every_curated_article_is_found_well(folder):
    for article in curated_articles(SEEDS_DIR / folder):
        result = score(
            article.expected,
            extract(article.text, article.published_on, article.speakers),
        )
        assert result.f1 >= 0.8, article.name


def test_the_command_needs_no_database(capsys):
    # No ``db`` fixture: pytest-django fails any query, so this proves the
    # command reads files only.
    call_command("evaluate_extraction", "--seed", "khunjerab-2025-04-22", "--verbose")
    out = capsys.readouterr().out
    assert "Extraction on the seeds, with the seed's speakers known" in out
    assert "Extraction on the seeds, with no known speakers" in out
    assert "test part (never tuned on)" in out
    assert "khunjerab-2025-04-22" in out


def test_the_command_speaks_json(capsys):
    call_command("evaluate_extraction", "--json")
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"known", "unknown", "test", "dev"}
    overall = data["known"]["overall"]
    assert overall["expected"] >= 18
    assert set(overall["accuracy"]) == {
        "speaker",
        "attribution",
        "kind",
        "stated_on",
        "due",
    }


def test_an_unknown_seed_folder_is_an_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No seed folder"):
        call_command("evaluate_extraction", "--seed", "nowhere")
