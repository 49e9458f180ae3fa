import pytest
from django.urls import reverse

from claims import services
from claims.models import Claim, Span, Speaker, StatusChange
from sources.models import Source
from sources.services import create_source

from .factories import SpeakerFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory(username="admin-ada"))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "claims.claim",
        "claims.speaker",
        "claims.span",
        "claims.statuschange",
        "claims.evidence",
        "sources.source",
        "sources.publisher",
    ],
)
def test_every_changelist_renders_with_seed_data(staff_client, seeded, model):
    app, name = model.split(".")
    response = staff_client.get(reverse(f"admin:{app}_{name}_changelist"))
    assert response.status_code == 200


def test_changelist_filters_and_search_work(staff_client, seeded):
    url = reverse("admin:claims_claim_changelist")
    response = staff_client.get(url, {"status__exact": "unverifiable"})
    assert response.status_code == 200
    assert "Shanghai SpaceCom" in response.text
    assert "Starlink" not in response.text
    response = staff_client.get(url, {"q": "Starlink"})
    assert "Starlink will launch" in response.text
    # The search covers speaker names and the quoted words too (full text on
    # PostgreSQL, a substring match on SQLite).
    by_speaker = staff_client.get(url, {"q": "Khawaja"}).text
    assert "Starlink will launch" in by_speaker
    assert "Shanghai SpaceCom" not in by_speaker


def test_claim_page_shows_spans_with_the_source_words_and_the_ledger(
    staff_client, seeded
):
    claim = Claim.objects.get(text__startswith="Starlink")
    response = staff_client.get(reverse("admin:claims_claim_change", args=[claim.pk]))
    assert response.status_code == 200
    assert (
        "<mark>a satellite internet service, Starlink, is also set to launch in "
        "Pakistan by November or December</mark>" in response.text
    )
    assert "Curated from the seed article" in response.text  # ledger rationale


def test_source_text_is_escaped_in_the_admin(staff_client, reviewer, propose):
    hostile = '<script>alert("x")</script> The mayor said <b>no</b>.'
    source = create_source(text=hostile, title="Hostile", by=reviewer).source
    start = hostile.index("<b>no</b>")
    propose(
        kind="fact",
        due_on=None,
        due_on_precision="",
        due_text="",
        spans=[services.SpanInput(source, start, start + 9)],
    )
    page = staff_client.get(reverse("admin:sources_source_change", args=[source.pk]))
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page.text
    claim = Claim.objects.get()
    page = staff_client.get(reverse("admin:claims_claim_change", args=[claim.pk]))
    assert "<mark>&lt;b&gt;no&lt;/b&gt;</mark>" in page.text


def test_adding_a_source_normalizes_and_flags_a_duplicate(staff_client):
    url = reverse("admin:sources_source_add")
    data = {"title": "Pasted", "kind": "news_article", "text": "Line one\r\nline two"}
    response = staff_client.post(url, data)
    assert response.status_code == 302
    source = Source.objects.get()
    assert source.text == "Line one\nline two"
    assert source.created_by.username == "admin-ada"
    response = staff_client.post(url, {**data, "text": "Line one\nline two"})
    assert response.status_code == 200
    assert "already stored as" in response.text
    assert Source.objects.count() == 1


