"""Races on PostgreSQL through the real stack: nothing lost, nothing done twice.

The HTTP tests send their requests to pytest-django's ``live_server`` (a real
threaded WSGI server: each request is handled in its own thread with its own
database connection). Every client opens its connection first, then all wait
at a barrier and send together, so the requests really overlap in the
database. The writers of the feed and sweep tests call the services from
threads of their own, each with its own connection.

tests/test_concurrency.py holds the service-level races (two edits, two small
sweeps, the same text twice, crossing merges); tests/test_api_feed.py one
late-committing transaction.
"""

import datetime
import http.client
import itertools
import json
import random
import threading
import time
import unicodedata
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from knox.models import AuthToken
from rest_framework.throttling import SimpleRateThrottle

from claims import services
from claims.models import Claim, ClaimEvent, ClaimKind, Speaker, Status, StatusChange
from sources.models import Publisher, Source

from .threads import JOIN_TIMEOUT, run_together

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

CLIENTS = 20


@pytest.fixture(autouse=True)
def unthrottled(monkeypatch):
    # The feed reader polls fast; throttling has tests of its own.
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None}
    )


class Client:
    """One HTTP client with its own connection to the live server."""

    def __init__(self, base_url: str, token: str | None = None):
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=JOIN_TIMEOUT
        )
        self.headers = {"Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Token {token}"

    def connect(self):
        self.connection.connect()
        return self

    def send(self, method, path, body=None, **headers):
        """(status, headers, JSON body); the connection stays open."""
        headers = {**self.headers, **headers}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        return response.status, dict(response.getheaders()), json.loads(raw or "null")

    def close(self):
        self.connection.close()


def token_for(user) -> str:
    return AuthToken.objects.create(user)[1]


def one_request(base_url, token, method, path, body=None, **headers):
    """A function for run_together: connect, wait for the others, send."""

    def send(ready):
        client = Client(base_url, token).connect()
        try:
            ready()
            return client.send(method, path, body, **headers)
        finally:
            client.close()

    return send


def statuses(results) -> list[int]:
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return sorted(status for status, _, _ in results)


# --- one If-Match, many writers -------------------------------------------------


def test_twenty_status_changes_with_one_if_match_one_wins(
    live_server, api_user, propose
):
    claim = propose(kind=ClaimKind.FACT)
    assert (claim.status, claim.version) == (Status.UNVERIFIED, 1)
    ledger_before = claim.ledger.count()
    history_before = claim.history.count()
    targets = [Status.UNVERIFIABLE, Status.RETRACTED]
    requests = [
        one_request(
            live_server.url,
            token_for(api_user("reviewer", f"reviewer-{i}")),
            "POST",
            f"/api/v1/claims/{claim.pk}/status/",
            {"status": targets[i % 2], "rationale": f"Reviewer {i} decided."},
            **{"If-Match": '"1"'},
        )
        for i in range(CLIENTS)
    ]
    results = run_together(requests)

    assert statuses(results) == [200] + [412] * (CLIENTS - 1)
    winner = next(i for i, (code, _, _) in enumerate(results) if code == 200)
    code, headers, body = results[winner]
    assert headers["ETag"] == '"2"'
    assert body["version"] == 2
    for code, _, body in results:
        if code == 412:
            assert [e["code"] for e in body["errors"]] == ["precondition_failed"]
    claim.refresh_from_db()
    assert (claim.status, claim.version) == (targets[winner % 2], 2)
    assert claim.ledger.count() == ledger_before + 1
    entry = claim.ledger.last()
    assert entry.rationale == f"Reviewer {winner} decided."
    assert entry.changed_by.username == f"reviewer-{winner}"
    assert claim.events.filter(kind="status_changed").count() == 1
    assert claim.history.count() == history_before + 1


# --- the same text from twenty clients -------------------------------------------


def test_twenty_submissions_of_the_same_text_store_one_source(live_server, api_user):
    text = "Café owners said the harbour market will reopen in spring.\nNothing else."
    # The same text as clients may send it: composed or decomposed accents,
    # \n or \r\n newlines. All normalize to one text, so to one source.
    variants = [
        text,
        unicodedata.normalize("NFD", text),
        text.replace("\n", "\r\n"),
        unicodedata.normalize("NFD", text).replace("\n", "\r\n"),
    ]
    requests = [
        one_request(
            live_server.url,
            token_for(api_user("contributor", f"contributor-{i}")),
            "POST",
            "/api/v1/sources/",
            {
                "text": variants[i % len(variants)],
                "title": f"Market news, copy {i}",
                "publisher": "Harbour Gazette",
                "language": "en",
            },
        )
        for i in range(CLIENTS)
    ]
    results = run_together(requests)

    # docs/API.md: the first answers 201, every twin 200 with the stored source.
    assert statuses(results) == [200] * (CLIENTS - 1) + [201]
    ids = {body["id"] for _, _, body in results}
    assert len(ids) == 1
    source = Source.objects.get()
    assert source.pk in ids
    assert source.text == unicodedata.normalize("NFC", text)
    assert all(body["content_hash"] == source.content_hash for _, _, body in results)
    created = next(body for code, _, body in results if code == 201)
    assert source.title == created["title"]
    # Nothing half-written: one publisher, one history record of the source.
    assert Publisher.objects.filter(name="Harbour Gazette").count() == 1
    assert Publisher.objects.count() == 1
    assert source.history.count() == 1


# --- edits and reviews under contention ------------------------------------------

# Ten edits, one field each, chosen so that every one changes the claim
# whatever order they land in (a month-precision date is stored as the
# month's first day, a year-precision deadline as the year's last).
EDITS = {
    "text": "The harbour bridge will reopen within the year.",
    "speaker_title": "Harbour Mayor",
    "attribution": "indirect",
    "kind": "promise",
    "stated_on": "2025-02-14",
    "stated_on_precision": "month",
    "due_on": "2026-09-10",
    "due_on_precision": "year",
    "due_text": "by 2026",
    "speaker": None,  # set to another speaker's id in the test
}


def edit_with_retries(base_url, token, pk, field, value):
    """Read the ETag, PATCH one field, and on 412 read again and retry."""

    def run(ready):
        client = Client(base_url, token).connect()
        attempts = []
        try:
            ready()
            for _ in range(100):
                code, headers, body = client.send("GET", f"/api/v1/claims/{pk}/")
                assert code == 200, body
                code, _, body = client.send(
                    "PATCH",
                    f"/api/v1/claims/{pk}/",
                    {field: value, "reason": f"set {field}"},
                    **{"If-Match": headers["ETag"]},
                )
                attempts.append(code)
                if code != 412:
                    return attempts, body
            return attempts, None
        finally:
            client.close()

    return run


def test_concurrent_edits_of_different_fields_lose_no_update(
    live_server, api_user, propose
):
    claim = propose()
    assert claim.version == 1
    other = Speaker.objects.create(name="Ada Deputy")
    edits = {**EDITS, "speaker": other.pk}
    functions = [
        edit_with_retries(
            live_server.url,
            token_for(api_user("reviewer", f"editor-{field}")),
            claim.pk,
            field,
            value,
        )
        for field, value in edits.items()
    ]
    results = run_together(functions)

    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    for attempts, _ in results:
        assert attempts[-1] == 200, attempts
        assert set(attempts[:-1]) <= {412}, attempts
    assert any(len(attempts) > 1 for attempts, _ in results), "no edit ever raced"

    claim.refresh_from_db()
    assert claim.version == 1 + len(edits)
    assert claim.text == edits["text"]
    assert claim.speaker_id == other.pk
    assert claim.speaker_title == edits["speaker_title"]
    assert claim.attribution == "indirect"
    assert claim.kind == "promise"
    assert (claim.stated_on, claim.stated_on_precision) == (
        datetime.date(2025, 2, 1),
        "month",
    )
    assert (claim.due_on, claim.due_on_precision) == (
        datetime.date(2026, 12, 31),
        "year",
    )
    assert claim.due_text == "by 2026"
    # One history record and one feed event per write, at successive versions.
    edits_history = claim.history.exclude(history_type="+")
    assert sorted(edits_history.values_list("version", flat=True)) == list(
        range(2, 2 + len(edits))
    )
    assert sorted(
        claim.events.filter(kind="edited").values_list("version", flat=True)
    ) == list(range(2, 2 + len(edits)))
    reasons = set(edits_history.values_list("history_change_reason", flat=True))
    assert reasons == {f"set {field}" for field in edits}


def test_concurrent_accept_and_reject_with_one_if_match_one_review_wins(
    live_server, api_user, propose
):
    claim = propose()
    decisions = ["accept", "reject"]
    requests = [
        one_request(
            live_server.url,
            token_for(api_user("reviewer", f"reviewer-{i}")),
            "POST",
            f"/api/v1/claims/{claim.pk}/review/",
            {"decision": decisions[i % 2], "note": f"Reviewer {i}."},
            **{"If-Match": '"1"'},
        )
        for i in range(10)
    ]
    results = run_together(requests)

    assert statuses(results) == [200] + [412] * 9
    winner = next(i for i, (code, _, _) in enumerate(results) if code == 200)
    claim.refresh_from_db()
    assert (
        claim.review
        == {"accept": "accepted", "reject": "rejected"}[decisions[winner % 2]]
    )
    assert claim.review_note == f"Reviewer {winner}."
    assert claim.reviewed_by.username == f"reviewer-{winner}"
    assert claim.version == 2
    assert claim.events.filter(kind="reviewed").count() == 1
    assert claim.history.count() == 2


def test_the_same_acceptance_sent_ten_times_is_applied_once(
    live_server, api_user, propose
):
    """Without If-Match, the first accept wins and the others are told the
    claim is already accepted: a double click never records two reviews."""
    claim = propose()
    requests = [
        one_request(
            live_server.url,
            token_for(api_user("reviewer", f"reviewer-{i}")),
            "POST",
            f"/api/v1/claims/{claim.pk}/review/",
            {"decision": "accept"},
        )
        for i in range(10)
    ]
    results = run_together(requests)

    assert statuses(results) == [200] + [400] * 9
    for code, _, body in results:
        if code == 400:
            (error,) = body["errors"]
            assert error["attr"] == "decision", body
            assert "already accepted" in error["detail"], body
    claim.refresh_from_db()
    assert (claim.review, claim.version) == ("accepted", 2)
    assert claim.events.filter(kind="reviewed").count() == 1


# --- the change feed under out-of-order commits -----------------------------------


class FeedReader(threading.Thread):
    """Polls the feed with its cursor, as a client would, until told to stop
    and every expected event has come (or the deadline passes)."""

    def __init__(self, base_url, token, page_size=2):
        super().__init__(daemon=True)
        self.client = Client(base_url, token)
        self.page_size = page_size
        self.events = []
        self.polls = 0
        self.expected = None  # set once the writers are done
        self.error = None

    def run(self):
        cursor = None
        deadline = None
        try:
            self.client.connect()
            while True:
                query = {"page_size": self.page_size}
                if cursor:
                    query["after"] = cursor
                code, _, page = self.client.send(
                    "GET", f"/api/v1/changes/?{urlencode(query)}"
                )
                assert code == 200, page
                self.polls += 1
                self.events += page["results"]
                cursor = page["cursor"]
                if page["results"]:
                    continue
                if self.expected is not None:
                    if len(self.events) >= self.expected:
                        return
                    deadline = deadline or time.monotonic() + 60
                    if time.monotonic() > deadline:
                        raise AssertionError(
                            f"{len(self.events)} of {self.expected} events after "
                            "60 s (the feed also waits for transactions still "
                            "open elsewhere on the server: look for sessions "
                            "'idle in transaction' in pg_stat_activity)"
                        )
                time.sleep(0.01)
        except Exception as error:  # reported to the test
            self.error = error
        finally:
            self.client.close()


def _step(flag: threading.Event):
    assert flag.wait(timeout=JOIN_TIMEOUT), "a writer waited too long"


def write_a_round(round_, writers, commit_order, propose, reviewer):
    """``writers`` threads each open a transaction with a first event, write a
    second, and commit, each stage in the order this thread lets them."""
    # One flag per writer and stage: go (may do the stage), done (did it).
    go = {s: [threading.Event() for _ in range(writers)] for s in "fsc"}
    done = {s: [threading.Event() for _ in range(writers)] for s in "fsc"}
    errors = []

    def write(index):
        try:
            with transaction.atomic():
                _step(go["f"][index])
                claim = propose(text=f"Round {round_}, writer {index}.")
                done["f"][index].set()
                _step(go["s"][index])
                services.review_claim(claim=claim, decision="accept", by=reviewer)
                done["s"][index].set()
                _step(go["c"][index])
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            done["c"][index].set()
            connection.close()

    threads = [
        threading.Thread(target=write, args=(i,), daemon=True) for i in range(writers)
    ]
    for thread in threads:
        thread.start()
    stages = [
        ("f", range(writers)),  # first events: ids rise with txids
        ("s", reversed(range(writers))),  # second events: ids fall
        ("c", commit_order),
    ]
    for stage, order in stages:
        for index in order:
            go[stage][index].set()
            _step(done[stage][index])
            if stage == "c":
                time.sleep(0.02)  # let the reader poll between commits
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not errors, errors


def test_the_feed_read_during_out_of_order_commits_yields_every_event_once(
    live_server, api_user, propose, reviewer
):
    """Several writers per round open their transactions in turn (so their
    transaction ids rise in that order) with a first event, write a second
    event in the reverse order (so ids and transaction ids disagree), then
    commit in a shuffled order; a reader polls the feed all along."""
    writers, rounds = 4, 3
    rng = random.Random(8)
    propose(text="Before the writers.")
    reader = FeedReader(live_server.url, token_for(api_user("reviewer")))
    reader.start()

    for round_ in range(rounds):
        commit_order = list(range(writers))
        if round_ == 0:
            commit_order.reverse()  # the last to open commits first
        else:
            rng.shuffle(commit_order)
        write_a_round(round_, writers, commit_order, propose, reviewer)

    reader.expected = ClaimEvent.objects.count()
    assert reader.expected == 1 + rounds * writers * 2
    reader.join(timeout=2 * JOIN_TIMEOUT)
    assert not reader.is_alive(), "the reader is still polling"
    assert reader.error is None, reader.error

    ids = [event["id"] for event in reader.events]
    assert len(ids) == len(set(ids)), "an event was read twice"
    assert set(ids) == set(ClaimEvent.objects.values_list("id", flat=True))
    keys = dict(ClaimEvent.objects.values_list("id", "txid"))
    order = [(keys[pk], pk) for pk in ids]
    assert order == sorted(order), "events out of (txid, id) order"
    # Ids and transaction ids disagree and the reader kept polling through
    # the commits: the test exercised what it claims to.
    assert ids != sorted(ids)
    assert reader.polls > rounds * writers


# --- two sweeps, several batches, a reviewer in between ------------------------------


def retract_despite_the_sweep(pk, reviewer):
    """Retract claim ``pk``, reading it again whenever the sweep moved it first."""
    for _attempt in range(20):
        claim = Claim.objects.get(pk=pk)
        try:
            services.change_status(
                claim=claim,
                to_status=Status.RETRACTED,
                rationale="The mayor withdrew it.",
                by=reviewer,
                expected_version=claim.version,
            )
            return
        except ValidationError as error:
            if "version" not in error.message_dict:
                raise
    raise AssertionError(f"claim {pk} never retracted")


def assert_one_chain(claim, *, overdue_moves):
    """The ledger is one chain ending in the claim's status, and each move has
    its version, history record and change-feed event."""
    ledger = list(claim.ledger.order_by("id"))
    overdue = [e for e in ledger if e.to_status == Status.OVERDUE]
    assert len(overdue) == overdue_moves
    assert ledger[-1].to_status == claim.status
    for before, after in itertools.pairwise(ledger):
        assert after.from_status == before.to_status
    moves = len(ledger) - 1
    assert claim.version == 2 + moves  # proposed, accepted, then each move
    assert claim.history.count() == 2 + moves
    assert claim.events.filter(kind="status_changed").count() == moves


def test_two_sweeps_in_small_batches_beside_a_reviewer_move_each_claim_once(
    propose_accepted, reviewer
):
    today = datetime.date(2025, 6, 1)
    claims = [
        propose_accepted(
            text=f"Prediction {n}.",
            due_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
            due_on_precision="day",
        )
        for n in range(30)
    ]
    retracted_by_hand = {c.pk for c in claims[::3]}

    def sweep(ready):
        ready()
        return services.mark_overdue(today=today, batch_size=4)

    def retract(ready):
        ready()
        for pk in sorted(retracted_by_hand):
            retract_despite_the_sweep(pk, reviewer)

    first, second, retracted = run_together([sweep, sweep, retract])
    for result in (first, second, retracted):
        assert not isinstance(result, Exception), result

    moved = [m.claim_id for m in first + second if m.moved]
    assert len(moved) == len(set(moved)), "a claim was moved twice"
    for claim in claims:
        claim.refresh_from_db()
        assert_one_chain(claim, overdue_moves=1 if claim.pk in moved else 0)
        if claim.pk in retracted_by_hand:
            assert claim.status == Status.RETRACTED
        else:
            assert claim.status == Status.OVERDUE
            assert claim.pk in moved
    assert StatusChange.objects.filter(to_status=Status.OVERDUE).count() == len(moved)
