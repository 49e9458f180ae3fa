import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import services
from claims.models import Claim, Review

pytestmark = pytest.mark.django_db


def test_accept_records_who_and_when_and_bumps_the_version(propose, reviewer):
    claim = propose()
    services.review_claim(claim=claim, decision="accept", by=reviewer, note="Faithful.")
    claim.refresh_from_db()
    assert claim.review == Review.ACCEPTED
    assert claim.reviewed_by == reviewer
    assert claim.reviewed_at is not None
    assert claim.version == 2
    latest = claim.history.first()
    assert latest.history_user == reviewer
    assert latest.history_change_reason == "accepted: Faithful."


def test_review_and_status_are_independent_axes(propose, reviewer):
    claim = propose()
    services.review_claim(claim=claim, decision="accept", by=reviewer)
    claim.refresh_from_db()
    assert (claim.review, claim.status) == ("accepted", "pending")


def test_a_rejection_needs_a_note(propose, reviewer):
    claim = propose()
    with pytest.raises(ValidationError) as error:
        services.review_claim(claim=claim, decision="reject", by=reviewer, note=" ")
    assert "note" in error.value.message_dict
    claim.refresh_from_db()
    assert (claim.review, claim.version) == ("proposed", 1)


def test_an_unknown_decision_is_refused(propose, reviewer):
    claim = propose()
    with pytest.raises(ValidationError) as error:
        services.review_claim(claim=claim, decision="approve", by=reviewer)
    assert "decision" in error.value.message_dict


def test_a_claim_is_never_reviewed_into_the_state_it_is_in(propose, reviewer):
    claim = propose()
    services.review_claim(claim=claim, decision="accept", by=reviewer)
    with pytest.raises(ValidationError) as error:
        services.review_claim(claim=claim, decision="accept", by=reviewer)
    assert "already accepted" in error.value.message_dict["decision"][0]
    claim.refresh_from_db()
    assert claim.version == 2
    # An accepted claim found wrong is rejected, with its history kept.
    services.review_claim(
        claim=claim, decision="reject", by=reviewer, note="Misquoted."
    )
    claim.refresh_from_db()
    assert claim.review == "rejected"
    assert claim.history.count() == 3


def test_review_with_a_stale_version_is_refused(propose, reviewer):
    claim = propose()
    with pytest.raises(ValidationError) as error:
        services.review_claim(
            claim=claim, decision="accept", by=reviewer, expected_version=7
        )
    assert "stale" in error.value.message_dict["version"][0]


def test_edit_changes_fields_records_history_and_bumps_the_version(
    propose, reviewer, other_reviewer
):
    claim = propose()
    services.edit_claim(
        claim=claim,
        expected_version=1,
        by=other_reviewer,
        reason="typo",
        text="The harbour bridge will reopen by the end of June 2025.",
        due_on=datetime.date(2025, 6, 30),
        due_on_precision="day",
    )
    claim.refresh_from_db()
    assert claim.text.endswith("end of June 2025.")
    assert (claim.due_on, claim.due_on_precision) == (datetime.date(2025, 6, 30), "day")
    assert claim.version == 2
    new, old = claim.history.all()[:2]
    assert new.history_user == other_reviewer
    assert new.history_change_reason == "typo"
    # 30 June was already the stored deadline (month precision ends on the 30th).
    changed = {c.field for c in new.diff_against(old).changes}
    assert {"text", "due_on_precision"} <= changed
    assert "due_on" not in changed
    assert (old.version, new.version) == (1, 2)


def test_edit_with_a_stale_version_is_refused_and_nothing_changes(
    propose, reviewer, other_reviewer
):
    claim = propose()
    services.edit_claim(
        claim=claim, expected_version=1, by=reviewer, speaker_title="Mayor of the city"
    )
    stale = Claim.objects.get(pk=claim.pk)
    with pytest.raises(ValidationError) as error:
        services.edit_claim(
            claim=stale, expected_version=1, by=other_reviewer, speaker_title="Ms"
        )
    assert "version" in error.value.message_dict
    claim.refresh_from_db()
    assert (claim.speaker_title, claim.version) == ("Mayor of the city", 2)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "confirmed"}, "status"),
        ({"review": "accepted"}, "review"),
        ({"version": 9}, "version"),
        ({"kind": "rumour"}, "kind"),
        ({"attribution": "overheard"}, "attribution"),
        ({"text": ""}, "text"),
        ({"due_on_precision": "fortnight"}, "due_on_precision"),
    ],
)
def test_edit_refuses_bad_or_protected_fields_and_writes_nothing(
    propose, reviewer, changes, field
):
    claim = propose()
    with pytest.raises(ValidationError) as error:
        services.edit_claim(claim=claim, expected_version=1, by=reviewer, **changes)
    assert field in error.value.message_dict
    claim.refresh_from_db()
    assert (claim.version, claim.status, claim.review) == (1, "pending", "proposed")
    assert claim.history.count() == 1


