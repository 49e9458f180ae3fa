"""CSRF on session writes: the admin and a session's API posts need the token; a
token-authenticated API post does not."""

import pytest
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from sources.models import Source

from .conftest import LOGIN
from .errors import detail
from .factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db


def test_an_admin_post_without_the_csrf_token_is_refused(db):
    superuser = StaffFactory(username="sam")
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    before = Source.objects.count()
    refused = client.post(
        reverse("admin:sources_source_add"),
        {"text": "A new text.", "kind": "news_article"},
    )
    assert refused.status_code == 403
    assert b"CSRF verification failed" in refused.content
    assert Source.objects.count() == before
    # The log-in form too (no forced log-ins from other sites).
    anonymous = Client(enforce_csrf_checks=True)
    assert (
        anonymous.post(LOGIN, {"username": "sam", "password": PASSWORD}).status_code
        == 403
    )


def test_a_session_api_post_without_the_csrf_token_is_refused(api_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(api_user("contributor"))
    before = Source.objects.count()
    refused = client.post("/api/v1/sources/", {"text": "Session."}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in detail(refused)
    assert Source.objects.count() == before
    client.get(LOGIN)  # sets the csrftoken cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/sources/", {"text": "Session."}, format="json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 201


def test_a_token_api_post_needs_no_csrf_token(api_user):
    # A token is sent by the program, never by a browser on its own: no CSRF risk.
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(api_user('contributor'))[1]}"
    )
    assert (
        client.post("/api/v1/sources/", {"text": "T."}, format="json").status_code
        == 201
    )
