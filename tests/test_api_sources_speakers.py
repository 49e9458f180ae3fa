import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import services
from claims.models import Speaker
from sources.models import Source

from .conftest import SAMPLE_TEXT
from .factories import SpeakerFactory, UserFactory

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
    assert again.json()["id"] == data["id"]
    assert again.json()["title"] == "Pasted"
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
        (f"/api/v1/sources/{source.pk}/", 3),  # source, claims, snapshots
        (f"/api/v1/speakers/?page_size={page_size}", 1),
        (f"/api/v1/speakers/{speaker.pk}/", 2),
    ):
        client.get(url)
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


# --- who may read which speaker ------------------------------------------------------


@pytest.fixture
def unpublished(propose, reviewer, speaker):
    """Speakers that only a proposal or a rejected claim names: the extractor's
    "Local" and "Sources", a look-alike of a public speaker (a zero-width space,
    a Cyrillic o). ``speaker`` is public (an accepted claim names it)."""
    services.review_claim(claim=propose(), decision="accept", by=reviewer)
    names = ["Local", "Sources", "Zoë\u200bOkafor", "Zoë \u043ekafor"]
    hidden = [SpeakerFactory(name=name) for name in names]
    for each in hidden[:3]:
        propose(speaker=each, text=f"Proposed about {each.pk}.")
    rejected = propose(speaker=hidden[3], text="Misattributed.")
    services.review_claim(
        claim=rejected, decision="reject", note="misattributed", by=reviewer
    )
    return hidden


def listed(client, **params):
    response = client.get("/api/v1/speakers/", params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_anonymous_reads_only_speakers_of_accepted_claims(api, speaker, unpublished):
    client = api()
    assert listed(client) == {speaker.pk}
    for hidden in unpublished:
        assert client.get(f"/api/v1/speakers/{hidden.pk}/").status_code == 404
    assert client.get(f"/api/v1/speakers/{speaker.pk}/").status_code == 200


def test_a_signed_in_user_also_reads_the_speakers_of_their_own_proposals(
    api, api_user, propose, source, speaker, unpublished
):
    carla = api_user("contributor", "carla")
    own = SpeakerFactory(name="Harbour Authority", kind="organization")
    propose(speaker=own, by=carla, text="The harbour will be dredged.")
    client = api(carla)
    assert listed(client) == {speaker.pk, own.pk}
    assert client.get(f"/api/v1/speakers/{own.pk}/").status_code == 200
    assert client.get(f"/api/v1/speakers/{unpublished[0].pk}/").status_code == 404
    other = api(api_user("contributor", "otto"))
    assert other.get(f"/api/v1/speakers/{own.pk}/").status_code == 404


def test_reviewers_read_every_speaker(api, api_user, speaker, unpublished):
    client = api(api_user("reviewer"))
    assert listed(client) == {speaker.pk, *(s.pk for s in unpublished)}
    assert client.get(f"/api/v1/speakers/{unpublished[0].pk}/").status_code == 200


def test_the_public_pages_and_the_api_share_one_rule(speaker, unpublished):
    from public.queries import public_speakers

    assert set(public_speakers()) == set(Speaker.objects.public()) == {speaker}


@pytest.mark.parametrize("role", [None, "contributor", "reviewer"])
def test_speaker_lists_page_by_keyset_in_one_query(
    api, api_user, speaker, unpublished, django_assert_max_num_queries, role
):
    """Whoever asks, a page of speakers is one statement (the authentication
    and permission look-ups aside): no COUNT, no OFFSET, no query per row."""
    client = api(api_user(role)) if role else api()
    everyone = listed(client)
    url, seen = "/api/v1/speakers/?page_size=1", set()
    while url:
        with (
            django_assert_max_num_queries(5),
            CaptureQueriesContext(connection) as captured,
        ):
            page = client.get(url).json()
        (statement,) = [q["sql"] for q in captured if "claims_speaker" in q["sql"]]
        assert "COUNT(" not in statement.upper(), statement
        assert "OFFSET" not in statement.upper(), statement
        seen |= {row["id"] for row in page["results"]}
        url = page["next"]
    assert seen == everyone


@pytest.mark.postgresql
def test_the_public_speaker_rule_reads_the_accepted_speaker_index(speaker, unpublished):
    """The EXISTS of ``Speaker.objects.public()`` is an index-only probe of
    claim_accepted_speaker_idx per speaker, never a read of the claims."""
    sql, params = Speaker.objects.public().order_by("-id")[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        # A test's few rows would be read whole; show what the planner can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "claim_accepted_speaker_idx" in plan, plan
    assert "Seq Scan on claims_claim" not in plan, plan


# --- names that look the same, through the API ---------------------------------------


def _propose_by_name(api, api_user, source, name):
    start = SAMPLE_TEXT.index("is the city’s lifeline")
    body = {
        "text": "The ferry service is the city's lifeline.",
        "speaker": {"name": name},
        "attribution": "direct_quote",
        "kind": "opinion",
        "spans": [{"source": source.pk, "start": start, "end": start + 22}],
    }
    response = api(api_user("contributor")).post("/api/v1/claims/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["speaker"]["id"]


@pytest.mark.parametrize(
    "name",
    [
        "Zoë\u200b Okafor",  # a zero-width space
        "Zoë \u041ekafor",  # a Cyrillic capital O
        "Zoë  Okafor",
        "ZOË OKAFOR",
        "mayor okafor",  # an alias
    ],
)
def test_a_proposal_naming_a_look_alike_lands_on_the_existing_speaker(
    api, api_user, source, speaker, name
):
    assert _propose_by_name(api, api_user, source, name) == speaker.pk
    assert Speaker.objects.count() == 1


def test_after_a_merge_a_proposal_by_the_old_name_lands_on_the_survivor(
    api, api_user, reviewer, source, speaker
):
    twin = SpeakerFactory(name="Z. Okafor")
    services.merge_speakers(merged=twin, into=speaker, by=reviewer)
    assert _propose_by_name(api, api_user, source, "Z. Okafor") == speaker.pk
    assert _propose_by_name(api, api_user, source, "z.  okafor") == speaker.pk
