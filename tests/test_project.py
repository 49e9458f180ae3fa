import json
import os
import subprocess
import sys
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.contrib.messages import get_messages

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_running_django_is_6_1():
    # A dependency that silently downgrades Django fails here.
    assert django.VERSION[:2] == (6, 1)


@pytest.mark.slow
def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x7-" + "kq9Vb2Lm" * 8,
        DJANGO_ALLOWED_HOSTS="claims.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_production_without_a_secret_key_refuses_to_start():
    result = run_manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


@pytest.mark.slow
def test_a_database_url_without_a_secret_key_says_what_to_set_without_a_traceback(
    tmp_path,
):
    # With a DATABASE_URL, manage.py no longer defaults debug on: production.
    result = run_manage("check", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert message.startswith("manage.py: DJANGO_SECRET_KEY is required"), message
    assert "DATABASE_URL is set" in message
    assert "DJANGO_DEBUG=1" in message
    assert len(message.splitlines()) == 1


@pytest.mark.slow
def test_a_malformed_boolean_setting_is_a_clear_error():
    result = run_manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be a boolean" in result.stderr


@pytest.mark.slow
def test_without_database_url_sqlite_runs_wal_immediate_with_busy_timeout():
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], d['OPTIONS']['transaction_mode'], "
        "d['OPTIONS']['timeout'], 'journal_mode=WAL' in d['OPTIONS']['init_command'])"
    )
    result = run_manage("shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    engine, name, mode, timeout, wal = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "db.sqlite3")
    assert (mode, timeout, wal) == ("IMMEDIATE", "20", "True")


@pytest.mark.slow
def test_database_url_selects_postgresql():
    code = (
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'])"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DATABASE_URL="postgres://u@db.example.org:5432/claimtrack",
        DJANGO_DEBUG="1",
    )
    assert result.stdout.strip() == "django.db.backends.postgresql", result.stderr


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="checks the SQLite connection the tests run on",
)
def test_sqlite_connections_use_immediate_transactions(db):
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.slow
def test_manage_py_turns_debug_on_only_without_a_database_url():
    code = "from django.conf import settings as s; print(s.DEBUG)"
    assert run_manage("shell", "--no-imports", "-c", code).stdout.strip() == "True"
    with_url = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DATABASE_URL="postgres://u@db.example.org:5432/claimtrack",
        DJANGO_SECRET_KEY="x" * 60,
    )
    assert with_url.stdout.strip() == "False", with_url.stderr


@pytest.mark.django_db
def test_migrate_leaves_the_database_cache_table_in_place():
    # claims/apps.py creates it after every migrate (the test database's too):
    # a plain `migrate` gives a site whose cached pages and throttles work.
    from django.db import connection

    assert "claimtrack_cache" in connection.introspection.table_names()


@pytest.mark.django_db
def test_the_admin_shows_its_messages_and_the_api_answers(client, admin_user):
    # Django's MessageMiddleware: the admin's "was added" message reaches the
    # next page, and the API (JSON and browsable) is served beside it.
    client.force_login(admin_user)
    response = client.post(
        "/admin/sources/publisher/add/", {"name": "Dawn", "url": ""}, follow=True
    )
    assert response.status_code == 200
    [message] = get_messages(response.wsgi_request)
    assert "Dawn" in str(message)
    assert "was added successfully" in str(message)
    assert client.get("/api/v1/claims/").status_code == 200
    response = client.get("/api/v1/claims/", HTTP_ACCEPT="text/html")  # browsable
    assert response.status_code == 200


# --- production settings: HTTPS, cookies, HSTS ---------------------------------------

PRODUCTION_CHECK = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
# No collectstatic here: plain static storage; everything else as in production.
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
    plain = Client().get("/admin/login/")
    secure = Client().get("/admin/login/", secure=True)
cookie = secure.cookies["csrftoken"]
print(json.dumps({
    "redirect": [plain.status_code, plain.get("Location")],
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy", ""),
    "frame": secure.get("X-Frame-Options"),
    "nosniff": secure.get("X-Content-Type-Options"),
    "referrer": secure.get("Referrer-Policy"),
    "csrf_cookie_secure": bool(cookie["secure"]),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "fallbacks": settings.SECRET_KEY_FALLBACKS,
    "ttl_days": settings.REST_KNOX["TOKEN_TTL"].days,
    "max_body": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
}))
"""


@pytest.mark.slow
def test_production_settings_use_https_secure_cookies_and_hsts(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CLAIMTRACK_")) and key != "DATABASE_URL"
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x7-" + "kq9Vb2Lm" * 8,
        DJANGO_SECRET_KEY_FALLBACKS="old-key-one,old-key-two",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'never-used.sqlite3'}",
        CLAIMTRACK_TOKEN_TTL_DAYS="7",
    )
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_CHECK],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["redirect"] == [301, "https://testserver/admin/login/"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in seen["csp"]
    assert seen["frame"] == "DENY"
    assert seen["nosniff"] == "nosniff"
    assert seen["referrer"] == "same-origin"
    assert seen["csrf_cookie_secure"] is True
    assert seen["session_cookie_secure"] is True
    assert seen["session_cookie_httponly"] is True
    assert seen["fallbacks"] == ["old-key-one", "old-key-two"]
    assert seen["ttl_days"] == 7
    assert seen["max_body"] == 16 * 1024 * 1024
