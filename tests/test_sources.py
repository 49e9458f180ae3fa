import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from sources.models import Source
from sources.services import create_source
from sources.text import content_hash

pytestmark = pytest.mark.django_db


def test_source_text_is_stored_normalized_with_its_hash(reviewer):
    raw = "Cafe\u0301 owners said\r\nprices rise.\rThen fell."
    source = create_source(text=raw, title="Prices", by=reviewer).source
    source.refresh_from_db()
    assert source.text == "Caf\u00e9 owners said\nprices rise.\nThen fell."
    assert source.content_hash == content_hash(source.text)
    assert len(source.content_hash) == 64


def test_identical_text_answers_with_the_existing_source(reviewer):
    first = create_source(text="One text.\n", title="First", by=reviewer)
    # Same text once normalized (CRLF), different metadata: still the same source.
    second = create_source(text="One text.\r\n", title="Second", by=reviewer)
    assert first.created is True
    assert second.created is False
    assert second.source.pk == first.source.pk
    assert Source.objects.count() == 1
    assert Source.objects.get().title == "First"


def test_duplicate_hash_is_refused_by_the_database(reviewer):
    create_source(text="Twice stored?", by=reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(text="Twice stored?")


def test_source_without_text_needs_a_url(reviewer):
    with pytest.raises(ValidationError) as error:
        create_source(text="", title="A video", by=reviewer)
    assert Source.objects.count() == 0
    assert "source_has_text_or_url" in str(error.value)
    video = create_source(text="", url="https://video.example.org/1", by=reviewer)
    assert video.created
    assert video.source.content_hash is None
    assert not video.source.has_text


def test_text_less_sources_are_never_deduplicated(reviewer):
    a = create_source(text="", url="https://video.example.org/1", by=reviewer)
    b = create_source(text="", url="https://video.example.org/2", by=reviewer)
    assert a.source.pk != b.source.pk


@pytest.mark.parametrize(
    ("text", "reason"),
    [("nul \x00 byte", "NUL"), ("lone \ud800 surrogate", "surrogate")],
)
def test_unstorable_text_is_refused_naming_the_field(reviewer, text, reason):
    with pytest.raises(ValidationError) as error:
        create_source(text=text, by=reviewer)
    assert reason in error.value.message_dict["text"][0]
    assert Source.objects.count() == 0


def test_bad_language_tag_is_refused(reviewer):
    with pytest.raises(ValidationError) as error:
        create_source(text="Some words.", language="not a tag", by=reviewer)
    assert "language" in error.value.message_dict
    assert Source.objects.count() == 0


def test_unknown_kind_is_refused(reviewer):
    with pytest.raises(ValidationError) as error:
        create_source(text="Some words.", kind="rumour", by=reviewer)
    assert "kind" in error.value.message_dict


def test_text_cannot_be_changed_through_the_model(source):
    source.text = source.text + " More."
    with pytest.raises(ValidationError) as error:
        source.save()
    assert "immutable" in error.value.message_dict["text"][0]
    # Metadata can change, and the change is in the history.
    source.refresh_from_db()
    source.title = "Bridge works, corrected title"
    source.save()
    assert source.history.count() == 2


def test_text_cannot_be_changed_by_a_raw_write(source):
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=source.pk).update(text="rewritten")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
        c.execute(
            "UPDATE sources_source SET content_hash = %s WHERE id = %s",
            ["0" * 64, source.pk],
        )
    source.refresh_from_db()
    assert source.content_hash == content_hash(source.text)


def test_unnormalized_newlines_are_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
        c.execute(
            "INSERT INTO sources_source (title, url, kind, language, text, content_hash,"
            " created_at) VALUES ('', '', 'news_article', '', %s, %s, %s)",
            ["a\r\nb", content_hash("a\r\nb"), datetime.datetime.now(datetime.UTC)],
        )


@pytest.mark.postgresql
def test_postgresql_refuses_a_hash_that_is_not_the_texts(db):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
        c.execute(
            "INSERT INTO sources_source (title, url, kind, language, text, content_hash,"
            " created_at) VALUES ('', '', 'news_article', '', 'words', %s, now())",
            ["a" * 64],
        )


@pytest.mark.postgresql
def test_postgresql_refuses_text_that_is_not_nfc(db):
    text = "Cafe\u0301"
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
        c.execute(
            "INSERT INTO sources_source (title, url, kind, language, text, content_hash,"
            " created_at) VALUES ('', '', 'news_article', '', %s, %s, now())",
            [text, content_hash(text)],
        )


def test_a_revision_is_a_new_source_naming_the_old(source, reviewer):
    revised = create_source(
        text=source.text + "\nCorrection: the bridge reopens in July.",
        revises=source,
        by=reviewer,
    ).source
    assert revised.pk != source.pk
    assert list(source.revisions.all()) == [revised]
    source.refresh_from_db()
    assert source.content_hash == content_hash(source.text)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": 5}, "title"),
        ({"url": ["x"]}, "url"),
        ({"text": b"bytes"}, "text"),
        ({"publisher": 999}, "publisher"),
        ({"publisher": "P" * 201}, "publisher"),
        ({"revises": 999}, "revises"),
        ({"revises": "1"}, "revises"),
        ({"published_on": "soon"}, "published_on"),
        ({"title": "nul\x00"}, "title"),
    ],
)
def test_wrong_source_inputs_are_field_errors(reviewer, fields, field):
    with pytest.raises(ValidationError) as error:
        create_source(**{"text": "Some words.", **fields}, by=reviewer)
    assert field in error.value.message_dict
    assert Source.objects.count() == 0


def test_publisher_and_revises_can_be_given_by_id_or_name(reviewer, source):
    revised = create_source(
        text=source.text + " Updated.",
        publisher="Harbour Gazette",
        revises=source.pk,
        title=None,
        by=reviewer,
    ).source
    assert revised.publisher.name == "Harbour Gazette"
    assert revised.revises == source
    again = create_source(text="Other.", publisher=revised.publisher.pk, by=reviewer)
    assert again.source.publisher == revised.publisher
