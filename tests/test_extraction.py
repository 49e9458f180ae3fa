"""The rule-based claim extractor (claims/extraction/): plain functions, no
database. Every text here is our own, written for these tests."""

import datetime

import pytest

from claims.extraction import KnownSpeaker, extract

TUESDAY = datetime.date(2025, 3, 4)  # a Tuesday


def only(proposals, words):
    """The one proposal whose content contains ``words``."""
    found = [p for p in proposals if words.casefold() in p.text.casefold()]
    assert len(found) == 1, [p.text for p in proposals]
    return found[0]


def content(text, proposal):
    return [text[start:end] for start, end in proposal.content_spans]


def words_at(text, span):
    return text[span[0] : span[1]] if span else None


# -- direct quotes ---------------------------------------------------------------


def test_a_quote_with_the_cue_after_it():
    text = "“The bridge will open in May,” Mayor Ana Ruiz said."
    proposal = only(extract(text, TUESDAY), "bridge")
    assert content(text, proposal) == ["The bridge will open in May"]
    assert proposal.attribution == "direct_quote"
    assert (proposal.speaker_name, proposal.speaker_title) == ("Ana Ruiz", "Mayor")
    assert words_at(text, proposal.cue_span) == "said"
    assert words_at(text, proposal.speaker_span) == "Mayor Ana Ruiz"
    # A mayor's firm future of the city's bridge is the city's undertaking.
    assert proposal.kind == "promise"
    assert (proposal.due_on, proposal.due_on_precision) == (
        datetime.date(2025, 5, 31),
        "month",
    )
    assert proposal.rule == "quote-cue-after"
    assert proposal.text == "The bridge will open in May."


def test_a_quote_with_the_cue_before_it():
    text = "Ana Ruiz said: “We will rebuild the library.”"
    proposal = only(extract(text, TUESDAY), "library")
    assert content(text, proposal) == ["We will rebuild the library."]
    assert proposal.speaker_name == "Ana Ruiz"
    assert proposal.kind == "promise"
    assert proposal.rule == "quote-cue-before"


def test_an_inverted_cue_with_straight_quotes_and_an_apposition():
    text = '"Prices will fall," said Karl Meyer, an economist at the Hanse Institute.'
    proposal = only(extract(text, TUESDAY), "Prices")
    assert content(text, proposal) == ["Prices will fall"]
    assert proposal.speaker_name == "Karl Meyer"
    assert proposal.speaker_title == "economist at the Hanse Institute"
    assert proposal.rule == "quote-inverted"


def test_a_quote_split_around_the_cue_in_one_sentence_is_one_claim():
    text = (
        "Ana Ruiz spoke at the depot.\n\n"
        "“The plan is sound,” she said, “and the depot will be finished by June.”"
    )
    proposal = only(extract(text, TUESDAY), "plan is sound")
    assert content(text, proposal) == [
        "The plan is sound",
        "and the depot will be finished by June.",
    ]
    assert proposal.speaker_name == "Ana Ruiz"
    assert proposal.due_on == datetime.date(2025, 6, 30)


def test_a_quote_split_around_the_cue_across_sentences_is_one_claim():
    text = "“The plan is sound,” Ana Ruiz said. “The depot will open by June.”"
    proposals = extract(text, TUESDAY)
    assert len(proposals) == 1
    assert content(text, proposals[0]) == [
        "The plan is sound",
        "The depot will open by June.",
    ]


def test_a_quote_spanning_sentences_is_one_span():
    text = "“We tried. We failed. We will try again,” said Ana Ruiz."
    proposal = only(extract(text, TUESDAY), "tried")
    assert content(text, proposal) == ["We tried. We failed. We will try again"]
    assert proposal.kind == "promise"


def test_a_quote_running_on_into_the_next_paragraph_keeps_its_speaker():
    text = (
        "Port director Lena Vogt said: “The cranes are here. The crews are trained.\n\n"
        "“We will load the first ship in April.”\n\n"
        "The port employs 900 people."
    )
    proposals = extract(text, TUESDAY)
    first = only(proposals, "cranes")
    second = only(proposals, "first ship")
    assert first.speaker_name == second.speaker_name == "Lena Vogt"
    assert content(text, second) == ["We will load the first ship in April."]
    assert second.rule == "quote-multi-paragraph"
    assert only(proposals, "900").attribution == "narrator"


