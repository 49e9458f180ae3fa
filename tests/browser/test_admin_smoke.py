"""The admin through a real browser: signing in, and the way in for strangers."""

from urllib.parse import urlparse

from django.contrib import admin
from django.contrib.auth import get_user_model

USERNAME = "ada-admin"
PASSWORD = "correct horse battery staple"


def test_a_superuser_signs_in_and_sees_the_site_index(
    page, live_server, admin_login, screenshot
):
    get_user_model().objects.create_superuser(
        username=USERNAME, email="ada@example.org", password=PASSWORD
    )

    admin_login(page, live_server, USERNAME, PASSWORD)

    assert urlparse(page.url).path == "/admin/"
    # The index's heading is the admin site's index_title (Django's default is
    # "Site administration"; config/urls.py may give it the project's own).
    heading = page.locator("#content h1")
    assert heading.inner_text() == str(admin.site.index_title)
    # text_content(): the raw text, before the CSS upper-cases it on screen.
    assert USERNAME in page.locator("#user-tools").text_content()
    path = screenshot(page, "admin-index")
    assert path.is_file()
    assert path.stat().st_size > 0


def test_an_anonymous_visit_to_the_admin_is_sent_to_the_login_page(page, live_server):
    page.goto(f"{live_server.url}/admin/")

    url = urlparse(page.url)
    assert url.path == "/admin/login/"
    assert url.query == "next=/admin/"
    assert page.locator("#login-form").is_visible()
