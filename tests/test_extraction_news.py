"""The extractor on reported speech as real news writes it (issue 23): each
rule with sentences of our own."""

import datetime

import pytest

from claims.extraction import KnownSpeaker, extract
from claims.extraction.build import suggested_text

from .test_extraction import only

THURSDAY = datetime.date(2024, 10, 3)  # a Thursday


def proposals_of(text, published=THURSDAY, known=()):
    return extract(text, published, known)


# --- reporting verbs ---------------------------------------------------------


@pytest.mark.parametrize(
    "verb",
    [
        "informed the committee that",
        "explained that",
        "also mentioned that",
        "reassured the traders that",
        "affirmed that",
        "clarified that",
        "emphasized that",
        "apprised the house that",
        "pointed out that",
        "was of the view that",
        "disclosed that",
        "underlined that",
    ],
)
def test_reporting_verbs_beyond_said(verb):
    text = (
        f"Port director Imran Siddiqui {verb} the new terminal would open by June 2025."
    )
    proposal = only(proposals_of(text), "terminal")
    assert proposal.speaker_name == "Imran Siddiqui"
    assert proposal.attribution == "indirect"
    assert proposal.text == "The new terminal would open by June 2025."


def test_a_participle_opens_a_second_claim_of_the_same_speaker():
    text = (
        "The secretary, Nadia Haroon, informed the committee that gas output had "
        "fallen to 2,900 units a day, highlighting that imports had doubled since 2022."
    )
    found = proposals_of(text)
    assert [p.speaker_name for p in found] == ["Nadia Haroon", "Nadia Haroon"]
    assert only(found, "imports").rule == "reported-adding"


def test_a_rebuttal_claims_only_what_the_speaker_says():
    text = (
        "Minister Tariq Baloch dismissed speculation that tariffs would rise in "
        "January, stating that no such proposal had reached the cabinet."
    )
    (proposal,) = proposals_of(text)
    assert proposal.text == "No such proposal had reached the cabinet."
    assert proposal.speaker_name == "Tariq Baloch"


def test_agreed_to_is_not_reported_speech():
    text = "Pakistan and Norway agreed to expand their fisheries trade by 2026."
    assert all(p.attribution == "narrator" for p in proposals_of(text))


# --- titles, pronouns and short references --------------------------------------


def test_a_long_title_and_an_office_before_the_name():
    text = (
        "Federal Secretary Water Resources Division Amina Tariq Rana apprised the "
        "committee that the dam would be completed by 2027."
    )
    proposal = only(proposals_of(text), "dam")
    assert proposal.speaker_name == "Amina Tariq Rana"
    assert "Secretary" in proposal.speaker_title


def test_pronouns_and_short_forms_resolve_to_the_named_speaker():
    text = (
        "Federal Minister for Railways Sadia Karim Malik told the senate on "
        "Tuesday that 40 new coaches had arrived.\n\n"
        "She emphasized that fares would not rise this year.\n\n"
        "The minister added that the Karachi line would reopen in March."
    )
    found = proposals_of(text)
    assert {p.speaker_name for p in found} == {"Sadia Karim Malik"}
    assert {p.stated_on for p in found} == {datetime.date(2024, 10, 1)}


def test_an_unnamed_official_is_hearsay_but_the_official_refers_back():
    text = (
        "Harbour master Leo Varga said the pier had been repaired.\n\n"
        "A senior official at the ministry said the budget had been cut by 12 percent.\n\n"
        "The official said the repairs had cost 3 million euros."
    )
    found = proposals_of(text)
    cut = only(found, "budget")
    assert (cut.speaker_name, cut.attribution) == (None, "hedged")


@pytest.mark.parametrize(
    "source",
    [
        "local reports say",
        "sources said",
        "a government source confirmed",
        "insiders said",
        "officials who requested anonymity said",
    ],
)
def test_unnamed_sources_are_hedged_with_no_speaker(source):
    text = f"The airport will close for repairs in May, {source}."
    (proposal,) = proposals_of(text)
    assert proposal.speaker_name is None
    assert proposal.attribution == "hedged"


