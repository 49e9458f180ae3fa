"""Watch lists and email (issue 25): a signed-in user watches a claim, a
speaker or a source and is emailed when a watched claim's status changes;
reviewers get a daily digest; every email unsubscribes in one click. Mail
goes through a real SMTP server on 127.0.0.1 (aiosmtpd) and is read back
from it."""

import datetime
import email
import email.policy
import mailbox
import re
import socket
import subprocess
import sys
import time
from email.message import EmailMessage

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client
from django.utils import timezone

from claims import digest, services, watching
from claims.models import Claim, MailCursor, MailPreference, Status, Watch
from claims.services import watches
from sources.review import is_reviewer, reviewer_accounts

from .conftest import role_group
from .factories import UserFactory
from .test_status import move, supporting

pytestmark = pytest.mark.django_db
policy = email.policy.default


class Inbox:
    """What the SMTP server received, read back from its maildir."""

    def __init__(self, folder):
        self.maildir = mailbox.Maildir(folder, create=True)

    @property
    def messages(self) -> list[EmailMessage]:
        """In the order received: by the counter in each file's name
        ("<time>.M<µs>P<pid>Q<count>.<host>"), which the server process
        increases with every message (a plain sort of the names is not)."""
        keys = sorted(
            self.maildir.keys(), key=lambda key: int(re.search(r"Q(\d+)", key)[1])
        )
        return [
            email.message_from_bytes(self.maildir.get_bytes(key), policy=policy)
            for key in keys
        ]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_mailer(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture(scope="module")
def smtp_server(tmp_path_factory):
    """aiosmtpd on 127.0.0.1, as its own process, keeping what it receives
    in a maildir. (Its own process: aiosmtpd's dependency atpublic is a
    module named ``public``, which our app of that name hides in ours.)"""
    folder = tmp_path_factory.mktemp("smtp") / "maildir"  # Maildir makes it
    mailbox.Maildir(folder, create=True)
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"),
            *("-c", "aiosmtpd.handlers.Mailbox", str(folder)),
        ],
        cwd=folder.parent,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("the SMTP server did not start") from None
            time.sleep(0.1)
    yield port, folder
    server.terminate()
    server.wait(10)


@pytest.fixture
def inbox(smtp_server, settings):
    """An empty inbox on the real SMTP server, which Django's SMTP backend
    sends to."""
    port, folder = smtp_server
    received = Inbox(folder)
    received.maildir.clear()
    settings.MAILERS = smtp_mailer(port)
    settings.CLAIMTRACK_SITE_URL = "https://claims.example.org"
    return received


@pytest.fixture
def reader(db):
    """A signed-in user with no role: watching needs none."""
    return UserFactory(username="wanda-watcher", is_staff=True)


def body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def unsubscribe_path(message: EmailMessage) -> str:
    url = message["List-Unsubscribe"].strip("<>")
    assert url.startswith("https://claims.example.org/unsubscribe/")
    return url.removeprefix("https://claims.example.org")


# --- watching ------------------------------------------------------------------


def test_a_watched_claims_status_change_is_emailed_with_a_one_click_unsubscribe(
    propose_accepted, reviewer, reader, source, inbox
):
    claim = propose_accepted()
    watch, created = watches.watch(user=reader, kind="claim", pk=claim.pk)
    assert created
    move(claim, Status.REFUTED, reviewer, supporting(source), rationale="Not open.")
    assert watching.notify_due() == 1
    (sent,) = inbox.to(reader.email)
    assert sent["Subject"] == (
        "claimtrack: refuted: “The harbour bridge will reopen by June 2025.”"
    )
    text = body(sent)
    assert "A claim you watch is now refuted (it was pending)." in text
    assert "Why: Not open." in text
    assert "— Zoë Okafor, Mayor" in text
    assert f"https://claims.example.org/claims/{claim.pk}/" in text
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent["Auto-Submitted"] == "auto-generated"
    # Nothing more until something changes.
    assert watching.notify_due() == 0
    # The link stops this watch: a GET only asks, the one-click POST (no
    # session, no CSRF token, as a mail client sends it) stops it.
    path = unsubscribe_path(sent)
    mail_client = Client(enforce_csrf_checks=True)
    page = mail_client.get(path)
    assert page.status_code == 200
    assert "The harbour bridge will reopen" in page.content.decode()
    assert Watch.objects.filter(pk=watch.pk).exists()
    done = mail_client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert not Watch.objects.filter(pk=watch.pk).exists()
    assert "no longer watching" in mail_client.post(path).content.decode()
    move(claim, Status.CONFIRMED, reviewer, supporting(source))
    assert watching.notify_due() == 0


