"""Citing words by quote, and texts in any Unicode normal form (issue 20, items 7
and 8): what a client sends is read in NFC, as source texts are stored; spans
and evidence may give the quoted words instead of offsets."""

import json
import unicodedata

import pytest

from claims.models import Claim

from .conftest import SAMPLE_TEXT, snapshot
from .errors import error_codes, errors

pytestmark = pytest.mark.django_db


def nfd(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text  # the test means something only if it differs
    return decomposed


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


def test_nfd_evidence_quote_prefix_and_suffix_match(reviewer_api, propose, source):
    claim = propose()
    response = refute(
        reviewer_api,
        claim,
        # A repeated word, told apart by a prefix in NFD.
        {
            "source": source.pk,
            "stance": "refutes",
            "exact": "Okafor",
            "prefix": nfd("Zoë "),
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["evidence"][0]["start"] == SAMPLE_TEXT.index("Okafor")


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


def test_search_queries_are_read_in_nfc(api, propose_accepted, source, reviewer):
    from sources.services import create_source

    claim = propose_accepted(text="Zoë Okafor expects the bridge open by June.")
    create_source(text="A note.", title="Notes de Zoë", by=reviewer)
    client = api()
    found = client.get("/api/v1/claims/", {"q": nfd("Zoë")}).json()["results"]
    assert [c["id"] for c in found] == [claim.pk]
    sources = client.get("/api/v1/sources/", {"q": nfd("Zoë")}).json()["results"]
    assert [s["title"] for s in sources] == ["Notes de Zoë"]


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
    (message,) = errors(response)["spans.0.exact"]
    assert "character 2" in message
    assert "U+0020 SPACE" in message
    assert "U+00A0 NO-BREAK SPACE" in message
    assert snapshot() == before


# --- item 8: citing by quote --------------------------------------------------


def test_the_status_endpoint_takes_evidence_by_quote(reviewer_api, propose, source):
    claim = propose()
    words = "is the city’s lifeline"
    response = refute(
        reviewer_api,
        claim,
        {"source": source.pk, "stance": "refutes", "exact": words},
    )
    assert response.status_code == 200, response.json()
    (item,) = response.json()["evidence"]
    start = SAMPLE_TEXT.index(words)
    assert (item["start"], item["end"], item["exact"]) == (
        start,
        start + len(words),
        words,
    )
    assert item["prefix"] == SAMPLE_TEXT[start - 32 : start]


def test_the_evidence_endpoint_takes_a_quote(reviewer_api, propose, source):
    claim = propose()
    response = reviewer_api.post(
        f"/api/v1/claims/{claim.pk}/evidence/",
        {"source": source.pk, "stance": "context", "exact": "€4 million"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["evidence"][0]["start"] == SAMPLE_TEXT.index("€4 million")


def test_a_repeated_quote_is_a_400_naming_the_count(reviewer_api, propose, source):
    claim = propose()
    before = snapshot()
    response = refute(
        reviewer_api,
        claim,
        {"source": source.pk, "stance": "refutes", "exact": "Okafor"},
    )
    assert response.status_code == 400
    (message,) = errors(response)["evidence.0.exact"]
    assert "occurs 2 times" in message
    assert "prefix or suffix" in message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("context", "words"), [({"prefix": "Zoë "}, "Mayor"), ({"suffix": " added"}, "\n")]
)
def test_prefix_or_suffix_says_which_occurrence(
    reviewer_api, propose, source, context, words
):
    claim = propose()
    response = refute(
        reviewer_api,
        claim,
        {"source": source.pk, "stance": "refutes", "exact": "Okafor", **context},
    )
    assert response.status_code == 200, response.json()
    item = response.json()["evidence"][0]
    assert words in item["prefix"]
    assert SAMPLE_TEXT[item["start"] : item["end"]] == "Okafor"


@pytest.mark.parametrize(
    ("evidence", "field"),
    [
        ({"exact": "the tunnel"}, "evidence.0.exact"),
        ({"exact": "Okafor", "prefix": "Mayor "}, "evidence.0.prefix"),
        ({"exact": "Okafor", "suffix": " left"}, "evidence.0.suffix"),
        ({"start": 0, "exact": "Mayor"}, "evidence.0.end"),
        ({"end": 5}, "evidence.0.start"),
        ({"prefix": "Mayor "}, "evidence.0.exact"),
        ({"start": 6, "end": 9, "prefix": "Mayer "}, "evidence.0.prefix"),
    ],
)
def test_a_quote_that_does_not_fit_is_a_400_naming_the_field(
    reviewer_api, propose, source, evidence, field
):
    claim = propose()
    before = snapshot()
    response = refute(
        reviewer_api, claim, {"source": source.pk, "stance": "refutes", **evidence}
    )
    assert response.status_code == 400
    assert field in errors(response), response.json()
    assert snapshot() == before


def test_a_quote_in_a_source_without_text_is_a_400(reviewer_api, propose, reviewer):
    from sources.services import create_source

    video = create_source(url="https://video.example.org/2", by=reviewer).source
    response = refute(
        reviewer_api,
        propose(),
        {"source": video.pk, "stance": "refutes", "exact": "the bridge"},
    )
    assert response.status_code == 400
    assert "evidence.0.source" in errors(response)


def test_spans_may_be_given_by_quote_too(contributor_api, source):
    response = contributor_api.post(
        "/api/v1/claims/",
        proposal(
            source,
            [
                {"source": source.pk, "exact": "will reopen by June"},
                {
                    "source": source.pk,
                    "exact": "Okafor",
                    "suffix": " said",
                    "role": "speaker",
                },
            ],
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    spans = response.json()["spans"]
    assert [(s["start"], s["end"]) for s in spans] == [(57, 76), (10, 16)]
    repeated = contributor_api.post(
        f"/api/v1/claims/{response.json()['id']}/spans/",
        {"source": source.pk, "exact": "Okafor", "role": "speaker"},
        format="json",
    )
    assert repeated.status_code == 400
    assert "occurs 2 times" in errors(repeated)["span.exact"][0]
    assert error_codes(repeated) == {"span.exact": ["quote_ambiguous"]}


# --- the schema and the endpoints agree on what is nullable -----------------------


ANCHOR_FIELDS = ("start", "end", "exact", "prefix", "suffix")


def test_the_schema_marks_every_anchor_field_nullable_and_optional(api):
    schemas = (
        api().get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    )
    for component in ("SpanInputRequest", "EvidenceInputRequest"):
        body = schemas[component]
        for name in ANCHOR_FIELDS:
            assert body["properties"][name].get("nullable") is True, (component, name)
            assert name not in body.get("required", []), (component, name)


def test_the_endpoints_take_null_for_every_anchor_field(reviewer_api, propose, source):
    claim = propose()
    whole_source = {name: None for name in ANCHOR_FIELDS}
    response = reviewer_api.post(
        f"/api/v1/claims/{claim.pk}/evidence/",
        {"source": source.pk, "stance": "context", **whole_source},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["evidence"][0]["exact"] == ""
    # What the API answers for a whole-source citation can be sent back as is.
    echoed = {name: response.json()["evidence"][0][name] for name in ANCHOR_FIELDS}
    response = refute(
        reviewer_api,
        claim,
        {"source": source.pk, "stance": "refutes", **echoed},
        version=2,
    )
    assert response.status_code == 200, response.json()
    start = SAMPLE_TEXT.index("Okafor added")
    response = reviewer_api.post(
        f"/api/v1/claims/{claim.pk}/spans/",
        {
            "source": source.pk,
            "start": start,
            "end": start + 6,
            "exact": None,
            "prefix": None,
            "suffix": None,
            "role": "speaker",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    "evidence",
    [
        {"exact": "\ud800"},
        {"exact": "\x00"},
        {"exact": "Okafor", "prefix": "\udfff"},
        {"exact": "Okafor", "suffix": "\x00" * 5000},
        {"exact": "a" * 100_000},
        {"exact": ["Okafor"]},
        {"prefix": 7, "exact": "Okafor"},
        {"start": "7", "end": "x"},
    ],
)
def test_hostile_quotes_are_a_400_and_change_nothing(
    reviewer_api, propose, source, evidence
):
    claim = propose()
    before = snapshot()
    body = {
        "status": "refuted",
        "rationale": "x",
        "evidence": [{"source": source.pk, "stance": "refutes", **evidence}],
    }
    response = reviewer_api.post(
        f"/api/v1/claims/{claim.pk}/status/",
        json.dumps(body),  # ASCII: lone surrogates travel as \ud800 escapes
        content_type="application/json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400, response.content[:300]
    response.json()  # a readable body, whatever the client sent
    assert snapshot() == before