def test_a_running_quote_attributed_at_its_end_is_attributed_from_the_start():
    text = (
        "“The cranes are here and the crews are trained.\n\n"
        "“We will load the first ship in April,” said port director Lena Vogt."
    )
    proposals = extract(text, TUESDAY)
    assert {p.speaker_name for p in proposals} == {"Lena Vogt"}
    assert len(proposals) == 2


def test_an_unclosed_quotation_mark_is_ignored():
    text = (
        "The mayor called it “a disgrace.\n\nThe council met on Monday and approved it."
    )
    proposals = extract(text, TUESDAY)
    assert only(proposals, "approved").attribution == "narrator"


def test_a_quoted_phrase_inside_reported_speech_makes_a_partial_quote():
    text = "Senator Rita Olsen said the bill was “a gift to polluters.”"
    proposal = only(extract(text, TUESDAY), "polluters")
    assert content(text, proposal) == ["the bill was “a gift to polluters.”"]
    assert proposal.attribution == "direct_quote"
    assert proposal.rule == "quote-partial"
    assert proposal.kind == "fact" or proposal.kind == "opinion"


def test_reported_words_leading_into_a_quotation_are_part_of_the_claim():
    text = (
        "Transport Minister Aiko Mori said on Monday that the tram line "
        "“will carry its first passengers by March next year”."
    )
    proposal = only(extract(text, TUESDAY), "tram")
    assert content(text, proposal) == [
        "the tram line",
        "will carry its first passengers by March next year",
    ]
    assert proposal.speaker_name == "Aiko Mori"
    assert (proposal.stated_on, proposal.due_on) == (
        datetime.date(2025, 3, 3),
        datetime.date(2026, 3, 31),
    )


# -- reported speech -------------------------------------------------------------


def test_x_said_that():
    text = "Ana Ruiz said that the library would reopen in 2026."
    proposal = only(extract(text, TUESDAY), "library")
    assert content(text, proposal) == ["the library would reopen in 2026"]
    assert proposal.attribution == "indirect"
    assert proposal.rule == "reported-that"
    assert (proposal.due_on, proposal.due_on_precision) == (
        datetime.date(2026, 12, 31),
        "year",
    )


def test_x_told_y_that():
    text = "Ana Ruiz told the National Audit Committee that the budget was balanced."
    proposal = only(extract(text, TUESDAY), "budget")
    assert content(text, proposal) == ["the budget was balanced"]
    assert words_at(text, proposal.cue_span) == "told"


def test_x_told_a_listener_without_that():
    text = "Ana Ruiz told reporters the budget was balanced."
    assert content(text, extract(text, TUESDAY)[0]) == ["the budget was balanced"]


def test_according_to_before_and_after():
    before = "According to the Ministry of Finance, inflation fell to 3 percent."
    after = (
        "Inflation fell to 3 percent in January, according to the Ministry of Finance."
    )
    for text, words in ((before, "inflation fell to 3 percent"), (after, "Inflation")):
        proposal = extract(text, TUESDAY)[0]
        assert content(text, proposal)[0].startswith(words)
        assert proposal.speaker_name == "Ministry of Finance"
        assert proposal.speaker_kind == "organization"
        assert proposal.rule == "according-to"


def test_according_to_a_statement_names_its_author():
    text = "According to a statement from the Port Authority, exports rose 4 percent."
    assert extract(text, TUESDAY)[0].speaker_name == "Port Authority"


def test_a_speaker_with_a_parenthetical_before_the_verb():
    text = (
        "Agriculture Minister Bilal Raza visited Multan on Monday.\n\n"
        "The minister, in a meeting with farmers from three districts, said that "
        "wheat prices would be fixed for the season."
    )
    proposal = only(extract(text, TUESDAY), "wheat")
    assert content(text, proposal) == ["wheat prices would be fixed for the season"]
    assert proposal.speaker_name == "Bilal Raza"
    assert words_at(text, proposal.speaker_span) == "The minister"


def test_the_cue_after_the_reported_words():
    text = "The budget is balanced, Treasurer Omar Haddad said on Monday."
    proposal = extract(text, TUESDAY)[0]
    assert content(text, proposal) == ["The budget is balanced"]
    assert proposal.speaker_name == "Omar Haddad"
    assert proposal.rule == "reported-final"
    assert proposal.stated_on == datetime.date(2025, 3, 3)