def test_a_speaker_or_source_watch_covers_their_claims_and_a_watcher_gets_one_email(
    propose_accepted, reviewer, reader, source, speaker, inbox
):
    claim = propose_accepted()
    other = UserFactory(username="sol-source-watcher")
    watches.watch(user=reader, kind="speaker", pk=speaker.pk)
    watches.watch(user=reader, kind="claim", pk=claim.pk)  # the same claim twice
    watches.watch(user=other, kind="source", pk=source.pk)
    move(claim, Status.CONFIRMED, reviewer, supporting(source))
    assert watching.notify_due() == 2
    (to_reader,) = inbox.to(reader.email)
    (to_other,) = inbox.to(other.email)
    # Each names the watch that brought it, and unsubscribes from that one.
    assert "you watch claim “The harbour bridge" in body(to_reader)
    assert "you watch source “Bridge works (2025-03-10)”" in body(to_other)
    assert "watch:" not in to_reader["List-Unsubscribe"]  # signed, not readable
    user, scope = watches.read_token(unsubscribe_path(to_other).split("/")[2])
    assert (user, scope) == (other, f"watch:{Watch.objects.get(user=other).pk}")


def test_a_watcher_is_told_only_of_what_they_may_read(
    propose, propose_accepted, reviewer, other_reviewer, reader, source, speaker, inbox
):
    """A proposal's status change reaches a watcher of its speaker only if
    they may read it: its author and reviewers, not a reader."""
    propose_accepted(text="An accepted claim makes the speaker public.")
    watches.watch(user=reader, kind="speaker", pk=speaker.pk)
    watches.watch(user=other_reviewer, kind="speaker", pk=speaker.pk)
    proposal = propose()  # by pat-proposer, not accepted
    watches.watch(user=proposal.created_by, kind="claim", pk=proposal.pk)
    move(proposal, Status.CONFIRMED, reviewer, supporting(source))
    assert watching.notify_due() == 2
    assert {m["To"] for m in inbox.messages} == {
        other_reviewer.email,
        proposal.created_by.email,
    }
    # The reviewer's link goes to the desk, the claim not being public.
    (desk,) = inbox.to(other_reviewer.email)
    assert f"/admin/claims/claim/{proposal.pk}/change/" in body(desk)


def test_a_watch_hears_only_of_changes_after_it_was_made(
    propose_accepted, reviewer, reader, source, inbox
):
    claim = propose_accepted()
    move(claim, Status.CONFIRMED, reviewer, supporting(source))
    watches.watch(user=reader, kind="claim", pk=claim.pk)
    assert watching.notify_due() == 0
    move(claim, Status.REFUTED, reviewer, supporting(source))
    assert watching.notify_due() == 1


def test_nothing_is_sent_to_a_watcher_without_an_address(
    propose_accepted, reviewer, reader, source, inbox
):
    reader.email = ""
    reader.save()
    claim = propose_accepted()
    watches.watch(user=reader, kind="claim", pk=claim.pk)
    move(claim, Status.CONFIRMED, reviewer, supporting(source))
    assert watching.notify_due() == 0
    assert inbox.messages == []


def test_while_the_mail_server_is_down_nothing_is_lost(
    propose_accepted, reviewer, reader, source, inbox, settings
):
    claim = propose_accepted()
    watches.watch(user=reader, kind="claim", pk=claim.pk)
    working = settings.MAILERS
    settings.MAILERS = smtp_mailer(free_port())  # nothing listens there
    move(claim, Status.CONFIRMED, reviewer, supporting(source))
    before = MailCursor.objects.get().position
    assert watching.notify_due() == 0
    assert MailCursor.objects.get().position == before
    assert MailCursor.objects.get().leased_until is None
    settings.MAILERS = working
    assert watching.notify_due() == 1
    assert len(inbox.to(reader.email)) == 1


def test_a_change_sends_at_commit(
    propose_accepted,
    reviewer,
    reader,
    source,
    inbox,
    django_capture_on_commit_callbacks,
):
    claim = propose_accepted()
    watches.watch(user=reader, kind="claim", pk=claim.pk)
    with django_capture_on_commit_callbacks(execute=True):
        move(claim, Status.CONFIRMED, reviewer, supporting(source))
    assert len(inbox.to(reader.email)) == 1


