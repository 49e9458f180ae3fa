"""The Content Security Policy: every page sends it, and no page carries the
inline code it would block."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from claims import services

from .conftest import LOGIN
from .factories import StaffFactory

pytestmark = pytest.mark.django_db


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)([^>]*)>", re.I)
STYLE_BLOCK = re.compile(r"<style\b([^>]*)>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
DATA_BLOCK = re.compile(r'type="application/(ld\+)?json"')


@pytest.fixture
def csp_pages(db, reviewer, propose, source):
    claim = propose(text="The harbour bridge will reopen by June 2025.")
    claim = services.review_claim(claim=claim, decision="accept", by=reviewer)
    superuser = Client()
    superuser.force_login(StaffFactory(username="sam"))
    return claim, source, superuser


def policy(response) -> dict:
    header = response["Content-Security-Policy"]
    return {
        directive.split()[0]: directive.split()[1:] for directive in header.split("; ")
    }


def test_every_page_sends_the_content_security_policy(client, csp_pages):
    claim, source, superuser = csp_pages
    pages = [
        (client, "/"),
        (client, f"/claims/{claim.pk}/"),
        (client, f"/sources/{source.pk}/"),
        (client, "/search/?q=bridge"),
        (client, "/claims/"),
        (client, "/speakers/"),
        (client, "/sources/"),
        (client, LOGIN),
        (client, "/api/docs/"),
        (client, "/api/v1/claims/?format=api"),
        (client, "/api/v1/claims/"),
        (superuser, "/admin/"),
        (superuser, reverse("admin:claims_claim_change", args=[claim.pk])),
        (superuser, reverse("admin:claims_claim_changelist")),
        (superuser, reverse("admin:sources_source_add")),
    ]
    for http, path in pages:
        response = http.get(path)
        assert response.status_code == 200, path
        rules = policy(response)
        assert rules["default-src"] == ["'self'"], path
        assert rules["script-src"][0] == "'self'", path
        assert rules["object-src"] == ["'none'"], path
        assert rules["frame-ancestors"] == ["'none'"], path
        assert rules["base-uri"] == ["'none'"], path
        assert rules["form-action"] == ["'self'"], path
        header = response["Content-Security-Policy"]
        assert "unsafe-inline" not in header, path
        assert "unsafe-eval" not in header, path
        assert "http" not in header, path  # no other origin is allowed anything
        if response["Content-Type"].startswith("text/html"):
            check_no_inline_code(response.content.decode(), rules, path)


def check_no_inline_code(html, rules, path):
    """What the policy would block: inline scripts and styles without the
    nonce (data blocks such as JSON-LD are not scripts), event handlers."""
    nonces = {v[7:-1] for v in rules.get("script-src", []) if v.startswith("'nonce-")}
    for attributes in INLINE_SCRIPT.findall(html):
        if DATA_BLOCK.search(attributes):
            continue
        assert any(f'nonce="{n}"' in attributes for n in nonces), (path, attributes)
    for attributes in STYLE_BLOCK.findall(html):
        assert any(f'nonce="{n}"' in attributes for n in nonces), (path, attributes)
    assert not EVENT_HANDLER.search(html), (path, EVENT_HANDLER.search(html))
    assert "javascript:" not in html, path


def test_the_api_docs_load_only_our_own_files(client):
    page = client.get("/api/docs/").content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls
    for url in urls:
        assert url.startswith(("/static/", "/api/docs/?")), url
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
