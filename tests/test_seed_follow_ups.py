"""The founding seed's follow-ups (seeds/khunjerab-follow-ups) and what the seed
format gained for them (docs/seeds.md): appearances of claims said again, with
their own dates and speakers; relations between claims; references across
seeds; and a ledger that grows, as the Shanghai SpaceCom correction does."""

import datetime
import re
import shutil

import pytest

from claims.models import (
    Claim,
    ClaimRelation,
    Evidence,
    Span,
    Speaker,
    StatusChange,
)
from claims.seeding import SEEDS_DIR, SeedError, load_seeds, read_seeds, seed_folders
from sources.models import Source

pytestmark = pytest.mark.django_db

FOUNDING = SEEDS_DIR / "khunjerab-2025-04-22"
FOLLOW_UPS = SEEDS_DIR / "khunjerab-follow-ups"
CORRECTION = "      # Correction, December 2026"


def starlink():
    return Claim.objects.get(text__startswith="Starlink will launch")


def spacecom():
    return Claim.objects.get(text__contains="Shanghai SpaceCom")


def follow_up(words):
    return Claim.objects.get(text__contains=words)


def timeline(claim):
    """Each content span: when it was said, at what precision, when its
    source was published, by whom and with what title, earliest first."""
    rows = []
    for span in claim.spans.filter(role="content").select_related("source"):
        said_on, precision = span.said_on(claim)
        speaker = span.speaker or claim.speaker
        rows.append(
            (
                said_on,
                precision,
                span.source.published_on,
                speaker.name if speaker else None,
                span.speaker_title or claim.speaker_title,
            )
        )
    return sorted(rows, key=lambda row: (row[0], row[2]))


def test_the_starlink_deadline_has_a_dated_appearance_timeline(seeded):
    claim = starlink()
    day, month = "day", "month"
    minister = "Shaza Fatima Khawaja"
    assert timeline(claim) == [
        # The seed article of 22 April: "earlier this month".
        (datetime.date(2025, 4, 1), month, datetime.date(2025, 4, 22), minister,
         "state minister"),
        # The weekly digest of 26 April: "earlier in the month".
        (datetime.date(2025, 4, 1), month, datetime.date(2025, 4, 26), minister,
         "Minister of State for IT"),
        # The wire of 2 May, the feature of July and the September report
        # recall the committee sitting of 7 April.
        (datetime.date(2025, 4, 7), day, datetime.date(2025, 5, 2), minister,
         "Minister of State for Information Technology and Telecommunication"),
        (datetime.date(2025, 4, 7), day, datetime.date(2025, 7, 14), minister,
         "minister of state for IT"),
        (datetime.date(2025, 4, 7), day, datetime.date(2025, 9, 15), minister,
         "minister of state for IT"),
    ]  # fmt: skip
    assert all(span.is_public for span in claim.spans.all())
    # 7 April lies within "April 2025": the claim's own date stays.
    assert (claim.stated_on, claim.stated_on_precision) == (
        datetime.date(2025, 4, 1),
        "month",
    )


def test_another_speakers_statement_is_a_claim_of_its_own(seeded):
    """The minister said on 7 April what the article says in its own voice:
    a claim of hers, related by ``repeats`` (docs/REPEATS.md)."""
    claim = spacecom()
    minister = follow_up("A Chinese company had applied")
    assert claim.speaker is None
    assert timeline(claim) == [
        (datetime.date(2025, 4, 22), "day", datetime.date(2025, 4, 22), None, "")
    ]
    assert [row[:3] for row in timeline(minister)] == [
        (datetime.date(2025, 4, 7), "day", datetime.date(2025, 7, 14)),
        (datetime.date(2025, 4, 7), "day", datetime.date(2025, 9, 15)),
    ]
    relation = ClaimRelation.objects.get(claim=claim, other=minister)
    assert relation.kind == "repeats"


def test_the_digest_repeats_the_seed_stories_as_appearances(seeded):
    lifeline = Claim.objects.get(text__contains="new lifeline")
    sources = lifeline.spans.filter(role="content").values_list(
        "source__published_on", flat=True
    )
    assert sorted(sources) == [datetime.date(2025, 4, 22), datetime.date(2025, 4, 26)]
    said = lifeline.spans.get(
        role="content", source__published_on=datetime.date(2025, 4, 26)
    )
    assert said.exact.endswith('"a new lifeline for the economy"')
    assert (said.speaker.name, said.speaker_title) == (
        "Haji Gulbar Khan",
        "Gilgit-Baltistan's chief minister",
    )


