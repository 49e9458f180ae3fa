"""A source's revises link is reviewed like any addition (issue 19, items 2
and 4): a contributor's link is a proposal that readers do not see until a
reviewer accepts it; self-links and cycles are refused as a field error; nobody
reviews their own proposal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from sources.models import Source
from sources.review import Review
from sources.services import (
    create_source,
    review_revision,
    revision_link_problem,
    set_revision_link,
)

from .conftest import SAMPLE_TEXT
from .errors import detail, error_codes, errors
from .factories import StaffFactory

pytestmark = pytest.mark.django_db

REVISED = "This is a revised version of"
WAS_REVISED = "This source was revised."


@pytest.fixture
def carla(api_user):
    return api_user("contributor", "carla-contributor")


@pytest.fixture
def rita(api_user):
    user = api_user("reviewer", "rita-reviewer")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def omar(api_user):
    user = api_user("reviewer", "omar-reviewer")
    user.is_staff = True
    user.save()
    return user


def new_source(text, by, **fields):
    return create_source(text=text, title=text[:20], by=by, **fields).source


def page(client, source):
    return client.get(reverse("public:source", args=[source.pk])).text


def review_url(source):
    return f"/api/v1/sources/{source.pk}/revision/review/"


def link_url(source):
    return f"/api/v1/sources/{source.pk}/revision/"


def test_a_contributors_link_reaches_readers_only_once_a_reviewer_accepts_it(
    api, client, carla, rita, source
):
    response = api(carla).post(
        "/api/v1/sources/",
        {"text": SAMPLE_TEXT + "\nCorrection: July.", "revises": source.pk},
        format="json",
    )
    assert response.status_code == 201
    newer = Source.objects.get(pk=response.json()["id"])
    # The proposer sees the link and its review; readers see neither.
    assert response.json()["revises"] == source.pk
    assert response.json()["revision"]["review"] == "proposed"
    assert response.json()["revision"]["proposed_by"] == "carla-contributor"
    anonymous = api()
    detail = anonymous.get(f"/api/v1/sources/{newer.pk}/").json()
    assert (detail["revises"], detail["revision"]) == (None, None)
    listed = {
        row["id"]: row for row in anonymous.get("/api/v1/sources/").json()["results"]
    }
    assert (listed[newer.pk]["revises"], listed[newer.pk]["revision"]) == (None, None)
    assert WAS_REVISED not in page(client, source)
    assert reverse("public:source", args=[newer.pk]) not in page(client, source)
    assert REVISED not in page(client, newer)
    # A reviewer sees the proposal, and accepts it.
    assert api(rita).get(f"/api/v1/sources/{newer.pk}/").json()["revises"] == source.pk
    response = api(rita).post(review_url(newer), {"decision": "accept"}, format="json")
    assert response.status_code == 200
    assert response.json()["revision"]["review"] == "accepted"
    assert response.json()["revision"]["reviewed_by"] == "rita-reviewer"
    detail = anonymous.get(f"/api/v1/sources/{newer.pk}/").json()
    assert (detail["revises"], detail["revision"]) == (source.pk, None)
    older_page = page(client, source)
    assert WAS_REVISED in older_page
    assert reverse("public:source", args=[newer.pk]) in older_page
    assert REVISED in page(client, newer)


def test_a_reviewers_link_is_accepted_at_once(rita, source):
    newer = new_source("A corrected text.", rita, revises=source)
    assert newer.revises_review == Review.ACCEPTED
    assert newer.revises_proposed_by == rita
    assert newer.revises_reviewed_by == rita
    assert newer.revises_reviewed_at is not None


def test_no_link_has_no_review_state(carla):
    plain = new_source("No earlier version.", carla)
    assert (plain.revises_id, plain.revises_review) == (None, "")


@pytest.fixture
def chain(rita):
    """a <- b <- c: b revises a, c revises b (accepted links)."""
    a = new_source("Version one.", rita)
    b = new_source("Version two.", rita, revises=a)
    c = new_source("Version three.", rita, revises=b)
    return a, b, c


@pytest.mark.parametrize(
    ("source_name", "target_name"),
    [("a", "a"), ("a", "b"), ("a", "c")],
    ids=["self-link", "2-cycle", "3-cycle"],
)
def test_self_links_and_cycles_are_a_revises_field_error_in_the_api(
    api, rita, chain, source_name, target_name
):
    named = dict(zip("abc", chain, strict=True))
    source, target = named[source_name], named[target_name]
    before = list(Source.objects.order_by("id").values_list("id", "revises_id"))
    response = api(rita).post(link_url(source), {"revises": target.pk}, format="json")
    assert response.status_code == 400
    assert "revises" in errors(response)
    assert list(Source.objects.order_by("id").values_list("id", "revises_id")) == (
        before
    )
    with pytest.raises(ValidationError) as error:
        set_revision_link(source=source, revises=target, by=rita)
    assert "revises" in error.value.message_dict


def test_the_cycle_walk_stops_at_its_cap(rita, chain, monkeypatch):
    _, b, c = chain
    monkeypatch.setattr("sources.services.MAX_REVISION_CHAIN", 1)
    unrelated = new_source("Unrelated.", rita)
    assert "over 1 long" in revision_link_problem(unrelated, c)
    assert revision_link_problem(unrelated, b) == ""


def admin_form(source, revises):
    return {
        "title": source.title,
        "url": source.url,
        "kind": source.kind,
        "language": source.language,
        "revises": revises.pk if revises else "",
    }


@pytest.mark.parametrize(
    ("source_name", "target_name"),
    [("a", "a"), ("a", "b"), ("a", "c")],
    ids=["self-link", "2-cycle", "3-cycle"],
)
def test_self_links_and_cycles_are_a_form_error_in_the_admin(
    client, chain, source_name, target_name
):
    named = dict(zip("abc", chain, strict=True))
    source, target = named[source_name], named[target_name]
    client.force_login(StaffFactory(username="admin-ada"))
    url = reverse("admin:sources_source_change", args=[source.pk])
    response = client.post(url, admin_form(source, target))
    assert response.status_code == 200
    assert "revises" in response.context["adminform"].form.errors
    source.refresh_from_db()
    assert source.revises_id is None


def test_the_admin_sets_a_link_through_the_service(client, carla, omar, source):
    newer = new_source("A later text.", carla)
    client.force_login(omar)
    url = reverse("admin:sources_source_change", args=[newer.pk])
    assert client.post(url, admin_form(newer, source)).status_code == 302
    newer.refresh_from_db()
    assert newer.revises == source
    assert newer.revises_review == Review.ACCEPTED
    latest = newer.history.order_by("-history_id").first()
    assert latest.history_user == omar
    assert latest.revises_review == Review.ACCEPTED


def test_rejecting_needs_a_note_and_is_recorded(api, client, carla, rita, source):
    newer = new_source("A text that is no version.", carla, revises=source)
    response = api(rita).post(review_url(newer), {"decision": "reject"}, format="json")
    assert response.status_code == 400
    assert "note" in errors(response)
    newer.refresh_from_db()
    assert newer.revises_review == Review.PROPOSED
    response = api(rita).post(
        review_url(newer),
        {"decision": "reject", "note": "A different article."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["revision"]["review"] == "rejected"
    assert response.json()["revision"]["note"] == "A different article."
    record = newer.history.order_by("-history_id").first()
    assert record.history_user == rita
    assert record.revises_review_note == "A different article."
    assert record.history_change_reason.startswith("revision link rejected")
    assert api().get(f"/api/v1/sources/{newer.pk}/").json()["revises"] is None
    assert WAS_REVISED not in page(client, source)


def test_only_reviewers_review_links(api, carla, source):
    newer = new_source("Proposed later text.", carla, revises=source)
    body = {"decision": "accept"}
    assert api(carla).post(review_url(newer), body, format="json").status_code == 403
    assert api().post(review_url(newer), body, format="json").status_code == 401
    with pytest.raises(PermissionDenied):
        review_revision(source=newer, decision="accept", by=carla)
    newer.refresh_from_db()
    assert newer.revises_review == Review.PROPOSED


def test_a_contributor_cannot_replace_an_accepted_link(api, carla, rita, source):
    newer = new_source("Reviewed later text.", rita, revises=source)
    other = new_source("Another text.", rita)
    response = api(carla).post(link_url(newer), {"revises": other.pk}, format="json")
    assert response.status_code == 403
    assert "reviewer" in detail(response)
    assert error_codes(response) == {None: ["permission_denied"]}
    newer.refresh_from_db()
    assert (newer.revises_id, newer.revises_review) == (source.pk, Review.ACCEPTED)


def test_a_contributor_proposes_a_link_on_an_existing_source(api, carla, rita, source):
    newer = new_source("An unlinked later text.", carla)
    response = api(carla).post(link_url(newer), {"revises": source.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["revision"]["review"] == "proposed"
    assert api().get(f"/api/v1/sources/{newer.pk}/").json()["revises"] is None


@pytest.fixture
def own_proposal(carla, source):
    """A link carla proposed as a contributor, before she became a reviewer."""
    newer = new_source("Carla's later text.", carla, revises=source)
    from .conftest import role_group

    carla.groups.add(role_group("reviewer"))
    carla.is_staff = True
    carla.save()
    return newer


def test_four_eyes_a_reviewer_cannot_review_their_own_link(
    api, client, carla, omar, own_proposal
):
    response = api(carla).post(
        review_url(own_proposal), {"decision": "accept"}, format="json"
    )
    assert response.status_code == 403
    assert "four eyes" in detail(response)
    assert error_codes(response) == {None: ["permission_denied"]}
    own_proposal.refresh_from_db()
    assert own_proposal.revises_review == Review.PROPOSED
    # The admin hides the buttons from her and says why; another reviewer has them.
    client.force_login(carla)
    url = reverse("admin:sources_source_change", args=[own_proposal.pk])
    mine = client.get(url)
    assert mine.status_code == 200
    assert "Accept the revision link" not in mine.text
    assert "four eyes" in mine.text
    client.force_login(omar)
    theirs = client.get(url)
    assert "Accept the revision link" in theirs.text
    review = reverse("admin:sources_source_revision_review", args=[own_proposal.pk])
    assert client.post(review, {"revision_decision": "accept"}).status_code == 302
    own_proposal.refresh_from_db()
    assert own_proposal.revises_review == Review.ACCEPTED
    assert own_proposal.revises_reviewed_by == omar


def test_four_eyes_can_be_switched_off_for_a_one_person_desk(
    api, carla, own_proposal, settings
):
    settings.CLAIMTRACK_FOUR_EYES = False
    response = api(carla).post(
        review_url(own_proposal), {"decision": "accept"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["revision"]["review"] == "accepted"


def test_the_admin_review_posted_by_its_proposer_is_refused_with_a_message(
    client, carla, own_proposal
):
    client.force_login(carla)
    review = reverse("admin:sources_source_revision_review", args=[own_proposal.pk])
    response = client.post(review, {"revision_decision": "accept"}, follow=True)
    assert response.status_code == 200
    assert "four eyes" in response.text
    own_proposal.refresh_from_db()
    assert own_proposal.revises_review == Review.PROPOSED


def test_the_admin_reject_button_needs_a_note(client, carla, omar, source):
    newer = new_source("Another proposed text.", carla, revises=source)
    client.force_login(omar)
    review = reverse("admin:sources_source_revision_review", args=[newer.pk])
    response = client.post(review, {"revision_decision": "reject"}, follow=True)
    assert "a rejection needs a note" in response.text
    newer.refresh_from_db()
    assert newer.revises_review == Review.PROPOSED
    client.post(review, {"revision_decision": "reject", "revision_note": "Unrelated."})
    newer.refresh_from_db()
    assert (newer.revises_review, newer.revises_review_note) == (
        Review.REJECTED,
        "Unrelated.",
    )


def test_the_admin_shows_an_unaccepted_link_only_to_reviewers_and_its_proposer(
    client, api_user, carla, omar, source
):
    newer = new_source("A text with a proposed link.", carla, revises=source)
    url = reverse("admin:sources_source_change", args=[newer.pk])
    other = api_user("contributor", "otto-contributor")
    other.is_staff = True
    other.save()
    client.force_login(other)
    response = client.get(url)
    assert response.status_code == 200
    assert "revises" not in response.context["adminform"].form.fields
    assert "Revision link" not in response.text
    client.force_login(omar)
    response = client.get(url)
    assert "revises" in response.context["adminform"].form.fields
    assert "Revision link: Proposed" in response.text
