"""The browser-test harness itself: what every browser test may rely on."""

from django.contrib.auth.models import Group


def test_migration_data_is_there_while_the_browser_runs(browser, live_server):
    """The role groups come from a migration. A transactional test empties every
    table when it ends, and the serialized rollback of tests/browser/conftest.py
    puts them back first, which only works if the test thread still queries
    through the connections pytest-django prepared once Playwright's event loop
    runs (see the ``browser`` fixture). This test runs after other browser tests,
    so the browser is already up and an earlier test has emptied the tables."""
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "contributor",
        "reviewer",
    }
