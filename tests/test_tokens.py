"""API tokens: stored hashed, expiring, revocable, and refused alike."""

import datetime
import hashlib
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from knox.models import AuthToken

from .conftest import api_with
from .errors import detail, error_codes

pytestmark = pytest.mark.django_db


def test_tokens_are_stored_hashed_and_expire_after_the_configured_ttl(api_user):
    user = api_user("contributor")
    instance, token = AuthToken.objects.create(user)
    stored = AuthToken.objects.filter(pk=instance.pk).values().get()
    assert token not in json.dumps(stored, default=str)  # only a hash and a prefix
    assert stored["digest"] == hashlib.sha512(token.encode()).hexdigest()
    assert len(stored["token_key"]) == 15
    assert token.startswith(stored["token_key"])
    ttl = datetime.timedelta(days=90)  # CLAIMTRACK_TOKEN_TTL_DAYS' default
    assert settings.REST_KNOX["TOKEN_TTL"] == ttl
    assert abs(instance.expiry - (timezone.now() + ttl)) < datetime.timedelta(minutes=1)
    assert api_with(token).get("/api/v1/claims/").status_code == 200
    AuthToken.objects.filter(pk=instance.pk).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1)
    )
    refused = api_with(token).get("/api/v1/claims/")
    assert refused.status_code == 401
    assert error_codes(refused) == {None: ["authentication_failed"]}
    assert detail(refused) == "Invalid token."
    assert not AuthToken.objects.filter(pk=instance.pk).exists()  # and deleted


def test_logout_revokes_only_the_token_sent(api_user):
    user = api_user("contributor")
    laptop = AuthToken.objects.create(user)[1]
    phone = AuthToken.objects.create(user)[1]
    assert api_with(laptop).post("/api/v1/auth/logout/").status_code == 204
    assert api_with(laptop).get("/api/v1/claims/").status_code == 401
    assert api_with(phone).get("/api/v1/claims/").status_code == 200


def test_revoke_tokens_revokes_every_token_of_the_named_users(api_user, capsys):
    carla, omar = api_user("contributor", "carla"), api_user("reviewer", "omar")
    carlas = [AuthToken.objects.create(carla)[1] for _ in range(2)]
    omars = AuthToken.objects.create(omar)[1]
    call_command("revoke_tokens", "carla")
    assert "carla: 2 token(s) revoked." in capsys.readouterr().out
    for token in carlas:
        assert api_with(token).get("/api/v1/claims/").status_code == 401
    assert api_with(omars).get("/api/v1/claims/").status_code == 200
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("revoke_tokens", "omar", "nobody")
    assert api_with(omars).get("/api/v1/claims/").status_code == 200  # all or none
    with pytest.raises(CommandError, match="Name one or more users"):
        call_command("revoke_tokens")


def test_revoke_tokens_expired_deletes_only_expired_tokens(api_user, capsys):
    user = api_user("contributor")
    old = AuthToken.objects.create(user, expiry=datetime.timedelta(days=1))[0]
    AuthToken.objects.filter(pk=old.pk).update(expiry=timezone.now())
    live = AuthToken.objects.create(user)[1]
    call_command("revoke_tokens", "--expired")
    assert "1 expired token(s) deleted." in capsys.readouterr().out
    assert not AuthToken.objects.filter(pk=old.pk).exists()
    assert api_with(live).get("/api/v1/claims/").status_code == 200


def test_unknown_expired_and_revoked_tokens_get_the_same_answer(api_user):
    user = api_user("contributor")
    expired, expired_token = AuthToken.objects.create(user)
    AuthToken.objects.filter(pk=expired.pk).update(
        expiry=timezone.now() - datetime.timedelta(days=1)
    )
    revoked = AuthToken.objects.create(user)[1]
    call_command("revoke_tokens", user.username, stdout=io.StringIO())
    answers = {
        (response.status_code, response.content)
        for response in (
            api_with("ab" * 32).get("/api/v1/claims/"),
            api_with(expired_token).get("/api/v1/claims/"),
            api_with(revoked).get("/api/v1/claims/"),
        )
    }
    assert answers == {
        (
            401,
            b'{"type":"client_error","errors":[{"code":"authentication_failed",'
            b'"detail":"Invalid token.","attr":null}]}',
        )
    }
