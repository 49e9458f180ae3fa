import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from claims.models import Claim

pytestmark = pytest.mark.django_db


def test_demo_prepares_the_site_with_seeds_sweep_and_a_demo_user(capsys, settings):
    settings.DEBUG = True
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert Claim.objects.count() >= 15
    assert Claim.objects.get(text__startswith="Starlink").status == "overdue"
    user = get_user_model().objects.get(username="demo")
    assert user.is_superuser
    assert user.is_staff
    password = out.split("password: ")[1].split()[0]
    assert user.check_password(password)
    assert "http://127.0.0.1:8000/admin/" in out
    # A second run changes no claim and keeps the password.
    call_command("demo", "--no-serve")
    assert "unchanged since it was printed" in capsys.readouterr().out
    user.refresh_from_db()
    assert user.check_password(password)
    # The Starlink deadline and its 2 May update (seeds/khunjerab-follow-ups).
    assert Claim.objects.filter(status="overdue").count() == 2
    call_command("demo", "--no-serve", "--new-passwords")
    fresh = capsys.readouterr().out.split("password: ")[1].split()[0]
    assert fresh != password
    user.refresh_from_db()
    assert user.check_password(fresh)


def test_rerunning_demo_keeps_tokens_and_sessions_working(capsys, settings, client):
    """Issue 20, 17: a rerun revoked the printed tokens and signed people out."""
    from rest_framework.test import APIClient

    settings.DEBUG = True
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    token = out.split("reviewer: demo-reviewer / ")[1].split("token: ")[1].split()[0]
    reviewer = get_user_model().objects.get(username="demo-reviewer")
    client.force_login(reviewer)
    call_command("demo", "--no-serve")
    second = capsys.readouterr().out
    assert "earlier ones keep working" in second
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/changes/").status_code == 200
    assert api.post("/api/v1/auth/logout/").status_code == 204  # it authenticated
    assert client.get("/admin/").status_code == 200  # still signed in


def test_demo_without_serving_does_not_say_it_is_ready(capsys, settings):
    settings.DEBUG = True
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert "ready" not in out
    assert "demo prepared; `uv run manage.py demo` serves it" in out


def test_demo_never_creates_a_user_without_debug(capsys, settings):
    settings.DEBUG = False
    call_command("demo", "--no-serve")
    assert "no demo user is created" in capsys.readouterr().out
    assert not get_user_model().objects.filter(username="demo").exists()
    assert Claim.objects.count() >= 15
