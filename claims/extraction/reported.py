"""Reported speech in a sentence without quotation marks.

"X said (that) …", "X told Y that …", "…, X said", "…, said X", "…, X said, …",
"According to X, …" and "…, according to X". A sentence whose reporting verb
follows a clause of its own ("…, for which PM Shehbaz said that …") also yields
that clause as the narrator's.
"""

from dataclasses import dataclass, replace

from .frames import Cue, Frame, content_start, find_cues, speaker_of
from .lexicon import VAGUE_SOURCES
from .mentions import group_organization
from .tokens import Token

Span = tuple[int, int]
_ADDING = frozenset({"adding", "saying", "noting", "warning", "arguing", "insisting"})
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
            reported = replace(reported, vague=is_vague(reported.frame.mention))
            found.extend(_split_adding(tokens[:hi], reported))
    return found


def is_vague(mention) -> bool:
    """ "officials said", "according to sources": nobody a reader could ask."""
    if mention.name or mention.title or mention.pronoun or not mention.group:
        return False
    _, organization = group_organization(mention.group)
    return not organization and mention.group.lower().split()[-1] in VAGUE_SOURCES


def adding_clause(tokens: list[Token], lo: int = 0) -> tuple[int, Span] | None:
    """ "…, adding that growth would reach 3.5 percent": where the second
    report starts (the comma) and its words."""
    for i in range(lo, len(tokens) - 3):
        if (
            tokens[i].text == ","
            and tokens[i + 1].lower in _ADDING
            and tokens[i + 2].lower == "that"
        ):
            words = _span(tokens, i + 3, len(tokens))
            if words and _words(tokens, i + 3, len(tokens)) >= 3:
                return i, words
    return None


def _split_adding(tokens: list[Token], reported: Reported) -> list[Reported]:
    if len(reported.content) != 1 or reported.rule == "bare-frame":
        return [reported]
    start = _index_at(tokens, reported.content[0][0])
    found = adding_clause(tokens, start)
    if found is None:
        return [reported]
    comma, words = found
    first = _span(tokens, start, comma)
    if first is None:
        return [reported]
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
        if cue.index + 1 < hi and tokens[cue.index + 1].lower in ("that", ":"):
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
