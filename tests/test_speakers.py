import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import services
from claims.models import Attribution, ClaimKind, Span, Speaker, SpeakerName
from sources.text import name_key

from .factories import SpeakerFactory, StaffFactory

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
    assert speaker.wikidata_id == "Q4242"
    assert twin.wikidata_id == ""
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
    assert new.pk != speaker.pk
    assert new.history.count() == 1
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
    assert claim.speaker is None
    assert claim.attribution == "narrator"


def test_merging_an_unknown_speaker_is_a_field_error(reviewer, speaker):
    ghost = Speaker(pk=987654, name="Nobody")
    with pytest.raises(ValidationError) as error:
        services.merge_speakers(merged=ghost, into=speaker, by=reviewer)
    assert "merged" in error.value.message_dict


# --- names that look the same ------------------------------------------------------

SHAZA = "Shaza Fatima Khawaja"
LOOK_ALIKES = [
    "Shaza\u200b Fatima Khawaja",  # a zero-width space
    "Sh\u0430za Fatima Khawaja",  # a Cyrillic a
    "Shaza  Fatima   Khawaja",
    "shaza fatima KHAWAJA",
    "\u200eShaza Fatima Khawaja\ufeff",
]


@pytest.fixture
def shaza(db):
    return SpeakerFactory(name=SHAZA, aliases=["the state minister"])


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_a_name_that_looks_the_same_is_matched_to_the_existing_speaker(
    reviewer, shaza, look_alike
):
    assert services.find_or_create_speaker(name=look_alike, by=reviewer) == shaza
    assert Speaker.objects.count() == 1


def test_an_alias_that_looks_the_same_is_matched(reviewer, shaza):
    found = services.find_or_create_speaker(name="The  State Minister", by=reviewer)
    assert found == shaza


def test_a_new_name_is_stored_normalized(reviewer):
    new = services.find_or_create_speaker(
        name=" Ade\u200b  Bello\u200f ",
        aliases=["PM\u2060 Bello", "Ade Bello"],
        by=reviewer,
    )
    assert (new.name, new.aliases) == ("Ade Bello", ["PM Bello"])
    assert set(new.names.values_list("key", flat=True)) == {"ade bello", "pm bello"}


def test_a_name_of_invisible_characters_only_is_refused(reviewer):
    with pytest.raises(ValidationError) as error:
        services.find_or_create_speaker(name="\u200b\u2060", by=reviewer)
    assert "speaker.name" in error.value.message_dict
    assert not Speaker.objects.exists()


def test_matching_a_name_is_one_indexed_query(reviewer, shaza):
    SpeakerFactory.create_batch(5)
    with CaptureQueriesContext(connection) as captured:
        services.find_or_create_speaker(name=LOOK_ALIKES[1], by=reviewer)
    selects = [q["sql"] for q in captured if q["sql"].startswith("SELECT")]
    assert len(selects) == 1, selects
    assert '"claims_speakername"."key" =' in selects[0]


def test_the_name_keys_follow_every_save(reviewer, shaza):
    shaza.aliases = ["Minister Khawaja"]
    shaza.save()
    assert (
        services.find_or_create_speaker(name="minister khawaja", by=reviewer) == shaza
    )
    state = services.find_or_create_speaker(name="the state minister", by=reviewer)
    assert state != shaza  # the alias removed no longer matches
    shaza.name = "Shaza Khawaja"
    shaza.save(update_fields=["name"])
    assert set(shaza.names.values_list("name", flat=True)) == {
        "Shaza Khawaja",
        "Minister Khawaja",
    }


def test_a_merged_speakers_old_name_finds_the_speaker_it_was_merged_into(
    reviewer, shaza
):
    twin = SpeakerFactory(name="S. F. Khawaja")
    services.merge_speakers(merged=twin, into=shaza, by=reviewer)
    assert "S. F. Khawaja" in Speaker.objects.get(pk=shaza.pk).aliases
    for name in ("S. F. Khawaja", "s. f.  khawaja"):
        assert services.find_or_create_speaker(name=name, by=reviewer) == shaza
    assert Speaker.objects.active().count() == 1


def test_the_migration_fills_the_keys_of_existing_speakers(shaza):
    SpeakerName.objects.all().delete()
    migration = importlib.import_module("claims.migrations.0016_speaker_name_keys")
    migration.fill_name_keys(apps, None)
    assert set(SpeakerName.objects.values_list("speaker_id", "key")) == {
        (shaza.pk, name_key(SHAZA)),
        (shaza.pk, "the state minister"),
    }


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory(username="admin-ada"))
    return client


def test_the_admin_refuses_a_new_speaker_that_looks_like_an_existing_one(
    staff_client, shaza
):
    response = staff_client.post(
        reverse("admin:claims_speaker_add"),
        {"name": LOOK_ALIKES[1], "kind": "person", "aliases": "[]"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert (
        f"looks the same as the existing speaker {SHAZA} (id {shaza.pk})"
        in response.text
    )
    assert Speaker.objects.count() == 1


def test_the_admin_refuses_a_rename_into_a_look_alike(staff_client, shaza):
    other = SpeakerFactory(name="Ade Bello")
    url = reverse("admin:claims_speaker_change", args=[other.pk])
    response = staff_client.post(
        url, {"name": "THE STATE MINISTER", "kind": "person", "aliases": "[]"}
    )
    assert response.status_code == 200
    assert f"the existing speaker {SHAZA} (id {shaza.pk})" in response.text
    assert Speaker.objects.get(pk=other.pk).name == "Ade Bello"


def test_the_admin_stores_a_new_speaker_normalized(staff_client, shaza):
    response = staff_client.post(
        reverse("admin:claims_speaker_add"),
        {"name": "Ade\u200b  Bello", "kind": "person", "aliases": '["A.\u200bBello"]'},
    )
    assert response.status_code == 302, response.text
    new = Speaker.objects.get(name="Ade Bello")
    assert new.aliases == ["A.Bello"]
    assert services.find_or_create_speaker(name="a.bello") == new
    # Editing it again with its own name is not a look-alike of itself.
    response = staff_client.post(
        reverse("admin:claims_speaker_change", args=[new.pk]),
        {"name": "Ade Bello", "kind": "person", "aliases": "[]", "description": "x"},
    )
    assert response.status_code == 302, response.text
