import threading
import time

import pytest
from django.db import connection, transaction

from claims import services
from claims.models import ClaimEvent

from .errors import error_codes

pytestmark = pytest.mark.django_db


def read_all(client, cursor=None, page_size=3):
    """Follow the feed to its end; return the events and the last cursor."""
    events = []
    while True:
        params = {"page_size": page_size, **({"after": cursor} if cursor else {})}
        page = client.get("/api/v1/changes/", params).json()
        events += page["results"]
        if not page["results"]:
            return events, page["cursor"]
        cursor = page["cursor"]


def read_until(client, cursor, texts, timeout=30.0):
    """Follow the feed until the events of claims with these texts have come.

    The feed holds back every event newer than the oldest transaction still
    running anywhere on the server, so another client's long transaction (a
    parallel test run, say) can delay them: the reader keeps polling, as a
    real one would."""
    events, deadline = [], time.monotonic() + timeout
    while True:
        page, cursor = read_all(client, cursor)
        events += page
        if set(texts) <= {e["state"]["text"] for e in events}:
            return events, cursor
        assert time.monotonic() < deadline, f"still waiting for {texts}"
        time.sleep(0.05)


def test_the_feed_lists_every_event_in_order_with_who_and_when(
    api, api_user, propose, reviewer
):
    claim = propose()
    services.review_claim(claim=claim, decision="accept", by=reviewer)
    services.edit_claim(
        claim=claim, expected_version=2, by=reviewer, speaker_title="Ms"
    )
    events, cursor = read_all(api(api_user("reviewer")))
    assert [(e["claim"], e["type"], e["version"]) for e in events] == [
        (claim.pk, "created", 1),
        (claim.pk, "reviewed", 2),
        (claim.pk, "edited", 3),
    ]
    assert events[-1]["state"]["speaker_title"] == "Ms"
    assert events[-1]["by"] == reviewer.username
    assert cursor


def test_a_client_resumes_from_its_cursor_and_misses_nothing(
    api, api_user, propose, reviewer
):
    client = api(api_user("reviewer"))
    first = propose()
    seen, cursor = read_all(client)
    services.review_claim(claim=first, decision="accept", by=reviewer)
    second = propose(text="Another.")
    more, cursor = read_all(client, cursor)
    assert [(e["claim"], e["type"]) for e in more] == [
        (first.pk, "reviewed"),
        (second.pk, "created"),
    ]
    assert read_all(client, cursor)[0] == []
    all_ids = [e["id"] for e in seen + more]
    assert sorted(all_ids) == list(
        ClaimEvent.objects.values_list("id", flat=True).order_by("id")
    )


def test_anonymous_clients_see_only_events_of_accepted_claims(api, propose, reviewer):
    hidden = propose(text="Still proposed.")
    shown = propose()
    services.review_claim(claim=shown, decision="accept", by=reviewer)
    events, _ = read_all(api())
    assert {e["claim"] for e in events} == {shown.pk}
    assert hidden.pk not in {e["claim"] for e in events}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"after": "!!!"}, "bad_cursor"),
        ({"after": "MTI"}, "bad_cursor"),
        ({"after": "LTE6LTE"}, "bad_cursor"),
        ({"page_size": 500}, "invalid"),
        ({"since": "1"}, "unknown_parameter"),
    ],
)
def test_bad_feed_parameters_are_400(api, params, code):
    response = api().get("/api/v1/changes/", params)
    assert response.status_code == 400
    [name] = params
    assert error_codes(response) == {name: [code]}


def test_a_feed_page_runs_a_fixed_number_of_queries(
    api, api_user, propose, django_assert_num_queries
):
    for n in range(5):
        propose(text=f"Claim {n}.")
    client = api(api_user("reviewer"))
    client.get("/api/v1/changes/")
    for size in (1, 100):
        # knox token checks (2), the reviewer's permissions (2), the page (1)
        with django_assert_num_queries(5):
            client.get("/api/v1/changes/", {"page_size": size})
    anonymous = api()
    for size in (1, 100):
        with django_assert_num_queries(1):
            anonymous.get("/api/v1/changes/", {"page_size": size})


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_an_event_committed_late_is_not_skipped(api, api_user, propose, reviewer):
    """Two overlapping transactions commit out of order: the reader still gets both."""
    client = api(api_user("reviewer"))
    propose(text="Before.")
    seen, cursor = read_until(client, None, {"Before."})

    wrote_first = threading.Event()
    release_first = threading.Event()
    errors = []

    def slow_writer():
        try:
            with transaction.atomic():
                propose(text="Written first, committed last.")
                wrote_first.set()
                release_first.wait(timeout=30)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert wrote_first.wait(timeout=30)
    propose(text="Written second, committed first.")  # autocommit: commits now

    # Read while the first transaction is still open: the committed later event
    # must be held back, or the cursor would pass the earlier one.
    during, cursor_during = read_all(client, cursor)
    assert during == []

    release_first.set()
    thread.join(timeout=30)
    assert not errors, errors
    after, _ = read_until(
        client,
        cursor_during,
        {"Written first, committed last.", "Written second, committed first."},
    )
    texts = [e["state"]["text"] for e in after]
    assert sorted(texts) == [
        "Written first, committed last.",
        "Written second, committed first.",
    ]
    ids = [e["id"] for e in seen + during + after]
    assert len(ids) == len(set(ids)) == ClaimEvent.objects.count()


def test_following_next_until_has_more_is_false_reads_each_event_once(
    api, api_user, propose
):
    """Issue 20, 14: ``next`` was null at the end, so a client following it
    looped for ever or lost its resume point. ``next`` is always the resume
    point; ``has_more`` says when to stop."""
    client = api(api_user("reviewer"))
    empty = client.get("/api/v1/changes/", {"page_size": 3}).json()
    assert empty["results"] == []
    assert empty["has_more"] is False
    assert empty["next"].endswith("/api/v1/changes/?page_size=3")
    for n in range(3):  # three events: a page of exactly three
        propose(text=f"Claim number {n}.")
    url, events, pages = "/api/v1/changes/?page_size=3", [], 0
    while True:
        page = client.get(url).json()
        events += page["results"]
        pages += 1
        assert page["next"]
        url = page["next"]
        if not page["has_more"]:
            break
    assert pages == 1
    assert len(events) == 3
    propose(text="A later claim.")
    later = client.get(url).json()  # the resume point picks up what is new
    assert [e["state"]["text"] for e in later["results"]] == ["A later claim."]
    assert later["has_more"] is False