def test_a_page_of_changes_costs_the_same_queries_however_many_watchers(
    propose_accepted, reviewer, source, speaker, inbox, django_assert_num_queries
):
    claims = [propose_accepted() for _ in range(3)]
    for n in range(6):
        watcher = UserFactory(username=f"watcher-{n}")
        if n % 2:
            watcher.groups.add(role_group("reviewer"))
        watches.watch(user=watcher, kind="speaker", pk=speaker.pk)
        watches.watch(user=watcher, kind="claim", pk=claims[n % 3].pk)
    for claim in claims:
        move(claim, Status.CONFIRMED, reviewer, supporting(source))
    rows = watching.feed_page(
        watching.ClaimEvent.objects.all(), MailCursor.objects.get().position, 200
    )
    # claims, ledger entries, spans, watches, reviewers among the watchers
    with django_assert_num_queries(5):
        emails = watching.messages(rows)
    assert sum(len(sent) for sent in emails.values()) == 3 * 6


def test_reviewer_accounts_is_is_reviewer_in_sql(db):
    users = [
        UserFactory(username="plain"),
        UserFactory(username="inactive-reviewer", is_active=False),
        UserFactory(username="boss", is_superuser=True),
    ]
    users[1].groups.add(role_group("reviewer"))
    listed = UserFactory(username="in-group")
    listed.groups.add(role_group("reviewer"))
    contributor = UserFactory(username="contrib")
    contributor.groups.add(role_group("contributor"))
    everyone = User.objects.all()
    assert set(reviewer_accounts(everyone)) == {
        user for user in everyone if is_reviewer(user)
    }
    assert {u.username for u in reviewer_accounts(everyone)} == {"boss", "in-group"}


# --- watching from the pages, the API and the admin ----------------------------


def test_the_public_pages_link_to_watching_and_it_needs_a_sign_in(
    client, propose_accepted, reader
):
    claim = propose_accepted()
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert f'href="/watching/claim/{claim.pk}/"' in page
    answer = client.get(f"/watching/claim/{claim.pk}/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/admin/login/?next=/watching/claim/")


def test_watching_and_stopping_from_the_pages(
    client, propose_accepted, reader, speaker
):
    claim = propose_accepted()
    client.force_login(reader)
    page = client.get(f"/watching/claim/{claim.pk}/").content.decode()
    assert "Watch this claim?" in page
    client.post(f"/watching/claim/{claim.pk}/", {"action": "watch"})
    client.post(f"/watching/speaker/{speaker.pk}/", {"action": "watch"})
    assert Watch.objects.filter(user=reader).count() == 2
    listed = client.get("/watching/").content.decode()
    assert "The harbour bridge will reopen by June 2025." in listed
    assert "Zoë Okafor" in listed
    assert "Daily digest" not in listed  # reviewers only
    client.post(f"/watching/claim/{claim.pk}/", {"action": "stop"})
    speaker_watch = Watch.objects.get(user=reader)
    for junk in ("9" * 30, "x", ""):  # never a 500, and nothing stopped
        assert client.post("/watching/", {"stop": junk}).status_code == 302
    assert Watch.objects.filter(user=reader).count() == 1
    client.post("/watching/", {"stop": speaker_watch.pk})
    assert not Watch.objects.filter(user=reader).exists()


def test_a_proposal_cannot_be_watched_by_who_may_not_read_it(client, propose, reader):
    proposal = propose()
    client.force_login(reader)
    assert client.get(f"/watching/claim/{proposal.pk}/").status_code == 404
    answer = client.post(f"/watching/claim/{proposal.pk}/", {"action": "watch"})
    assert answer.status_code == 404
    assert not Watch.objects.exists()


