"""Reported speech in a sentence without quotation marks.

"X said (that) …", "X told Y that …", "…, X said", "…, said X", "…, X said, …",
"According to X, …" and "…, according to X". A sentence whose reporting verb
follows a clause of its own ("…, for which PM Shehbaz said that …") also yields
that clause as the narrator's.
"""

from dataclasses import dataclass, replace

from .frames import Cue, Frame, content_start, find_cues, speaker_of
from .lexicon import (
    CUE_LEMMAS,
    CUE_PARTICIPLES,
    REBUTTING_CUES,
    UNNAMED,
    VAGUE_SOURCES,
)
from .mentions import group_organization
from .tokens import Token

Span = tuple[int, int]

_CLAUSE_LINKS = frozenset({"but", "while", "whereas", "and", "although", "though"})
_LEAD_LINKS = (
    ("for", "which"),
    ("after", "which"),
    ("in", "which"),
    ("during", "which"),
    ("of", "which"),
    ("where",),
    ("while",),
    ("whereas",),
    ("when",),
    ("and",),
    ("but",),
)


@dataclass(frozen=True)
class Reported:
    frame: Frame
    content: tuple[Span, ...]  # empty for a bare frame ("Smith said.")
    rule: str
    vague: bool = False  # "according to sources": hearsay without a speaker
    lead: Span | None = None


def parse_sentence(tokens: list[Token], first: int = 0) -> list[Reported]:
    """The reported speech of one sentence's ``tokens``, clause by clause
    ("A said X, but B said Y"); ``first`` is the index of its first token past
    any discourse opener ("Moreover,")."""
    found = []
    for lo, hi in _clauses(tokens, first):
        reported = _parse_clause(tokens[:hi], lo)
        if reported is not None:
            mention = reported.frame.mention
            vague = is_vague(mention) or _unnamed_member(tokens, mention.start)
            reported = replace(reported, vague=vague)
            found.extend(_split_adding(tokens[:hi], reported))
    return found


def _unnamed_member(tokens: list[Token], start: int) -> bool:
    """ "A senior official at the ministry said": the ministry was found as
    the speaker, but the one who spoke is an unnamed member of it."""
    i = _index_at(tokens, start)
    if i < 2 or tokens[i - 1].lower not in ("at", "of", "from", "in", "with"):
        return False
    before = [t.lower for t in tokens[max(0, i - 5) : i - 1]]
    return bool(before) and before[-1] in UNNAMED and "the" not in before


def is_vague(mention) -> bool:
    """ "officials said", "according to sources", "a senior official at the
    ministry", "Petroleum Division officials": nobody a reader could ask. ("The
    official said" refers back to someone named: not vague.)"""
    if mention.name or mention.pronoun:
        return False
    words = (mention.title or mention.group).lower().replace("-", " ").split()
    if any(w in UNNAMED for w in words[:4]) and not mention.definite:
        return True
    if mention.title or not mention.group:
        return False
    _, organization = group_organization(mention.group)
    return not organization and words[-1] in VAGUE_SOURCES


def adding_clause(tokens: list[Token], lo: int = 0) -> tuple[int, Span] | None:
    """ "…, adding that growth would reach 3.5 percent": where the second
    report starts (the comma) and its words."""
    for i in range(lo, len(tokens) - 3):
        # ", adding that", ", pointing out that", and a second that-clause of
        # the same verb: "… that A, and that B", "… that A and that B".
        if tokens[i].text == "," and tokens[i + 1].lower in CUE_PARTICIPLES:
            opener = 2 + (tokens[i + 2].lower == "out")
        elif tokens[i].lower == "and" or (
            tokens[i].text == "," and tokens[i + 1].lower == "and"
        ):
            opener = 1 if tokens[i].lower == "and" else 2
            # "… and expected B", "… and she clarified that B": the same
            # speaker's second report.
            opener += _second_verb(tokens, i + opener)
        else:
            continue
        at = i + opener
        that = at < len(tokens) and tokens[at].lower == "that"
        if that or tokens[at - 1].lower in CUE_LEMMAS:
            words = _span(tokens, at + that, len(tokens))
            if words and _words(tokens, at + that, len(tokens)) >= 3:
                return i, words
    return None


