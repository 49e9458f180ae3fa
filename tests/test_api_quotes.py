"""Texts in any Unicode normal form (issue 20, item 7): what a client sends is
read in NFC, as source texts are stored."""

import unicodedata

import pytest

from claims.models import Claim, Evidence, Span, StatusChange

from .conftest import SAMPLE_TEXT

pytestmark = pytest.mark.django_db


def nfd(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text  # the test means something only if it differs
    return decomposed


@pytest.fixture
def reviewer_api(api, api_user):
    return api(api_user("reviewer"))


@pytest.fixture
def contributor_api(api, api_user):
    return api(api_user("contributor"))


def snapshot():
    return (
        Claim.objects.count(),
        Span.objects.count(),
        Evidence.objects.count(),
        StatusChange.objects.count(),
        list(Claim.objects.values_list("id", "version", "status")),
    )


def refute(client, claim, *evidence, version=1):
    return client.post(
        f"/api/v1/claims/{claim.pk}/status/",
        {
            "status": "refuted",
            "rationale": "The bridge stayed shut.",
            "evidence": list(evidence),
        },
        format="json",
        HTTP_IF_MATCH=f'"{version}"',
    )


def proposal(source, spans):
    return {
        "text": "The harbour bridge will reopen by June.",
        "attribution": "narrator",
        "kind": "prediction",
        "spans": spans,
    }


# --- item 7: NFC --------------------------------------------------------------


def test_an_exact_written_in_nfd_matches_the_stored_text(contributor_api, source):
    words = "Mayor Zoë Okafor said"
    response = contributor_api.post(
        "/api/v1/claims/",
        proposal(
            source,
            [
                {"source": source.pk, "start": 0, "end": len(words)},
                {
                    "source": source.pk,
                    "start": 0,
                    "end": len(words),
                    "role": "speaker",
                    "exact": nfd(words),
                },
            ],
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert [span["exact"] for span in response.json()["spans"]] == [words, words]


def test_every_text_a_client_sends_is_stored_in_nfc(reviewer_api, source):
    start = SAMPLE_TEXT.index("will reopen by June")
    body = proposal(source, [{"source": source.pk, "start": start, "end": start + 19}])
    body.update(
        text=nfd("Zoë Okafor: the bridge will reopen by June."),
        attribution="indirect",
        speaker={"name": nfd("Zoë Okafor")},
        speaker_title=nfd("Maire élue"),
        due_text=nfd("d’ici juin, à peu près"),
    )
    response = reviewer_api.post("/api/v1/claims/", body, format="json")
    assert response.status_code == 201, response.json()
    claim = Claim.objects.select_related("speaker").get(pk=response.json()["id"])
    for value in (
        claim.text,
        claim.speaker.name,
        claim.speaker_title,
        claim.due_text,
    ):
        assert unicodedata.is_normalized("NFC", value), value
    assert claim.speaker_title == "Maire élue"


def test_form_bodies_are_read_in_nfc_too(reviewer_api, propose):
    claim = propose()
    response = reviewer_api.post(
        f"/api/v1/claims/{claim.pk}/review/",
        {"decision": "accept", "note": nfd("Vérifié.")},
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.json()
    claim.refresh_from_db()
    assert claim.review_note == "Vérifié."


def test_a_mismatch_says_where_the_two_differ(contributor_api, source):
    start = SAMPLE_TEXT.index("€4 million")
    # A no-break space where the text has a plain one: the two look the same.
    exact = "€4\u00a0million"
    before = snapshot()
    response = contributor_api.post(
        "/api/v1/claims/",
        proposal(
            source,
            [{"source": source.pk, "start": start, "end": start + 10, "exact": exact}],
        ),
        format="json",
    )
    assert response.status_code == 400
    (message,) = response.json()["spans[0].exact"]
    assert "character 2" in message
    assert "U+0020 SPACE" in message and "U+00A0 NO-BREAK SPACE" in message
    assert snapshot() == before
