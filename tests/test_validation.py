"""The services' validation: Django's full_clean and validate_constraints."""

import pytest
from django.core.exceptions import ValidationError

from claims.models import Claim, Span
from claims.services._base import _loaded_relations, _validate

pytestmark = pytest.mark.django_db


def test_a_constraint_on_a_key_read_from_the_database_is_still_checked(
    propose, reviewer
):
    # The withdrawer was read from the database, so full_clean leaves out its
    # existence check; the constraint that names it still runs.
    span = propose().spans.get()
    span.withdrawn_by = reviewer  # but no withdrawn_at nor reason
    assert "withdrawn_by" in _loaded_relations(span)
    with pytest.raises(ValidationError) as error:
        _validate(span, prefix="spans.0")
    assert error.value.message_dict == {
        "spans.0.__all__": [
            "Constraint \u201cspan_withdrawal_complete\u201d is violated."
        ]
    }


def test_field_errors_come_before_constraint_errors(propose, reviewer):
    span = propose().spans.get()
    span.withdrawn_by = reviewer
    span.role = "footnote"  # a field error: the constraints wait for the fields
    with pytest.raises(ValidationError) as error:
        _validate(span)
    assert set(error.value.message_dict) == {"role"}


def test_only_keys_to_rows_read_from_the_database_skip_the_lookup(speaker, reviewer):
    claim = Claim(speaker=speaker, created_by=reviewer)
    assert sorted(_loaded_relations(claim)) == ["created_by", "speaker"]
    claim.speaker_id = speaker.pk + 1000  # changed behind the cached object
    assert _loaded_relations(claim) == ["created_by"]
    assert _loaded_relations(Span(claim_id=1, source_id=2)) == []
