"""The rules of claims/matching.py, each on a pair of our own, and the
evaluation command over the sets in evaluation/repeats/."""

import datetime

import pytest
from django.core.management import call_command

from claims.matching import THRESHOLD, Said, compare, facts
from claims.repeat_evaluation import evaluate, load


@pytest.mark.parametrize(
    ("text", "amounts", "years"),
    [
        ("It will cost twelve thousand pounds.", {12000}, set()),
        ("It carried 1.2 million people in 2024.", {1_200_000}, {2024}),
        ("It carried one point two million people.", {1_200_000}, set()),
        ("A budget of NOK 850m was set.", {850_000_000}, set()),
        ("Sixty percent of it, before 2028.", {0.6}, {2027}),
        ("Two-fifths of the ice has gone.", {0.4}, set()),
        ("Results within 48 hours.", {48}, set()),
        ("Results within two days.", {48}, set()),
        ("Warmed over two decades.", {20}, set()),
        ("Every one of the 2,000 jobs.", {2000}, set()),
        ("The vote is on 12 October 2025.", set(), {2025}),
    ],
)
def test_figures_and_years_are_read_as_values(text, amounts, years):
    found = facts(text)
    assert found.amounts == {float(a) for a in amounts}
    assert found.years == years


def said(text, **kwargs):
    return Said(text=text, kind=kwargs.pop("kind", "promise"), **kwargs)


MAYOR = frozenset({1})
BY_JUNE = {"due_on": datetime.date(2026, 6, 30), "due_on_precision": "month"}


def test_a_restatement_with_the_same_facts_is_a_repeat():
    match = compare(
        said(
            "Okafor said the Main Street bridge would reopen by June.",
            speakers=MAYOR,
            **BY_JUNE,
        ),
        said(
            "The Main Street bridge will reopen to traffic by June 2026.",
            speakers=MAYOR,
            **BY_JUNE,
        ),
    )
    assert match.score >= THRESHOLD
    assert {"same speaker", "same deadline"} <= set(match.reasons)


@pytest.mark.parametrize(
    ("proposal", "reason"),
    [
        ("Riverton will hire 40 more police officers in 2026.", "different figures"),
        ("Riverton will hire 25 more police officers in 2027.", "different years"),
        ("Riverton will not hire 25 more police officers in 2026.", "one says not"),
        ("Riverton will hire 25 more firefighters in 2026.", "one detail differs"),
    ],
)
def test_a_near_miss_falls_below_the_threshold_and_says_why(proposal, reason):
    known = said("Riverton will hire 25 more police officers in 2026.", speakers=MAYOR)
    match = compare(said(proposal, speakers=MAYOR), known)
    assert match.score < THRESHOLD
    assert any(r.startswith(reason) for r in match.reasons), match.reasons


def test_another_deadline_is_not_a_repeat():
    match = compare(
        said(
            "The bridge will reopen by September.",
            speakers=MAYOR,
            due_on=datetime.date(2026, 9, 30),
            due_on_precision="month",
        ),
        said("The bridge will reopen by June.", speakers=MAYOR, **BY_JUNE),
    )
    assert match.score < THRESHOLD
    assert "different deadline: Sep 2026 vs Jun 2026" in match.reasons


def test_another_named_speaker_is_never_a_candidate():
    match = compare(
        said("The bridge will reopen by June.", speakers=frozenset({2})),
        said("The bridge will reopen by June.", speakers=MAYOR),
    )
    assert match.score == 0


def test_the_tuning_set_scores_what_docs_repeats_says(settings):
    pool, cases = load(settings.BASE_DIR / "evaluation" / "repeats" / "tuning.yaml")
    report = evaluate(pool, cases)
    assert (round(report.precision, 2), round(report.recall, 2)) == (0.83, 0.83)


def test_evaluate_repeats_reports_both_sets(capsys):
    call_command("evaluate_repeats")
    out = capsys.readouterr().out
    assert "tuning: 36 repeats, 36 near misses, 111 known claims" in out
    assert "held-out: 24 repeats, 24 near misses, 72 known claims" in out
