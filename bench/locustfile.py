"""The virtual users of the load test; run by bench/load.py, which prepares
what they need and passes it through the environment:

- CLAIMTRACK_LOAD_PLAN: a JSON file of ids to pick from (bench.load.build_plan);
- CLAIMTRACK_LOAD_CONTRIBUTOR_TOKEN, CLAIMTRACK_LOAD_REVIEWER_TOKEN: API tokens;
- CLAIMTRACK_LOAD_OUTPUT: where every request's (name, status code, ms) and
  the operation counts are written when the test stops;
- CLAIMTRACK_LOAD_SEED, CLAIMTRACK_LOAD_THINK_MS (optional).

One user class: each virtual user is a client of the whole mix. An operation
is drawn by weight (bench.load.READS, 80 in all, and WRITES, 20): a read is one
GET as an anonymous reader (half of them) or with the contributor's or the
reviewer's token (a quarter each); a write reads what it changes, then
changes it — a contributor proposes a claim anchored in a source's text (code
point offsets picked from the text the API returned), a reviewer accepts or
rejects a proposed claim, or moves an accepted claim's status with If-Match
and evidence where the new status is a verdict. Every request sends
``X-Forwarded-Proto: https``, as the TLS proxy in front of gunicorn would.
"""

import datetime as dt
import itertools
import json
import os
import random
import sys
import time
from collections import Counter, deque
from pathlib import Path

from locust import FastHttpUser, events, task

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load import (  # noqa: E402
    PROXY_HEADERS,
    READS,
    REQUESTS,
    WRITES,
    proposal,
    status_move,
)

API = "/api/v1"
RECORDS: list = []  # (name, status code, ms) of every request
OPERATIONS: Counter = Counter()  # operations started, by name
SKIPPED: Counter = Counter()  # operations that found nothing to do, by reason
STATE: dict = {}


@events.init.add_listener
def load_plan(environment, **kwargs):
    path = os.environ.get("CLAIMTRACK_LOAD_PLAN")
    if not path:
        raise SystemExit(
            "CLAIMTRACK_LOAD_PLAN is not set: run the load test with bench/load.py."
        )
    plan = json.loads(Path(path).read_text())
    STATE.update(
        plan=plan,
        today=dt.date.fromisoformat(plan["today"]),
        # Proposed claims waiting for review, shared by the users of this
        # process: each is taken once (new proposals join the queue).
        review_queue=deque(plan["proposed"]),
        contributor={
            "Authorization": "Token " + os.environ["CLAIMTRACK_LOAD_CONTRIBUTOR_TOKEN"]
        },
        reviewer={
            "Authorization": "Token " + os.environ["CLAIMTRACK_LOAD_REVIEWER_TOKEN"]
        },
        seed=os.environ.get("CLAIMTRACK_LOAD_SEED", "1"),
        think=int(os.environ.get("CLAIMTRACK_LOAD_THINK_MS", "0")) / 1000,
        users=itertools.count(),
    )


@events.request.add_listener
def record(name, response_time, response=None, **kwargs):
    RECORDS.append((name, getattr(response, "status_code", 0) or 0, response_time))


@events.test_start.add_listener
def started(environment, **kwargs):
    STATE["started"] = time.perf_counter()


@events.test_stop.add_listener
def stopped(environment, **kwargs):
    seconds = time.perf_counter() - STATE.get("started", time.perf_counter())
    output = os.environ.get("CLAIMTRACK_LOAD_OUTPUT")
    if output:
        Path(output).write_text(
            json.dumps(
                {
                    "seconds": seconds,
                    "records": RECORDS,
                    "operations": dict(OPERATIONS),
                    "skipped": dict(SKIPPED),
                }
            )
        )


def weighted(name):
    weight = READS.get(name) or WRITES[name]
    return task(weight)


