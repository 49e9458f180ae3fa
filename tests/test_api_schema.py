import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    # --fail-on-warn: an untyped field or an unresolved view fails the build.
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "s.yaml"),
    )
    text = (tmp_path / "s.yaml").read_text()
    for path in ("/api/v1/claims/{id}/status/", "/api/v1/changes/", "/api/v1/sources/"):
        assert path in text


def test_the_schema_documents_the_error_responses(api):
    schema = api().get("/api/schema/", {"format": "json"}).json()
    status = schema["paths"]["/api/v1/claims/{id}/status/"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "412", "428", "429"} <= set(
        status
    )
    claim = schema["components"]["schemas"]["Claim"]["properties"]
    assert all(
        field.get("description") or "$ref" in field or "allOf" in field
        for name, field in claim.items()
        if name in ("text", "version", "status")
    )


def test_the_docs_are_served_from_our_own_static_files(api):
    page = api().get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    assert "unpkg" not in html.lower()


def test_every_schema_field_has_a_description(api):
    schema = api().get("/api/schema/", {"format": "json"}).json()
    missing = [
        f"{component}.{name}"
        for component, body in schema["components"]["schemas"].items()
        for name, prop in body.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert missing == []
