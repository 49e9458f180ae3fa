"""How alike two claims are: the score behind "possible repeat of #26".

Plain Python over what a claim says (no database): the text read as a
report means it (the attribution, a recollection's "as the minister
promised", light words and phrases said the other way round set aside),
its content words stemmed (Porter2, claims/stemming.py) and compared as a
set (rapidfuzz's ``token_set_ratio``), then every fact the two state as a
value compared as a value, so that "by December 2025" is not "by June 2026"
and "40 buses" not "60 buses" (the figures read by claims/figures.py):
amounts, years, months, the deadline, a negation, the speaker, a swapped
detail. Each comparison that decides gives
a reason the desk reads. docs/REPEATS.md has the rules and their figures.
"""

import datetime
import difflib
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from . import stemming
from .figures import quantities
from .matching_words import (
    GENERAL_VERB_LIST,
    MONTHS,
    NEGATIONS,
    NUMBER_TERMS,
    SAME_PHRASE,
    SAME_WORDS,
    STOPWORDS,
    TAKING_VERB_LIST,
)

# The score from which a claim is proposed to the desk as a possible repeat.
THRESHOLD = 0.7
# The words' likeness: token_set_ratio forgives what one text adds (a
# recollection's "as the minister promised in April"), token_sort_ratio
# counts it; the blend weighs the first.
WORDS_SET = 0.7
# What a swapped detail ("nurses" for "midwives") leaves of the score.
SWAP = 0.6
# The most the agreeing facts add (figures, deadline, speaker): a pair whose
# words are further than this below the threshold is not checked further.
MAX_BONUS = 0.25


@dataclass(frozen=True)
class Said:
    """What matching reads of a claim or a proposal: its text (read once per
    process, ``reading_of``) and the facts beside it."""

    text: str
    speakers: frozenset[int] = frozenset()  # the speaker and its merged ids
    kind: str = ""
    due_on: datetime.date | None = None
    due_on_precision: str = ""

    @property
    def reading(self) -> str:
        return reading_of(self.text).reading

    @property
    def words(self) -> list[str]:
        return reading_of(self.text).words

    @property
    def facts(self) -> "Facts":
        return reading_of(self.text).facts

    @property
    def every_word(self) -> frozenset[str]:
        return reading_of(self.text).every_word

    @property
    def name_words(self) -> frozenset[str]:
        return reading_of(self.text).name_words


class Reading:
    """A text's words and facts, each read on first use."""

    def __init__(self, text: str):
        self.text = text

    @functools.cached_property
    def reading(self) -> str:
        return read(self.text)

    @functools.cached_property
    def words(self) -> list[str]:
        return _content_words(self.reading)

    @functools.cached_property
    def facts(self) -> "Facts":
        return _facts(self.text, self.reading)

    @functools.cached_property
    def every_word(self) -> frozenset[str]:
        """Every word it says, who said it included, stemmed."""
        return frozenset(stem(w) for w in WORD.findall(self.reading))

    @functools.cached_property
    def name_words(self) -> frozenset[str]:
        """The words of the names it gives ("Elm Street"), stemmed."""
        return frozenset(stem(w) for name in self.facts.names for w in name.split())


@functools.lru_cache(maxsize=10_000)
def reading_of(text: str) -> Reading:
    """The one ``Reading`` of ``text`` in this process: the same texts come
    back from lookup to lookup (a speaker's claims, for each of their
    proposals), and reading one costs a hundred times comparing two."""
    return Reading(text)


@dataclass(frozen=True)
class Match:
    score: float
    reasons: tuple[str, ...] = field(default=())


TOKEN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|[a-z]+(?:'[a-z]+)?|%")
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)")


def fold(text: str) -> str:
    """Case, accents, curly quotes and dashes folded away."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"[\u2010-\u2015-]", " ", text).casefold()


# Each word of a group of SAME_WORDS, stemmed, to the group's first, stemmed.
SAME_STEM = {
    stemming.stem(word): stemming.stem(group[0])
    for group in SAME_WORDS
    for word in group
}


def _stems(words: str) -> frozenset[str]:
    return frozenset(SAME_STEM.get(w, w) for w in map(stemming.stem, words.split()))


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The word's English (Porter2) stem: "launches", "launched" and
    "launching" are one, "Riverton's" is "riverton"; and a word for its usual
    synonym in news reports."""
    word = stemming.stem(word)
    return SAME_STEM.get(word, word)


