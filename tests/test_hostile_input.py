"""The hostile input matrix (docs/SECURITY.md): one test per row.

Whatever a client sends, the answer is a 4xx naming the parameter or field and
the reason (never a 500), and nothing is written: every test compares the row
counts of every table a request could write before and after.
"""

import base64
import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse

from claims import services
from claims.models import (
    Claim,
    ClaimKind,
    Speaker,
    Status,
)
from sources.models import Source
from sources.services import create_source
from sources.text import MAX_TEXT_CHARS

from .conftest import SAMPLE_TEXT, snapshot, span_of
from .errors import detail, error_codes, errors
from .factories import StaffFactory

pytestmark = pytest.mark.django_db

XSS = "<script>alert('{}')</script><img src=x onerror=alert(1)>"


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(StaffFactory(username="root-admin"))
    return client


@pytest.fixture
def accepted(propose, reviewer):
    claim = propose(text="The harbour bridge will reopen by June 2025.")
    return services.review_claim(claim=claim, decision="accept", by=reviewer)


def post_json(client, path, body, **extra):
    return client.post(path, body, content_type="application/json", **extra)


def field_errors(response) -> dict:
    """The error's details by field (``attr``), from a JSON answer."""
    assert response["Content-Type"].startswith("application/json"), response.content
    return errors(response)


# --- malformed bodies ----------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"text": ',
        "{'text': 'single quotes'}",
        "[1, 2",
        "NaN",
        '{"text": "a"} trailing',
    ],
)
def test_malformed_json_is_a_400_naming_the_parse_error(contributor_api, source, body):
    before = snapshot()
    response = post_json(contributor_api, "/api/v1/sources/", body)
    assert response.status_code == 400, response.content
    assert "JSON parse error" in detail(response)
    assert error_codes(response) == {None: ["parse_error"]}
    assert snapshot() == before


def test_deeply_nested_json_is_a_400(contributor_api, source):
    before = snapshot()
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
        response = post_json(contributor_api, "/api/v1/claims/", body)
        assert response.status_code == 400, response.content[:200]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/sources/", {"text": True}, "text"),
        ("/api/v1/sources/", {"text": ["a"]}, "text"),
        (
            "/api/v1/sources/",
            {"text": "x", "published_on": "yesterday"},
            "published_on",
        ),
        ("/api/v1/sources/", {"text": "x", "revises": "one"}, "revises"),
        (
            "/api/v1/sources/",
            {"text": "x", "propose_claims": "perhaps"},
            "propose_claims",
        ),
        ("/api/v1/claims/", {"text": {"a": 1}, "spans": []}, "text"),
        # Not a list: the list's own error names the list.
        ("/api/v1/claims/", {"text": "t", "spans": "all of them"}, "spans"),
        ("/api/v1/claims/", {"text": "t", "speaker": True}, "speaker"),
        ("/api/v1/claims/", {"text": "t", "speaker": [1]}, "speaker"),
        ("/api/v1/claims/", {"text": "t", "kind": 3}, "kind"),
        ("/api/v1/claims/", {"text": "t", "stated_on": 20250101}, "stated_on"),
        ("/api/v1/sources/", ["a", "list"], "non_field_errors"),
        ("/api/v1/sources/", "a string", "non_field_errors"),
        ("/api/v1/sources/", None, "non_field_errors"),
    ],
)
def test_wrong_types_are_a_400_naming_each_field(
    contributor_api, source, path, body, field
):
    before = snapshot()
    response = post_json(contributor_api, path, json.dumps(body))
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()
    assert snapshot() == before


def test_a_wrong_content_type_is_a_415(contributor_api, source):
    before = snapshot()
    response = contributor_api.post(
        "/api/v1/sources/", "text=hello", content_type="text/plain"
    )
    assert response.status_code == 415
    assert "text/plain" in detail(response)
    assert error_codes(response) == {None: ["unsupported_media_type"]}
    assert snapshot() == before


# --- sizes ---------------------------------------------------------------------


def test_an_oversized_api_body_is_a_413_in_json_and_unread(contributor_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    before = snapshot()
    body = json.dumps({"text": "word " * 20_000})  # ~100 kB
    response = post_json(contributor_api, "/api/v1/sources/", body)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "request_too_large",
                "detail": f"The request body is {len(body):,} bytes; "
                "the limit is 65,536 bytes.",
                "attr": None,
            }
        ],
    }
    assert snapshot() == before
    # Just under the limit the same endpoint reads and stores it.
    small = json.dumps({"text": "word " * 10_000})
    assert post_json(contributor_api, "/api/v1/sources/", small).status_code == 201