def _second_verb(tokens: list[Token], at: int) -> int:
    """How many tokens a second reporting verb takes at ``at`` ("expected",
    "she clarified"): past-tense cues only, so "and said" but not "and
    states"; 0 if there is none."""
    pronoun = at < len(tokens) and tokens[at].lower in ("he", "she", "they", "it")
    verb = at + pronoun
    if verb < len(tokens) and tokens[verb].lower in CUE_LEMMAS:
        lower = tokens[verb].lower
        if lower.endswith("ed") or lower in ("said", "told", "wrote"):
            return pronoun + 1
    return 0


def _split_adding(tokens: list[Token], reported: Reported) -> list[Reported]:
    if len(reported.content) != 1 or reported.rule == "bare-frame":
        return [reported]
    rebuttal = reported.frame.cue.lemma in REBUTTING_CUES
    start = _index_at(tokens, reported.content[0][0])
    found = adding_clause(tokens, start)
    if found is None:
        return [] if rebuttal else [reported]
    comma, words = found
    first = _span(tokens, start, comma)
    if first is None or rebuttal:
        # "dismissed speculation that A, stating that B": the speaker says B.
        return [Reported(reported.frame, (words,), "reported-adding", reported.vague)]
    return [
        Reported(
            reported.frame, (first,), reported.rule, reported.vague, reported.lead
        ),
        Reported(reported.frame, (words,), "reported-adding", reported.vague),
    ]


def _clauses(tokens: list[Token], first: int) -> list[tuple[int, int]]:
    """Split before ", but B said …" / "; B said …": a second speaker."""
    bounds = [first]
    for i in range(first + 1, len(tokens) - 2):
        comma = tokens[i].text == "," and tokens[i + 1].lower in _CLAUSE_LINKS
        if not (comma or tokens[i].text == ";"):
            continue
        start = i + 1 + comma
        if _opens_report(tokens, start):
            bounds.append(start)
    ends = [b - 1 for b in bounds[1:]] + [len(tokens)]
    return list(zip(bounds, ends, strict=True))


def _opens_report(tokens: list[Token], start: int) -> bool:
    for cue in find_cues(tokens, start, min(len(tokens), start + 10)):
        if cue.lemma == "according to":
            continue
        frame = speaker_of(tokens, cue, start, len(tokens))
        if frame is not None and frame.mention.start == tokens[start].start:
            return True
    return False


def _parse_clause(tokens: list[Token], first: int) -> Reported | None:
    cues = find_cues(tokens, first)
    if not cues:
        return None
    if cues[-1].lemma != "according to":
        final = _reporting_verb(tokens, cues[-1], first, final_only=True)
        if final is not None and not _has_that_clause(tokens, first, cues[-1].index):
            return final
    for cue in cues:
        if cue.lemma == "according to":
            found = _according(tokens, cue, first)
        else:
            found = _reporting_verb(tokens, cue, first)
        if found is not None:
            return found
    return None


def _has_that_clause(tokens: list[Token], lo: int, hi: int) -> bool:
    """Whether a reporting verb before ``hi`` introduces "that …" itself."""
    for cue in find_cues(tokens, lo, hi):
        if cue.next < hi and tokens[cue.next].lower in ("that", ":"):
            return True
    return False


def _span(tokens: list[Token], lo: int, hi: int) -> Span | None:
    """From ``tokens[lo]`` to ``tokens[hi - 1]``, without trailing punctuation."""
    while (
        hi > lo and not tokens[hi - 1].is_word and tokens[hi - 1].text not in '”"’)»!'
    ):
        hi -= 1
    if hi - lo < 1:
        return None
    return (tokens[lo].start, tokens[hi - 1].end)


def _words(tokens: list[Token], lo: int, hi: int) -> int:
    return sum(1 for t in tokens[lo:hi] if t.is_word)