GENERAL_VERBS = _stems(GENERAL_VERB_LIST)
TAKING_VERBS = _stems(TAKING_VERB_LIST)

WHEN_SAID = r"(?: (?:on \w+day|yesterday|today|last week|this week|in a statement))?"
REPORTING = (
    r"(?:(?:(?:has|have|had) )?(?:said|announced|confirmed|added|claimed|insisted|"
    r"stressed|warned|promised|pledged|vowed|predicted|argued|explained|noted|"
    r"wrote)|says|expects?)" + WHEN_SAID  # "said on Tuesday"
)
# Verbs that report only where "that" follows them ("admitted that"): an
# opening "Patients admitted to hospital" is what is said.
REPORTING_THAT = (
    r"(?:(?:has|have|had) )?(?:revealed|admitted|acknowledged|estimated|forecast|"
    r"reiterated|repeated|stated|told [\w ]{1,30}?)" + WHEN_SAID
)
# Who said it, not what: a closing ", the mayor said" or "according to the
# union", an opening "Okafor said (that)" or "According to the union,", and
# a recollection's opening "As the minister promised in April,".
ATTRIBUTION = re.compile(
    rf",?\s+(?:the\s+)?[\w' .-]{{1,40}}?\s+(?:{REPORTING}|{REPORTING_THAT})"
    rf"\s*\.?$|,?\s+according to [\w' .-]{{1,50}}\.?$"
    rf"|^according to [\w' .-]{{1,50}}?,\s*"
    rf"|^as [\w' .-]{{1,40}}?\s+{REPORTING}(?:\s+[\w ]{{1,20}}?)?,\s*"
    rf"|^[\w' .-]{{1,40}}?\s+(?:(?:{REPORTING}|{REPORTING_THAT})\s+that|{REPORTING})\s+"
)


def read(text: str) -> str:
    """The text folded, and the phrases reports use for one another read as
    one ("go up" as "rise", "will not close" as "will stay open")."""
    text = fold(text)
    for phrase, replacement in SAME_PHRASE:
        text = phrase.sub(replacement, text)
    return text


def content_words(text: str) -> list[str]:
    """The words that say what a text is about; figures are compared as
    values (``facts``), not as words, and who said it is not what."""
    return _content_words(read(text))


def lookup_words(text: str) -> list[str]:
    """The content words as written (no synonyms, no phrases read as one):
    what the full-text index is asked for; it stems them its own way."""
    return _surface_words(fold(text))


def _content_words(reading: str) -> list[str]:
    return [stem(w) for w in _surface_words(reading)]


def _surface_words(text: str) -> list[str]:
    return [
        w
        for w in WORD.findall(ATTRIBUTION.sub("", text))
        if w not in STOPWORDS
        and w not in NEGATIONS
        and w not in NUMBER_TERMS
        and not w[0].isdigit()
    ]


@dataclass(frozen=True)
class Facts:
    """The values a text states."""

    amounts: frozenset[float]
    years: frozenset[int]
    months: frozenset[int]
    negated: bool
    names: frozenset[str]


def facts(text: str) -> Facts:
    return _facts(text, read(text))


def _facts(text: str, reading: str) -> Facts:
    tokens = TOKEN.findall(reading)
    amounts, years = quantities(tokens)
    months = {MONTHS[w] for w in tokens if w in MONTHS and w not in ("may", "mar")}
    # "May" and "March" are months only beside a day or a year.
    for i, w in enumerate(tokens):
        if w in ("may", "mar", "march") and any(
            n.isdigit() for n in tokens[max(i - 1, 0) : i + 2] if n != w
        ):
            months.add(MONTHS[w])
    negated = any(_negation(tokens, i) for i in range(len(tokens)))
    names = {
        fold(name)
        for name in NAME.findall(text)
        if fold(name) not in MONTHS and fold(name).split()[0] not in STOPWORDS
    }
    return Facts(
        frozenset(amounts),
        frozenset(years),
        frozenset(months),
        negated,
        frozenset(names),
    )


