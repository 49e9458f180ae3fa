"""Sources from the web (issue 24): fetch a page into a source and an immutable
snapshot, through the service, the API, the admin, the command and the public
page. Every page is of our own writing, served by a real HTTP server on
127.0.0.1 (pytest-httpserver); nothing reaches the internet."""

import datetime
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from sources.archive import response_body
from sources.models import Snapshot, Source
from sources.web import fetch_source

from .errors import errors

ARTICLE = """<!doctype html>
<html lang="en-GB"><head>
<title>Ferry fares frozen for winter | The Harbour Courier</title>
<meta property="og:site_name" content="The Harbour Courier">
<meta name="author" content="Mina Calder">
<meta property="article:published_time" content="2026-11-30T08:00:00Z">
</head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a></nav>
<article>
<h1>Ferry fares frozen for winter</h1>
<p>Fares on the Tromvik ferry will not rise before April 2027, harbour director
Ola Brekke said on Monday, after a year in which fuel costs fell by 14 percent.</p>
<p>"Children under twelve will keep travelling free," Brekke told the council,
adding that a new timetable would be published in Norwegian and English by 15
December.</p>
<p>The ferry carried 212,000 passengers in 2025, up from 198,000 the year before,
according to the harbour office's annual report.</p>
</article>
<footer>Subscribe to the Courier · Privacy · Cookies</footer>
</body></html>
"""
LATIN1 = (
    "<html><head><title>Caf\xe9 licences</title></head><body><article><p>The "
    "council granted 42 caf\xe9 licences in 2026, the licensing officer Ren\xe9e "
    "Dubois said on Tuesday, twice as many as in 2025.</p><p>She said the fee "
    "would stay at 120 euros until the end of 2027.</p></article></body></html>"
)


@pytest.fixture
def pages(httpserver, settings):
    """The local server, and fetching from it allowed (it is on loopback)."""
    settings.CLAIMTRACK_FETCH_ALLOW_PRIVATE = True
    return httpserver


def serve(server, path, body, content_type="text/html; charset=utf-8", **kwargs):
    server.expect_request(path).respond_with_data(
        body, content_type=content_type, **kwargs
    )
    return server.url_for(path)


def test_a_page_becomes_a_source_and_an_immutable_snapshot(pages, reviewer):
    url = serve(pages, "/ferry", ARTICLE)
    result = fetch_source(url, by=reviewer)
    source, snapshot = result.source, result.snapshot
    assert result.created
    assert "Fares on the Tromvik ferry will not rise before April 2027" in source.text
    assert "Subscribe" not in source.text
    assert "Sport" not in source.text
    assert "\n\n" in source.text  # one paragraph to a block
    assert source.title == "Ferry fares frozen for winter"
    assert source.publisher.name == "The Harbour Courier"
    assert source.published_on == datetime.date(2026, 11, 30)
    assert source.language == "en-GB"
    assert source.url == url
    assert source.retrieved_at == snapshot.fetched_at
    body = ARTICLE.encode()
    assert snapshot.sha256 == hashlib.sha256(body).hexdigest()
    assert snapshot.size == len(body)
    assert snapshot.status == 200
    assert snapshot.media_type == "text/html"
    assert snapshot.address == "127.0.0.1"
    assert snapshot.metadata["author"] == "Mina Calder"
    assert response_body(bytes(snapshot.warc)) == body
    assert b"WARC-Type: request" in bytes(snapshot.warc)
    assert snapshot.created_by == reviewer


def test_the_same_page_again_answers_with_the_same_source(pages, reviewer):
    url = serve(pages, "/ferry", ARTICLE)
    first = fetch_source(url, by=reviewer)
    again = fetch_source(url, by=reviewer)
    assert not again.created
    assert (again.source, again.snapshot) == (first.source, first.snapshot)
    assert Snapshot.objects.count() == 1


def test_a_known_text_on_another_page_gets_its_own_snapshot(pages, reviewer):
    first = fetch_source(serve(pages, "/ferry", ARTICLE), by=reviewer)
    second = fetch_source(
        serve(pages, "/copy", ARTICLE.replace("Home", "Start")), by=reviewer
    )
    assert not second.created
    assert second.source == first.source
    assert second.snapshot != first.snapshot
    assert first.source.snapshots.count() == 2


