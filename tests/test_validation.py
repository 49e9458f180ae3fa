"""The services' validation: Django's full_clean and the unique constraints
before a write, the database's check constraints at it (``save_instance``)."""

import pytest
from django.core.exceptions import ValidationError

from claims.models import Claim, Span
from claims.services.checks import loaded_relations, save_instance, validate_instance

pytestmark = pytest.mark.django_db


def test_a_check_constraint_the_database_refuses_is_a_validation_error(propose):
    # No query checks the constraint before the write: the database refuses
    # it, and the refusal reads as validate_constraints would give it.
    claim = propose()
    claim.text = ""  # claim_text_not_empty
    with pytest.raises(ValidationError) as error:
        save_instance(claim, prefix="claim")
    assert error.value.message_dict == {
        "claim.__all__": ["Constraint \u201cclaim_text_not_empty\u201d is violated."]
    }
    assert Claim.objects.get(pk=claim.pk).text  # nothing was written


def test_field_errors_come_before_constraint_errors(propose, reviewer):
    span = propose().spans.get()
    span.withdrawn_by = reviewer
    span.role = "footnote"  # a field error: the constraints wait for the fields
    with pytest.raises(ValidationError) as error:
        validate_instance(span)
    assert set(error.value.message_dict) == {"role"}


def test_only_keys_to_rows_read_from_the_database_skip_the_lookup(speaker, reviewer):
    claim = Claim(speaker=speaker, created_by=reviewer)
    assert sorted(loaded_relations(claim)) == ["created_by", "speaker"]
    claim.speaker_id = speaker.pk + 1000  # changed behind the cached object
    assert loaded_relations(claim) == ["created_by"]
    assert loaded_relations(Span(claim_id=1, source_id=2)) == []