def test_an_inverted_cue_after_the_reported_words():
    text = "The budget is balanced, said Omar Haddad, the city treasurer."
    proposal = extract(text, TUESDAY)[0]
    assert proposal.speaker_name == "Omar Haddad"
    assert proposal.speaker_title == "city treasurer"
    assert proposal.rule == "reported-inverted"


def test_the_cue_in_the_middle_gives_two_spans():
    text = "The bridge, engineer Sofia Berg said, will carry 40 trucks an hour."
    proposal = extract(text, TUESDAY)[0]
    assert content(text, proposal) == ["The bridge", "will carry 40 trucks an hour"]
    assert proposal.rule == "reported-mid"


def test_two_speakers_in_one_sentence_are_two_claims():
    text = (
        "Analyst Rosa Medina said the shares were overvalued, but economist "
        "Peter Lang said they would recover by 2027."
    )
    proposals = extract(text, TUESDAY)
    assert [p.speaker_name for p in proposals] == ["Rosa Medina", "Peter Lang"]
    assert content(text, proposals[0]) == ["the shares were overvalued"]


def test_adding_that_is_a_second_claim_of_the_same_speaker():
    text = "“Inflation is falling,” Treasurer Omar Haddad said, adding that growth would reach 3 percent."
    proposals = extract(text, TUESDAY)
    assert [p.speaker_name for p in proposals] == ["Omar Haddad", "Omar Haddad"]
    assert only(proposals, "growth").rule == "reported-adding"


def test_a_narrator_clause_before_the_speaker_is_the_narrators():
    text = (
        "Last year the agency launched its first weather satellite from Kourou, "
        "for which Director Amal Saleh said that the satellite was a historic step."
    )
    proposals = extract(text, TUESDAY)
    narrator = only(proposals, "Kourou")
    said = only(proposals, "historic")
    assert (narrator.attribution, narrator.speaker_name) == ("narrator", None)
    assert (said.speaker_name, said.kind) == ("Amal Saleh", "opinion")
    assert (said.stated_on, said.stated_on_precision) == (
        datetime.date(2024, 1, 1),
        "year",
    )


# -- the narrator and hedges -------------------------------------------------------


def test_a_narrator_assertion():
    text = "The council approved the budget on Monday after a two-hour debate."
    proposal = extract(text, TUESDAY)[0]
    assert (proposal.attribution, proposal.kind, proposal.speaker_name) == (
        "narrator",
        "fact",
        None,
    )
    assert (proposal.stated_on, proposal.stated_on_precision) == (TUESDAY, "day")
    assert proposal.cue_span is None


@pytest.mark.parametrize(
    ("text", "cue", "kind"),
    [
        (
            "The factory reportedly employs 400 people in the valley.",
            "reportedly",
            "fact",
        ),
        ("The new terminal is set to open next month.", "is set to", "prediction"),
        (
            "The company is expected to report a loss on Friday.",
            "is expected to",
            "prediction",
        ),
        (
            "The plant is said to use twice the water of its rivals.",
            "is said to",
            "fact",
        ),
    ],
)
def test_hedges(text, cue, kind):
    proposal = extract(text, TUESDAY)[0]
    assert (proposal.attribution, proposal.kind) == ("hedged", kind)
    assert words_at(text, proposal.cue_span) == cue
    assert proposal.speaker_name is None


def test_according_to_sources_is_hearsay_without_a_speaker():
    text = "The minister will resign this week, according to sources."
    proposal = extract(text, TUESDAY)[0]
    assert (proposal.attribution, proposal.speaker_name) == ("hedged", None)
    assert proposal.kind == "prediction"


def test_unnamed_officials_are_hearsay():
    text = "The talks collapsed on Sunday, officials said."
    assert extract(text, TUESDAY)[0].attribution == "hedged"


def test_a_past_perfect_report_is_the_narrators_own():
    # "had also applied" reports an earlier act; without a hedge word it is the
    # narrator's assertion (docs/EXTRACTION.md).
    text = "A Chilean firm, Andes Orbital, had also applied for a licence in Peru."
    assert extract(text, TUESDAY)[0].attribution == "narrator"


def test_was_due_to_is_past_not_a_prediction():
    text = "The barrier was originally due to open in the autumn of 2024."
    assert extract(text, TUESDAY)[0].kind == "fact"


