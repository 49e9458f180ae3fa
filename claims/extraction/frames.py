"""Attribution frames: the reporting verb, who it is attributed to, and where
the reported words begin.

Works on the tokens of one sentence (or of the words around a quotation).
Every search is bounded by a small window around the verb.
"""

from dataclasses import dataclass

from .lexicon import (
    CUE_LEMMAS,
    DETERMINERS,
    GROUP_WORDS,
    LISTENER_CUES,
    MONTHS,
    NUMBER_WORDS,
    POSSESSIVES,
    PRONOUNS,
    THAT_ONLY_CUES,
    TITLE_WORDS,
    WEAK_CUE_FORMS,
    WEEKDAYS,
    word_set,
)
from .mentions import Mention, build_mention
from .scanning import (
    head_mention,
    mention_after,
    mention_before,
    run_after,
    skip_gap_left,
)
from .tokens import Token

_PASSIVE = frozenset(["is", "are", "was", "were", "be", "been", "being", "am"])
_SETTINGS = word_set(
    """
    statement interview speech meeting press news conference briefing letter post
    tweet video message session hearing rally ceremony address report podcast
    broadcast debate parliament assembly senate event forum summit visit call
    release radio television tv programme program show sitting
    """
)
_LISTENERS = word_set(
    """
    me us him her them reporters journalists lawmakers parliament legislators
    delegates members residents audiences audience supporters investors viewers
    listeners participants attendees officials students colleagues
    """
)
_DOCUMENTS = word_set(
    """
    statement letter post tweet report press release filing memo notice
    announcement speech interview email video transcript testimony
    """
)
_THAT_WITHIN = 5  # "dismissed speculation that", "highlighted to the house that"
FRAME_WINDOW = 14  # how far from a quotation its reporting verb may stand
_NEAR_START = 6  # a speaker this close to the quotation is the frame's
_PARTIAL_WORDS = 20  # reported words that may lead into a partial quotation


@dataclass(frozen=True)
class Cue:
    index: int  # token index of the verb ("according" for "according to")
    start: int
    end: int
    lemma: str
    span: int = 1  # tokens the cue takes: 2 for "pointed out"

    @property
    def next(self) -> int:
        """The index of the first token after the cue."""
        return self.index + self.span


@dataclass(frozen=True)
class Frame:
    cue: Cue
    mention: Mention
    after: int  # token index just past the frame (verb, speaker, listener)


def find_cues(tokens: list[Token], lo: int = 0, hi: int | None = None) -> list[Cue]:
    """Reporting verbs among ``tokens[lo:hi]``, skipping passives ("is said to"),
    nouns ("the claims") and adjectives ("the promised land")."""
    hi = len(tokens) if hi is None else hi
    cues = []
    for i in range(lo, hi):
        lower = tokens[i].lower
        if lower == "according" and i + 1 < len(tokens) and tokens[i + 1].lower == "to":
            cues.append(Cue(i, tokens[i].start, tokens[i + 1].end, "according to"))
            continue
        phrase = _cue_phrase(tokens, i) if lower in _PHRASES else None
        if phrase is not None:
            cues.append(phrase)
            continue
        lemma = CUE_LEMMAS.get(lower)
        if lemma is None:
            continue
        before = tokens[i - 1] if i > 0 else None
        if before is not None and (
            before.lower in _PASSIVE
            or before.lower in DETERMINERS
            or before.lower in POSSESSIVES
        ):
            continue
        if lower in WEAK_CUE_FORMS and not _ends_mention(before):
            continue
        after = tokens[i + 1].lower if i + 1 < len(tokens) else ""
        if lower.endswith("s") and CUE_LEMMAS.get(after):
            continue  # "Local reports say", "claims suggest": a noun
        if lemma in THAT_ONLY_CUES and not any(
            t.lower == "that" for t in tokens[i + 1 : i + 1 + _THAT_WITHIN]
        ):
            continue
        cues.append(Cue(i, tokens[i].start, tokens[i].end, lemma))
    return cues