def test_a_bracketed_office_ends_the_title_before_the_name():
    text = (
        "Secretary Ministry of Water Resources (MoWR) Tahira Baloch informed the "
        "committee that 40 canals had been lined. Minister for Energy (Power "
        "Division) Asad Mengal said that the tariff would not rise."
    )
    found = proposals_of(text)
    assert only(found, "canals").speaker_name == "Tahira Baloch"
    assert only(found, "tariff").speaker_name == "Asad Mengal"


def test_a_title_given_after_a_bare_name_serves_later_short_references():
    text = (
        "Asad Mengal said the grid was stable. Later, Federal Minister for Energy "
        "Asad Mengal said that the tariff would not rise.\n\n"
        "The minister disclosed that the debt stood at Rs 3 trillion."
    )
    assert only(proposals_of(text), "debt").speaker_name == "Asad Mengal"


def test_a_short_title_with_an_acronym_finds_the_long_one():
    text = (
        "Chairman Pakistan Fisheries Authority (PFA) Rear Admiral (Retd) Kamran "
        "Lodhi informed the house that catches had fallen. The PFA chairman was "
        "of the view that two more harbours were needed."
    )
    assert only(proposals_of(text), "harbours").speaker_name == "Kamran Lodhi"


@pytest.mark.parametrize(
    "sentence",
    [
        "According to the Ministry of Water Resources (MoWR), 40 canals had been lined.",
        'Velder Storage Systems Ltd. ("Velder"), a developer of batteries, '
        "announced that 40 canals had been lined.",
    ],
)
def test_a_short_form_in_brackets_names_the_body_later(sentence):
    short, full = (
        ("MoWR", "Ministry of Water Resources")
        if "MoWR" in sentence
        else ("Velder", "Velder Storage Systems Ltd")
    )
    text = f"{sentence} The {short} said that the work would be finished by May 2025."
    found = proposals_of(text)
    assert only(found, "canals").speaker_name == full
    assert only(found, "work").speaker_name == full


def test_a_body_named_after_its_kind_is_named_by_its_name():
    text = (
        "The campaign group Save Dunmore Ward said that 31 patients had been moved. "
        "Lagos-based infrastructure company Kestrel Fibre welcomed the decision "
        "and said it would lay 900 kilometres of cable by the end of 2026."
    )
    found = proposals_of(text)
    assert only(found, "patients").speaker_name == "Save Dunmore Ward"
    assert only(found, "cable").speaker_name == "Kestrel Fibre"


def test_a_plural_possessive_stays_inside_a_name():
    text = (
        "Lorries waited nine hours at the border in July, according to the "
        "Upland Hauliers' Association."
    )
    speaker = only(proposals_of(text), "Lorries").speaker_name
    assert speaker == "Upland Hauliers' Association"


def test_a_manner_adverb_between_speaker_and_verb():
    text = (
        "Port director Imran Siddiqui spoke first. He categorically stated that "
        "no service had been suspended."
    )
    assert only(proposals_of(text), "suspended").speaker_name == "Imran Siddiqui"


def test_a_release_dateline_with_its_date_is_not_the_speaker():
    text = (
        "HOBART, Australia – 3 June 2025 – Velder Storage Systems, a developer of "
        "grid batteries, today announced that it had signed a grid connection deal."
    )
    proposal = only(proposals_of(text), "grid connection")
    assert proposal.speaker_name == "Velder Storage Systems"


def test_a_subject_with_an_apposition_is_the_next_he():
    text = (
        "Rahul Doyle said the budget was safe. Associate Professor Hemi Tawhiri, "
        "Director of the Energy Centre at the University of the Downs, welcomed "
        'the plan. "Prices went above $15,000 on 11 evenings," he said.'
    )
    assert only(proposals_of(text), "Prices").speaker_name == "Hemi Tawhiri"


@pytest.mark.parametrize(
    "sentence",
    [
        "The director of Orient Meridian Lines, Kwame Asante, pointed out that "
        "exports had grown 17% in 2024.",
        "Exports had grown 17% in 2024, according to the operator, Kwame Asante.",
    ],
)
def test_a_name_in_apposition_is_the_speaker(sentence):
    assert only(proposals_of(sentence), "Exports").speaker_name == "Kwame Asante"


