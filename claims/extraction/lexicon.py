"""Word lists the rules consult. Lowercase, immutable; nothing here is mutated."""

import re


def word_set(text: str) -> frozenset[str]:
    """The white-space separated words of ``text``, as a frozenset."""
    return frozenset(text.split())


_words = word_set

# Combining marks and joiners belong to the word they follow (NFC leaves some).
WORD_CHARS = (
    r"\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u200d"
)
WORD = rf"[{WORD_CHARS}]+(?:[’'\-.][{WORD_CHARS}]+)*"

# Reporting verbs, by lemma; every form listed maps to the lemma.
_CUE_FORMS = {
    "say": "say says said",
    "tell": "tell tells told",
    "add": "add adds added",
    "state": "state states stated",
    "announce": "announce announces announced",
    "claim": "claim claims claimed",
    "warn": "warn warns warned",
    "promise": "promise promises promised",
    "pledge": "pledge pledges pledged",
    "vow": "vow vows vowed",
    "insist": "insist insists insisted",
    "note": "note notes noted",
    "explain": "explain explains explained",
    "argue": "argue argues argued",
    "predict": "predict predicts predicted",
    "expect": "expect expects expected",
    "assert": "assert asserts asserted",
    "declare": "declare declares declared",
    "confirm": "confirm confirms confirmed",
    "deny": "deny denies denied",
    "estimate": "estimate estimates estimated",
    "acknowledge": "acknowledge acknowledges acknowledged",
    "admit": "admit admits admitted",
    "emphasise": "emphasise emphasises emphasised emphasize emphasizes emphasized",
    "stress": "stress stresses stressed",
    "maintain": "maintain maintains maintained",
    "suggest": "suggest suggests suggested",
    "reveal": "reveal reveals revealed",
    "assure": "assure assures assured",
    "forecast": "forecast forecasts forecasted",
    "write": "write writes wrote",
    "reply": "reply replies replied",
    "respond": "respond responds responded",
    "remark": "remark remarks remarked",
    "observe": "observe observes observed",
    "concede": "concede concedes conceded",
    "caution": "caution cautions cautioned",
    "allege": "allege alleges alleged",
    "recall": "recall recalls recalled",
    "reiterate": "reiterate reiterates reiterated",
    "inform": "inform informs informed",
    "contend": "contend contends contended",
    "believe": "believe believes believed",
    "tweet": "tweet tweets tweeted",
    "report": "report reports reported",
    "conclude": "conclude concludes concluded",
    # From published lists of reporting verbs that take a that-clause (Aalto
    # University's "Reporting verbs", METU's Academic Writing Center, UTS
    # HELPS), the ones used of speech in news; "find", "show", "see", "know"
    # and "decide" are left out: they report findings and decisions, not words.
    "affirm": "affirm affirms affirmed",
    "agree": "agree agrees agreed",
    "anticipate": "anticipate anticipates anticipated",
    "apprise": "apprise apprises apprised",
    "brief": "brief briefs briefed",
    "clarify": "clarify clarifies clarified",
    "comment": "comment comments commented",
    "complain": "complain complains complained",
    "disclose": "disclose discloses disclosed",
    "dismiss": "dismiss dismisses dismissed",
    "elaborate": "elaborate elaborates elaborated",
    "highlight": "highlight highlights highlighted",
    "indicate": "indicate indicates indicated",
    "mention": "mention mentions mentioned",
    "propose": "propose proposes proposed",
    "reassure": "reassure reassures reassured",
    "recommend": "recommend recommends recommended",
    "remind": "remind reminds reminded",
    "testify": "testify testifies testified",
    "underline": "underline underlines underlined",
    "underscore": "underscore underscores underscored",
    "urge": "urge urges urged",
    "opine": "opine opines opined",
    "hint": "hint hints hinted",
    "counter": "counter counters countered",
    "retort": "retort retorts retorted",
    "boast": "boast boasts boasted",
}
CUE_LEMMAS = {
    form: lemma for lemma, forms in _CUE_FORMS.items() for form in forms.split()
}


