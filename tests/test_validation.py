"""The services' one-query constraint check agrees with Django's own."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Attribution, Claim, ClaimKind, Span
from claims.services._base import _loaded_relations, validate_constraints

pytestmark = pytest.mark.django_db


def errors_of(check, instance):
    try:
        check(instance)
    except ValidationError as error:
        return {k: [str(m) for m in v] for k, v in error.message_dict.items()}
    return {}


CASES = {
    "valid": {},
    "narrator with a speaker": {"attribution": Attribution.NARRATOR},
    "a fact with a deadline": {
        "kind": ClaimKind.FACT,
        "due_on": datetime.date(2026, 1, 1),
        "due_on_precision": "day",
    },
    "a date without precision": {"stated_on_precision": ""},
    "empty text and a bad status": {"text": "", "status": "pending", "kind": "opinion"},
    "three at once": {
        "attribution": Attribution.NARRATOR,
        "due_on_precision": "fortnight",
        "version": 0,
    },
}


@pytest.mark.parametrize("case", CASES)
def test_the_same_errors_as_django(case, speaker, reviewer):
    fields = {
        "text": "The tunnel will open in spring.",
        "speaker": speaker,
        "attribution": Attribution.DIRECT_QUOTE,
        "kind": ClaimKind.PREDICTION,
        "stated_on": datetime.date(2025, 3, 1),
        "stated_on_precision": "day",
        "status": "pending",
        "created_by": reviewer,
    }
    claim = Claim(**(fields | CASES[case]))
    ours = errors_of(validate_constraints, claim)
    assert ours == errors_of(Claim.validate_constraints, claim)
    assert bool(ours) == (case != "valid")


def test_one_query_for_every_check_constraint(speaker, reviewer):
    claim = Claim(
        text="x",
        speaker=speaker,
        attribution=Attribution.DIRECT_QUOTE,
        kind=ClaimKind.FACT,
        status="unverified",
        created_by=reviewer,
    )
    with CaptureQueriesContext(connection) as queries:
        validate_constraints(claim)
    selects = [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(selects) == 1


def test_only_keys_to_rows_read_from_the_database_skip_the_lookup(speaker, reviewer):
    claim = Claim(speaker=speaker, created_by=reviewer)
    assert sorted(_loaded_relations(claim)) == ["created_by", "speaker"]
    claim.speaker_id = speaker.pk + 1000  # changed behind the cached object
    assert _loaded_relations(claim) == ["created_by"]
    assert _loaded_relations(Span(claim_id=1, source_id=2)) == []