def _negation(tokens: list[str], i: int) -> bool:
    """Whether ``tokens[i]`` says not: "no more than", "no later" and a
    limit ("no patient will wait more than 18 weeks") do not."""
    if not (tokens[i] in NEGATIONS or tokens[i].endswith("n't")):
        return False
    after = tokens[i + 1 : i + 11]
    if after[:1] in (["more"], ["less"], ["later"], ["longer"]):
        return False
    return not any(
        word in ("more", "longer") and then == "than"
        for word, then in itertools.pairwise(after)
    )


def deadline_period(said: Said) -> tuple[datetime.date, datetime.date] | None:
    """The deadline as the period it names (``due_on`` is its last day)."""
    if said.due_on is None:
        return None
    end = said.due_on
    if said.due_on_precision == "year":
        return end.replace(month=1, day=1), end
    if said.due_on_precision == "month":
        return end.replace(day=1), end
    return end, end


def _month(day: datetime.date) -> str:
    return day.strftime("%b %Y")


def compare(proposal: Said, known: Said) -> Match:
    """How alike ``proposal`` and ``known`` are, from 0 to 1, and why."""
    if proposal.speakers and not proposal.speakers & known.speakers:
        # A named speaker repeats their own claims; another's saying the same
        # (or a report of it with no speaker) is a claim of its own, linked by
        # a reviewer's ``repeats`` relation if need be.
        return Match(0.0, ("another speaker",))
    words_a, words_b = proposal.words, known.words
    if not words_a or not words_b:
        return Match(0.0)
    # A word one text says and the other gives only in who said it
    # ("Freshway's chief executive said the chain would add 40 stores" /
    # "Freshway will open 40 stores") is a word both say.
    said_a = [w for w in words_b if w not in words_a and w in proposal.every_word]
    said_b = [w for w in words_a if w not in words_b and w in known.every_word]
    words_a, words_b = words_a + said_a, words_b + said_b
    joined_a, joined_b = " ".join(words_a), " ".join(words_b)
    score = (
        WORDS_SET * fuzz.token_set_ratio(joined_a, joined_b)
        + (1 - WORDS_SET) * fuzz.token_sort_ratio(joined_a, joined_b)
    ) / 100
    if score + MAX_BONUS < THRESHOLD:
        return Match(round(score, 3), ("few words in common",))
    reasons = [f"similar words ({score:.2f})"]
    amounts = proposal.facts.amounts
    # Who said it and when confirm words alike, or figures that agree; they
    # do not make a claim of words that are not (a speaker's claims share
    # the speaker, and often the year).
    words_alike = score >= THRESHOLD or (amounts and amounts == known.facts.amounts)
    factor = 1.0
    # Each check: a factor (below 1 where the values disagree), a bonus, a reason.
    for check_factor, bonus, reason in (
        _swap(proposal, known),
        *_stated_values(proposal.facts, known.facts),
        _deadline(proposal, known),
        (1.0, 0.05, "same speaker")
        if proposal.speakers & known.speakers
        else (1.0, 0.0, ""),
        _kinds(proposal.kind, known.kind),
    ):
        factor *= check_factor
        score += bonus
        if reason:
            reasons.append(reason)
    if not words_alike:
        score = min(score, THRESHOLD - 0.01)
    return Match(round(max(0.0, min(1.0, score) * factor), 3), tuple(reasons))


Check = tuple[float, float, str]
# Kinds that say what will be, against a fact, what is or was.
AHEAD = frozenset(["promise", "prediction"])


def _kinds(a: str, b: str) -> Check:
    """A prediction against an opinion, say: x 0.9; a fact against a promise
    or a prediction ("has reached 95 percent" / "aims to reach 95 percent"),
    what is against what will be: x 0.6."""
    if not (a and b) or a == b:
        return (1.0, 0.0, "")
    if {a, b} & AHEAD and "fact" in (a, b):
        return (0.6, 0.0, f"a {a} against a {b}")
    return (0.9, 0.0, "")