def test_a_stored_text_is_read_only_in_the_admin(staff_client, source):
    url = reverse("admin:sources_source_change", args=[source.pk])
    response = staff_client.post(
        url,
        {
            "title": "Renamed",
            "kind": "news_article",
            "language": "en",
            "text": "changed",
        },
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.title == "Renamed"
    assert source.text.startswith("Mayor Zoë Okafor")


def test_editing_a_claim_in_the_admin_goes_through_the_service(
    staff_client, propose, speaker
):
    claim = propose()
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    form = {
        "text": "The harbour bridge will reopen in June 2025.",
        "kind": "prediction",
        "attribution": "direct_quote",
        "speaker": speaker.pk,
        "speaker_title": "Mayor",
        "stated_on": "2025-03-10",
        "stated_on_precision": "day",
        "due_on": "2025-06-30",
        "due_on_precision": "month",
        "due_text": "by June",
        "expected_version": 1,
        **inline_management_forms(),
    }
    response = staff_client.post(url, form)
    assert response.status_code == 302, response.text[:2000]
    claim.refresh_from_db()
    assert claim.text.endswith("in June 2025.")
    assert claim.version == 2
    assert claim.history.first().history_user.username == "admin-ada"
    # The same form again carries a stale version: refused, nothing changes.
    response = staff_client.post(url, {**form, "text": "Stale edit."}, follow=True)
    assert "is stale" in response.text
    claim.refresh_from_db()
    assert claim.text.endswith("in June 2025.")
    assert claim.version == 2


def inline_management_forms():
    data = {}
    for prefix in ("spans", "ledger", "evidence"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    return data


def test_provenance_rows_cannot_be_added_changed_or_deleted_in_the_admin(
    staff_client, propose
):
    claim = propose()
    span = claim.spans.get()
    entry = claim.ledger.get()
    assert staff_client.get(reverse("admin:claims_span_add")).status_code == 403
    delete = staff_client.post(
        reverse("admin:claims_span_delete", args=[span.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    delete = staff_client.post(
        reverse("admin:claims_statuschange_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    delete = staff_client.post(
        reverse("admin:claims_claim_delete", args=[claim.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Span.objects.count() == 1
    assert StatusChange.objects.count() == 1
    assert Claim.objects.count() == 1


def test_the_merge_action_merges_through_the_service(staff_client, propose, speaker):
    twin = SpeakerFactory(name="Z. Okafor")
    claim = propose(speaker=twin)
    url = reverse("admin:claims_speaker_changelist")
    selected = {"action": "merge_speakers", "_selected_action": [speaker.pk, twin.pk]}
    page = staff_client.post(url, selected)
    assert page.status_code == 200
    assert "Keep this speaker" in page.text
    done = staff_client.post(
        url, {**selected, "apply": "1", "into": speaker.pk, "reason": "duplicate"}
    )
    assert done.status_code == 302
    twin.refresh_from_db()
    claim.refresh_from_db()
    assert twin.merged_into == speaker
    assert claim.speaker == speaker
    assert claim.history.first().history_change_reason == "duplicate"
    assert Speaker.objects.count() == 2


def test_admin_pages_need_staff(client, seeded):
    response = client.get(reverse("admin:claims_claim_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_claim_list_shows_dates_at_their_precision(staff_client, seeded):
    response = staff_client.get(
        reverse("admin:claims_claim_changelist"), {"q": "Starlink"}
    )
    assert "April 2025" in response.text  # stated "earlier this month"
    assert "December 2025" in response.text  # due "by November or December"


def test_a_kind_change_in_the_admin_follows_the_service_rule(
    staff_client, propose, speaker
):
    claim = propose()  # a pending prediction
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    form = {
        "text": claim.text,
        "kind": "fact",
        "attribution": "direct_quote",
        "speaker": speaker.pk,
        "speaker_title": "Mayor",
        "stated_on": "2025-03-10",
        "stated_on_precision": "day",
        "due_on": "",
        "due_on_precision": "",
        "due_text": "",
        "expected_version": 1,
        **inline_management_forms(),
    }
    response = staff_client.post(url, form)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.kind, claim.status) == ("fact", "unverified")
    # A fact cannot keep a deadline: the service's error shows on the form.
    response = staff_client.post(
        url,
        {**form, "expected_version": claim.version, "kind": "fact", "due_text": "soon"},
    )
    assert response.status_code == 200
    assert "only predictions and promises have a deadline" in response.text
    claim.refresh_from_db()
    assert claim.due_text == ""