def test_relations_link_the_follow_ups_to_the_seed_claims(seeded):
    not_applied = follow_up("have not formally applied")
    on_track = follow_up("is on track for December")
    lapsed = follow_up("temporary registration")
    applications = follow_up("Shanghai space technology company")
    minister = follow_up("A Chinese company had applied")
    found = {
        (relation.claim_id, relation.kind, relation.other_id)
        for relation in ClaimRelation.objects.current()
    }
    assert found == {
        (not_applied.pk, "contradicts", spacecom().pk),
        (not_applied.pk, "contradicts", minister.pk),
        (spacecom().pk, "repeats", minister.pk),
        (on_track.pk, "updates", starlink().pk),
        (applications.pk, "supports", spacecom().pk),
        (lapsed.pk, "contradicts", on_track.pk),
    }
    contradiction = ClaimRelation.objects.get(kind="contradicts", other=spacecom())
    assert "had not formally applied" in contradiction.rationale
    # Its words are the 2 May statement and the article's sentence.
    assert {span.claim_id for span in contradiction.spans.all()} == {
        not_applied.pk,
        spacecom().pk,
    }
    # Shown on both claims: each is one of the pair.
    for claim in (not_applied, spacecom()):
        assert ClaimRelation.objects.filter(claim=claim).exists() or (
            ClaimRelation.objects.filter(other=claim).exists()
        )


def test_the_spacecom_correction_follows_the_refutation_in_the_ledger(seeded):
    claim = spacecom()
    ledger = list(claim.ledger.order_by("claim_version"))
    assert [(e.from_status, e.to_status) for e in ledger] == [
        ("", "unverified"),
        ("unverified", "refuted"),
        ("refuted", "unverifiable"),
    ]
    assert claim.status == "unverifiable"
    refuted, corrected = ledger[1], ledger[2]
    assert refuted.evidence.get().stance == "refutes"  # still there, as it was
    assert corrected.rationale.startswith("Correction.")
    assert "official accounts conflict" in corrected.rationale
    stances = {e.stance: e for e in corrected.evidence.all()}
    assert set(stances) == {"supports", "refutes", "context"}
    supports = corrected.evidence.filter(stance="supports")
    assert sorted(e.exact[:16] for e in supports.filter(relation=None)) == [
        "On 4 February 20",
        "On 7 April 2025 ",
    ]
    assert all(
        e.source.title.startswith("claimtrack correction note")
        for e in supports.filter(relation=None)
    )
    # The follow-ups' relations it cites: their spans, each with its stance.
    cited = corrected.evidence.exclude(relation=None).select_related("relation")
    assert {(e.relation.kind, e.stance) for e in cited} == {
        ("contradicts", "refutes"),
        ("supports", "supports"),
        ("repeats", "context"),
    }
    assert len(cited) == 6  # two spans each


def test_the_new_claims_carry_their_own_ledgers(seeded):
    not_applied = follow_up("have not formally applied")
    assert [e.to_status for e in not_applied.ledger.order_by("claim_version")] == [
        "unverified",
        "unverifiable",
    ]
    assert not_applied.ledger.last().evidence.count() == 2
    on_track = follow_up("is on track for December")
    assert (on_track.kind, on_track.status, on_track.due_text) == (
        "prediction",
        "pending",  # until the sweep runs
        "by December",
    )
    authority = Speaker.objects.get(name="Pakistan Telecommunication Authority")
    assert authority.kind == "organization"


def rows():
    """Every row the seeds write, as it is, by table."""
    return {
        "sources": set(Source.objects.values_list("id", "content_hash", "title")),
        "speakers": set(Speaker.objects.values_list("id", "name", "description")),
        "claims": set(Claim.objects.values_list("id", "text", "kind")),
        "spans": set(Span.objects.values_list("id", "claim_id", "source_id", "start")),
        "ledger": set(
            StatusChange.objects.values_list("id", "claim_id", "to_status", "rationale")
        ),
        "evidence": set(Evidence.objects.values_list("id", "claim_id", "exact")),
    }