def test_a_spokeswoman_for_the_body_named_in_apposition_before():
    text = (
        "The regulator, the Harbour Port Board, has 45 days to review the fees. A "
        "spokeswoman for the board said it had not yet received the cost data."
    )
    speaker = only(proposals_of(text), "cost data").speaker_name
    assert speaker == "Harbour Port Board"


def test_the_official_is_someone_named_so_or_nobody():
    named = (
        "Ana Ruiz, a senior official at the ministry, spoke first. The official "
        "said that 40 canals had been lined."
    )
    assert only(proposals_of(named), "canals").speaker_name == "Ana Ruiz"
    unnamed = (
        '"They knew," one of the officials said. The official said that the '
        "regulator had asked for the memo in January."
    )
    proposal = only(proposals_of(unnamed), "memo")
    assert (proposal.speaker_name, proposal.attribution) == (None, "hedged")


def test_a_title_in_the_lead_names_whom_the_text_later_gives_it():
    text = (
        "The operator of the terminal will raise fees by 12% from Jan. 1, its chief "
        "executive said on Wednesday.\n\n"
        '"We have absorbed three years of higher bills," Terminal Costa chief '
        "executive Ignacio Ferreyra told reporters."
    )
    assert only(proposals_of(text), "fees").speaker_name == "Ignacio Ferreyra"


# --- quotations ----------------------------------------------------------------


def test_straight_single_quotes_are_speech():
    text = (
        "Councillor Bea Lund told a meeting on Tuesday: 'There is no delay. "
        "The bridge will reopen to buses in September.'\n\n"
        "'The council's members' costs are fixed,' she added."
    )
    found = proposals_of(text)
    assert all(p.attribution == "direct_quote" for p in found)
    assert {p.speaker_name for p in found} == {"Bea Lund"}
    fixed = only(found, "costs are fixed")
    assert fixed.text == "The council's members' costs are fixed."


# --- two claims in one sentence ---------------------------------------------------


@pytest.mark.parametrize(
    "joint",
    [
        ", and she clarified that",
        ", and that",
        " and expected that",
    ],
)
def test_two_claims_in_one_sentence_carry_the_same_speaker(joint):
    text = (
        "Minister Hana Ito said the launch was on schedule for May 2025"
        f"{joint} no application had been received from the operator."
    )
    found = proposals_of(text)
    assert len(found) == 2, [p.text for p in found]
    assert {p.speaker_name for p in found} == {"Hana Ito"}


# --- check-worthiness ------------------------------------------------------------


def test_only_check_worthy_narrator_sentences_are_proposed():
    text = (
        "By Desk Reporter\n\n"
        "Port news you can use\n\n"
        "KARACHI: The port handled 4.2 million containers in 2023, up 8 percent.\n\n"
        "The issue remains a matter of debate among traders and officials.\n\n"
        "Will the new terminal change anything for the city's exporters?\n\n"
        "The meeting was chaired by the deputy speaker of the assembly.\n\n"
        "The operator opened two new berths in June."
    )
    found = proposals_of(text)
    assert [p.text for p in found] == [
        "The port handled 4.2 million containers in 2023, up 8 percent.",
        "The operator opened two new berths in June.",
    ]
    assert all(p.checkworthiness >= 0.5 for p in found)


# --- dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deadline", "due_on", "precision"),
    [
        ("within the next year", datetime.date(2025, 10, 31), "month"),
        ("in the first half of 2026", datetime.date(2026, 6, 30), "month"),
        ("by the fourth quarter of 2025", datetime.date(2025, 12, 31), "month"),
        ("before the end of March", datetime.date(2025, 3, 31), "month"),
        ("throughout the year", None, ""),
        ("within the next two months", datetime.date(2024, 12, 31), "month"),
    ],
)
def test_deadlines_of_real_news(deadline, due_on, precision):
    text = f"Economist Omar Haddad said the new tax office would open {deadline}."
    proposal = proposals_of(text)[0]
    assert (proposal.due_on, proposal.due_on_precision) == (due_on, precision)


