"""A reviewer adds a source from a URL in a real browser, reads what was
fetched and downloads its snapshot. The page is ours, on 127.0.0.1."""

from django.contrib.auth import get_user_model

from sources.archive import response_body
from sources.models import Source

from ..test_web_sources import ARTICLE

USERNAME = "rita-desk"
PASSWORD = "correct horse battery staple"


def test_a_reviewer_adds_a_source_from_a_url(
    page, live_server, admin_login, httpserver, settings, screenshot
):
    settings.CLAIMTRACK_FETCH_ALLOW_PRIVATE = True
    httpserver.expect_request("/ferry").respond_with_data(
        ARTICLE, content_type="text/html; charset=utf-8"
    )
    get_user_model().objects.create_superuser(
        username=USERNAME, email="rita@example.org", password=PASSWORD
    )
    admin_login(page, live_server, USERNAME, PASSWORD)
    page.goto(f"{live_server.url}/admin/sources/source/")
    page.get_by_role("link", name="Add from URL").click()
    page.get_by_label("Url").fill(httpserver.url_for("/ferry"))
    with page.expect_navigation():
        page.get_by_role("button", name="Fetch and add").click()
    source = Source.objects.get()
    assert page.url.endswith(f"/admin/sources/source/{source.pk}/change/")
    assert "Tromvik ferry" in page.locator("#ct-source-text").inner_text()
    screenshot(page, "admin-source-from-url")
    with page.expect_download() as download:
        page.get_by_role("link", name="download the snapshot (WARC)").click()
    path = download.value.path()
    assert response_body(path.read_bytes()) == ARTICLE.encode()
