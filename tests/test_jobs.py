"""Background jobs with the database backend and its worker (issue 24): a
fetch queued at commit, run by `manage.py db_worker`, retried after a failure
that may pass, and failed for good after one that will not. The page is ours,
on 127.0.0.1."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.tasks import task_backends
from django_tasks_db.backend import DatabaseBackend

from claims import jobs
from claims.models import Job, RepeatCandidate
from claims.services.proposals import propose_claims
from claims.services.repeats import find_repeats_later
from sources.models import Source
from sources.services import create_source
from sources.web import fetch_source

from .test_web_sources import ARTICLE


@pytest.fixture
def queued(settings, httpserver, monkeypatch):
    """The database backend as the default, as with CLAIMTRACK_TASKS=database:
    set in the handler through its public item assignment (django.tasks
    builds its backends once), and removed after, so the next use builds the
    tests' immediate one again."""
    settings.CLAIMTRACK_TASKS = "database"
    settings.CLAIMTRACK_FETCH_ALLOW_PRIVATE = True
    monkeypatch.setattr(jobs, "FIRST_RETRY_SECONDS", 0)  # no waiting in a test
    task_backends["default"] = DatabaseBackend("default", {"QUEUES": ["default"]})
    yield httpserver
    del task_backends["default"]


def work(tasks=1):
    """Run the worker for ``tasks`` tasks (a retry is a task of its own)."""
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--max-tasks", str(tasks)
    )


@pytest.mark.django_db(transaction=True)
def test_a_queued_fetch_waits_for_the_worker_and_retries_a_passing_failure(
    queued, api, api_user
):
    client = api(api_user("contributor"))
    url = queued.url_for("/ferry")
    answer = client.post("/api/v1/sources/", {"url": url}, format="json")
    assert answer.status_code == 202
    assert answer.json()["state"] == "queued"
    assert not Source.objects.exists()
    # The server has no page yet: a 500 is no passing failure, but nothing
    # listening is; stop the server for the first attempt.
    queued.stop()
    work()
    job = Job.objects.get()
    assert (job.state, job.attempts) == ("queued", 1)
    assert "could not connect" in " ".join(job.error["url"])
    queued.start()
    queued.expect_request("/ferry").respond_with_data(
        ARTICLE, content_type="text/html; charset=utf-8"
    )
    url_now = queued.url_for("/ferry")
    assert url_now == url
    work()
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("succeeded", 2)
    assert Source.objects.get().pk == job.result["source"]
    assert client.get(answer["Location"]).json()["state"] == "succeeded"


@pytest.mark.django_db(transaction=True)
def test_a_failure_that_will_not_pass_fails_at_once(queued, api, api_user):
    queued.expect_request("/report.pdf").respond_with_data(
        b"%PDF-1.7", content_type="application/pdf"
    )
    client = api(api_user("contributor"))
    client.post(
        "/api/v1/sources/", {"url": queued.url_for("/report.pdf")}, format="json"
    )
    work()
    job = Job.objects.get()
    assert (job.state, job.attempts) == ("failed", 1), (job.error, job.progress)
    assert "application/pdf" in " ".join(job.error["url"])
    assert not Source.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_admin_queues_refetches_and_proposals_for_the_worker(
    queued, settings, reviewer, desk_user, client
):
    """With the worker, the source list's actions queue a job a source, which
    the job list shows until the worker has run it."""
    from .test_revisions import SECOND, Page

    page = Page(queued)
    source = fetch_source(page.url, by=reviewer).source
    client.force_login(desk_user)
    page.body = SECOND
    answer = client.post(
        "/admin/sources/source/",
        {"action": "refetch_selected", "_selected_action": [source.pk]},
        follow=True,
    )
    assert b"Fetch a source&#x27;s page again: queued" in answer.content
    job = Job.objects.get()
    assert (job.kind, job.state, job.params) == (
        "refetch",
        "queued",
        {"source": source.pk},
    )
    listed = client.get("/admin/claims/job/")
    assert b"queued" in listed.content
    assert f"source {source.pk}".encode() in listed.content
    work()
    job.refresh_from_db()
    revision = Source.objects.exclude(pk=source.pk).get()
    assert job.state == "succeeded"
    assert job.result == {
        "source": source.pk,
        "changed": True,
        "revised": True,
        "revision": revision.pk,
    }
    client.post(
        "/admin/sources/source/",
        {"action": "propose_selected", "_selected_action": [revision.pk]},
    )
    proposing = Job.objects.get(kind="propose")
    assert proposing.state == "queued"
    work()
    proposing.refresh_from_db()
    assert proposing.state == "succeeded"
    assert proposing.result["proposals"]["created"]


@pytest.mark.django_db(transaction=True)
def test_with_a_worker_the_extractor_s_repeats_are_found_by_it(queued, reviewer):
    """Proposals are written at once; their repeat candidates come from the
    worker, each compared with the claims before it, and a second delivery
    of the task adds nothing."""
    text = (
        "The mayor said the tram line will open by June 2027. Later the mayor "
        "said again that the tram line will open by June 2027."
    )
    first = create_source(
        text=text, published_on=datetime.date(2026, 3, 2), by=reviewer
    )
    run = propose_claims(source=first.source)
    second = create_source(
        text=text + " Nothing else changed.",
        published_on=datetime.date(2026, 3, 9),
        by=reviewer,
    )
    again = propose_claims(source=second.source)
    assert len(run.created) >= 1
    assert len(again.created) >= 1
    assert not RepeatCandidate.objects.exists()
    work(2)
    pairs = set(RepeatCandidate.objects.values_list("claim", "candidate"))
    assert pairs
    assert all(claim > candidate for claim, candidate in pairs)
    assert {claim for claim, _ in pairs} >= {c.pk for c in again.created}
    find_repeats_later.call([c.pk for c in again.created])
    assert set(RepeatCandidate.objects.values_list("claim", "candidate")) == pairs


@pytest.mark.django_db(transaction=True)
def test_a_receiver_down_for_a_while_gets_every_event_in_order_from_the_worker(
    queued, monkeypatch, settings, propose_accepted, reviewer
):
    """Deliveries run in the real worker: each change queues one at commit,
    a failure queues its retry, and once the receiver is back every event
    arrives, in feed order."""
    from claims import services, webhooks

    from .test_webhooks import Receiver, wait_for_the_feed

    monkeypatch.setattr(webhooks, "RETRY_DELAYS", (0,) * 7)  # no waiting in a test
    receiver = Receiver(queued)
    endpoint = services.create_endpoint(owner=reviewer, url=receiver.url)
    receiver.status = 503
    claims = [propose_accepted(text=f"The tram will run by May {n}.") for n in (1, 2)]
    wait_for_the_feed()
    work(4)  # a delivery task a change, each failing at the first event
    assert [json.loads(body)["type"] for _, body in receiver.got] == [
        "claim.proposed"
    ] * len(receiver.got)
    receiver.status = 200
    call_command("db_worker", "--batch", "--no-startup-delay")
    delivered = receiver.verified(endpoint.secret)
    firsts = [
        m for m in delivered if m["data"]["event"] == delivered[0]["data"]["event"]
    ]
    assert len(firsts) >= 2  # tried while down, then delivered
    order = [(m["type"], m["data"]["claim"]) for m in delivered[len(firsts) - 1 :]]
    assert order == [
        ("claim.proposed", claims[0].pk),
        ("claim.accepted", claims[0].pk),
        ("claim.proposed", claims[1].pk),
        ("claim.accepted", claims[1].pk),
    ]