def _according(tokens: list[Token], cue: Cue, first: int) -> Reported | None:
    frame = speaker_of(tokens, cue, first, len(tokens))
    if frame is None:
        return None
    vague = is_vague(frame.mention)
    after = _past_relative_clause(tokens, frame.after)
    if cue.index == first and after < len(tokens) and tokens[after].text == ",":
        content = _span(tokens, after + 1, len(tokens))
        spans: tuple[Span, ...] = (
            (content,)
            if content and _words(tokens, after + 1, len(tokens)) >= 3
            else ()
        )
    elif cue.index > first and tokens[cue.index - 1].text == ",":
        spans = tuple(
            s
            for s in (
                _span(tokens, first, cue.index - 1),
                _tail(tokens, after),
            )
            if s
        )
    else:
        return None
    if not spans:
        return None
    return Reported(frame, spans, "according-to", vague=vague)


def _past_relative_clause(tokens: list[Token], after: int) -> int:
    """Past ", who ran the dating in Hanoi," after a speaker: the comma that
    closes it (or ``after`` when there is none)."""
    if after + 1 >= len(tokens) or tokens[after].text != ",":
        return after
    if tokens[after + 1].lower not in ("who", "whose", "which", "a", "an", "the"):
        return after
    for i in range(after + 1, min(len(tokens), after + 30)):
        if tokens[i].text == ",":
            return i
    return after


def _tail(tokens: list[Token], after: int) -> Span | None:
    """Words after "…, according to X, …" when there are any."""
    comma = after < len(tokens) and tokens[after].text == ","
    if comma and _words(tokens, after + 1, len(tokens)) >= 3:
        return _span(tokens, after + 1, len(tokens))
    return None


def _reporting_verb(
    tokens: list[Token], cue: Cue, first: int, final_only: bool = False
) -> Reported | None:
    """ "X said …" (content after), "…, X said" and "…, said X" (content
    before), "…, X said, …" (both sides). ``final_only``: only the forms whose
    content comes before the verb."""
    frame = speaker_of(tokens, cue, first, len(tokens))
    if frame is None:
        return None
    mention = frame.mention
    inverted = mention.start >= cue.end
    opener = _index_at(tokens, cue.start if inverted else mention.start)
    comma_before = opener > first and tokens[opener - 1].text in (",", "—", "–")
    comma_after = frame.after < len(tokens) and tokens[frame.after].text == ","
    if comma_before and comma_after and not final_only:
        middle = _middle(tokens, first, opener - 1, frame.after + 1)
        if middle:
            return Reported(frame, middle, "reported-mid")
    start = content_start(tokens, frame.after, len(tokens))
    if not final_only and not inverted and _words(tokens, start, len(tokens)) >= 3:
        content = _span(tokens, start, len(tokens))
        if content:
            that = start > 0 and tokens[start - 1].lower == "that"
            return Reported(
                frame,
                (content,),
                "reported-that" if that else "reported-speech",
                lead=_lead(tokens, first, opener),
            )
    if start >= len(tokens) or _words(tokens, start, len(tokens)) == 0:
        if comma_before and _words(tokens, first, opener - 1) >= 3:
            content = _span(tokens, first, opener - 1)
            rule = "reported-inverted" if inverted else "reported-final"
            return Reported(frame, (content,), rule) if content else None
        if opener == first and not final_only:
            return Reported(frame, (), "bare-frame")
    return None


def _index_at(tokens: list[Token], position: int) -> int:
    for i, token in enumerate(tokens):
        if token.start >= position:
            return i
    return len(tokens)


def _middle(tokens, first: int, comma: int, resume: int) -> tuple[Span, ...] | None:
    """ "The bridge, the minister said, will open in May": both halves."""
    if _words(tokens, first, comma) < 1 or _words(tokens, resume, len(tokens)) < 2:
        return None
    if resume < len(tokens) and tokens[resume].lower.endswith("ing"):
        return None  # "…, he said, adding that …": another report, not the rest
    head, tail = _span(tokens, first, comma), _span(tokens, resume, len(tokens))
    return (head, tail) if head and tail else None


def _lead(tokens: list[Token], first: int, opener: int) -> Span | None:
    """The narrator's clause before "…, for which X said": kept when long enough."""
    for link in _LEAD_LINKS:
        at = opener - len(link)
        if at <= first or tuple(t.lower for t in tokens[at:opener]) != link:
            continue
        end = at - 1 if tokens[at - 1].text == "," else at
        if _words(tokens, first, end) >= 5:
            return _span(tokens, first, end)
    return None