def _participle(verb: str) -> str:
    """ "state" → "stating", "add" → "adding" (regular verbs: the cues')."""
    return (
        verb[:-1] + "ing"
        if verb.endswith("e") and not verb.endswith("ee")
        else verb + "ing"
    )


# "…, stating that …": the participles of the reporting verbs' base forms
# ("emphasise" and "emphasize" both), and "pointing (out)".
CUE_PARTICIPLES = frozenset(
    _participle(form)
    for lemma, forms in _CUE_FORMS.items()
    for form in forms.split()
    if form == lemma or form.endswith("ize")
) | {"pointing"}
# Verbs whose object (the listener) comes before the content: "told reporters that".
LISTENER_CUES = frozenset(
    {
        "tell",
        "inform",
        "assure",
        "warn",
        "promise",
        "remind",
        "apprise",
        "brief",
        "reassure",
        "urge",
    }
)
# Verbs that report speech only with a that-clause close behind: "agreed
# that …" reports, "agreed to expand" does not.
THAT_ONLY_CUES = _words(
    """
    agree anticipate comment complain dismiss highlight hint indicate mention
    propose recommend underline underscore urge
    """
)
# Verbs that answer what others said: "dismissed speculation that A, stating
# that B" claims B, never A.
REBUTTING_CUES = frozenset({"dismiss"})
PROMISE_CUES = frozenset({"promise", "pledge", "vow", "assure", "guarantee", "commit"})
PREDICTION_CUES = frozenset({"predict", "expect", "forecast", "estimate"})
# Forms that are more often nouns ("the claims", "member states"): cues only
# right after a speaker ("the minister notes").
WEAK_CUE_FORMS = _words(
    """
    believe believes claim claims estimate estimates forecast forecasts maintain
    maintains note notes pledge pledges promise promises remark remarks report
    reports state states stress stresses vow vows comment comments brief briefs
    counter counters hint hints
    """
)