def test_headlines_bylines_and_questions_are_not_claims():
    text = (
        "Council approves budget\n\nBy Jo Lind\n\n"
        "Will the budget survive the winter?\n\n"
        "The council approved the budget on Monday night."
    )
    proposals = extract(text, TUESDAY)
    assert [p.text for p in proposals] == [
        "The council approved the budget on Monday night."
    ]


def test_a_dateline_is_not_part_of_the_claim():
    text = (
        "OSLO (Reuters) — The central bank raised its rate to 4.5 percent on Thursday."
    )
    assert content(text, extract(text, TUESDAY)[0])[0].startswith("The central bank")


# -- speakers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mention", "name", "title"),
    [
        (
            "Punjab Irrigation Minister Kamran Aslam",
            "Kamran Aslam",
            "Punjab Irrigation Minister",
        ),
        (
            "Governor of Sindh Farhan Ali Siddiqui",
            "Farhan Ali Siddiqui",
            "Governor of Sindh",
        ),
        (
            "Federal Minister for Water and Power Sana Mir",
            "Sana Mir",
            "Federal Minister for Water and Power",
        ),
        ("state minister Hina Kazmi", "Hina Kazmi", "state minister"),
        ("Advisor to PM Dr Asad Khan", "Asad Khan", "Advisor to PM"),
        ("Chairman Xu Lei", "Xu Lei", "Chairman"),
    ],
)
def test_titles_and_names_are_split(mention, name, title):
    text = f"{mention} said that the canal would be lined by 2027."
    proposal = extract(text, TUESDAY)[0]
    assert (proposal.speaker_name, proposal.speaker_title) == (name, title)
    assert words_at(text, proposal.speaker_span) == mention


def test_known_speakers_are_recognised_by_alias():
    known = [KnownSpeaker("Hamid Baig", ("the provincial chief",), "person")]
    text = "The provincial chief said that the dam would be finished by 2028."
    assert extract(text, TUESDAY, known)[0].speaker_name == "Hamid Baig"


@pytest.mark.parametrize(
    "written",
    [
        "Hamid Baig",
        "Hamid B\u0430ig",  # a Cyrillic a
        "Hamid\u200b Baig",  # a zero-width space
        "Former minister Hamid Baig",  # a merged speaker's old name, now an alias
    ],
)
def test_known_speakers_are_recognised_by_a_name_that_looks_the_same(written):
    known = [KnownSpeaker("Hamid Raza Baig", ("Hamid Baig",), "person")]
    text = f"{written} said that the dam would be finished by 2028."
    assert extract(text, TUESDAY, known)[0].speaker_name == "Hamid Raza Baig"


def test_a_known_speakers_surname_resolves_once_the_text_names_them():
    known = [KnownSpeaker("Nadia Rafiq Chaudhry", (), "person")]
    text = (
        "Minister Nadia Rafiq Chaudhry said that exports had doubled.\n\n"
        "Chaudhry said that imports had fallen."
    )
    assert {p.speaker_name for p in extract(text, TUESDAY, known)} == {
        "Nadia Rafiq Chaudhry"
    }


def test_a_lone_surname_is_not_matched_to_a_known_speaker_of_another_text():
    """Issue 23: a common surname (or a word such as "office") must not make
    a known speaker of someone else."""
    known = [
        KnownSpeaker("Nadia Rafiq Chaudhry", (), "person"),
        KnownSpeaker(
            "City finance office", ("the city's finance office",), "organization"
        ),
    ]
    text = (
        "Chaudhry said that exports had doubled.\n\n"
        "The fountain will be repaired by June, according to the mayor's office."
    )
    speakers = [p.speaker_name for p in extract(text, TUESDAY, known)]
    assert "Nadia Rafiq Chaudhry" not in speakers
    assert "City finance office" not in speakers


def test_later_short_forms_refer_to_the_person_introduced():
    text = (
        "Prime Minister Nadia Rafiq said that exports had doubled.\n\n"
        "The prime minister said the economy was recovering.\n\n"
        "PM Nadia said that the budget was balanced.\n\n"
        "Rafiq said that taxes would not rise."
    )
    assert {p.speaker_name for p in extract(text, TUESDAY)} == {"Nadia Rafiq"}


