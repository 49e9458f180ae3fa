"""Reading the API's one error shape in tests (docs/API.md, "Errors")."""

import functools
import json
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "API.md"


@functools.cache
def documented_codes() -> frozenset[str]:
    """The codes in docs/API.md's table of error codes."""
    table = DOCS.read_text().split("<!-- error codes: begin -->")[1]
    table = table.split("<!-- error codes: end -->")[0]
    return frozenset(re.findall(r"^\| `([a-z_0-9]+)` \|", table, re.MULTILINE))


def error_body(response) -> dict:
    """The body of an error response, checked against the one shape."""
    # JSON, or the JSON-LD a ClaimReview client asked for
    content_type = response.headers["Content-Type"]
    assert content_type in {"application/json", "application/ld+json"}, content_type
    body = json.loads(response.content)
    assert set(body) == {"type", "errors"}, body
    assert body["type"] in {"validation_error", "client_error", "server_error"}
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"code", "detail", "attr"}, error
        assert error["code"] in documented_codes(), error
        assert isinstance(error["detail"], str), error
        assert error["detail"], error
    return body


def errors(response) -> dict[str | None, list[str]]:
    """An error response's details by field (``attr``; None for the request)."""
    found: dict[str | None, list[str]] = {}
    for error in error_body(response)["errors"]:
        found.setdefault(error["attr"], []).append(error["detail"])
    return found


def error_codes(response) -> dict[str | None, list[str]]:
    """An error response's codes by field."""
    found: dict[str | None, list[str]] = {}
    for error in error_body(response)["errors"]:
        found.setdefault(error["attr"], []).append(error["code"])
    return found


def detail(response) -> str:
    """The one message of a response with one error."""
    (error,) = error_body(response)["errors"]
    return error["detail"]