def test_edit_refuses_a_speaker_that_is_not_a_speaker(propose, reviewer):
    claim = propose()
    with pytest.raises(ValidationError) as error:
        services.edit_claim(claim=claim, expected_version=1, by=reviewer, speaker=5)
    assert "speaker" in error.value.message_dict
    claim.refresh_from_db()
    assert claim.version == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"decision": ["accept"]}, "decision"),
        ({"decision": None}, "decision"),
        ({"decision": "reject", "note": 5}, "note"),
    ],
)
def test_review_refuses_wrong_types_naming_the_field(propose, reviewer, kwargs, field):
    claim = propose()
    with pytest.raises(ValidationError) as error:
        services.review_claim(claim=claim, by=reviewer, **kwargs)
    assert field in error.value.message_dict


def test_an_edit_that_changes_nothing_writes_nothing(propose, reviewer):
    claim = propose()
    same = services.edit_claim(
        claim=claim, expected_version=1, by=reviewer, speaker_title="Mayor"
    )
    assert same.version == 1
    claim.refresh_from_db()
    assert claim.version == 1
    assert claim.history.count() == 1
    # Nothing to change but a stale version is still refused.
    services.edit_claim(claim=claim, expected_version=1, by=reviewer, text="New.")
    with pytest.raises(ValidationError) as error:
        services.edit_claim(claim=claim, expected_version=1, by=reviewer, text="New.")
    assert "version" in error.value.message_dict


def test_a_kind_change_round_trip_returns_to_the_starting_status(propose, reviewer):
    claim = propose(kind="fact", due_on=None, due_on_precision="", due_text="")
    claim = services.edit_claim(
        claim=claim, expected_version=1, by=reviewer, kind="opinion"
    )
    assert claim.status == "unverifiable"
    claim = services.edit_claim(
        claim=claim, expected_version=claim.version, by=reviewer, kind="fact"
    )
    assert claim.status == "unverified"
    assert [e.to_status for e in claim.ledger.all()] == [
        "unverified",
        "unverifiable",
        "unverified",
    ]


def test_a_refused_change_leaves_the_callers_copy_untouched(propose, reviewer):
    claim = propose()
    with pytest.raises(ValidationError):
        services.change_status(
            claim=claim,
            to_status="confirmed",
            rationale="no evidence",
            by=reviewer,
            expected_version=1,
        )
    assert (claim.version, claim.status) == (1, "pending")
    # So retrying with the caller's copy is not mistaken for a stale write.
    services.change_status(
        claim=claim,
        to_status="retracted",
        rationale="The mayor withdrew it.",
        by=reviewer,
        expected_version=claim.version,
    )


def test_propose_refuses_spans_that_are_not_spans(propose):
    for spans in (None, [{"start": 0, "end": 4}], "0-4"):
        with pytest.raises(ValidationError) as error:
            propose(spans=spans)
        assert "spans" in error.value.message_dict
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"speaker_title": "Mayor of the city"},
        {"kind": "fact"},  # moves the status from pending to unverified
        {"kind": "fact", "due_on": datetime.date(2027, 1, 1)},  # a check constraint
        {"due_on": datetime.date(2027, 1, 1)},  # no precision: a check constraint
        {"text": ""},
        {"status": "confirmed"},
    ],
)
def test_check_edit_gives_what_the_edit_would_and_writes_nothing(
    propose, reviewer, changes
):
    claim = propose()
    with CaptureQueriesContext(connection) as queries:
        checked = outcome(
            services.check_edit, claim=claim, expected_version=1, **changes
        )
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    edited = outcome(
        services.edit_claim, claim=claim, expected_version=1, by=reviewer, **changes
    )
    if isinstance(edited, dict):
        assert checked == edited  # the same errors, on the same fields
    else:
        assert not isinstance(checked, dict), checked
        assert checked.status == edited.status
        assert all(getattr(checked, f) == getattr(edited, f) for f in changes)


def outcome(service, **kwargs):
    """What ``service`` returns, or its errors by field."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        return error.message_dict


def test_check_edit_refuses_a_stale_version(propose, reviewer):
    claim = propose()
    services.edit_claim(
        claim=claim, expected_version=1, by=reviewer, speaker_title="Ms"
    )
    with pytest.raises(ValidationError) as error:
        services.check_edit(claim=claim, expected_version=1, speaker_title="Mr")
    assert "version" in error.value.message_dict
