"""Proposing claims with the extractor, in the product: the service, the
command, the API flag and the admin (the extractor itself: test_extraction)."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from claims import services
from claims.integrity import audit_provenance
from claims.models import Claim, ClaimExtraction, Job, Span, Speaker
from claims.services.proposals import extractor_user, known_speakers, propose_claims
from sources.models import Source
from sources.services import create_source

from .errors import errors
from .factories import SpeakerFactory, StaffFactory

pytestmark = pytest.mark.django_db

# Our own text, in a common news style.
ARTICLE = (
    "Transport Minister Aiko Tanaka said on Monday that the new tram line "
    "“will carry its first passengers by March next year”.\n"
    "“We will not raise fares this year,” Tanaka added.\n"
    "Opposition leader Marek Nowak told reporters that the project was "
    "“a waste of public money”.\n"
    "The city council reportedly spent €40 million on the first phase."
)


@pytest.fixture
def article(reviewer):
    return create_source(
        text=ARTICLE,
        title="Tram line",
        kind="news_article",
        language="en",
        published_on=datetime.date(2025, 9, 10),
        by=reviewer,
    ).source


def test_proposals_become_proposed_claims_by_the_extractor(article):
    run = propose_claims(source=article)
    assert run.created, run.skipped
    extractor = extractor_user()
    assert not extractor.is_active  # a system account: it cannot log in
    for claim in run.created:
        assert claim.review == "proposed"
        assert claim.created_by == extractor
        record = ClaimExtraction.objects.get(claim=claim)
        assert 0 <= record.confidence <= 1
        assert record.rule
        assert "Proposed by the extractor (rule " in claim.ledger.get().rationale
        for span in claim.spans.all():
            assert article.text[span.start : span.end] == span.exact
    assert list(audit_provenance()) == []
    quoted = {span.exact for span in Span.objects.filter(role="content")}
    assert "will carry its first passengers by March next year" in quoted


def test_known_speakers_are_matched_and_new_ones_created(article):
    tanaka = SpeakerFactory(name="Aiko Tanaka", aliases=["Minister Tanaka"])
    propose_claims(source=article)
    assert Claim.objects.filter(speaker=tanaka).exists()
    assert Speaker.objects.filter(name="Aiko Tanaka").count() == 1
    assert Speaker.objects.filter(name__icontains="Nowak").exists()


def test_after_a_merge_the_extractor_finds_the_survivor_by_the_old_name(
    article, reviewer
):
    known_speakers()  # built before the merge: the merge must bring it up to date
    survivor = SpeakerFactory(name="Marek Jan Nowak")
    merged = SpeakerFactory(name="Marek Nowak")
    services.merge_speakers(merged=merged, into=survivor, by=reviewer)
    propose_claims(source=article)
    claim = Claim.objects.get(spans__exact__contains="a waste of public money")
    assert claim.speaker == survivor
    assert not merged.claims.exists()
    assert Speaker.objects.filter(name__icontains="Nowak").count() == 2


def test_a_look_alike_in_the_text_is_matched_to_the_existing_speaker(reviewer):
    nowak = SpeakerFactory(name="Marek Nowak")
    text = "Opposition leader Marek N\u043ewak said the tram “will be late”."
    source = create_source(text=text, title="t", by=reviewer).source
    run = propose_claims(source=source)
    assert [claim.speaker for claim in run.created] == [nowak]
    assert Speaker.objects.count() == 1


def test_the_speaker_index_follows_every_change_between_sources(
    article, reviewer, django_assert_max_num_queries
):
    def speaker_of(quote):
        return Claim.objects.get(
            spans__exact__contains=quote, spans__role="content"
        ).speaker

    def fresh_source(text):
        return create_source(text=text, title="t", by=reviewer).source

    known_speakers()  # built once; from now on brought up to date
    tanaka = SpeakerFactory(name="Aiko Tanaka", aliases=["Minister Tanaka"])
    propose_claims(source=article)
    assert speaker_of("We will not raise fares this year") == tanaka
    # The speakers that run created are added (one more query), then, with
    # nothing changed, two small queries and no reload of every speaker.
    with django_assert_max_num_queries(3):
        known_speakers()
    with django_assert_max_num_queries(2):
        known_speakers()
    # An alias added later (an edit, not a creation) rebuilds the index.
    tanaka.aliases = ["Minister Tanaka", "Aiko Sato"]
    tanaka.save()
    propose_claims(source=fresh_source("Aiko Sato said the depot “will open in May”."))
    assert speaker_of("will open in May") == tanaka
    # A speaker created through the service is known to the next source.
    okafor = SpeakerFactory(name="Chidi Okafor")
    propose_claims(
        source=fresh_source("Chidi Okafor said the bridge “will close in June”.")
    )
    assert speaker_of("will close in June") == okafor
    assert Speaker.objects.filter(name="Chidi Okafor").count() == 1


def test_a_rerun_duplicates_nothing(article):
    first = propose_claims(source=article)
    again = propose_claims(source=article)
    assert again.created == []
    assert len(again.skipped) >= len(first.created)
    assert {why for _, why in again.skipped} >= {
        "a claim is already anchored to these words"
    }
    assert Claim.objects.count() == len(first.created)


def test_a_source_without_text_is_refused(reviewer):
    bare = create_source(
        text="", url="https://example.org/report", title="Report", by=reviewer
    ).source
    with pytest.raises(ValidationError) as refused:
        propose_claims(source=bare)
    assert "has no text" in str(refused.value)
    assert Claim.objects.count() == 0


def test_the_minimum_confidence_skips_weaker_proposals(article):
    run = propose_claims(source=article, min_confidence=1.0)
    assert all(claim.extraction.confidence >= 1.0 for claim in run.created)
    with pytest.raises(ValidationError):
        propose_claims(source=article, min_confidence=2)


def test_the_command(article, capsys):
    call_command("propose_claims", str(article.pk))
    out = capsys.readouterr().out
    assert f"source {article.pk}: " in out
    assert "claim(s) proposed" in out
    assert Claim.objects.exists()
    with pytest.raises(CommandError, match="No source with id 999"):
        call_command("propose_claims", "999")


def test_the_api_flag(api, api_user):
    contributor = api(api_user("contributor"))
    response = contributor.post(
        "/api/v1/sources/",
        {
            "text": ARTICLE,
            "title": "Tram line",
            "published_on": "2025-09-10",
            "propose_claims": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()["proposals"]["created"]
    assert created
    assert set(created) == set(Claim.objects.values_list("id", flat=True))
    plain = contributor.post(
        "/api/v1/sources/", {"text": "Another text entirely."}, format="json"
    )
    assert plain.json()["proposals"] is None


def test_the_api_flag_needs_a_text_and_writes_nothing_without(api, api_user):
    contributor = api(api_user("contributor"))
    response = contributor.post(
        "/api/v1/sources/",
        {"url": "https://example.org/x", "fetch": False, "propose_claims": True},
        format="json",
    )
    assert response.status_code == 400
    assert "propose_claims" in errors(response)
    assert Source.objects.count() == 0


def test_the_admin_checkbox_and_action(client, reviewer):
    client.force_login(StaffFactory(username="root"))
    response = client.post(
        reverse("admin:sources_source_add"),
        {
            "title": "Tram line",
            "kind": "news_article",
            "language": "en",
            "published_on": "2025-09-10",
            "text": ARTICLE,
            "propose_claims": "on",
        },
        follow=True,
    )
    assert "claim(s) proposed for review" in response.text
    proposed = Claim.objects.count()
    assert proposed
    source = Source.objects.get(title="Tram line")
    page = client.post(
        reverse("admin:sources_source_changelist"),
        {"action": "propose_selected", ACTION_CHECKBOX_NAME: [source.pk]},
        follow=True,
    )
    # The action runs a job a source (at once here: no worker in the tests).
    assert "0 claim(s) proposed for review, " in page.text
    assert Job.objects.get().kind == "propose"
    assert Claim.objects.count() == proposed


def test_a_text_too_long_to_propose_within_a_request_goes_to_a_job(
    api, api_user, settings
):
    """Issue 20, 3: a 2-million-character text with propose_claims ran past the
    worker's timeout. Issue 24: over the limit, the source is stored and its
    claims are proposed by a background job; the answer is 202 with the job
    (run at once here, as CLAIMTRACK_TASKS is not "database" in the tests)."""
    settings.CLAIMTRACK_MAX_PROPOSE_CHARS = 50
    client = api(api_user("contributor"))
    text = "The minister said the new port will open by May 2026. " * 2
    response = client.post(
        "/api/v1/sources/", {"text": text, "propose_claims": True}, format="json"
    )
    assert response.status_code == 202, response.json()
    job = response.json()
    assert job["kind"] == "propose"
    assert job["state"] == "succeeded"
    source = Source.objects.get()
    assert job["result"]["source"] == source.pk
    assert job["result"]["proposals"]["created"]
    assert client.get(response["Location"]).json()["state"] == "succeeded"