def test_a_latin1_page_is_read_in_its_charset(pages, reviewer):
    url = serve(
        pages, "/cafe", LATIN1.encode("latin-1"), "text/html; charset=iso-8859-1"
    )
    source = fetch_source(url, by=reviewer).source
    assert "42 café licences" in source.text
    assert "Renée Dubois" in source.text


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("private", "CLAIMTRACK_FETCH_ALLOW_PRIVATE=1"),
        ("pdf", "application/pdf"),
        ("missing", "404"),
        ("empty", "no article text"),
        ("elsewhere", "not among"),
    ],
)
def test_a_refusal_names_its_reason_and_stores_nothing(
    pages, settings, reviewer, setup, reason
):
    url = serve(pages, "/ferry", ARTICLE)
    if setup == "private":
        settings.CLAIMTRACK_FETCH_ALLOW_PRIVATE = False
    elif setup == "pdf":
        url = serve(pages, "/report.pdf", b"%PDF-1.7 ...", "application/pdf")
    elif setup == "missing":
        url = serve(pages, "/nowhere", "Gone.", "text/plain", status=404)
    elif setup == "empty":
        url = serve(pages, "/empty", "<html><head></head><body></body></html>")
    elif setup == "elsewhere":
        url = "https://news.example/ferry"
    with pytest.raises(ValidationError) as refused:
        fetch_source(url, by=reviewer)
    assert reason in " ".join(refused.value.message_dict["url"])
    assert not Source.objects.exists()
    assert not Snapshot.objects.exists()


def test_a_snapshot_is_never_changed_nor_deleted(pages, reviewer):
    snapshot = fetch_source(serve(pages, "/ferry", ARTICLE), by=reviewer).snapshot
    snapshot.status = 500
    with pytest.raises(ValidationError):
        snapshot.save()
    with pytest.raises(ValidationError):
        snapshot.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Snapshot.objects.filter(pk=snapshot.pk).update(sha256="0" * 64)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            Snapshot.objects.filter(pk=snapshot.pk).delete()
    assert Snapshot.objects.get(pk=snapshot.pk).status == 200


# --- the API ------------------------------------------------------------------


def test_the_api_fetches_a_url_given_without_a_text(pages, api, api_user):
    client = api(api_user("contributor"))
    url = serve(pages, "/ferry", ARTICLE)
    response = client.post("/api/v1/sources/", {"url": url}, format="json")
    assert response.status_code == 202, response.json()
    job = response.json()
    assert (job["kind"], job["state"], job["attempts"]) == ("fetch", "succeeded", 1)
    assert response["Location"] == job["url"]
    assert client.get(job["url"]).json() == job
    body = client.get(f"/api/v1/sources/{job['result']['source']}/").json()
    assert body["title"] == "Ferry fares frozen for winter"
    assert "Tromvik ferry" in body["text"]
    [snapshot] = body["snapshots"]
    assert snapshot["final_url"] == url
    assert snapshot["status"] == 200
    assert snapshot["metadata"]["site_name"] == "The Harbour Courier"
    assert job["result"]["snapshot"] == snapshot["id"]
    download = client.get(snapshot["warc"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/warc"
    again = client.post("/api/v1/sources/", {"url": url}, format="json").json()
    assert again["result"]["source"] == body["id"]
    assert again["result"]["created"] is False


def test_the_api_proposes_claims_from_a_fetched_page(pages, api, api_user):
    client = api(api_user("contributor"))
    url = serve(pages, "/ferry", ARTICLE)
    response = client.post(
        "/api/v1/sources/", {"url": url, "propose_claims": True}, format="json"
    )
    assert response.status_code == 202, response.json()
    assert response.json()["result"]["proposals"]["created"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://127.0.0.1:9/x", "fetch": True, "text": "Words."}, "text"),
        ({"url": "http://127.0.0.1:9/x", "revises": 1}, "revises"),
        ({"fetch": True}, "url"),
    ],
)
def test_the_api_refuses_a_bad_fetch_naming_the_field(api, api_user, body, field):
    response = api(api_user("contributor")).post(
        "/api/v1/sources/", body, format="json"
    )
    assert response.status_code == 400
    assert field in errors(response)
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:1/", "could not connect"),  # nothing listens there
        ("https://news.example/ferry", "CLAIMTRACK_FETCH_ALLOWED_HOSTS"),
    ],
)
def test_a_fetch_that_fails_is_a_failed_job_naming_the_url(
    pages, api, api_user, url, reason
):
    client = api(api_user("contributor"))
    job = client.post("/api/v1/sources/", {"url": url}, format="json").json()
    assert job["state"] == "failed"
    assert reason in " ".join(job["error"]["url"])
    assert not Source.objects.exists()