TITLE_WORDS = _words(
    """
    activist administrator admiral adviser advisor alderman ambassador analyst
    archbishop architect attorney auditor author biologist bishop campaigner
    capt captain cardinal ceo cfo chair chairman chairperson chairwoman
    chancellor chef chemist chief chief-executive climatologist cm co-author
    co-founder coauthor col colonel commandant commander commissioner
    congressman congresswoman constable consultant coo coordinator councillor
    councilor counsel cto curator dean deputy director director-general doctor
    ecologist economist emir engineer envoy epidemiologist executive farmer
    founder gen general geologist glaciologist governor head head-teacher
    headteacher historian imam inspector judge justice king lawmaker lawyer
    leader legislator lieutenant lt manager marshal mayor member meteorologist
    minister ministers mna mp mpa nurse oceanographer officer official organiser
    organizer owner pastor physician physicist pilot planner pm premier
    president president-elect prime prince princess principal prof professor
    queen rabbi rector registrar rep representative researcher reverend
    scientist secretary secretary-general sen senator sergeant sheikh
    shopkeeper spokesman spokesperson spokeswoman statistician superintendent
    surgeon teacher technician treasurer vice virologist
    """
)
# Titles of office: their holders act for a body, so their firm futures are
# its undertakings (classify.py). Experts and critics are not among them.
OFFICE_WORDS = _words(
    """
    administrator ambassador cabinet ceo cfo chair chairman chairperson
    chairwoman chancellor chief commissioner coo councillor councilor cto
    director director-general executive governor head leader manager mayor
    minister officer official premier president principal secretary
    spokesman spokesperson spokeswoman superintendent treasurer
    """
)
# Lowercase words that may precede a title inside a speaker mention.
TITLE_MODIFIERS = _words(
    """
    acting agriculture army assistant associate chief city club communications
    company council county current defence defense deputy digital district
    economic economy education elected energy environment environmental
    executive federal finance foreign former general government health hospital
    incoming independent information interim interior international junior
    justice lead local longtime managing marine media military national new
    newly opposition outgoing party planning police press principal private
    project provincial public regional research ruling school science senior
    state team technology then top trade transport union university veteran
    vice water
    """
)
# Titles whose holder speaks for an organisation ("a spokeswoman for X").
SPOKES_WORDS = _words("spokesman spokeswoman spokesperson representative")
HONORIFICS = _words(
    "dame dr engr hon ing lady lord miss mr mrs ms mx prof shri sir smt"
)
# Titles abbreviated in news copy, spelled out for matching.
TITLE_ABBREVIATIONS = {
    "pm": "prime minister",
    "cm": "chief minister",
    "fm": "foreign minister",
    "sen": "senator",
    "rep": "representative",
    "gen": "general",
    "gov": "governor",
    "prof": "professor",
}
# Words that complete a title after "of/for/to" ("Minister for Information
# Technology"), so that what follows is the name.
COMPLEMENT_WORDS = _words(
    """
    affairs agriculture aviation budget children climate commerce communications
    culture defence defense development economic economy education employment
    energy environment federal finance fisheries food foreign forestry
    government health home housing human ict industries industry information
    interior investment it justice labor labour local maritime minerals mines
    narcotics national overseas parliamentary petroleum planning power
    privatisation privatization provincial public railways religious revenue
    rights science security sport sports state technology telecommunication
    telecommunications tourism trade transport treasury water women works youth
    """
)
CONNECTORS = frozenset({"of", "for", "to", "on", "at", "and", "&"})
NAME_PARTICLES = _words(
    "al bin bint binti da das de del della den der di dos du el ibn la le ter van von y"
)
DETERMINERS = frozenset({"the", "a", "an"})
POSSESSIVES = frozenset({"his", "her", "its", "their", "our", "my"})
PRONOUNS = {"he": "person", "she": "person", "they": "group", "it": "organization"}
GROUP_WORDS = _words(
    """
    activists administration agency analysts association authorities bank board
    campaigners coalition commission committee company consortium council court
    critics delegates delegation department diplomats doctors embassy employees
    engineers envoys executives experts farmers federation firm government group
    institute investors lawmakers leaders legislators manufacturers members
    ministry negotiators nurses observers office officers officials operators
    organisation organisers organization organizers owners parents party police
    protesters researchers residents scientists side spokespeople staff students
    teachers team traders union university villagers workers sources insiders
    reports
    """
)
# Both numbers: "the groups", "an official", "the delegations".
GROUP_WORDS = (
    GROUP_WORDS
    | frozenset(f"{w}s" for w in GROUP_WORDS if not w.endswith("s"))
    | frozenset(w[:-1] for w in GROUP_WORDS if w.endswith("s") and len(w) > 4)
)
# Groups whose words are their organisation's: "researchers at the Institute"
# speak for the Institute, while "a delegation from X" is a speaker of its own.
MEMBER_GROUPS = _words(
    """
    analysts doctors employees engineers executives experts members nurses
    officers officials researchers scientists spokespeople staff teachers workers
    """
)
# "the company" may be any company named before ("the ministry" only a
# ministry), and what it will do is its own undertaking, not the speaker's.
GENERIC_ORGANIZATIONS = _words(
    """
    company firm business group carrier airline retailer lender manufacturer
    operator maker insurer bank service provider
    """
)
# Words that mark a capitalised run as an organisation, not a person.
ORG_WORDS = _words(
    """
    academy agency airlines airways alliance army assembly association authority
    bank board bureau cabinet center centre club coalition college commission
    committee company consortium corp corporation corps council court department
    directorate embassy energy federation ferries force foundation fund
    government group holdings hospital inc industries institute lab laboratories
    laboratory league llc ltd media ministry motors network networks news
    observatory office organisation organization parliament partners party plc
    police post power press railways school secretariat senate service services
    society space systems technologies times trust union university foods
    pharmaceuticals pharma oil gas mining steel telecom capital ventures labs
    entertainment studios insurance securities investments logistics shipping
    rail transit healthcare solutions software electric chemicals brands stores
    retail markets exchange airport port utilities water house division limited
    desk newsroom
    """
)
WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
# Each month's full name first, then its abbreviations.
MONTH_SPELLINGS = (
    "january jan",
    "february feb",
    "march mar",
    "april apr",
    "may",
    "june jun",
    "july jul",
    "august aug",
    "september sep sept",
    "october oct",
    "november nov",
    "december dec",
)
MONTHS = {
    name: number
    for number, names in enumerate(MONTH_SPELLINGS, start=1)
    for name in names.split()
}
# Capitalised words that open sentences but are never part of a name.
NON_NAME_WORDS = _words(
    """
    a according additionally after also although an and as asked at because
    before besides but by dr earlier eventually finally for from furthermore he
    hence her here his how however i if in indeed instead it its last later
    meanwhile moreover mr mrs ms my nevertheless next nonetheless now of on our
    separately she since so speaking still thanking that the their then there
    these they this those though thus to today we what when where which while
    who whom whose why with yesterday yet
    """
)
# Weekdays and full month names, except "May", which opens sentences as a verb.
NON_NAME_WORDS |= frozenset(WEEKDAYS) | {
    names.split()[0] for names in MONTH_SPELLINGS if names != "may"
}
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
}
# Sentence openers stripped from the start of a content span.
DISCOURSE_OPENERS = re.compile(
    r"(?:in\s+addition\s+to|apart\s+from|besides|as\s+well\s+as)\s+[^,.;]{1,60},\s+|"
    r"(?:moreover|separately|meanwhile|however|also|furthermore|in addition|"
    r"additionally|besides|still|indeed|in fact|nevertheless|nonetheless|"
    r"and|but|so|yet|first|second|finally|instead)\b,?\s+",
    re.IGNORECASE,
)
# "RIVERTON —", "ISLAMABAD:", "LONDON (Reuters) -", "BEIJING, April 22 —".
DATELINE = re.compile(
    r"[A-Z][A-Z'’. -]{2,40}(?:,\s*[A-Z0-9][\w .]{1,30}){0,2}\s*(?:\([^)]{1,30}\))?"
    r"\s*(?:[—–:]|-\s)\s*"
    # A release's date after the place: "BRISBANE, Australia – 3 June 2025 –".
    r"(?:(?:\d{1,2}\s+[A-Z][a-z]+\.?|[A-Z][a-z]+\.?\s+\d{1,2},)\s+\d{4}"
    r"\s*(?:[—–:]|-\s)\s*)?"
)
# Unnamed sources: "according to sources" is hearsay, not a speaker.
VAGUE_SOURCES = _words(
    """
    analysts data diplomats documents economists estimates experts figures
    insiders media observers officials people persons report reports rumors
    rumours source sources witnesses critics
    """
)
# Who speaks without a name, whatever body they are of: "a senior official at
# the ministry", "Petroleum Division officials", "a government source",
# "insiders", "local reports". Hedged, never a speaker.
UNNAMED = _words(
    """
    official officials source sources insider insiders aide aides people
    person persons reports report diplomat diplomats critics
    """
)
# Abbreviations after which a period does not end a sentence.
ABBREVIATIONS = _words(
    """
    a.m al approx apr assn aug bros capt co col corp dec dept dr e.g engr est etc
    feb fig ft gen gov hon i.e inc ing jan jr jul jun lt ltd mar mr mrs ms mt nov
    oct p.m prof rep sen sep sept sgt shri smt sr st u.k u.n u.s univ vs
    """
)
