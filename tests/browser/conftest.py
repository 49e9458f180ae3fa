"""Browser tests: Playwright (sync API) driving the system's Chromium.

The browser is Debian's ``chromium`` package, never one downloaded by
``playwright install``: nothing is fetched from the internet at run time. Without
it the browser tests skip with a reason, unless ``CLAIMTRACK_REQUIRE_BROWSER=1``
(CI sets it), which turns the skip into a failure.

Pages are served by pytest-django's ``live_server`` (a real server in a thread),
so every browser test runs with transactional database access on SQLite and on
PostgreSQL alike. Screenshots, including one per failed test, go to
``$CLAIMTRACK_ARTIFACTS`` or ``test-artifacts/`` at the repository root.
"""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

from claims.seeding import load_seeds
from sources.models import Source

from ..conftest import SEED_ARTICLE

# Playwright's sync API runs its asyncio event loop in a greenlet of this (the
# main) thread and, between calls, leaves the loop marked as the thread's running
# loop for as long as the browser is open. Django refuses ORM calls from a thread
# with a running event loop (SynchronousOnlyOperation), which would break every
# fixture and test that touches the database once the session-scoped browser has
# started, browser tests or not. The code here is synchronous and never awaits
# while it uses the ORM, so the check is a false alarm. Django reads the variable
# when a query is made, so setting it on import (before any test runs) is enough.
# (The same running loop also changes which connection objects the thread gets:
# see the ``browser`` fixture.)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BROWSER_TESTS = Path(__file__).resolve().parent
REPO_ROOT = BROWSER_TESTS.parents[1]
CHROMIUM_FALLBACK = "/usr/bin/chromium"
DEFAULT_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    """Mark every test in tests/browser ``browser`` (``-m "not browser"`` skips them)."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # The standard pattern: keep each phase's report on the item (rep_setup,
    # rep_call, rep_teardown) so that fixtures can tell, while tearing down,
    # whether the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _chromium_path():
    path = shutil.which("chromium") or CHROMIUM_FALLBACK
    return path if os.access(path, os.X_OK) else None


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    if executable is None:
        reason = (
            "no Chromium: the browser tests need Debian's `chromium` package "
            f"(`chromium` on PATH or {CHROMIUM_FALLBACK}); "
            "install it with `apt-get install chromium`"
        )
        if os.environ.get("CLAIMTRACK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CLAIMTRACK_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    # Django keeps a thread's connections in an asgiref Local, which hands out
    # other, fresh connection objects once an event loop runs in the thread, as
    # Playwright's does from here on. Tests would then query through connections
    # that pytest-django never prepared: the serialized copy of the migration
    # data (serialized_rollback) lives on the original objects only, so every
    # test after the first would silently start without it. Put the original
    # objects back where the thread now looks for them (tests/browser/
    # test_harness.py checks this).
    test_connections = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    for alias, connection in test_connections.items():
        connections[alias] = connection
    try:
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox"]
        )
    except BaseException:
        playwright.stop()
        raise
    yield browser
    try:
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture(autouse=True)
def _migration_data(django_db_serialized_rollback):
    """Browser tests see the rows that migrations create (the contributor and
    reviewer groups, permissions, content types).

    ``live_server`` makes a test transactional, and a transactional test ends by
    emptying every table, migration data included. A serialized rollback reloads
    that data, as captured when the test database was created, at the start of
    the test, so a browser test never depends on which tests ran before it.
    """


@pytest.fixture
def seeded(transactional_db):
    """The seeds, loaded for this test alone: the live server's thread must see
    them committed, so the module-wide load (tests/conftest.py) cannot serve."""
    load_seeds()
    return Source.objects.get(title__startswith=SEED_ARTICLE)


@pytest.fixture(scope="session")
def artifacts_dir():
    """Where screenshots go: $CLAIMTRACK_ARTIFACTS or test-artifacts/ (git-ignored)."""
    path = Path(os.environ.get("CLAIMTRACK_ARTIFACTS") or REPO_ROOT / "test-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _save_screenshot(page, path):
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot(artifacts_dir):
    """screenshot(page, name) writes <artifacts>/<name>.png, full page; returns the path."""

    def take(page, name):
        return _save_screenshot(page, artifacts_dir / f"{name}.png")

    return take


@pytest.fixture
def page(browser, artifacts_dir, request):
    """A fresh page in a fresh context (own cookies and storage) per test.

    If the test fails, a full-page screenshot named after it is left in the
    artifacts directory.
    """
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    page = context.new_page()
    page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield page
    reports = [getattr(request.node, f"rep_{when}", None) for when in ("setup", "call")]
    failed = any(report is not None and report.failed for report in reports)
    try:
        if failed and not page.is_closed():
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid).strip("_")
            path = _save_screenshot(page, artifacts_dir / f"FAILED-{name}.png")
            print(f"screenshot of the failed test: {path}")
    finally:
        context.close()


@pytest.fixture
def admin_login():
    """admin_login(page, live_server, username, password): sign in through the
    admin's login form and assert that it worked."""

    def login(page, live_server, username, password):
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        # Success redirects away from the form; failure re-renders it with an
        # error note. Either way the page navigates, so wait for that.
        with page.expect_navigation():
            page.click('#login-form [type="submit"]')
        assert urlparse(page.url).path != "/admin/login/", (
            f"admin login as {username!r} failed: "
            f"{page.locator('.errornote, .errorlist').all_inner_texts()}"
        )
        return page

    return login


def list_overflow(page):
    """How far an admin list (#result_list) spills: the pixels its table is
    wider than its scrolling container (at most 0 when nothing is clipped),
    and where its right edge is on the screen."""
    return page.evaluate(
        """() => {
            const table = document.querySelector('#result_list');
            return [table.scrollWidth - table.parentElement.clientWidth,
                    table.getBoundingClientRect().right];
        }"""
    )