def test_a_job_is_its_askers_and_the_reviewers(pages, api, api_user):
    url = serve(pages, "/ferry", ARTICLE)
    asker = api(api_user("contributor"))
    job = asker.post("/api/v1/sources/", {"url": url}, format="json").json()
    other = api(api_user("contributor", username="other-contributor"))
    assert other.get(job["url"]).status_code == 404
    assert api().get(job["url"]).status_code == 404
    assert api(api_user("reviewer")).get(job["url"]).status_code == 200
    assert asker.get("/api/v1/jobs/not-a-uuid/").status_code == 404


def test_fetch_false_keeps_a_source_without_text(api, api_user):
    response = api(api_user("contributor")).post(
        "/api/v1/sources/",
        {"url": "https://video.example/interview", "fetch": False},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["length"] == 0
    assert response.json()["snapshots"] == []


# --- the admin, the command and the public page ------------------------------------


def test_the_admin_adds_a_source_from_a_url(pages, client, desk_user):
    client.force_login(desk_user)
    page = client.get("/admin/sources/source/")
    assert b"Add from URL" in page.content
    url = serve(pages, "/ferry", ARTICLE)
    response = client.post(
        "/admin/sources/source/add-from-url/",
        {"url": url, "title": "", "kind": "news_article"},
        follow=True,
    )
    source = Source.objects.get()
    assert (
        response.redirect_chain[-1][0] == f"/admin/sources/source/{source.pk}/change/"
    )
    assert b"download the snapshot (WARC)" in response.content
    snapshot = source.snapshots.get()
    warc = client.get(
        f"/admin/sources/source/{source.pk}/snapshots/{snapshot.pk}/warc/"
    )
    assert response_body(warc.content) == ARTICLE.encode()


def test_the_admin_shows_a_refusal_on_the_form(pages, client, desk_user):
    client.force_login(desk_user)
    url = serve(pages, "/report.pdf", b"%PDF-1.7", "application/pdf")
    response = client.post(
        "/admin/sources/source/add-from-url/", {"url": url, "kind": "news_article"}
    )
    assert response.status_code == 200
    assert b"application/pdf" in response.content
    assert not Source.objects.exists()


def test_the_command_fetches_and_reports(pages, capsys, db):
    url = serve(pages, "/ferry", ARTICLE)
    call_command("fetch_source", url)
    out = capsys.readouterr().out
    source = Source.objects.get()
    assert f"new source {source.pk}" in out
    assert "snapshot" in out
    missing = serve(pages, "/nowhere", "Gone.", "text/plain", status=404)
    with pytest.raises(CommandError, match="1 of 1"):
        call_command("fetch_source", missing)


def test_the_public_page_offers_the_snapshot(pages, client, reviewer):
    result = fetch_source(serve(pages, "/ferry", ARTICLE), by=reviewer)
    page = client.get(f"/sources/{result.source.pk}/")
    assert b"Fetched from the web" in page.content
    assert result.snapshot.sha256.encode() in page.content
    warc = client.get(
        f"/sources/{result.source.pk}/snapshots/{result.snapshot.pk}.warc"
    )
    assert warc.status_code == 200
    assert response_body(warc.content) == ARTICLE.encode()
    assert (
        client.get(f"/sources/{result.source.pk}/snapshots/999.warc").status_code == 404
    )