def test_an_oversized_form_body_is_a_413(superuser_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    before = snapshot()
    response = superuser_client.post(
        reverse("admin:sources_source_add"),
        {"text": "word " * 20_000, "kind": "news_article"},
    )
    assert response.status_code == 413
    assert b"the limit is 65,536 bytes" in response.content
    assert snapshot() == before


def test_a_malformed_content_length_is_a_400(contributor_api):
    before = snapshot()
    response = contributor_api.generic(
        "POST",
        "/api/v1/sources/",
        b'{"text": "x"}',
        content_type="application/json",
        CONTENT_LENGTH="12abc",
    )
    assert response.status_code == 400
    assert "Content-Length" in detail(response)
    assert error_codes(response) == {None: ["invalid"]}
    assert snapshot() == before


def test_the_body_limit_carries_the_longest_source_text(settings):
    # As JSON with every character \u-escaped (6 bytes each), with room to spare.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= 6 * MAX_TEXT_CHARS + 64 * 1024


def test_an_oversized_source_text_is_a_400_naming_text(contributor_api, reviewer):
    before = snapshot()
    text = "a" * (MAX_TEXT_CHARS + 1)
    response = post_json(
        contributor_api, "/api/v1/sources/", json.dumps({"text": text})
    )
    assert response.status_code == 400
    assert "text" in field_errors(response)
    # The service refuses it too (the admin and the commands go through it).
    with pytest.raises(Exception, match="the limit is 2,000,000"):
        create_source(text=text, by=reviewer)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "length", "attr"),
    [
        ("text", 2001, "text"),
        ("speaker_title", 301, "speaker_title"),
        ("due_text", 201, "due_text"),
        ("speaker", 201, "speaker"),
    ],
)
def test_oversized_short_texts_are_a_400_naming_the_field(
    contributor_api, source, field, length, attr
):
    before = snapshot()
    body = {
        "text": "A claim.",
        "attribution": "direct_quote",
        "kind": "prediction",
        "spans": [{"source": source.pk, "start": 0, "end": 5}],
        "speaker": {"name": "Zoë Okafor"},
    }
    body[field] = {"name": "x" * length} if field == "speaker" else "x" * length
    response = post_json(contributor_api, "/api/v1/claims/", json.dumps(body))
    assert response.status_code == 400
    assert error_codes(response).get(attr) == ["max_length"], response.json()
    assert snapshot() == before


def test_huge_or_malformed_page_sizes_are_a_400(api):
    client = api()
    for path in ("/api/v1/claims/", "/api/v1/sources/", "/api/v1/changes/"):
        for size in ("1000000", "101", "0", "-1", "ten", "1e3", "99999999999999999999"):
            response = client.get(path, {"page_size": size})
            assert response.status_code == 400, (path, size)
            assert "page_size" in field_errors(response)
    assert client.get("/api/v1/claims/", {"page_size": "100"}).status_code == 200


PAGINATED = ("/api/v1/claims/", "/api/v1/sources/", "/api/v1/speakers/")


def test_page_sizes_in_other_digits_than_ascii_are_a_400_naming_page_size(
    api, accepted
):
    """``str.isdigit()`` takes superscripts, circled numbers and Arabic-Indic
    digits: ``²`` was a 500 on the feed, ``³`` a 400 naming ``cursor`` on a
    list, Arabic-Indic ``10`` a page of ten. Only ASCII digits are a page size."""
    client = api()
    for path in (*PAGINATED, "/api/v1/changes/"):
        for size in (
            "²",
            "③",
            "①",
            "\u0661\u0660",
            "\uff15",
            "1" * 5000,
            " 5",
            "+5",
            "5 ",
        ):
            response = client.get(path, {"page_size": size})
            assert response.status_code == 400, (path, size, response.content)
            assert set(field_errors(response)) == {"page_size"}, (path, size)
        assert client.get(path, {"page_size": "10"}).status_code == 200, path


# --- characters ------------------------------------------------------------------


def test_invalid_utf8_in_a_body_is_a_400(contributor_api, source):
    before = snapshot()
    for body in (b'{"text": "\xff\xfe bad"}', b'{"text": "\xc3\x28"}', b"\xed\xa0\x80"):
        response = post_json(contributor_api, "/api/v1/sources/", body)
        assert response.status_code == 400, body
        assert "JSON parse error" in detail(response)
        assert error_codes(response) == {None: ["parse_error"]}
    assert snapshot() == before