# Reporting phrases of more than one word, by their words after the first:
# "pointed out that", "was of the view that".
_PHRASES = {
    "point": (("out",), "point out"),
    "points": (("out",), "point out"),
    "pointed": (("out",), "point out"),
    "was": (("of", "the", "view"), "be of the view"),
    "is": (("of", "the", "view"), "be of the view"),
    "were": (("of", "the", "view"), "be of the view"),
    "are": (("of", "the", "view"), "be of the view"),
}


def _cue_phrase(tokens: list[Token], i: int) -> Cue | None:
    found = _PHRASES.get(tokens[i].lower)
    if found is None:
        return None
    rest, lemma = found
    end = i + len(rest)
    if end >= len(tokens) or tuple(t.lower for t in tokens[i + 1 : end + 1]) != rest:
        return None
    return Cue(i, tokens[i].start, tokens[end].end, lemma, end - i + 1)


def _ends_mention(token: Token | None) -> bool:
    if token is None:
        return False
    lower = token.lower
    return (
        token.is_capitalized
        or lower in TITLE_WORDS
        or lower in GROUP_WORDS
        or lower in PRONOUNS
    )


def speaker_of(tokens: list[Token], cue: Cue, lo: int, hi: int) -> Frame | None:
    """Who ``cue`` is attributed to: "Smith said", "Smith, …, said", "said Smith"."""
    if cue.lemma == "according to":
        start = _past_document(tokens, cue.index + 2)
        mention, after = mention_after(tokens, start)
        return Frame(cue, mention, after) if mention else None
    mention = mention_before(tokens, cue.index, lo)
    if mention is None:
        gap = skip_gap_left(tokens, cue.index, lo)
        if gap > lo and tokens[gap - 1].text == ",":
            mention = head_mention(tokens, lo, gap - 1)
        elif gap > lo and tokens[gap - 1].lower in ("and", "but"):
            mention = clause_subject(tokens, lo, gap - 1)
    if mention is not None:
        return Frame(cue, mention, listener_end(tokens, cue, hi))
    mention, after = mention_after(tokens, cue.next)
    if mention is None:
        return None
    if mention.pronoun and after < hi and tokens[after].is_word:
        return None  # "said they would": the pronoun opens the reported words
    return Frame(cue, mention, after)


def _past_document(tokens: list[Token], i: int) -> int:
    """Past "a statement from" in "according to a statement from the ministry":
    a speech act's record names its speaker."""
    j = i + (i < len(tokens) and tokens[i].lower in DETERMINERS)
    k = j
    while k < len(tokens) and k - j < 2 and tokens[k].lower in _DOCUMENTS:
        k += 1
    if k > j and k < len(tokens) and tokens[k].lower in ("from", "by", "of"):
        return k + 1
    if k > j and k + 1 < len(tokens) and tokens[k].lower in ("issued", "released"):
        return k + 2 if tokens[k + 1].lower == "by" else i
    return i


def clause_subject(tokens: list[Token], lo: int, end: int) -> Mention | None:
    """ "Farah Qureshi called it … and said …": the mention opening the clause."""
    run, stop = run_after(tokens, lo)
    if not run or stop >= end or not tokens[stop].is_word:
        return None
    mention = build_mention(run)
    if mention and (mention.name or mention.pronoun or mention.group):
        return mention
    return None


_LISTENER_REACH = 16
_SUBJECT_PRONOUNS = frozenset({"he", "she", "they", "we", "I", "it", "there"})