def test_pronouns_refer_back_to_the_last_fitting_speaker():
    text = (
        "Governor of Sindh Farhan Ali said the canal was ready.\n\n"
        "“We will open it in June,” he added.\n\n"
        "A delegation from the Indus Water Council visited the canal on Monday.\n\n"
        "They told the governor that the water would reach Thar by July."
    )
    proposals = extract(text, TUESDAY)
    assert only(proposals, "open it").speaker_name == "Farhan Ali"
    assert only(proposals, "Thar").speaker_name == "Indus Water Council delegation"
    assert only(proposals, "Thar").speaker_kind == "organization"


def test_the_company_refers_to_the_company_named_before():
    text = (
        "Harlow Foods said it would close its Leeds bakery.\n\n"
        "In a statement, the company said the bakery had lost money for years."
    )
    assert {p.speaker_name for p in extract(text, TUESDAY)} == {"Harlow Foods"}


def test_a_spokesperson_speaks_for_the_organisation():
    text = "“We are disappointed,” said a spokeswoman for the Environment Agency."
    proposal = extract(text, TUESDAY)[0]
    assert proposal.speaker_name == "Environment Agency"
    assert proposal.speaker_kind == "organization"


def test_a_pronoun_with_nobody_before_it_makes_no_speaker():
    text = "He said that the bridge was unsafe."
    proposal = extract(text, TUESDAY)[0]
    assert (proposal.speaker_name, proposal.attribution) == (None, "hedged")


def test_names_with_diacritics():
    text = (
        "Glaciologist Zoë Ørsted said the ice had retreated 2 kilometres.\n\n"
        "“Nguyễn Thị Lan dated the cores,” Ørsted said.\n\n"
        "José Núñez said that the silt would smother the seabed."
    )
    names = [p.speaker_name for p in extract(text)]
    assert names == ["Zoë Ørsted", "Zoë Ørsted", "José Núñez"]


# -- kinds -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("“We will build 40 schools,” the mayor, Ana Ruiz, said.", "promise"),
        ("Ana Ruiz pledged that the schools would open on time.", "promise"),
        ("“Prices will rise,” said Ana Ruiz.", "prediction"),
        ("Ana Ruiz predicted a mild winter.", "prediction"),
        ("“This is a historic day,” said Ana Ruiz.", "opinion"),
        ("“The plan is unrealistic,” said Ana Ruiz.", "opinion"),
        ("“The city should have waited,” said Ana Ruiz.", "opinion"),
        ("“The depot cost $4 million,” said Ana Ruiz.", "fact"),
        (
            "“If we do nothing, we will be under water soon,” said Ana Ruiz.",
            "prediction",
        ),
    ],
)
def test_kinds(words, kind):
    assert extract(words, TUESDAY)[0].kind == kind


# -- dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "date", "precision"),
    [
        ("on Tuesday", datetime.date(2025, 3, 4), "day"),
        ("on Friday", datetime.date(2025, 2, 28), "day"),
        ("yesterday", datetime.date(2025, 3, 3), "day"),
        ("today", datetime.date(2025, 3, 4), "day"),
        ("earlier this month", datetime.date(2025, 3, 1), "month"),
        ("last month", datetime.date(2025, 2, 1), "month"),
        ("earlier this year", datetime.date(2025, 1, 1), "year"),
        ("last year", datetime.date(2024, 1, 1), "year"),
        ("in January", datetime.date(2025, 1, 1), "month"),
        ("in June", datetime.date(2024, 6, 1), "month"),  # June is still ahead
        ("on 14 June 2024", datetime.date(2024, 6, 14), "day"),
        ("on June 14, 2024", datetime.date(2024, 6, 14), "day"),
        ("in March 2023", datetime.date(2023, 3, 1), "month"),
        ("three days ago", datetime.date(2025, 3, 1), "day"),
    ],
)
def test_when_it_was_said(when, date, precision):
    text = f"Treasurer Omar Haddad said {when} that the budget was balanced."
    proposal = extract(text, TUESDAY)[0]
    assert (proposal.stated_on, proposal.stated_on_precision) == (date, precision)


def test_without_a_publication_date_only_written_out_dates_resolve():
    relative = "Treasurer Omar Haddad said on Tuesday that the budget was balanced."
    absolute = (
        "Treasurer Omar Haddad said on 3 March 2025 that the budget was balanced."
    )
    narrator = "The council approved the budget after a two-hour debate."
    assert extract(relative)[0].stated_on is None
    assert extract(relative)[0].stated_on_precision == ""
    assert extract(absolute)[0].stated_on == datetime.date(2025, 3, 3)
    assert extract(narrator)[0].stated_on is None