def test_invalid_utf8_in_query_strings_is_answered_not_a_crash(
    api, client, superuser_client, accepted
):
    before = snapshot()
    bad = "q=%ff%fe%c3%28"
    assert api().get(f"/api/v1/claims/?{bad}").status_code == 200
    assert client.get(f"/search/?{bad}").status_code == 200
    admin_list = reverse("admin:claims_claim_changelist")
    assert superuser_client.get(f"{admin_list}?{bad}").status_code == 200
    assert snapshot() == before


def test_nul_characters_are_refused_everywhere(
    contributor_api, client, superuser_client, source, accepted
):
    before = snapshot()
    for body, field in (
        ({"text": "a\x00b"}, "text"),
        ({"text": "fine", "title": "a\x00b"}, "title"),
        ({"text": "fine", "publisher": "a\x00b"}, "publisher"),
    ):
        response = post_json(contributor_api, "/api/v1/sources/", json.dumps(body))
        assert response.status_code == 400
        assert field in field_errors(response)
    claim = {
        "text": "Nul\x00claim",
        "attribution": "hedged",
        "kind": "fact",
        "spans": [{"source": source.pk, "start": 0, "end": 5}],
    }
    response = post_json(contributor_api, "/api/v1/claims/", json.dumps(claim))
    assert response.status_code == 400
    assert "text" in field_errors(response)
    for path in ("/api/v1/claims/", "/api/v1/sources/", "/api/v1/changes/"):
        response = contributor_api.get(
            path, {"q" if "claims" in path else "after": "a\x00"}
        )
        assert response.status_code == 400
    response = client.get("/search/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert b"Null characters are not allowed" in response.content
    for name in ("claim", "source", "speaker", "queuedclaim"):
        app = "sources" if name == "source" else "claims"
        url = reverse(f"admin:{app}_{name}_changelist")
        response = superuser_client.get(url, {"q": "a\x00b"})
        assert response.status_code in (200, 400), (name, response.status_code)
    assert snapshot() == before


BIDI = "\u202e"  # RIGHT-TO-LEFT OVERRIDE


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/sources/", {"text": "x", "title": f"Report {BIDI}fdp.exe"}, "title"),
        ("/api/v1/sources/", {"text": "x", "publisher": f"{BIDI}semiT"}, "publisher"),
        ("claim", {"speaker": {"name": f"{BIDI}rofakO"}}, "speaker.name"),
        ("claim", {"speaker_title": "Mayor\u2066 of\u2069"}, "speaker_title"),
        ("claim", {"text": f"The bridge {BIDI}will reopen."}, "text"),
        ("claim", {"due_text": f"by {BIDI}June"}, "due_text"),
    ],
)
def test_bidi_overrides_are_refused_in_short_fields(
    contributor_api, source, path, body, field
):
    before = snapshot()
    if path == "claim":
        path = "/api/v1/claims/"
        body = {
            "text": "The harbour bridge will reopen.",
            "attribution": "hedged",
            "kind": "prediction",
            "spans": [{"source": source.pk, "start": 0, "end": 5}],
            **body,
        }
    response = post_json(contributor_api, path, json.dumps(body))
    assert response.status_code == 400, response.content
    found = field_errors(response)
    assert field in found, found
    assert "bidirectional control characters" in " ".join(found[field]), found
    assert snapshot() == before