def test_watches_through_the_api(api, propose_accepted, propose, reader, source):
    claim = propose_accepted()
    client = api(reader)
    made = client.post("/api/v1/watches/", {"claim": claim.pk}, format="json")
    assert made.status_code == 201
    assert made.json()["kind"] == "claim"
    again = client.post("/api/v1/watches/", {"claim": claim.pk}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == made.json()["id"]
    assert (
        client.post(
            "/api/v1/watches/", {"source": source.pk}, format="json"
        ).status_code
        == 201
    )
    listed = client.get("/api/v1/watches/").json()["results"]
    assert [row["kind"] for row in listed] == ["source", "claim"]
    # Bad input names the field and changes nothing.
    for data, field in (
        ({"claim": claim.pk, "speaker": 1}, "non_field_errors"),
        ({}, "non_field_errors"),
        ({"claim": "x"}, "claim"),
        ({"claim": propose().pk}, "claim"),
        ({"speaker": 10**9}, "speaker"),
        ({"source": 10**30}, "source"),  # past a bigint
        ({"claim": True}, "claim"),
        ({"user": 1, "claim": claim.pk}, "user"),
    ):
        refused = client.post("/api/v1/watches/", data, format="json")
        assert refused.status_code == 400, data
        assert field in str(refused.json()), (data, refused.json())
    assert Watch.objects.count() == 2
    gone = client.delete(f"/api/v1/watches/{made.json()['id']}/")
    assert gone.status_code == 204
    assert Watch.objects.count() == 1


def test_the_admin_list_action_watches_the_selected_claims(
    client, propose_accepted, reviewer
):
    claims = [propose_accepted(), propose_accepted()]
    reviewer.is_staff = True
    reviewer.save()
    client.force_login(reviewer)
    answer = client.post(
        "/admin/claims/claim/",
        {"action": "watch_selected", "_selected_action": [c.pk for c in claims]},
        follow=True,
    )
    assert "Now watching 2 more claim(s)." in answer.content.decode()
    assert Watch.objects.filter(user=reviewer).count() == 2
    listed = client.get("/admin/claims/watch/").content.decode()
    assert "The harbour bridge will reopen" in listed


# --- the reviewers' digest -------------------------------------------------------


@pytest.fixture
def desk(db):
    """Two reviewers with addresses, one without, and a contributor."""
    role_group("reviewer")
    people = {}
    for name in ("rhea", "ravi"):
        people[name] = UserFactory(username=f"{name}-desk")
        people[name].groups.add(role_group("reviewer"))
    people["nomail"] = UserFactory(username="nomail-desk", email="")
    people["nomail"].groups.add(role_group("reviewer"))
    people["connie"] = UserFactory(username="connie-contrib")
    people["connie"].groups.add(role_group("contributor"))
    return people


def test_the_daily_digest_lists_claims_coming_due_and_gone_overdue(
    propose_accepted, desk, inbox, settings
):
    today = timezone.localdate()
    soon = propose_accepted(
        text="The ferry will run again within days.",
        due_on=today + datetime.timedelta(days=3),
        due_on_precision="day",
        due_text="this week",
    )
    propose_accepted(  # due later: not listed
        text="The tunnel will open next year.",
        due_on=today + datetime.timedelta(days=40),
        due_on_precision="day",
    )
    late = propose_accepted(text="The harbour bridge will reopen by June 2025.")
    services.mark_overdue(today=today)
    now = timezone.now()
    settings.CLAIMTRACK_DIGEST_HOUR = 24  # not yet today
    assert digest.send_digests(now=now) == 0
    settings.CLAIMTRACK_DIGEST_HOUR = 0
    # Every reviewer with an address (the fixtures' two, and rita and omar,
    # who proposed and accepted), not the contributor.
    reviewers = {desk["rhea"].email, desk["ravi"].email}
    reviewers |= {"rita-reviewer@example.org", "omar-reviewer@example.org"}
    assert digest.send_digests(now=now) == 4
    assert {m["To"] for m in inbox.messages} == reviewers
    (rhea,) = inbox.to(desk["rhea"].email)
    assert "1 coming due, 1 gone overdue" in rhea["Subject"]
    text = body(rhea)
    assert "“The ferry will run again within days.”" in text
    assert f"/admin/claims/claim/{soon.pk}/change/" in text
    assert "(this week)" in text
    assert "tunnel" not in text
    overdue_part = text.split("Gone overdue")[1]
    assert f"/admin/claims/claim/{late.pk}/change/" in overdue_part
    # Once a day: the next pass sends nothing; the next day, only what is new.
    assert digest.send_digests(now=now) == 0
    tomorrow = now + datetime.timedelta(days=1)
    assert digest.send_digests(now=tomorrow) == 4
    later = inbox.to(desk["rhea"].email)[1]
    assert "0 gone overdue" in later["Subject"]


def test_an_empty_digest_is_not_sent_and_the_digest_unsubscribes_in_one_click(
    propose_accepted, desk, inbox
):
    now = timezone.now()
    assert digest.send_digests(now=now, any_hour=True) == 0  # nothing to tell
    today = timezone.localdate(now)
    propose_accepted(due_on=today + datetime.timedelta(days=2), due_on_precision="day")
    tomorrow = now + datetime.timedelta(days=1)
    assert digest.send_digests(now=tomorrow, any_hour=True) == 4
    (rhea,) = inbox.to(desk["rhea"].email)
    Client().post(unsubscribe_path(rhea))
    assert MailPreference.objects.get(user=desk["rhea"]).daily_digest is False
    after = tomorrow + datetime.timedelta(days=1)
    assert digest.send_digests(now=after, any_hour=True) == 3
    assert len(inbox.to(desk["rhea"].email)) == 1


def test_a_reviewer_turns_the_digest_back_on_from_their_watch_list(client, desk):
    services.watches.set_digest(user=desk["ravi"], on=False)
    client.force_login(desk["ravi"])
    page = client.get("/watching/").content.decode()
    assert "Send me the daily digest" in page
    client.post("/watching/", {"digest": "on"})
    assert MailPreference.objects.get(user=desk["ravi"]).daily_digest is True


def test_the_send_digest_command_reports_a_mail_server_that_is_down(
    propose_accepted, desk, settings
):
    from django.core.management import CommandError, call_command

    propose_accepted(
        due_on=timezone.localdate() + datetime.timedelta(days=2),
        due_on_precision="day",
    )
    settings.MAILERS = smtp_mailer(free_port())
    with pytest.raises(CommandError, match="the mail server failed"):
        call_command("send_digest", "--any-hour")


# --- unsubscribe links ------------------------------------------------------------


def test_a_forged_or_cut_unsubscribe_link_is_refused_and_changes_nothing(
    client, reader, propose_accepted
):
    claim = propose_accepted()
    watch, _ = watches.watch(user=reader, kind="claim", pk=claim.pk)
    good = watches.unsubscribe_token(reader, f"watch:{watch.pk}")
    forged = signing.dumps(
        {"user": reader.pk, "scope": f"watch:{watch.pk}"}, salt="another salt"
    )
    for token in (good[:-3], forged, "nonsense"):
        answer = client.post(f"/unsubscribe/{token}/")
        assert answer.status_code == 400
        assert "not valid" in answer.content.decode()
    assert Watch.objects.filter(pk=watch.pk).exists()
    # Another user's token for this watch stops nothing of theirs.
    other = watches.unsubscribe_token(
        UserFactory(username="mallory"), f"watch:{watch.pk}"
    )
    client.post(f"/unsubscribe/{other}/")
    assert Watch.objects.filter(pk=watch.pk).exists()
    assert re.fullmatch(r"[\w:.-]+", good)  # fits a URL path segment


def test_a_merged_speakers_watchers_watch_the_speaker_it_became(
    propose_accepted, reviewer, reader, speaker
):
    other = UserFactory(username="both-watcher")
    twin = services.find_or_create_speaker(name="Zed Twin")
    propose_accepted(speaker=twin, text="The twin said it.")
    watches.watch(user=reader, kind="speaker", pk=twin.pk)
    watches.watch(user=other, kind="speaker", pk=twin.pk)
    propose_accepted()
    watches.watch(user=other, kind="speaker", pk=speaker.pk)
    services.merge_speakers(merged=twin, into=speaker, by=reviewer)
    assert sorted(
        Watch.objects.filter(speaker=speaker).values_list("user__username", flat=True)
    ) == ["both-watcher", "wanda-watcher"]
    assert not Watch.objects.filter(speaker=twin).exists()


# --- what one bad message or a second run must not break --------------------------


def test_a_claim_with_a_line_break_is_mailed_on_one_subject_line(
    propose_accepted, reviewer, reader, source, inbox
):
    claim = propose_accepted(text="The harbour bridge\nwill reopen by June.")
    watches.watch(user=reader, kind="claim", pk=claim.pk)
    move(claim, Status.CONFIRMED, reviewer, supporting(source))
    assert watching.notify_due() == 1
    (sent,) = inbox.messages
    assert sent["Subject"] == (
        "claimtrack: confirmed: “The harbour bridge will reopen by June.”"
    )


def test_an_address_that_cannot_be_sent_to_is_skipped_and_the_rest_go(
    propose_accepted, reviewer, reader, source, inbox
):
    bad = UserFactory(username="bad-address", email="jörg@bad\u00e9.example")
    claim = propose_accepted()
    watches.watch(user=bad, kind="claim", pk=claim.pk)
    watches.watch(user=reader, kind="claim", pk=claim.pk)
    move(claim, Status.CONFIRMED, reviewer, supporting(source))
    assert watching.notify_due() == 1
    assert [m["To"] for m in inbox.messages] == [reader.email]
    # The cursor moved past it: the next change is mailed once, not the last.
    move(claim, Status.REFUTED, reviewer, supporting(source))
    assert watching.notify_due() == 1
    assert len(inbox.to(reader.email)) == 2


def test_a_run_that_finds_the_cursor_leased_leaves_it(
    propose_accepted, reviewer, reader, source, inbox
):
    claim = propose_accepted()
    watches.watch(user=reader, kind="claim", pk=claim.pk)
    move(claim, Status.CONFIRMED, reviewer, supporting(source))
    held = timezone.now() + datetime.timedelta(minutes=2)
    MailCursor.objects.update(leased_until=held)
    assert watching.notify_due() == 0
    assert MailCursor.objects.get().leased_until == held
    MailCursor.objects.update(leased_until=None)
    assert watching.notify_due() == 1


def test_a_bad_reviewer_address_does_not_hold_back_the_others_digests(
    propose_accepted, desk, inbox
):
    bad = UserFactory(username="aaa-bad", email="jörg@bad\u00e9.example")
    bad.groups.add(role_group("reviewer"))
    propose_accepted(
        due_on=timezone.localdate() + datetime.timedelta(days=2),
        due_on_precision="day",
    )
    assert digest.send_digests(any_hour=True) == 4
    assert bad.email not in {m["To"] for m in inbox.messages}
    assert digest.send_digests(any_hour=True) == 0  # nobody twice today


def test_an_unsubscribe_page_never_shows_what_its_user_may_no_longer_read(
    client, propose, other_reviewer, reader
):
    proposal = propose()
    author = proposal.created_by
    watch, _ = watches.watch(user=author, kind="claim", pk=proposal.pk)
    token = watches.unsubscribe_token(author, f"watch:{watch.pk}")
    assert "The harbour bridge" in client.get(f"/unsubscribe/{token}/").content.decode()
    # Once the author's account can no longer read it (another user's
    # token for the same watch names no watch of theirs), nothing is shown.
    stranger = watches.unsubscribe_token(reader, f"watch:{watch.pk}")
    page = client.get(f"/unsubscribe/{stranger}/").content.decode()
    assert "The harbour bridge" not in page
    assert "already been stopped" in page


def test_a_digit_that_is_not_an_ascii_digit_is_refused(api, propose_accepted, reader):
    claim = propose_accepted()
    client = api(reader)
    for value in ("²", "①", "1 ", f"{claim.pk}.0"):
        answer = client.post("/api/v1/watches/", {"claim": value}, format="json")
        assert answer.status_code == 400, value
        assert "claim" in answer.json()["errors"][0]["attr"], answer.json()


def test_a_claim_rejected_since_is_neither_shown_nor_mailed(
    client, propose_accepted, reviewer, reader, source, inbox
):
    claim = propose_accepted()
    watches.watch(user=reader, kind="claim", pk=claim.pk)
    move(claim, Status.CONFIRMED, reviewer, supporting(source))
    # Withdrawn from the public record before the mail went (a reviewer's
    # correction; written directly: no service rejects an accepted claim).
    Claim.objects.filter(pk=claim.pk).update(review="rejected")
    assert watching.notify_due() == 0
    reader.is_staff = True
    reader.save()
    client.force_login(reader)
    listed = client.get("/watching/").content.decode()
    assert "The harbour bridge" not in listed
    assert "(one you may no longer read)" in listed
    desk = client.get("/admin/claims/watch/").content.decode()
    assert "The harbour bridge" not in desk
    assert "a claim you may no longer read" in desk


def test_the_deadline_sweeps_bulk_moves_are_mailed_at_commit(
    propose_accepted, reader, inbox, django_capture_on_commit_callbacks
):
    claim = propose_accepted()  # due June 2025: long past
    watches.watch(user=reader, kind="claim", pk=claim.pk)
    with django_capture_on_commit_callbacks(execute=True):
        (move,) = services.mark_overdue(today=timezone.localdate())
    assert move.moved
    (sent,) = inbox.to(reader.email)
    assert "overdue" in sent["Subject"]
