import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from .errors import detail

pytestmark = pytest.mark.django_db

BODY = {"text": "A new article."}


def test_tokens_work_as_token_or_bearer_and_are_stored_hashed(api_user):
    user = api_user("contributor")
    instance, token = AuthToken.objects.create(user)
    assert token not in (instance.digest, instance.token_key)
    assert not AuthToken.objects.filter(digest=token).exists()
    for prefix in ("Token", "Bearer", "bearer"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{prefix} {token}")
        assert (
            client.post(
                "/api/v1/sources/", {"text": f"By {prefix}."}, format="json"
            ).status_code
            == 201
        )


def test_a_wrong_or_expired_token_is_401(api_user):
    user = api_user("contributor")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert client.post("/api/v1/sources/", BODY, format="json").status_code == 401
    instance, token = AuthToken.objects.create(
        user, expiry=datetime.timedelta(seconds=1)
    )
    AuthToken.objects.filter(pk=instance.pk).update(
        expiry=timezone.now() - datetime.timedelta(days=1)
    )
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/sources/", BODY, format="json").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Token a b")
    assert client.post("/api/v1/sources/", BODY, format="json").status_code == 401


def test_logout_revokes_the_token(api_user):
    user = api_user("contributor")
    token = AuthToken.objects.create(user)[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.post("/api/v1/sources/", BODY, format="json").status_code == 401


def test_create_token_prints_a_working_token_once(api_user, capsys):
    api_user("reviewer", username="rita")
    call_command("create_token", "rita", "--days", "7")
    out, err = capsys.readouterr()
    token = out.strip()
    assert len(token) == 64
    assert "expires" in err
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.post("/api/v1/sources/", BODY, format="json").status_code == 201
    with pytest.raises(CommandError, match="no user"):
        call_command("create_token", "nobody")


def test_session_writes_need_the_csrf_token(api_user):
    user = api_user("contributor")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    refused = client.post("/api/v1/sources/", BODY, format="json")
    assert refused.status_code == 403
    assert "CSRF" in detail(refused)
    client.get("/admin/login/")  # sets the csrftoken cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/sources/", BODY, format="json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 201


def test_the_roles_are_groups_with_the_designs_permissions(db):
    from django.contrib.auth.models import Group

    contributor = set(
        Group.objects.get(name="contributor").permissions.values_list(
            "codename", flat=True
        )
    )
    reviewer = set(
        Group.objects.get(name="reviewer").permissions.values_list(
            "codename", flat=True
        )
    )
    assert {"add_source", "add_claim", "add_span", "add_evidence"} <= contributor
    assert not {"change_claim", "review_claim", "change_claim_status"} & contributor
    assert {"change_claim", "review_claim", "change_claim_status"} <= reviewer
    assert contributor < reviewer


def test_anonymous_clients_are_throttled(api, monkeypatch):
    from claims.api.throttling import AnonymousThrottle

    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    client = api()
    codes = [client.get("/api/v1/claims/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "Retry-After" in client.get("/api/v1/claims/")


def test_each_authenticated_client_has_its_own_allowance(api, api_user, monkeypatch):
    from claims.api.throttling import AuthenticatedThrottle

    monkeypatch.setattr(AuthenticatedThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    first, second = (
        api(api_user("contributor", "c1")),
        api(api_user("contributor", "c2")),
    )
    assert [first.get("/api/v1/claims/").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert second.get("/api/v1/claims/").status_code == 200


@pytest.mark.parametrize("token", [b"\xfd\xfe", "é" * 10, "x" * 500, "not-hex-at-all"])
def test_a_malformed_token_is_401_not_a_crash(token):
    client = APIClient()
    header = token if isinstance(token, str) else token.decode("latin-1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {header}")
    assert client.get("/api/v1/claims/").status_code == 401