def _swap(a: Said, b: Said) -> Check:
    """Two texts alike but for a word or two on each side, the words they
    share in the same order ("hire 25 police officers" and "hire 25
    firefighters", "Elm Street" and "Main Street"), say different things:
    the swapped words are what each claims. Shared words in another order
    are a re-phrasing; a word the other text says anywhere (its "Halvorsen
    has pledged that" too) is not swapped; names swapped may run longer,
    and one word more where the texts are word for word ("carry a Taser"
    for "wear a body camera"); a general verb for another ("add" for
    "hire") is no swap, unless the other takes away ("close")."""
    words_a, words_b = a.words, b.words
    only_a = {w for w in words_a if w not in b.every_word}
    only_b = {w for w in words_b if w not in a.every_word}
    longest = 4 if only_a & a.name_words and only_b & b.name_words else 2
    if not (only_a and only_b) or max(len(only_a), len(only_b)) > longest + 1:
        return (1.0, 0.0, "")
    if (only_a <= GENERAL_VERBS and not only_b & TAKING_VERBS) or (
        only_b <= GENERAL_VERBS and not only_a & TAKING_VERBS
    ):
        return (1.0, 0.0, "")  # "add 25 officers" says "hire 25 officers"
    matcher = difflib.SequenceMatcher(None, words_a, words_b, autojunk=False)
    in_order = sum(block.size for block in matcher.get_matching_blocks())
    shared = sum(1 for w in words_a if w in set(words_b))
    if in_order < 2 or in_order < shared:
        return (1.0, 0.0, "")
    if max(len(only_a), len(only_b)) > longest and any(
        op not in ("equal", "replace") for op, *_ in matcher.get_opcodes()
    ):
        # A third word is swapped only where the texts are one another's
        # words for words ("carry a Taser" for "wear a body camera"); a
        # word one side adds besides is a re-phrasing.
        return (1.0, 0.0, "")
    shown = f"{' '.join(sorted(only_a))} vs {' '.join(sorted(only_b))}"
    return (SWAP, 0.0, f"one detail differs: {shown}")


def _stated_values(a: Facts, b: Facts) -> list[Check]:
    """Figures, years, months and negation, compared as values."""
    checks: list[Check] = []
    if a.amounts and b.amounts:
        if a.amounts == b.amounts:
            checks.append((1.0, 0.15, "same figures"))
        elif a.amounts - b.amounts and b.amounts - a.amounts:
            # Each gives a figure the other does not: one was changed.
            shown = (
                f"{_values(a.amounts - b.amounts)} vs {_values(b.amounts - a.amounts)}"
            )
            checks.append((0.55, 0.0, f"different figures: {shown}"))
        else:
            extra = _values(a.amounts ^ b.amounts)
            checks.append((0.75, 0.0, f"a figure only one gives: {extra}"))
    if bool(a.amounts) != bool(b.amounts):
        checks.append((0.85, 0.0, "a figure only one gives"))
    if a.years and b.years and not a.years & b.years:
        shown = f"{_values(a.years)} vs {_values(b.years)}"
        checks.append((0.6, 0.0, f"different years: {shown}"))
    if a.months and b.months and not a.months & b.months:
        checks.append((0.7, 0.0, "different months"))
    if a.negated != b.negated:
        checks.append((0.6, 0.0, "one says not"))
    return checks


def _deadline(proposal: Said, known: Said) -> Check:
    period_a, period_b = deadline_period(proposal), deadline_period(known)
    if not (period_a and period_b):
        return (1.0, 0.0, "")
    if period_a[0] <= period_b[1] and period_b[0] <= period_a[1]:
        return (1.0, 0.05, "same deadline")
    shown = f"{_month(period_a[1])} vs {_month(period_b[1])}"
    return (0.55, 0.0, f"different deadline: {shown}")


def _values(values) -> str:
    return "/".join(
        f"{v:g}" if isinstance(v, float) else str(v) for v in sorted(values)
    )


def _contained(names, others) -> bool:
    """Whether each name is part of a name (or text) on the other side:
    "Riverton" within "Riverton Water Board"."""
    return all(any(name in other for other in others) for name in names)