def test_bidi_overrides_are_refused_in_the_admin_speaker_form(
    superuser_client, speaker
):
    before = snapshot()
    response = superuser_client.post(
        reverse("admin:claims_speaker_change", args=[speaker.pk]),
        {"name": f"{BIDI}rofakO", "kind": "person", "aliases": "[]"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert b"bidirectional control characters" in response.content
    assert snapshot() == before
    assert Speaker.objects.get(pk=speaker.pk).name == "Zoë Okafor"


def test_bidi_overrides_in_a_source_text_are_kept_exactly(contributor_api, client):
    text = f"He wrote {BIDI}txt.exe and left."
    response = post_json(
        contributor_api, "/api/v1/sources/", json.dumps({"text": text})
    )
    assert response.status_code == 201
    stored = Source.objects.get(pk=response.json()["id"])
    assert stored.text == text
    page = client.get(reverse("public:source", args=[stored.pk]))
    assert page.status_code == 200
    assert BIDI in page.content.decode()


@pytest.mark.parametrize(
    ("span", "field"),
    [
        ({"start": -1, "end": 5}, "spans.0.start"),
        ({"start": 0, "end": len(SAMPLE_TEXT) + 1}, "spans.0.end"),
        ({"start": 10, "end": 5}, "spans.0.end"),
        ({"start": 5, "end": 5}, "spans.0.end"),
        ({"start": 10**20, "end": 10**20 + 1}, "spans.0.end"),
        ({"start": "0", "end": "five"}, "spans.0.end"),
        ({"start": 0, "end": 5, "exact": "wrong words"}, "spans.0.exact"),
    ],
)
def test_offsets_past_the_end_or_negative_are_a_400(
    contributor_api, source, accepted, span, field
):
    before = snapshot()
    body = {
        "text": "A claim.",
        "attribution": "hedged",
        "kind": "fact",
        "spans": [{"source": source.pk, **span}],
    }
    response = post_json(contributor_api, "/api/v1/claims/", json.dumps(body))
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()
    response = post_json(
        contributor_api,
        f"/api/v1/claims/{accepted.pk}/spans/",
        json.dumps({"source": source.pk, "role": "cue", **span}),
    )
    assert response.status_code == 400, response.content
    response = post_json(
        contributor_api,
        f"/api/v1/claims/{accepted.pk}/evidence/",
        json.dumps({"source": source.pk, "stance": "context", **span}),
    )
    assert response.status_code == 400, response.content
    assert snapshot() == before


def test_numbers_past_the_database_range_are_a_4xx(
    api, contributor_api, client, source
):
    before = snapshot()
    huge = 10**19  # past bigint
    for path in (
        f"/api/v1/claims/{huge}/",
        f"/api/v1/sources/{huge}/",
        f"/api/v1/speakers/{huge}/",
        f"/claims/{huge}/",
        f"/sources/{huge}/",
        f"/speakers/{huge}/",
    ):
        assert client.get(path).status_code == 404, path
    for body in (
        {"text": "x", "revises": huge},
        {"text": "x", "revises": 10**400},
    ):
        response = post_json(contributor_api, "/api/v1/sources/", json.dumps(body))
        assert response.status_code == 400
    claim = {
        "text": "A claim.",
        "attribution": "hedged",
        "kind": "fact",
        "speaker": huge,
        "spans": [{"source": huge, "start": 0, "end": 5}],
    }
    response = post_json(contributor_api, "/api/v1/claims/", json.dumps(claim))
    assert response.status_code == 400
    response = api().get("/api/v1/claims/", {"speaker": str(huge)})
    assert response.status_code in (200, 400)
    assert snapshot() == before


# --- HTML and script --------------------------------------------------------------


@pytest.fixture
def scripted(reviewer, proposer):
    """An accepted, refuted claim whose every text field carries a script."""
    text = f"Intro. {XSS.format('source-text')} The mayor said the bridge reopens."
    source = create_source(
        text=text,
        title=XSS.format("title"),
        publisher=XSS.format("publisher"),
        url="https://example.org/a?b=<script>",
        by=reviewer,
    ).source
    speaker = services.find_or_create_speaker(
        name=XSS.format("speaker"), by=reviewer, aliases=[XSS.format("alias")]
    )
    claim = services.propose_claim(
        text=XSS.format("claim-text"),
        kind=ClaimKind.PREDICTION,
        attribution="direct_quote",
        speaker=speaker,
        speaker_title=XSS.format("speaker-title"),
        stated_on=datetime.date(2025, 1, 1),
        stated_on_precision="day",
        due_on=datetime.date(2025, 6, 1),
        due_on_precision="month",
        due_text=XSS.format("due-text"),
        spans=[span_of(source, XSS.format("source-text"))],
        note=XSS.format("note"),
        by=proposer,
    )
    claim = services.review_claim(
        claim=claim, decision="accept", by=reviewer, note=XSS.format("review")
    )
    services.change_status(
        claim=claim,
        to_status=Status.REFUTED,
        rationale=XSS.format("rationale"),
        by=reviewer,
        expected_version=claim.version,
        evidence=[
            services.EvidenceInput(
                source=source, stance="refutes", note=XSS.format("evidence-note")
            )
        ],
    )
    return Claim.objects.get(pk=claim.pk)


def assert_escaped(response, where):
    assert response.status_code == 200, (where, response.status_code)
    body = response.content.decode()
    assert "<script>alert(" not in body, where
    assert "<img src=x" not in body, where


def test_html_and_script_in_every_text_field_are_escaped_on_every_page(
    client, superuser_client, api, scripted
):
    source = scripted.spans.first().source
    speaker = scripted.speaker
    public = [
        reverse("public:tracker"),
        reverse("public:claim", args=[scripted.pk]),
        reverse("public:source", args=[source.pk]),
        reverse("public:speaker", args=[speaker.pk]),
        reverse("public:search") + "?q=alert",
        reverse("public:search") + "?q=" + XSS.format("query"),
    ]
    for path in public:
        assert_escaped(client.get(path), path)
    claim_page = client.get(public[1]).content.decode()
    assert "&lt;script&gt;alert(&#x27;claim-text&#x27;)" in claim_page
    assert "&lt;script&gt;alert(&#x27;rationale&#x27;)" in claim_page
    admin_pages = [
        reverse("admin:index"),
        reverse("admin:claims_claim_changelist"),
        reverse("admin:claims_claim_changelist") + "?q=alert",
        reverse("admin:claims_claim_change", args=[scripted.pk]),
        reverse("admin:claims_claim_history", args=[scripted.pk]),
        reverse("admin:claims_claim_status", args=[scripted.pk]),
        reverse("admin:claims_claim_reject", args=[scripted.pk]),
        reverse("admin:claims_queuedclaim_changelist"),
        reverse("admin:claims_deadlineclaim_changelist"),
        reverse("admin:claims_speaker_changelist"),
        reverse("admin:claims_speaker_change", args=[speaker.pk]),
        reverse("admin:claims_span_changelist"),
        reverse("admin:claims_statuschange_changelist"),
        reverse("admin:claims_evidence_changelist"),
        reverse("admin:sources_source_changelist"),
        reverse("admin:sources_source_change", args=[source.pk]),
        reverse("admin:sources_source_history", args=[source.pk]),
        reverse("admin:sources_publisher_changelist"),
        reverse("admin:claims_claim_add") + f"?source={source.pk}",
    ]
    for path in admin_pages:
        assert_escaped(superuser_client.get(path), path)
    # The text the status form selects evidence from is JSON, not a page.
    text = superuser_client.get(reverse("admin:sources_source_text", args=[source.pk]))
    assert text["Content-Type"] == "application/json"
    assert text["X-Content-Type-Options"] == "nosniff"
    browsable = [
        f"/api/v1/claims/{scripted.pk}/?format=api",
        f"/api/v1/claims/{scripted.pk}/history/?format=api",
        f"/api/v1/sources/{source.pk}/?format=api",
        f"/api/v1/speakers/{speaker.pk}/?format=api",
        "/api/v1/changes/?format=api",
    ]
    for path in browsable:
        assert_escaped(api().get(path, HTTP_ACCEPT="text/html"), path)
    # JSON answers are JSON, never HTML a browser would run.
    answer = api().get(f"/api/v1/claims/{scripted.pk}/")
    assert answer["Content-Type"] == "application/json"
    assert answer.json()["text"] == XSS.format("claim-text")


def test_the_api_docs_page_escapes_its_parameters(client):
    response = client.get("/api/docs/", {"lang": '"><script>alert(1)</script>'})
    assert_escaped(response, "/api/docs/")
    script = client.get("/api/docs/", {"script": "", "lang": "</script><script>"})
    assert script.status_code == 200
    assert "</script><script>" not in script.content.decode()


# --- search --------------------------------------------------------------------

METACHARACTERS = [
    "%",
    "_",
    "\\",
    "%%",
    "100%",
    "a_b",
    "' OR 1=1 --",
    '"; DROP TABLE claims_claim; --',
    "[a-z]*",
    "!&|():*",
    "-",
    '"',
    "<->",
    "\\%",
    "^$.*+?{}",
]


@pytest.fixture
def searchable(propose, reviewer, source):
    sure = propose(
        text="The mayor is 100% sure of a_b.",
        kind=ClaimKind.OPINION,
        due_on=None,
        due_on_precision="",
        due_text="",
    )
    plain = propose(
        text="The ferry is the city lifeline.",
        kind=ClaimKind.OPINION,
        due_on=None,
        due_on_precision="",
        due_text="",
        spans=[span_of(source, "is the city’s lifeline")],
    )
    for claim in (sure, plain):
        services.review_claim(claim=claim, decision="accept", by=reviewer)
    return sure, plain


def test_sql_and_like_metacharacters_in_search_match_literally(
    api, client, superuser_client, searchable
):
    sure, plain = searchable
    before = snapshot()
    admin_list = reverse("admin:claims_claim_changelist")
    for q in METACHARACTERS:
        api_answer = api().get("/api/v1/claims/", {"q": q})
        assert api_answer.status_code == 200, (q, api_answer.content)
        ids = {claim["id"] for claim in api_answer.json()["results"]}
        # A wildcard is a character, not "anything": the plain claim has none.
        assert plain.pk not in ids, q
        public = client.get("/search/", {"q": q})
        assert public.status_code == 200, q
        assert f"/claims/{plain.pk}/" not in public.content.decode(), q
        admin_answer = superuser_client.get(admin_list, {"q": q})
        assert admin_answer.status_code == 200, q
        assert f"/claim/{plain.pk}/change/" not in admin_answer.content.decode(), q
        for name in ("speaker", "source"):
            app = "sources" if name == "source" else "claims"
            url = reverse(f"admin:{app}_{name}_changelist")
            assert superuser_client.get(url, {"q": q}).status_code == 200, (name, q)
    # And a character is found where it is written.
    found = api().get("/api/v1/claims/", {"q": "100%"}).json()["results"]
    assert [claim["id"] for claim in found] == [sure.pk]
    assert Claim.objects.count() == 2  # no statement ran
    assert snapshot() == before


# --- cursors ---------------------------------------------------------------------


def b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "parameter", "value"),
    [
        ("/api/v1/claims/", "cursor", "not-a-cursor"),
        ("/api/v1/claims/", "cursor", b64("o=1&p=abc")),
        ("/api/v1/claims/", "cursor", b64("p=" + "9" * 40)),
        ("/api/v1/claims/", "cursor", b64("r=1&p=-1")),
        ("/api/v1/claims/", "cursor", "%%%"),
        ("/api/v1/claims/", "cursor", ""),
        ("/api/v1/sources/", "cursor", b64("p=2025-01-01")),
        ("/api/v1/changes/", "after", "x"),
        ("/api/v1/changes/", "after", b64("1:0")),
        ("/api/v1/changes/", "after", b64("-1:5")),
        ("/api/v1/changes/", "after", b64("99999999999999999999:1")),
        ("/api/v1/changes/", "after", b64("1:2:3")),
        ("/api/v1/changes/", "after", "\u00e9\u00e9"),
        # "MTox" is the cursor of "1:1": stray characters around an issued
        # cursor, which base64 decoding skips, and numbers written otherwise.
        ("/api/v1/changes/", "after", "MTox:"),
        ("/api/v1/changes/", "after", "M.T.o.x"),
        ("/api/v1/changes/", "after", "MTox\n"),
        ("/api/v1/changes/", "after", " MTox"),
        ("/api/v1/changes/", "after", "MTox="),
        ("/api/v1/changes/", "after", b64("01:1")),
        ("/api/v1/changes/", "after", b64("+1:1")),
        ("/api/v1/changes/", "after", b64("1: 1")),
        ("/api/v1/changes/", "after", b64("1_0:1")),
        ("/search/", "after", "abc"),
        ("/search/", "after", "1.2.3"),
        ("/search/", "after", "9999-99-99.1"),
        ("/search/", "after", "1" * 19),
        ("/search/", "after", "x" * 41),
    ],
)
def test_forged_cursors_are_a_400_naming_the_parameter(
    api, client, accepted, path, parameter, value
):
    before = snapshot()
    if path == "/search/":
        response = client.get(path, {"q": "bridge", parameter: value})
        assert response.status_code == 400
        assert parameter in response.context["form"].errors
    else:
        response = api().get(path, {parameter: value})
        assert response.status_code == 400, response.content
        assert error_codes(response) == {parameter: ["bad_cursor"]}, response.json()
    assert snapshot() == before


def test_unknown_query_parameters_are_a_400(api):
    for path in ("/api/v1/claims/", "/api/v1/sources/", "/api/v1/changes/"):
        response = api().get(path, {"limit": "10", "offset": "5"})
        assert response.status_code == 400
        assert error_codes(response) == {
            "limit": ["unknown_parameter"],
            "offset": ["unknown_parameter"],
        }, response.json()


def test_too_many_form_fields_is_a_400(superuser_client, settings):
    before = snapshot()
    fields = {
        f"field{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)
    }
    response = superuser_client.post(reverse("admin:sources_source_add"), fields)
    assert response.status_code == 400
    assert snapshot() == before
