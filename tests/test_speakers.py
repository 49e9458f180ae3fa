import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claims import services
from claims.models import Attribution, ClaimKind, Span, Speaker

from .factories import SpeakerFactory

pytestmark = pytest.mark.django_db


def test_merge_moves_every_claim_and_keeps_spans_and_history(
    propose, reviewer, speaker
):
    twin = SpeakerFactory(name="Z. Okafor", aliases=["the mayor"], wikidata_id="Q4242")
    mine = propose()
    theirs = [propose(speaker=twin), propose(speaker=twin, kind=ClaimKind.OPINION)]
    spans_before = set(Span.objects.values_list("id", "claim_id", "start", "end"))

    services.merge_speakers(
        merged=twin, into=speaker, by=reviewer, reason="same person"
    )

    twin.refresh_from_db()
    speaker.refresh_from_db()
    assert twin.merged_into == speaker
    assert set(speaker.claims.values_list("id", flat=True)) == {
        mine.pk,
        *(c.pk for c in theirs),
    }
    assert not twin.claims.exists()
    assert (
        set(Span.objects.values_list("id", "claim_id", "start", "end")) == spans_before
    )
    assert speaker.aliases == ["Mayor Okafor", "Z. Okafor", "the mayor"]
    assert speaker.wikidata_id == "Q4242" and twin.wikidata_id == ""
    for claim in theirs:
        claim.refresh_from_db()
        assert claim.version == 2
        latest = claim.history.first()
        assert latest.history_change_reason == "same person"
        assert latest.history_user == reviewer
        assert claim.history.last().speaker_id == twin.pk
    assert twin.history.first().merged_into_id == speaker.pk


def test_a_merged_speaker_cannot_be_merged_again_or_given_new_claims(
    propose, reviewer, speaker
):
    twin = SpeakerFactory(name="Z. Okafor")
    services.merge_speakers(merged=twin, into=speaker, by=reviewer)
    third = SpeakerFactory(name="Zoe Okafor")
    with pytest.raises(ValidationError) as error:
        services.merge_speakers(merged=twin, into=third, by=reviewer)
    assert "merged" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.merge_speakers(merged=third, into=twin, by=reviewer)
    assert "into" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        propose(speaker=twin)
    assert "merged into" in error.value.message_dict["speaker"][0]


def test_a_speaker_cannot_be_merged_into_itself(reviewer, speaker):
    with pytest.raises(ValidationError) as error:
        services.merge_speakers(merged=speaker, into=speaker, by=reviewer)
    assert "into" in error.value.message_dict


def test_find_or_create_speaker_matches_names_case_insensitively(reviewer, speaker):
    assert services.find_or_create_speaker(name="zoë okafor", by=reviewer) == speaker
    new = services.find_or_create_speaker(name="Ade Bello", by=reviewer)
    assert new.pk != speaker.pk and new.history.count() == 1
    with pytest.raises(ValidationError) as error:
        services.find_or_create_speaker(name="  ", by=reviewer)
    assert "speaker.name" in error.value.message_dict


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"wikidata_id": "42"}, "speaker_wikidata_id_format"),
        ({"kind": "robot"}, "speaker_kind_valid"),
        ({"name": ""}, "speaker_name_not_empty"),
    ],
)
def test_the_database_refuses_bad_speakers(db, fields, constraint):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Speaker.objects.create(**{"name": "Someone", **fields})
    assert constraint in str(error.value)


def test_wikidata_ids_are_unique(db):
    SpeakerFactory(wikidata_id="Q1")
    with pytest.raises(IntegrityError), transaction.atomic():
        SpeakerFactory(wikidata_id="Q1")
    SpeakerFactory(wikidata_id="")
    SpeakerFactory(wikidata_id="")  # blank ids do not collide


def test_a_narrator_claim_has_no_speaker_and_says_so(propose, source):
    claim = propose(
        kind=ClaimKind.FACT,
        attribution=Attribution.NARRATOR,
        speaker=None,
        speaker_title="",
        due_on=None,
        due_on_precision="",
        due_text="",
    )
    assert claim.speaker is None and claim.attribution == "narrator"


def test_merging_an_unknown_speaker_is_a_field_error(reviewer, speaker):
    ghost = Speaker(pk=987654, name="Nobody")
    with pytest.raises(ValidationError) as error:
        services.merge_speakers(merged=ghost, into=speaker, by=reviewer)
    assert "merged" in error.value.message_dict