def listener_end(tokens: list[Token], cue: Cue, hi: int) -> int:
    """Past the listener of "told the committee": the object of telling."""
    i = cue.next
    if cue.lemma not in LISTENER_CUES or i >= hi:
        return i
    if that := _that_within(tokens, i, hi):
        return that
    if tokens[i].lower in _LISTENERS:
        return i + 1
    if (
        tokens[i].lower in DETERMINERS
        and i + 1 < hi
        and tokens[i + 1].is_word
        and not tokens[i + 1].is_capitalized
    ):
        # "the meeting", "the committee members": lower-case nouns up to the
        # reported clause's subject or "that".
        j = i + 1
        while (
            j < hi and j - i <= 4 and tokens[j].is_word and not _opens_clause(tokens[j])
        ):
            j += 1
        return j
    if tokens[i].lower in DETERMINERS or tokens[i].is_capitalized:
        i += tokens[i].lower in DETERMINERS
        while i < hi and (
            tokens[i].is_capitalized
            or (
                tokens[i].lower in ("of", "on", "for", "and", "&")
                and i + 1 < hi
                and tokens[i + 1].is_capitalized
            )
            or tokens[i].lower in TITLE_WORDS
            or tokens[i].lower in GROUP_WORDS
        ):
            i += 1
    return i


def _that_within(tokens: list[Token], i: int, hi: int) -> int:
    """Where "that" follows a listener: "told the National Assembly's standing
    committee on IT on April 7 that …" (all before it is the listener and its
    time), or 0."""
    for j in range(i, min(hi, i + _LISTENER_REACH)):
        if tokens[j].lower == "that":
            return j
        if tokens[j].text in _SUBJECT_PRONOUNS:  # "told reporters she would …"
            return 0
        if not (tokens[j].is_word or tokens[j].text in ("'", "’")):
            return 0
    return 0


def _opens_clause(token: Token) -> bool:
    lower = token.lower
    return (
        lower in ("that", "he", "she", "they", "it", "we", "i", "there", "this")
        or lower in DETERMINERS
        or lower in POSSESSIVES
        or lower in WEEKDAYS
        or lower in ("on", "in", "at", "during", "earlier", "yesterday", "today")
        or token.is_capitalized
    )


def content_start(tokens: list[Token], i: int, hi: int) -> int:
    """Past adverbials ("on Tuesday", "in a statement"), "that" and ":" — where
    the reported words begin."""
    while i < hi:
        lower = tokens[i].lower
        if tokens[i].text == "(":
            # "the Standing Committee on Energy (Petroleum Division) that": a
            # bracket closing the listener's name.
            close = next(
                (j for j in range(i + 1, min(hi, i + 12)) if tokens[j].text == ")"),
                None,
            )
            if close is not None:
                i = close + 1
                continue
        if lower == "that" or tokens[i].text in (",", ":", "—", "–"):
            i += 1
            if lower == "that":
                return i
            continue
        skipped = _adverbial_length(tokens, i, hi)
        if not skipped:
            return i
        i += skipped
    return i


def _is_month(token: Token) -> bool:
    return token.text[:1].isupper() and token.lower.rstrip(".") in MONTHS


def _is_year(token: Token) -> bool:
    return len(token.text) == 4 and token.text.isdigit()


def _date_length(tokens: list[Token], i: int, hi: int) -> int:
    """ "in January", "on 14 June 2024", "on June 14, 2024", "in 2023",
    "three days ago": a time said of the statement, not its content."""
    j = i + (tokens[i].lower in ("in", "on", "during", "since"))
    if j < hi and tokens[j].lower in ("early", "mid", "late"):
        j += 1
    k = j
    if k + 1 < hi and tokens[k].text.isdigit() and _is_month(tokens[k + 1]):
        k += 2
    elif k < hi and _is_month(tokens[k]):
        k += 1
        if k < hi and tokens[k].text.isdigit() and len(tokens[k].text) <= 2:
            k += 1
        if k + 1 < hi and tokens[k].text == "," and _is_year(tokens[k + 1]):
            k += 1
    elif k < hi and _is_year(tokens[k]) and j > i:
        return k + 1 - i
    elif (
        k + 2 < hi
        and (tokens[k].text.isdigit() or tokens[k].lower in NUMBER_WORDS)
        and tokens[k + 1].lower.rstrip("s") in ("day", "week", "month", "year")
        and tokens[k + 2].lower == "ago"
    ):
        return k + 3 - i
    if k == j:
        return 0
    if k < hi and _is_year(tokens[k]):
        k += 1
    return k - i


