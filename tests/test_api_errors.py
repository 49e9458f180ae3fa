"""One error shape for every API error, each with a documented code
(docs/API.md, "Errors")."""

import inspect
import re
from pathlib import Path

import pytest
from drf_standardized_errors import openapi_serializers
from rest_framework import serializers

from claims.api import inputs as api_inputs
from sources.anchoring import AnchorError

from .errors import detail, documented_codes, error_body, error_codes

ROOT = Path(__file__).resolve().parent.parent


def body_field_codes() -> set[str]:
    """Every code a field of a request body can fail with."""
    codes = set()

    def walk(field):
        codes.update(field.error_messages)
        codes.update(getattr(v, "code", None) or "invalid" for v in field.validators)
        if getattr(field, "child", None) is not None:
            walk(field.child)
        if isinstance(field, serializers.Serializer):
            for child in field.fields.values():
                walk(child)

    for _, cls in inspect.getmembers(api_inputs, inspect.isclass):
        if issubclass(cls, api_inputs.StrictSerializer):
            walk(cls())
    return codes


def our_codes() -> set[str]:
    """The codes our own code gives, by the ways it names them."""
    patterns = (
        r'\bcode="([a-z_]+)"',
        r'default_code = "([a-z_]+)"',
        r'error_response\(\s*\d+,\s*"([a-z_]+)"',
        r'refuse\(\s*request,\s*\d+,\s*"([a-z_]+)"',
    )
    found = set(AnchorError.CODES)
    for folder in ("claims", "sources", "config"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            for pattern in patterns:
                found.update(re.findall(pattern, text))
    return found


def library_codes() -> set[str]:
    """drf-standardized-errors' codes for the statuses other than 400."""
    return {
        value
        for name, enum in inspect.getmembers(openapi_serializers, inspect.isclass)
        if name.startswith(("ErrorCode", "ParseErrorCode"))
        for value in enum.values
    }


def test_every_code_the_api_gives_is_documented():
    given = body_field_codes() | our_codes() | library_codes()
    assert given - documented_codes() == set()
    # and the table lists nothing the API cannot give
    assert documented_codes() - given == set()


@pytest.fixture
def claim(propose):
    return propose()


def test_field_errors_name_the_field_dotted_and_give_each_code(api, api_user, source):
    client = api(api_user("contributor"))
    unknown = client.post("/api/v1/claims/", {"colour": "red"}, format="json")
    assert unknown.status_code == 400
    assert error_body(unknown)["type"] == "validation_error"
    assert error_codes(unknown) == {"colour": ["unknown_field"]}
    response = client.post(
        "/api/v1/claims/",
        {
            "text": "",
            "attribution": "rumour",
            "spans": [{"source": source.pk, "start": 5, "end": 99999}],
        },
        format="json",
    )
    codes = error_codes(response)
    assert codes["text"] == ["blank"]
    assert codes["attribution"] == ["invalid_choice"]
    assert codes["kind"] == ["required"]
    response = client.post(
        "/api/v1/claims/",
        {
            "text": "The bridge will open.",
            "attribution": "narrator",
            "kind": "fact",
            "spans": [{"source": source.pk, "start": 5, "end": 99999}],
        },
        format="json",
    )
    assert error_codes(response) == {"spans.0.end": ["out_of_range"]}


def test_a_list_error_names_the_list(api, api_user):
    response = api(api_user("contributor")).post(
        "/api/v1/claims/", {"text": "t", "spans": "all of them"}, format="json"
    )
    assert error_codes(response)["spans"] == ["not_a_list"]


@pytest.mark.parametrize(
    ("role", "method", "url", "body", "status", "code"),
    [
        (None, "post", "/api/v1/sources/", {"text": "x"}, 401, "not_authenticated"),
        (None, "get", "/api/v1/claims/999999/", None, 404, "not_found"),
        (None, "delete", "/api/v1/claims/", None, 405, "method_not_allowed"),
        (None, "get", "/api/v1/claims/?limit=3", None, 400, "unknown_parameter"),
        (None, "get", "/api/v1/claims/?cursor=abc", None, 400, "bad_cursor"),
        (
            "contributor",
            "post",
            "/api/v1/claims/{claim}/review/",
            {"decision": "accept"},
            403,
            "permission_denied",
        ),
    ],
)
def test_each_status_answers_in_the_one_shape(
    api, api_user, claim, role, method, url, body, status, code
):
    client = api(api_user(role)) if role else api()
    response = getattr(client, method)(url.format(claim=claim.pk), body, format="json")
    assert response.status_code == status, response.content
    (error,) = error_body(response)["errors"]
    assert error["code"] == code
    expected_type = "validation_error" if status == 400 else "client_error"
    assert error_body(response)["type"] == expected_type


def test_an_unaccepted_format_and_a_wrong_content_type(api, api_user):
    # (text/csv is one of the list's formats now: docs/NOTIFICATIONS.md.)
    response = api().get("/api/v1/claims/", HTTP_ACCEPT="application/xml")
    assert (response.status_code, error_codes(response)) == (
        406,
        {None: ["not_acceptable"]},
    )
    response = api(api_user("contributor")).post(
        "/api/v1/sources/", "text=x", content_type="text/plain"
    )
    assert (response.status_code, error_codes(response)) == (
        415,
        {None: ["unsupported_media_type"]},
    )


def test_both_412s_have_one_shape_and_code(api, reviewer, claim):
    client = api(reviewer)
    url = f"/api/v1/claims/{claim.pk}/"
    body = {"speaker_title": "Ms", "reason": "typo"}
    missing = client.patch(url, body, format="json")
    assert (missing.status_code, error_codes(missing)) == (
        428,
        {None: ["precondition_required"]},
    )
    answers = [
        client.patch(url, body, format="json", HTTP_IF_MATCH=tag)
        for tag in ("*", '"7"', 'W/"1"')
    ]
    for answer in answers:
        assert answer.status_code == 412
        assert error_body(answer)["type"] == "client_error"
        assert error_codes(answer) == {None: ["precondition_failed"]}
    assert "stale: you sent version 7" in detail(answers[1])
    assert "If-Match must be the claim's ETag" in detail(answers[0])


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/nothing", "/api/v1/nothing/", "/api/v9/claims/"]
)
def test_an_unknown_api_url_is_a_404_in_the_one_shape(client, settings, method, path):
    settings.DEBUG = False  # with DEBUG on, Django shows its technical page
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error_codes(response) == {None: ["not_found"]}


def test_an_unknown_page_outside_the_api_is_still_a_page(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_server_error_under_the_api_is_json_in_the_one_shape(rf):
    from claims.api.errors import server_error

    response = server_error(rf.get("/api/v1/claims/"))
    assert response.status_code == 500
    assert error_body(response) == {
        "type": "server_error",
        "errors": [{"code": "error", "detail": "Server Error (500)", "attr": None}],
    }
