"""docs/API.md's walkthrough, run as written against a live server.

The shell blocks between `<!-- walkthrough: begin -->` and `<!-- walkthrough:
end -->` are what a reader pastes after `uv run manage.py demo`: here they run
with bash, in order and in one shell, against pytest-django's live server with
the demo's seeds loaded and a contributor's and a reviewer's token, passed in
the environment as the walkthrough's introduction tells the reader to set them.
The docs cannot drift from the API without this failing.
"""

import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from knox.models import AuthToken

from claims.models import Claim, ClaimEvent, Review, Status

from .conftest import role_group
from .factories import UserFactory

API_MD = Path(__file__).resolve().parent.parent / "docs" / "API.md"
WALKTHROUGH = re.compile(
    r"<!-- walkthrough: begin -->(.*?)<!-- walkthrough: end -->", re.DOTALL
)
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.DOTALL | re.MULTILINE)
DONE = "walkthrough: block {} ran"


def walkthrough_blocks() -> list[str]:
    sections = WALKTHROUGH.findall(API_MD.read_text(encoding="utf-8"))
    assert len(sections) == 1, "docs/API.md has one walkthrough between its markers"
    return SH_BLOCK.findall(sections[0])


def script_of(blocks: list[str]) -> str:
    """One bash script: the blocks in order, each followed by a line saying it
    ran, so a failure names the block; then the ids the walkthrough made."""
    lines = ["set -euo pipefail"]
    for number, block in enumerate(blocks, 1):
        lines += [block, f'printf "\\n{DONE.format(number)}\\n"']
    lines.append(
        'printf "\\nwalkthrough: CLAIM=%s SPAN=%s ITEM=%s\\n" "$CLAIM" "$SPAN" "$ITEM"'
    )
    return "\n".join(lines) + "\n"


FEED_SHOWS = (
    "created 1 pending demo-contributor\n"
    "reviewed 2 pending demo-reviewer\n"
    "status_changed 3 refuted demo-reviewer\n"
)


def feed_output(first: str, blocks: list[str], environment: dict, claim: str) -> str:
    """What the walkthrough's feed loop printed, asked again for up to 20 s
    while it shows less than it should. On PostgreSQL the feed holds back
    events newer than any transaction still running on the server, in any of
    its databases (docs/API.md), and CI runs the other half of the suite on
    the same server at the same time: the docs' "ask again later"."""
    loop = next(block for block in blocks if "while true" in block)
    script = "\n".join(["set -euo pipefail", blocks[0], loop])
    output = first
    deadline = time.monotonic() + 20
    while FEED_SHOWS not in output and time.monotonic() < deadline:
        time.sleep(0.5)
        output = subprocess.run(
            ["bash", "-c", script],
            env={**environment, "CLAIM": claim},
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    return output


def token_for(username: str, role: str) -> str:
    user = UserFactory(username=username)
    user.groups.add(role_group(role))
    return AuthToken.objects.create(user)[1]


def test_the_walkthrough_blocks_are_found():
    blocks = walkthrough_blocks()
    assert len(blocks) >= 8
    assert all("8000" not in block for block in blocks), "the port is $B's business"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_api_walkthrough_runs_as_written_against_the_demo_data(live_server):
    call_command("load_seeds", verbosity=0)
    call_command("mark_overdue", verbosity=0)
    blocks = walkthrough_blocks()
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "B": f"{live_server.url}/api/v1",
        "CONTRIBUTOR_TOKEN": token_for("demo-contributor", "contributor"),
        "REVIEWER_TOKEN": token_for("demo-reviewer", "reviewer"),
    }
    run = subprocess.run(
        ["bash", "-c", script_of(blocks)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    ran = re.findall(r"^walkthrough: block (\d+) ran$", run.stdout, re.MULTILINE)
    failed = len(ran) + 1
    report = (
        f"block {failed} of docs/API.md's walkthrough failed (exit {run.returncode})"
        f":\n{blocks[failed - 1] if failed <= len(blocks) else ''}\n"
        f"--- stdout (end)\n{run.stdout[-3000:]}\n--- stderr\n{run.stderr[-3000:]}"
    )
    assert run.returncode == 0, report
    assert ran == [str(number) for number in range(1, len(blocks) + 1)], report

    ids = dict(
        pair.split("=")
        for pair in re.search(r"^walkthrough: (CLAIM=.*)$", run.stdout, re.M)
        .group(1)
        .split()
    )
    claim = Claim.objects.get(pk=ids["CLAIM"])
    # The contributor proposed it and the reviewer, a second user, accepted it.
    assert claim.review == Review.ACCEPTED
    assert claim.status == Status.REFUTED
    verdict = claim.ledger.latest()
    assert (verdict.to_status, verdict.changed_by.username) == (
        Status.REFUTED,
        "demo-reviewer",
    )
    cited = verdict.evidence.get()
    assert cited.exact == "postponed the opening to 2028"
    assert cited.source.text.startswith("The harbour bridge will not open in March.")
    # The feed loop printed the claim's events, as the comment under it says.
    assert FEED_SHOWS in feed_output(run.stdout, blocks, environment, ids["CLAIM"])
    events = list(
        ClaimEvent.objects.filter(claim=claim)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert events == [
        "created",
        "reviewed",
        "status_changed",
        "evidence_added",  # cited by quote, by the reviewer
        "span_added",  # the contributor's additions to an accepted claim
        "evidence_added",
        "span_reviewed",
        "evidence_reviewed",
        "span_withdrawn",
    ]
    span = claim.spans.get(pk=ids["SPAN"])
    assert (span.review, span.withdrawn_reason) == (Review.ACCEPTED, "Misquoted.")
    assert claim.evidence.get(pk=ids["ITEM"]).review == Review.REJECTED