class ApiClient(FastHttpUser):
    """A client of the API: reads (anonymous or with a token) and writes."""

    def wait_time(self):
        return STATE["think"]

    def on_start(self):
        self.rng = random.Random(f"{STATE['seed']}:{next(STATE['users'])}")
        self.plan = STATE["plan"]

    # --- helpers -----------------------------------------------------------

    def reader(self) -> dict:
        r = self.rng.random()
        if r < 0.5:
            return {}
        return STATE["contributor"] if r < 0.75 else STATE["reviewer"]

    def call(self, method, path, name, auth=None, body=None, headers=None):
        """One request; a failure unless its status code is a legitimate
        outcome of ``name`` (bench.load.REQUESTS). Returns the response."""
        assert name in REQUESTS, name
        sent = {**PROXY_HEADERS, **(auth or {}), **(headers or {})}
        with self.client.request(
            method, path, name=name, headers=sent, json=body, catch_response=True
        ) as response:
            if response.status_code in REQUESTS[name][1]:
                response.success()
            else:
                response.failure(
                    f"{response.status_code}: {(response.text or '')[:300]}"
                )
        return response

    def read(self, path, name):
        return self.call("GET", f"{API}{path}", name, auth=self.reader())

    # --- reads -------------------------------------------------------------

    @weighted("claims_first_page")
    def claims_first_page(self):
        OPERATIONS["claims_first_page"] += 1
        size = self.rng.choice(["", "?page_size=100"])
        self.read(f"/claims/{size}", "GET /claims/")

    @weighted("claims_cursor")
    def claims_cursor(self):
        OPERATIONS["claims_cursor"] += 1
        cursor = self.rng.choice(self.plan["cursors"])
        self.read(f"/claims/?cursor={cursor}", "GET /claims/?cursor=")

    @weighted("claims_status")
    def claims_status(self):
        OPERATIONS["claims_status"] += 1
        status = self.rng.choice(self.plan["statuses"])
        self.read(f"/claims/?status={status}", "GET /claims/?status=")

    @weighted("claims_speaker")
    def claims_speaker(self):
        OPERATIONS["claims_speaker"] += 1
        speaker = self.rng.choice(self.plan["speakers"])
        self.read(f"/claims/?speaker={speaker}", "GET /claims/?speaker=")

    @weighted("claims_search")
    def claims_search(self):
        OPERATIONS["claims_search"] += 1
        term = self.rng.choice(self.plan["terms"])
        self.read(f"/claims/?q={term}", "GET /claims/?q=")

    @weighted("claim_detail")
    def claim_detail(self):
        OPERATIONS["claim_detail"] += 1
        self.read(
            f"/claims/{self.rng.choice(self.plan['claims'])}/", "GET /claims/{id}/"
        )

    @weighted("source_detail")
    def source_detail(self):
        OPERATIONS["source_detail"] += 1
        source = self.rng.choice(self.plan["sources"])
        self.read(f"/sources/{source}/", "GET /sources/{id}/")

    @weighted("changes")
    def changes(self):
        OPERATIONS["changes"] += 1
        if self.rng.random() < 0.5:
            self.read("/changes/", "GET /changes/")
        else:
            after = self.rng.choice(self.plan["feed_cursors"])
            self.read(f"/changes/?after={after}", "GET /changes/?after=")

    # --- writes ------------------------------------------------------------

    @weighted("propose")
    def propose(self):
        """A contributor reads a source and proposes a claim in its words."""
        OPERATIONS["propose"] += 1
        auth = STATE["contributor"]
        source_id = self.rng.choice(self.plan["sources"])
        response = self.call(
            "GET",
            f"{API}/sources/{source_id}/",
            "GET /sources/{id}/ (to propose)",
            auth,
        )
        if response.status_code != 200:
            return
        body = proposal(
            response.json(), self.rng, self.plan["speaker_names"], STATE["today"]
        )
        if body is None:
            SKIPPED["propose: no sentence in the source"] += 1
            return
        response = self.call("POST", f"{API}/claims/", "POST /claims/", auth, body)
        if response.status_code == 201:
            STATE["review_queue"].append(response.json()["id"])

    @weighted("review")
    def review(self):
        """A reviewer takes the next proposed claim, reads it, and accepts it
        (four times in five) or rejects it, with If-Match."""
        OPERATIONS["review"] += 1
        queue = STATE["review_queue"]
        if not queue:
            SKIPPED["review: no proposed claim left"] += 1
            return
        pk = queue.popleft()
        auth = STATE["reviewer"]
        response = self.call(
            "GET", f"{API}/claims/{pk}/", "GET /claims/{id}/ (to review)", auth
        )
        if response.status_code != 200:
            return
        if self.rng.random() < 0.8:
            body = {"decision": "accept", "note": "Faithful to the source."}
        else:
            body = {"decision": "reject", "note": "Load test: not a checkable claim."}
        self.call(
            "POST",
            f"{API}/claims/{pk}/review/",
            "POST /claims/{id}/review/",
            auth,
            body,
            headers={"If-Match": response.headers["ETag"]},
        )

    @weighted("change_status")
    def change_status(self):
        """A reviewer reads a claim on the desk and moves its status, sending
        back the ETag it read; a 412 means another reviewer was first."""
        OPERATIONS["change_status"] += 1
        pk = self.rng.choice(self.plan["desk"])
        auth = STATE["reviewer"]
        response = self.call(
            "GET", f"{API}/claims/{pk}/", "GET /claims/{id}/ (to move status)", auth
        )
        if response.status_code != 200:
            return
        body = status_move(
            response.json(), self.plan["moves"], self.plan["today"], self.rng
        )
        if body is None:
            SKIPPED["change_status: no allowed move"] += 1
            return
        self.call(
            "POST",
            f"{API}/claims/{pk}/status/",
            "POST /claims/{id}/status/",
            auth,
            body,
            headers={"If-Match": response.headers["ETag"]},
        )