def test_a_deadline_counts_from_when_it_was_said():
    text = (
        "Economist Omar Haddad told reporters on 12 September 2024 that the "
        "auction would be completed by December 2024."
    )
    proposal = proposals_of(text, published=datetime.date(2025, 2, 20))[0]
    assert proposal.stated_on == datetime.date(2024, 9, 12)
    assert proposal.due_on == datetime.date(2024, 12, 31)


def test_a_listener_with_its_date_before_that():
    text = (
        "Khawaja had told the National Assembly's standing committee on IT on "
        "April 7 that the service would launch by December."
    )
    proposal = only(proposals_of(text, datetime.date(2025, 5, 2)), "launch")
    assert proposal.text == "The service would launch by December."
    assert proposal.stated_on == datetime.date(2025, 4, 7)


def test_reports_say_is_hearsay_not_a_speaker():
    text = "Local reports say the port committee is considering a deeper channel."
    proposal = only(proposals_of(text), "channel")
    assert (proposal.speaker_name, proposal.attribution) == (None, "hedged")


def test_a_deadline_past_at_publication_counts_when_said_before():
    text = (
        "The ministry had earlier claimed that 5G services would be launched "
        "by December 2023."
    )
    proposal = only(proposals_of(text), "5G")
    assert (proposal.due_on, proposal.due_on_precision) == (
        datetime.date(2023, 12, 31),
        "month",
    )
    said_now = only(proposals_of(text.replace("had earlier claimed", "said")), "5G")
    assert said_now.due_on is None


# --- kinds -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # An office-holder's firm future of their own side is an undertaking.
        ("Mayor Ana Ruiz said the library would reopen in May.", "promise"),
        ("Ana Ruiz, the chief executive, said fees would not rise.", "promise"),
        # An expert's is a forecast; so is anyone's with a tentative word.
        ("Economist Ana Ruiz said the library would reopen in May.", "prediction"),
        ("Mayor Ana Ruiz said the library could reopen in May.", "prediction"),
        # Another named party's future is not the speaker's to promise.
        ("Minister Ana Ruiz said Starlink would launch by December.", "prediction"),
        ("Mayor Ana Ruiz said: “I can promise that no school will close.”", "promise"),
        # Places, figures and dates in the subject name no other party.
        (
            "Secretary Omar Rind said the pipeline from Rohri to Sukkur would be "
            "completed by June 2026.",
            "promise",
        ),
        ("Mayor Ana Ruiz said from Monday 214 homes would get water.", "promise"),
        # "The service", "the company": another organisation's doing.
        ("Minister Ana Ruiz said the service would launch by December.", "prediction"),
        ("Minister Ana Ruiz said its service would launch by December.", "promise"),
    ],
)
def test_promise_or_prediction(sentence, kind):
    assert proposals_of(sentence)[0].kind == kind


# --- transcripts and parliamentary records ---------------------------------------------


def test_a_parliamentary_record_with_bracketed_titles_and_a_chair():
    text = (
        "OFFICIAL REPORT\n\n"
        "Tuesday, 1 October 2024\n\n"
        "Hon. Mara Oduya (Lakeside North): Last year 40 schools lost power for a week.\n\n"
        "Mr. Speaker: The Minister of Energy.\n\n"
        "The Minister of Energy (Hon. Peter Kamau): The new line will be completed "
        "by June 2025. Thank you, Mr. Speaker.\n\n"
        "ORDERS OF THE DAY\n\n"
        "The question was put and agreed to.\n\n"
        "Hon. P. Kamau: We have also hired 120 engineers this year."
    )
    found = proposals_of(text)
    assert {p.speaker_name for p in found} == {"Mara Oduya", "Peter Kamau"}
    line = only(found, "new line")
    assert line.speaker_title == "The Minister of Energy"
    assert line.stated_on == datetime.date(2024, 10, 1)
    assert not [p for p in found if "question was put" in p.text]