def _adverbial_length(tokens: list[Token], i: int, hi: int) -> int:
    dated = _date_length(tokens, i, hi)
    if dated:
        return dated
    lower = tokens[i].lower
    following = tokens[i + 1].lower if i + 1 < hi else ""
    if lower in (
        "yesterday",
        "today",
        "tonight",
        "earlier",
        "later",
        "again",
        "also",
        "recently",
        "separately",
        "publicly",
        "repeatedly",
        "previously",
    ):
        return 1
    if lower in WEEKDAYS:
        return 1
    if lower in ("last", "this", "next", "on") and (
        following in ("week", "month", "year", "night", "morning", "evening")
        or following in WEEKDAYS
    ):
        return 2
    if lower == "on" and following[:1].isdigit():
        return 3 if i + 2 < hi and tokens[i + 2].is_capitalized else 2
    if lower in ("in", "at", "on", "during", "after", "before") and i + 1 < hi:
        return _setting_length(tokens, i, hi)
    return 0


def _setting_length(tokens: list[Token], i: int, hi: int) -> int:
    """ "in a statement", "at a press conference on Monday", "in an interview
    with the BBC" — a setting of the speech, not its content."""
    j = i + 1
    if j < hi and (tokens[j].lower in DETERMINERS or tokens[j].lower in POSSESSIVES):
        j += 1
    start = j
    while j < hi and j - start < 4 and tokens[j].lower not in _SETTINGS:
        if not (tokens[j].is_capitalized or tokens[j].lower.isalpha()):
            return 0
        j += 1
    if j >= hi or tokens[j].lower not in _SETTINGS:
        return 0
    j += 1
    while j < hi and tokens[j].lower in _SETTINGS:
        j += 1
    if j < hi and tokens[j].lower in ("with", "to", "on") and j + 1 < hi:
        k = j + 1 + (tokens[j + 1].lower in DETERMINERS)
        while k < hi and tokens[k].is_capitalized:
            k += 1
        if k > j + 1 + (tokens[j + 1].lower in DETERMINERS):
            j = k
    return j - i


def after_quote(tokens: list[Token]) -> Frame | None:
    """The frame right after a closing quotation mark: ", the minister added",
    " he said", ", said Maria López, the mayor", ", one worker, Maria Gomez, 47,
    told the Gazette"."""
    start = 0
    while start < len(tokens) and not tokens[start].is_word:
        start += 1
    for cue in find_cues(tokens, start, min(len(tokens), start + FRAME_WINDOW)):
        frame = speaker_of(tokens, cue, start, len(tokens))
        if frame is None:
            continue
        near_start = start + _NEAR_START >= len(tokens) or (
            frame.mention.start <= tokens[start + _NEAR_START].start
        )
        if frame.mention.start >= cue.end or near_start:
            return frame
    return None


def before_quote(tokens: list[Token]) -> tuple[Frame | None, tuple[int, int] | None]:
    """The frame leading into a quotation: "Smith said:", "He told reporters,",
    "According to the ministry,"; with the reported words between the frame and
    the quotation when it is a partial quote ("Smith said the line “will …”")."""
    cues = find_cues(tokens)
    for cue in reversed(cues):
        if len(tokens) - cue.index > FRAME_WINDOW + _PARTIAL_WORDS:
            break
        frame = speaker_of(tokens, cue, 0, len(tokens))
        if frame is None:
            continue
        start = content_start(tokens, frame.after, len(tokens))
        if start >= len(tokens):
            return frame, None
        words = [t for t in tokens[start:] if t.is_word]
        if len(words) <= _PARTIAL_WORDS:
            return frame, (tokens[start].start, words[-1].end) if words else None
    return None, None