def old_seeds(tmp_path):
    """The seed set as it was before the follow-ups and the correction."""
    root = tmp_path / "before"
    for folder in seed_folders():
        if folder != FOLLOW_UPS:
            shutil.copytree(folder, root / folder.name)
    seed = root / FOUNDING.name / "seed.yaml"
    text = seed.read_text("utf-8")
    text = text[: text.index(CORRECTION)]
    text = re.sub(r"  correction-note:\n(    .*\n)+", "", text)
    seed.write_text(text, "utf-8")
    (root / FOUNDING.name / "correction-note.txt").unlink()
    return root


def test_reloading_a_database_seeded_before_adds_only_the_new_rows(db, tmp_path):
    load_seeds(old_seeds(tmp_path))
    before = rows()
    assert spacecom().status == "refuted"

    report = load_seeds()

    after = rows()
    for table, old in before.items():
        assert old <= after[table], table  # every row still there, as it was
    new = {table: after[table] - before[table] for table in after}
    assert len(new["sources"]) == 5  # the correction note and four reports
    assert {name for _, name, _ in new["speakers"]} == {
        "Pakistan Telecommunication Authority"
    }
    assert len(new["claims"]) == report.claims_created == 5
    new_claims = {pk for pk, _, _ in new["claims"]}
    corrections = [row for row in new["ledger"] if row[1] not in new_claims]
    assert [(row[1], row[2]) for row in corrections] == [
        (spacecom().pk, "unverifiable")
    ]
    assert {row[1] for row in new["evidence"]} == {
        spacecom().pk,
        follow_up("have not formally applied").pk,
        follow_up("A Chinese company had applied").pk,
    }
    follow_up_sources = {pk for pk, _, _ in new["sources"]}
    assert all(
        claim in new_claims or source in follow_up_sources
        for _, claim, source, _ in new["spans"]
    )
    assert report.appearances_added == 13
    assert report.relations_added == 6
    # And a further run changes nothing.
    load_seeds()
    assert rows() == after


def test_an_appearance_said_before_its_claim_dates_it_and_a_rerun_keeps_that(
    db, tmp_path
):
    root = edited_set(
        tmp_path,
        lambda text: text.replace(
            "  - claim: khunjerab/new-phase\n    source: digest\n"
            "    stated_on: 2025-04-22\n",
            "  - claim: khunjerab/new-phase\n    source: digest\n"
            "    stated_on: 2025-04-10\n",
        ),
    )
    load_seeds(root)
    claim = Claim.objects.get(text__contains="entered a new phase")
    # The seed file says 22 April; the digest's appearance, 10 April, is earlier.
    assert (claim.stated_on, claim.stated_on_precision) == (
        datetime.date(2025, 4, 10),
        "day",
    )
    first = rows(), claim.version
    report = load_seeds(root)
    claim.refresh_from_db()
    assert (rows(), claim.version) == first  # not "updated" back to 22 April
    assert report.claims_updated == 0


def test_an_earlier_ledger_entry_edited_in_the_file_is_never_rewritten(db, tmp_path):
    load_seeds()
    root = tmp_path / "edited"
    for folder in (FOUNDING, FOLLOW_UPS):  # the correction cites the follow-ups'
        shutil.copytree(folder, root / folder.name)
    seed = root / FOUNDING.name / "seed.yaml"
    text = seed.read_text("utf-8").replace(
        "      - status: refuted\n", "      - status: partly_confirmed\n"
    )
    seed.write_text(text, "utf-8")
    ledger = set(StatusChange.objects.values_list("id", "to_status"))

    report = load_seeds(root)

    assert set(StatusChange.objects.values_list("id", "to_status")) == ledger
    assert any(
        f"claim {spacecom().pk}: its ledger" in message for message in report.messages
    )