def test_a_member_reporting_what_the_minister_told_the_house():
    text = (
        "OFFICIAL REPORT\n\n"
        "Tuesday, 1 October 2024\n\n"
        "Hon. Mara Oduya (Lakeside North): Last year 40 schools burned.\n\n"
        "Mr. Speaker: The Minister of Forests.\n\n"
        "The Minister of Forests (Hon. Lina Park): The tanker base will open "
        "by June 2025.\n\n"
        "Hon. Mara Oduya: The minister told this House in March "
        "that the new tanker base would be operational by May 1. I told the House "
        "in June that the apron was not paved. Will the minister tell this House "
        "when the rest will be signed?"
    )
    found = proposals_of(text)
    base = only(found, "operational")
    assert (base.speaker_name, base.attribution) == ("Lina Park", "indirect")
    assert base.stated_on == datetime.date(2024, 3, 1)
    assert only(found, "apron").speaker_name == "Mara Oduya"
    assert not [p for p in found if "rest will be signed" in p.text]


def test_an_interview_header_names_the_guest_and_the_session_date():
    text = (
        "HEALTH DESK | INTERVIEW\n\n"
        "Interviewee: Dr. Rina Sekar Wulan, head of the city health office\n"
        "Interviewer: Tom Bell\n\n"
        "Recorded: Monday, 30 September 2024. Published: 3 October 2024.\n\n"
        "Q: How bad was the year?\n\n"
        "A: We recorded 38,400 cases in 2023 and 61 deaths.\n\n"
        "Q: And now?\n\n"
        "A: Thank you. Critics say the campaign was cut by half. That is not true."
    )
    found = proposals_of(text)
    cases = only(found, "38,400")
    assert cases.speaker_name == "Rina Sekar Wulan"
    assert cases.stated_on == datetime.date(2024, 9, 30)
    critics = only(found, "cut by half")
    assert (critics.speaker_name, critics.attribution) == (None, "hedged")


def test_a_transcript_label_resolves_to_the_full_name_in_the_header():
    text = (
        "Guest: Ing. Héctor Salgado Ruiz, director of the water authority\n\n"
        "BELTRÁN: Good morning.\n\n"
        "SALGADO: The reservoirs are at 28.4 percent of capacity.\n\n"
        "BELTRÁN: Thank you.\n\n"
        "SALGADO: We will send 320 tanker trucks a day to hospitals."
    )
    found = proposals_of(text)
    assert {p.speaker_name for p in found} == {"Héctor Salgado Ruiz"}


# --- known speakers and clean texts -----------------------------------------------------


def test_a_known_speaker_by_two_words_of_the_name():
    known = [KnownSpeaker("Shaza Fatima Khawaja", (), "person")]
    text = "Shaza Fatima said that 5G would launch by December 2025."
    assert proposals_of(text, known=known)[0].speaker_name == "Shaza Fatima Khawaja"


@pytest.mark.parametrize(
    ("words", "clean"),
    [
        ("noting that the fees rose", "The fees rose."),
        ("Lena Ortiz: , under the plan, fares fall", "Under the plan, fares fall."),
        ("the port will reopen by March”", "The port will reopen by March."),
    ],
)
def test_claim_texts_are_clean_sentences(words, clean):
    assert suggested_text(words) == clean


def test_an_opener_cut_in_half_is_left_out():
    text = (
        "In addition to the licence, the operator would need landing rights, "
        "the minister said."
    )
    assert proposals_of(text)[0].text == "The operator would need landing rights."


def test_a_title_then_the_name_in_apposition():
    text = (
        "In an interview last week, Harlow Grid's chief executive, Laura "
        "Brennan-Whitfield, said most of the delay was caused by lawsuits."
    )
    proposal = proposals_of(text)[0]
    assert proposal.speaker_name == "Laura Brennan-Whitfield"
    assert proposal.speaker_title == "Harlow Grid's chief executive"


def test_a_release_dateline_and_a_company_form_in_capitals():
    text = (
        "OSLO, Norway, 8 April 2025 — Nordlys Rail AS, an independent passenger "
        "operator, today announced that it will launch a sleeper service on 14 "
        "December 2025."
    )
    proposal = proposals_of(text, published=datetime.date(2025, 4, 8))[0]
    assert proposal.speaker_name == "Nordlys Rail AS"
    assert proposal.kind == "promise"
    assert proposal.due_on == datetime.date(2025, 12, 14)