def test_a_statement_without_a_time_is_dated_at_publication():
    text = "Treasurer Omar Haddad said the budget was balanced."
    proposal = extract(text, TUESDAY)[0]
    assert (proposal.stated_on, proposal.stated_on_precision) == (TUESDAY, "day")


def test_the_time_of_a_relative_clause_is_not_the_statements():
    text = "Haddad, who took office in January, said the budget was balanced."
    assert extract(text, TUESDAY)[0].stated_on == TUESDAY


@pytest.mark.parametrize(
    ("deadline", "due_on", "precision", "due_text"),
    [
        (
            "by November or December",
            datetime.date(2025, 12, 31),
            "month",
            "by November or December",
        ),
        (
            "by the end of the year",
            datetime.date(2025, 12, 31),
            "year",
            "by the end of the year",
        ),
        ("within six months", datetime.date(2025, 9, 30), "month", "within six months"),
        ("next month", datetime.date(2025, 4, 30), "month", "next month"),
        ("by 2027", datetime.date(2027, 12, 31), "year", "by 2027"),
        ("by June", datetime.date(2025, 6, 30), "month", "by June"),
        ("by February", datetime.date(2026, 2, 28), "month", "by February"),
        ("by 14 June 2026", datetime.date(2026, 6, 14), "day", "by 14 June 2026"),
        (
            "by the end of March",
            datetime.date(2025, 3, 31),
            "month",
            "by the end of March",
        ),
        (
            "for the whole of 2026",
            datetime.date(2026, 12, 31),
            "year",
            "for the whole of 2026",
        ),
        ("next year", datetime.date(2026, 12, 31), "year", "next year"),
    ],
)
def test_deadlines(deadline, due_on, precision, due_text):
    # An economist holds no office: the opening is his forecast.
    text = f"Economist Omar Haddad said the new tax office would open {deadline}."
    proposal = extract(text, TUESDAY)[0]
    assert proposal.kind == "prediction"
    assert (proposal.due_on, proposal.due_on_precision, proposal.due_text) == (
        due_on,
        precision,
        due_text,
    )


def test_of_several_deadlines_the_latest_counts():
    text = (
        "“We will test the gates by the end of March and open the barrier by "
        "October,” said Priya Raman."
    )
    proposal = extract(text, TUESDAY)[0]
    assert (proposal.due_on, proposal.due_text) == (
        datetime.date(2025, 10, 31),
        "by October",
    )


def test_facts_and_opinions_carry_no_deadline():
    text = "“The depot opened by June 2024 and it is a triumph,” said Ana Ruiz."
    proposal = extract(text, TUESDAY)[0]
    assert proposal.kind != "prediction"
    assert (proposal.due_on, proposal.due_text) == (None, "")


def test_a_deadline_without_a_publication_date_needs_a_year():
    text = "Treasurer Omar Haddad said the office would open by June."
    assert extract(text)[0].due_on is None
    text = "Treasurer Omar Haddad said the office would open by June 2026."
    assert extract(text)[0].due_on == datetime.date(2026, 6, 30)


# -- transcripts --------------------------------------------------------------------


def test_a_transcript_with_named_speakers():
    text = (
        "City Hour, recorded 3 March 2025\n"
        "HOST: Mayor, when does the pool reopen?\n"
        "ANA RUIZ: The pool will reopen by the end of April. We have hired six lifeguards.\n"
        "HOST: And the price?\n"
        "ANA RUIZ: Thank you.\n"
    )
    proposals = extract(text, TUESDAY)
    assert [p.text for p in proposals] == [
        "The pool will reopen by the end of April.",
        "We have hired six lifeguards.",
    ]
    assert {p.attribution for p in proposals} == {"direct_quote"}
    assert proposals[0].due_on == datetime.date(2025, 4, 30)
    assert proposals[0].rule == "transcript-turn"
    assert proposals[0].stated_on == datetime.date(2025, 3, 3)  # the header's date


