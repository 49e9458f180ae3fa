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
    assert user.is_superuser and user.is_staff
    password = out.split("password: ")[1].split()[0]
    assert user.check_password(password)
    assert "http://127.0.0.1:8000/admin/" in out
    # A second run changes no claim and gives a fresh password.
    call_command("demo", "--no-serve")
    second = capsys.readouterr().out.split("password: ")[1].split()[0]
    assert second != password
    assert Claim.objects.filter(status="overdue").count() == 1


def test_demo_never_creates_a_user_without_debug(capsys, settings):
    settings.DEBUG = False
    call_command("demo", "--no-serve")
    assert "no demo user is created" in capsys.readouterr().out
    assert not get_user_model().objects.filter(username="demo").exists()
    assert Claim.objects.count() >= 15
