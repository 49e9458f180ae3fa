"""The vocabularies claims/matching.py reads: stop words, negations, number
words, month names, and the words and phrases news reports use for one
another. Plain data, kept apart so that the rules stay readable."""

import calendar
import re

STOPWORD_LIST = """
    a about above according added after again against all also am an and any are as
    at be because been before being below between both but by can could did do does
    doing down during each end few for from further had has have having he her here
    hers him his how i if in into is it its itself just me more most my no nor not
    of off on once only or other our out over own said same say says set she should
    so some stated such tells than that the their them then there these they this
    those through to told too under until up very was we were what when where which
    while who whom why will with would you your
    """
# Words that say how, when or by whom rather than what: a report adds them
# ("an extra 150 officers", "is now due to", "pledged to", "next year") and
# another leaves them out. Figures and dates are compared as values.
LIGHT_WORD_LIST = """
    additional already annual annually able aside currently due every everyone
    expect expected expects extra fully get gets getting go goes going got likely make
    makes new next last planned plans pledge pledged pledges promise promised
    promises sets soon still vow vowed warned year years yearly whole
    """
# Prepositions a re-phrasing moves about ("along the seafront", "across
# Varnland"): where, said in a name or a figure, not in them.
PREPOSITION_LIST = """
    across along among amongst around beside near onto per upon via
    """
# Titles and forms of address: who speaks, which the speaker compares
# ("Mayor Varga will", "the mayor will", "Varga will"), not what is said.
TITLE_LIST = """
    mayor minister chancellor president premier governor secretary senator
    spokesman spokeswoman spokesperson councillor cllr commissioner
    superintendent chairman chairwoman mr mrs ms dr professor
    """
STOPWORDS = frozenset(
    STOPWORD_LIST.split()
    + LIGHT_WORD_LIST.split()
    + PREPOSITION_LIST.split()
    + TITLE_LIST.split()
)


NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "neither",
        "nor",
        "without",
        "denied",
        "denies",
        "deny",
        "yet",
        "n't",
        "cannot",
    ]
)
UNITS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
} | {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {
    "thousand": 1_000,
    "k": 1_000,
    "lakh": 100_000,
    "million": 1_000_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "crore": 10_000_000,
    "billion": 1_000_000_000,
    "bn": 1_000_000_000,
}
FRACTIONS = {
    "half": 2,
    "halves": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fifth": 5,
    "fifths": 5,
    "tenth": 10,
    "tenths": 10,
}
# Units a figure is given in more than one way: time in hours, spans in years.
PER_UNIT = {
    "hour": 1,
    "hours": 1,
    "day": 24,
    "days": 24,
    "week": 168,
    "weeks": 168,
    "decade": 10,
    "decades": 10,
    "minute": 1 / 60,
    "minutes": 1 / 60,
}
# "A quarter", "half" with no number before them: a fraction of one ("more
# than half", "a third of the jobs"); after "the" or "first" ("the second
# half of 2026") a part of a period, not a figure.
LONE_FRACTION_AFTER = frozenset(
    [
        "",
        "a",
        "than",
        "about",
        "almost",
        "nearly",
        "over",
        "under",
        "just",
        "some",
        "roughly",
        "around",
        "only",
        "barely",
    ]
)
MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTHS["sept"] = 9
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
NUMBER_TERMS = frozenset(
    [*UNITS, *SCALES, *FRACTIONS, "hundred", "point", "percent", "dozen"]
)
# Words news reports use for one another, met as one: each word of a group
# is read as the group's first (after stemming). General news vocabulary and
# the irregular forms a stemmer cannot meet ("paid" for "pay").
SAME_WORDS = (
    ("rise", "increase", "climb", "grow", "rose", "risen"),
    ("fall", "drop", "decline", "decrease", "fell", "fallen"),
    ("halve",),
    ("freeze", "frozen", "froze"),
    ("complete", "finish"),
    ("hire", "recruit", "employ"),
    ("build", "construct", "built"),
    ("begin", "start", "commence"),
    ("close", "shut"),
    ("cut", "reduce", "lower", "slash"),
    ("spend", "invest"),
    ("ban", "prohibit", "outlaw"),
    ("buy", "purchase"),
    ("launch", "introduce", "unveil"),
    ("support", "help", "assist"),
    ("delay", "postpone"),
    ("need", "require"),
    ("company", "firm", "business"),
    ("abolish", "scrap"),
    ("center", "centre", "hub"),
    ("plant", "factory"),
    ("project", "scheme"),
    ("home", "household", "house", "housing", "dwelling"),
    ("power", "electricity", "electric"),
    ("charge", "bill", "fee", "price", "tariff"),
    ("worker", "employee", "staff"),
    ("rural", "countryside"),
    ("site", "land"),
    ("pay", "paid", "earn"),
    ("repair", "fix", "mend"),
    ("sell", "sold"),
    ("child", "children"),
    ("person", "people"),
)
# Verbs that say only that something comes about ("add 25 officers", "made
# a profit"): a report puts one where another says how ("hire 25 officers",
# "open 40 stores", "profits rose"), so one of them for another verb is no
# swapped detail, unless that verb takes away.
GENERAL_VERB_LIST = """
    add added adding adds bring brings brought create created creates deliver
    delivered delivers give gives given make made makes offer offered offers
    put puts
    """
TAKING_VERB_LIST = """
    abolish axe ban close cut delay drop end fall halt lose lost reduce remove
    scrap sell shed shut stop
    """
# A negation ("will not", "won't", "cannot", "no longer").
NOT = r"\b(?:not|never|cannot|no longer|\w*n't)\s+"
# Phrases that say what one word does, and a negation said the other way
# round ("will not close" as "will stay open"); read in this order.
SAME_PHRASE = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\bper cent\b", "percent"),
        # "£12 million" says "12 million pounds".
        (
            r"£ ?(\d[\d,.]*(?: ?(?:thousand|million|billion|bn|mn|m|k)\b)?)",
            r"\1 pounds",
        ),
        (r"€ ?(\d[\d,.]*(?: ?(?:thousand|million|billion|bn|mn|m|k)\b)?)", r"\1 euros"),
        (
            r"\$ ?(\d[\d,.]*(?: ?(?:thousand|million|billion|bn|mn|m|k)\b)?)",
            r"\1 dollars",
        ),
        # "Starting in April", "starting from 2027": from.
        (
            rf"\bstarting(?: in| from| on)? (?=(?:next |this |{MONTH_NAMES}|\d))",
            "from ",
        ),
        (r"\bgo(?:es|ing)? up\b|\bwent up\b", "rise"),
        (r"\bcut (?:\w+ )?in half\b", "halve"),
        (r"\bopen(?:ed)? (?:\w+ ){0,3}again\b|\bback open\b", "reopen"),
        (r"\bgo(?:es)? to the polls\b", "election"),
        (r"\bwalk(?:s|ed)? out\b", "strike"),
        # Phrasal verbs for one word: "roll out" a scheme, "put off" a vote.
        (r"\broll(?:s|ed|ing)? out\b", "launch"),
        (r"\bbr(?:ing|ings|ought|inging) in\b", "introduce"),
        (r"\b(?:put(?:s|ting)? off|push(?:es|ed|ing)? back)\b", "delay"),
        (r"\bla(?:y|ys|id|ying) off\b", "cut"),
        (r"\blow cost\b", "affordable"),
        (r"\bfree of charge\b", "free"),
        (r"\bunless\b", "if not"),
        # "Over the next three years", "in three years": "within three years".
        (
            r"\b(?:over|during|in)(?: the)?(?: next)? (?=[\w-]+ (?:years?|months?|weeks?|days?)\b)",
            "within ",
        ),
        (r"\bopen(?:s|ed)? (?:its|their) doors\b", "open"),
        (r"\bshut(?:s)? (?:its|their) doors\b", "close"),
        (r"\bno (?:less|fewer) than\b", "at least"),
        # A headline's "Ekwueme: fares to fall" is "fares to fall".
        (r"^[\w' .]{1,40}: (?=\w)", ""),
        # "No pool will close" says "pools will not close".
        (r"\bno ((?:[\w']+ ){1,6}?)(will|would|shall|can|could|must)\b", r"\1\2 not"),
        (
            NOT + r"(?:be able to )?(?:keep|stay|remain) ((?:\w+ ){0,4}?)open\b",
            r"close \1",
        ),
        (r"\b(?:keep|remain)(?:s|ed)? ((?:\w+ ){0,4}?)open\b", r"stay open \1"),
        (NOT + r"(?:be |going to |have to )?(?:close|shut)[sd]?\b", "stay open"),
        # "Will not rise", "will not see their rent go up": frozen.
        (NOT + r"((?:\w+ ){0,3}?)(?:be )?(?:rise|increase)\b", r"\1freeze"),
        # "No employee will earn less than": "employees will earn at least".
        (NOT + r"((?:\w+ ){0,2}?)(?:less|fewer) than\b", r"\1at least"),
        (NOT + r"(?:be )?charg(?:e|ed|ing)(?: anything| a fee)?(?: for)?\b", "free"),
        (NOT + r"(?:be )?(?:allowed|permitted) to\b", "banned from"),
        (NOT + r"(?:have |need )to pay(?: for)?\b", "free"),
    )
)