def edited_set(tmp_path, edit):
    """The founding seed and its follow-ups, the follow-ups' file edited."""
    root = tmp_path / "seeds"
    for folder in (FOUNDING, FOLLOW_UPS):
        shutil.copytree(folder, root / folder.name)
    seed = root / FOLLOW_UPS.name / "seed.yaml"
    text = seed.read_text("utf-8")
    edited = edit(text)
    assert edited != text
    seed.write_text(edited, "utf-8")
    return root


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "claim: khunjerab/lifeline",
            "claim: khunjerab/lifelines",
            "appearances[1]: claim 'khunjerab/lifelines' is no claim's key",
            id="unknown-claim",
        ),
        pytest.param(
            "quote: the friendship between Pakistan and China had entered a new phase",
            "quote: the friendship between Pakistan and China had entered a new era",
            "appearances[2] (khunjerab/new-phase) spans[0]: exact",
            id="quote-not-in-the-report",
        ),
        pytest.param(
            "    speaker: Erkin Tuniyaz\n",
            "    speaker: Erkin Tuniyaz Jr\n",
            "appearances[2] (khunjerab/new-phase): speaker 'Erkin Tuniyaz Jr' is not",
            id="unknown-speaker",
        ),
        pytest.param(
            "kind: supports",
            "kind: refutes",
            "'refutes' is not one of repeats, contradicts, updates, supports",
            id="unknown-relation-kind",
        ),
        pytest.param(
            "other: on-track",
            "other: khunjerab/starlink",
            "relations[5] (khunjerab-follow-ups/registration-lapsed contradicts "
            "khunjerab/starlink) spans[1]: 'Starlink is on track to launch its satel' "
            "is not a span of either claim",
            id="span-of-neither-claim",
        ),
        pytest.param(
            'source: khunjerab/article, quote: "A Chinese',
            'source: khunjerab/articles, quote: "A Chinese',
            "relations[0] (khunjerab-follow-ups/not-applied contradicts "
            "khunjerab/spacecom) spans[1]: unknown source 'khunjerab/articles'",
            id="unknown-source-of-another-seed",
        ),
    ],
)
def test_a_bad_appearance_relation_or_reference_stops_the_load(
    db, tmp_path, old, new, message
):
    root = edited_set(tmp_path, lambda text: text.replace(old, new, 1))
    with pytest.raises(SeedError) as error:
        load_seeds(root)
    assert str(error.value).startswith(str(root / FOLLOW_UPS.name / "seed.yaml"))
    assert message in str(error.value)
    assert not Claim.objects.exists()
    assert not Source.objects.exists()


def test_a_move_citing_a_relation_the_seeds_lack_stops_the_load(db, tmp_path):
    root = tmp_path / "seeds"
    for folder in (FOUNDING, FOLLOW_UPS):
        shutil.copytree(folder, root / folder.name)
    seed = root / FOUNDING.name / "seed.yaml"
    old = "khunjerab-follow-ups/pta-applications, kind: supports"
    text = seed.read_text("utf-8")
    seed.write_text(text.replace(old, old.replace("supports", "updates")), "utf-8")
    with pytest.raises(SeedError) as error:
        load_seeds(root)
    assert str(error.value).startswith(str(seed))
    assert "ledger[1] relations[1]: no relation of the seeds is" in str(error.value)
    assert not Claim.objects.exists()


def test_a_reference_to_a_seed_outside_the_set_is_refused(tmp_path):
    root = tmp_path / "alone"
    shutil.copytree(FOLLOW_UPS, root / FOLLOW_UPS.name)
    with pytest.raises(SeedError) as error:
        read_seeds(root)
    assert "khunjerab/correction-note" in str(error.value)


def test_speakers_named_in_two_seeds_must_agree(tmp_path):
    root = edited_set(
        tmp_path,
        lambda text: text.replace(
            "  - name: Erkin Tuniyaz\n    kind: person\n",
            "  - name: Erkin Tuniyaz\n    kind: person\n    description: Mayor\n",
        ),
    )
    with pytest.raises(SeedError) as error:
        read_seeds(root)
    assert "speaker 'Erkin Tuniyaz': description 'Mayor' differs" in str(error.value)


def test_seeds_load_after_the_seeds_they_refer_to(tmp_path):
    root = tmp_path / "seeds"
    shutil.copytree(FOUNDING, root / "b-founding")
    shutil.copytree(FOLLOW_UPS, root / "a-follow-ups")
    assert [data["key"] for data in read_seeds(root)] == [
        "khunjerab",
        "khunjerab-follow-ups",
    ]
