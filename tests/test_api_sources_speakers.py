import pytest

from claims import services
from claims.models import Speaker
from sources.models import Source

from .conftest import SAMPLE_TEXT
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_submit_a_source_and_get_the_same_one_back_for_the_same_text(api, api_user):
    client = api(api_user("contributor"))
    body = {
        "text": "Line one\r\nline two",
        "title": "Pasted",
        "publisher": "Harbour Gazette",
        "language": "en",
        "published_on": "2025-03-10",
    }
    first = client.post("/api/v1/sources/", body, format="json")
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["text"] == "Line one\nline two"
    assert data["length"] == 17
    assert data["publisher"] == "Harbour Gazette"
    assert len(data["content_hash"]) == 64
    again = client.post("/api/v1/sources/", {**body, "title": "Other"}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == data["id"] and again.json()["title"] == "Pasted"
    assert Source.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "", "title": "A video"}, "non_field_errors"),
        ({"text": "nul \x00"}, "text"),
        ({"text": "x", "kind": "rumour"}, "kind"),
        ({"text": "x", "language": "not a tag"}, "language"),
        ({"text": "x", "url": "not a url"}, "url"),
        ({"text": "x", "revises": 999}, "revises"),
        ({"text": "x", "published_on": "soon"}, "published_on"),
        ({"text": "x", "colour": "red"}, "colour"),
        ({"text": ["x"]}, "text"),
    ],
)
def test_bad_sources_are_400_and_nothing_is_stored(api, api_user, body, field):
    response = api(api_user("contributor")).post(
        "/api/v1/sources/", body, format="json"
    )
    assert response.status_code == 400, response.json()
    assert field in str(response.json())
    assert Source.objects.count() == 0


def test_a_source_shows_only_the_claims_the_reader_may_see(
    api, propose, reviewer, source
):
    accepted = propose()
    services.review_claim(claim=accepted, decision="accept", by=reviewer)
    propose(text="A proposal.")
    anonymous = api().get(f"/api/v1/sources/{source.pk}/").json()
    assert anonymous["text"] == SAMPLE_TEXT
    assert [c["id"] for c in anonymous["claims"]] == [accepted.pk]
    # The proposer sees their own proposal; anyone else without a role does not.
    assert len(api(reviewer).get(f"/api/v1/sources/{source.pk}/").json()["claims"]) == 2
    other = UserFactory(username="someone-else")
    assert len(api(other).get(f"/api/v1/sources/{source.pk}/").json()["claims"]) == 1


def test_sources_list_filters(api, reviewer):
    from sources.services import create_source

    create_source(
        text="A.",
        title="Alpha",
        kind="transcript",
        language="en",
        published_on="2025-01-01",
        by=reviewer,
    )
    create_source(
        text="B.",
        title="Beta",
        kind="news_article",
        language="ur",
        published_on="2025-06-01",
        by=reviewer,
    )
    client = api()

    def titles(**params):
        return [
            s["title"] for s in client.get("/api/v1/sources/", params).json()["results"]
        ]

    assert titles(kind="transcript") == ["Alpha"]
    assert titles(language="ur") == ["Beta"]
    assert titles(published_after="2025-03-01") == ["Beta"]
    assert titles(q="alp") == ["Alpha"]
    assert "text" not in client.get("/api/v1/sources/").json()["results"][0]
    assert client.get("/api/v1/sources/", {"published_after": "x"}).status_code == 400


def test_speakers_with_their_visible_claims(api, propose, reviewer, speaker):
    accepted = propose()
    services.review_claim(claim=accepted, decision="accept", by=reviewer)
    propose(text="Proposed only.")
    client = api()
    listed = client.get("/api/v1/speakers/").json()["results"]
    assert [s["name"] for s in listed] == ["Zoë Okafor"]
    detail = client.get(f"/api/v1/speakers/{speaker.pk}/").json()
    assert detail["aliases"] == ["Mayor Okafor"]
    assert [c["id"] for c in detail["claims"]] == [accepted.pk]
    assert client.get("/api/v1/speakers/999/").status_code == 404


def test_proposing_with_a_speaker_by_name_reuses_the_existing_one(
    api, api_user, source, speaker
):
    start = SAMPLE_TEXT.index("is the city’s lifeline")
    body = {
        "text": "The ferry service is the city's lifeline.",
        "speaker": {"name": "zoë okafor"},
        "attribution": "direct_quote",
        "kind": "opinion",
        "spans": [{"source": source.pk, "start": start, "end": start + 22}],
    }
    response = api(api_user("contributor")).post("/api/v1/claims/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["speaker"]["id"] == speaker.pk
    assert Speaker.objects.count() == 1


@pytest.mark.parametrize("page_size", [1, 100])
def test_source_and_speaker_reads_run_a_fixed_number_of_queries(
    api, propose, reviewer, source, speaker, django_assert_num_queries, page_size
):
    for n in range(3):
        services.review_claim(
            claim=propose(text=f"Claim {n}."), decision="accept", by=reviewer
        )
    client = api()
    for url, count in (
        (f"/api/v1/sources/?page_size={page_size}", 1),
        (f"/api/v1/sources/{source.pk}/", 2),
        (f"/api/v1/speakers/?page_size={page_size}", 1),
        (f"/api/v1/speakers/{speaker.pk}/", 2),
    ):
        client.get(url)
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