def test_a_question_and_answer_transcript_answers_for_the_interviewee():
    text = (
        "An interview with Health Minister Sara Lund.\n"
        "Q: Will the hospital open this year?\n"
        "A: It will open in October, and it will have 300 beds.\n"
        "Q: Thank you.\n"
        "A: Thank you.\n"
    )
    proposal = only(extract(text, TUESDAY), "300 beds")
    assert proposal.speaker_name == "Sara Lund"


# -- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n\t ",
        "No claims here",
        '““““ """ ” ” said said according to , ,',
        "He said “this never closes.\n\nAnd “neither does this",
        "Smith said\x00 the\x0b plan \x1b[31m will\x07 fail.\x0c\n\u2028She added it was bad.",
        "Nguye\u0302\u0303n said that the cafe\u0301 will open.",
        "The minister said \ud83d that the bridge will open.",
        "." * 1000,
        "said " * 1000,
    ],
)
def test_bad_input_never_crashes_and_spans_stay_in_bounds(text):
    for proposal in extract(text, TUESDAY):
        assert_spans_valid(text, proposal)


def test_a_non_string_or_odd_date_is_tolerated():
    assert extract(None) == []  # type: ignore[arg-type]
    assert extract("The council approved the budget on Monday.", "2025-03-04")  # type: ignore[arg-type]


@pytest.mark.slow
def test_a_five_megabyte_text_is_handled_in_linear_time():
    paragraph = (
        "“The depot will open by June,” Mayor Ana Ruiz said. The council approved "
        "the budget on Monday, Treasurer Omar Haddad said. The plant reportedly "
        "employs 400 people.\n\n"
    )
    text = paragraph * (5_000_000 // len(paragraph))
    proposals = extract(text, TUESDAY)
    assert len(proposals) == 3 * (5_000_000 // len(paragraph))


def test_spans_do_not_cut_combining_sequences():
    text = "Nguye\u0302\u0303n Van said that the cafe\u0301 would reopen in May."
    for proposal in extract(text, TUESDAY):
        for start, end in proposal.content_spans:
            assert not text[start:end][:1].isspace()
            assert end == len(text) or text[end] not in "\u0301\u0302\u0303"


def test_output_is_deterministic():
    text = (
        "“The plan is sound,” Ana Ruiz said. Officials said it would fail. "
        "The council reportedly met on Monday."
    )
    assert extract(text, TUESDAY) == extract(text, TUESDAY)


def assert_spans_valid(text, proposal):
    spans = [*proposal.content_spans]
    spans += [s for s in (proposal.cue_span, proposal.speaker_span) if s]
    assert proposal.content_spans
    for start, end in spans:
        assert 0 <= start < end <= len(text)
    assert 0 <= proposal.confidence <= 1
    assert proposal.rule
    if proposal.speaker_name is None:
        assert proposal.attribution in ("narrator", "hedged")
    if proposal.attribution == "narrator":
        assert proposal.speaker_name is None
    if proposal.due_on is not None:
        assert proposal.kind in ("prediction", "promise")


@pytest.mark.parametrize(
    ("season", "due_on"),
    [
        ("next spring", datetime.date(2026, 6, 30)),  # spring 2025 has begun
        ("by the end of the summer", datetime.date(2025, 9, 30)),
        ("before the summer", datetime.date(2025, 5, 31)),
        ("in winter 2026", datetime.date(2027, 3, 31)),
    ],
)
def test_seasons_as_deadlines(season, due_on):
    text = f"Treasurer Omar Haddad said the new tax office would open {season}."
    proposal = extract(text, datetime.date(2025, 4, 15))[0]
    assert (proposal.due_on, proposal.due_on_precision) == (due_on, "month")


def test_a_bare_season_word_is_no_deadline():
    text = "Treasurer Omar Haddad said the spring floods would damage the road."
    assert extract(text, TUESDAY)[0].due_on is None


def test_the_extractors_date_periods_are_the_models():
    # claims/extraction/dates.py keeps its own copy of the precision arithmetic
    # so that the extractor imports no Django models; it must agree with
    # DatePrecision, the rule's home.
    import datetime as dt

    from claims.extraction import dates
    from claims.models import DatePrecision

    day = dt.date(2023, 1, 1)
    while day < dt.date(2025, 1, 1):
        for precision in DatePrecision:
            assert dates.period_start(day, precision.value) == precision.period_start(
                day
            )
            assert dates.period_end(day, precision.value) == precision.period_end(day)
        day += dt.timedelta(days=3)
