"""Finding a speaker mention next to a reporting verb: read leftwards from
"said" ("… Minister Haji Gulbar Khan said"), rightwards after it ("said Maria
López, the mayor"), or as the head of the clause ("The prime minister, in a
meeting with …, said"). Each scan stops within a few tokens.
"""

from dataclasses import replace

from .lexicon import (
    ABBREVIATIONS,
    COMPLEMENT_WORDS,
    CONNECTORS,
    DETERMINERS,
    GROUP_WORDS,
    HONORIFICS,
    MONTHS,
    NAME_PARTICLES,
    NON_NAME_WORDS,
    ORG_WORDS,
    POSSESSIVES,
    PRONOUNS,
    SPOKES_WORDS,
    TITLE_MODIFIERS,
    TITLE_WORDS,
    WEEKDAYS,
    word_set,
)
from .mentions import AFFILIATION_LINKS, Mention, apposition_title, build_mention, merge
from .tokens import Token, inner_possessive, is_title, short_form_end

MAX_MENTION_TOKENS = 16
# Company forms written in capitals after a name.
COMPANY_SUFFIXES = word_set("as asa ab ag sa nv bv plc llc inc ltd spa gmbh oy")
# Words allowed between a speaker and the verb: "Sharif on Tuesday said".
GAP_WORDS = word_set(
    """
    also later then has had have recently previously earlier again further once
    repeatedly publicly privately separately subsequently today yesterday
    tonight on last this week month year night morning afternoon evening in a
    an statement interview letter speech post briefing conference press news
    separate written joint late early
    categorically firmly strongly clearly explicitly flatly emphatically
    candidly bluntly openly frankly specifically formally officially personally
    unequivocally vehemently confidently cautiously angrily proudly briefly
    quietly jointly initially eventually finally
    """
) | frozenset(WEEKDAYS)
_GROUP_LINKS = frozenset({"at", "of", "from"})
_GROUP_PLACE_LINKS = frozenset({"at", "of", "from", "in"})
_FUNCTION_WORDS = NON_NAME_WORDS | word_set(
    "or nor than was were is are be been being has have had do does did not no "
    "also said says told added who whom whose which that"
)
_NAME_ENDINGS = frozenset({"corp", "inc", "ltd", "co", "jr", "sr", "plc", "llc"})


def _is_name_word(token: Token, sentence_start: bool) -> bool:
    if not token.is_word or not token.is_capitalized:
        return False
    lower = token.lower
    if lower in COMPANY_SUFFIXES and token.text.isupper() and not sentence_start:
        return True  # "Nordlys Rail AS", "Halden AG": not the word "as"
    if lower in NON_NAME_WORDS or (lower in MONTHS and len(lower) > 3):
        return False
    if token.text.endswith(("’s", "'s", "’", "'")):
        return False
    return not (sentence_start and lower.endswith(("ing", "ly")))


def _accepts_left(tokens: list[Token], i: int, run: list[Token], lo_index: int) -> str:
    """How token ``i`` joins a run being read leftwards: 'word', 'stop-after'
    (a determiner: take it, then stop) or '' (not part of the run)."""
    lower = tokens[i].lower
    if lower in DETERMINERS and _before_affiliation(tokens, i, run, lo_index):
        return "word"  # "Peter Lang of the Institute …"
    if lower in DETERMINERS or lower in POSSESSIVES:
        return "stop-after" if run else ""
    if not run and lower in PRONOUNS:
        return "stop-after"
    if any(joins(tokens, i, run, lo_index) for joins in _JOINS_LEFT):
        return "word"
    return ""


def _before_affiliation(
    tokens: list[Token], i: int, run: list[Token], lo_index: int
) -> bool:
    return bool(
        run
        and run[0].is_capitalized
        and i - 2 >= lo_index
        and tokens[i - 1].lower in AFFILIATION_LINKS
        and tokens[i - 2].is_capitalized
    )


def _group_possessive(
    tokens: list[Token], i: int, run: list[Token], lo_index: int
) -> bool:
    """ "the prime minister's office" """
    return bool(
        run
        and tokens[i].text.endswith(("’s", "'s"))
        and run[0].lower in GROUP_WORDS
        and not run[0].is_capitalized
    )


def _name_or_title(
    tokens: list[Token], i: int, run: list[Token], lo_index: int
) -> bool:
    token = tokens[i]
    lower = token.lower
    if _is_name_word(token, sentence_start=i == lo_index):
        return True
    if lower in TITLE_WORDS or lower in GROUP_WORDS or lower in HONORIFICS:
        return True
    has_head = any(is_title(t) or t.lower in GROUP_WORDS for t in run)
    return has_head and lower in TITLE_MODIFIERS


def _title_qualifier(
    tokens: list[Token], i: int, run: list[Token], lo_index: int
) -> bool:
    """ "port director", "water commissioner" """
    token = tokens[i]
    return bool(
        run
        and is_title(run[0])
        and token.is_word
        and token.text.isalpha()
        and token.text.islower()
        and token.lower not in _FUNCTION_WORDS
    )


def _abbreviation_dot(
    tokens: list[Token], i: int, run: list[Token], lo_index: int
) -> bool:
    """ "Acme Corp. said"; "Dr.", "J.", "Acme Corp." inside a run."""
    if tokens[i].text != "." or i <= 0:
        return False
    previous = tokens[i - 1].lower
    if not run:
        return previous in _NAME_ENDINGS
    return (
        previous in HONORIFICS
        or previous in ABBREVIATIONS
        or (len(previous) == 1 and previous.isalpha())
    )


def _group_place(tokens: list[Token], i: int, run: list[Token], lo_index: int) -> bool:
    """ "Traders in Karachi" """
    return bool(
        run
        and tokens[i].lower in _GROUP_PLACE_LINKS
        and i > lo_index
        and tokens[i - 1].lower in GROUP_WORDS
        and run[0].is_capitalized
    )


def _connects_names(
    tokens: list[Token], i: int, run: list[Token], lo_index: int
) -> bool:
    lower = tokens[i].lower
    if not run or lower not in CONNECTORS or i <= lo_index:
        return False
    left, right = tokens[i - 1], run[0]
    if lower in ("and", "&"):
        return right.lower in COMPLEMENT_WORDS
    right_is_name = right.is_capitalized or (
        right.lower in DETERMINERS and len(run) > 1 and run[1].is_capitalized
    )
    return bool((left.is_capitalized or is_title(left)) and right_is_name)


def _inner_possessive(
    tokens: list[Token], i: int, run: list[Token], lo_index: int
) -> bool:
    return bool(run) and i > lo_index and inner_possessive(tokens, i)


# The ways a token joins a run as a word, in the order they are tried.
_JOINS_LEFT = (
    _inner_possessive,
    _group_possessive,
    _name_or_title,
    _title_qualifier,
    _abbreviation_dot,
    _group_place,
    _connects_names,
)


def _office_in_brackets(tokens: list[Token], close: int, lo_index: int) -> int:
    """Where a bracketed office between a title and a name opens ("Minister for
    Energy (Petroleum Division) Ali Raza Khokhar"), or 0: it is left out of
    the title, which reads on without it."""
    if tokens[close].text != ")":
        return 0
    opener = close - 1
    while opener > lo_index and close - opener <= 5 and tokens[opener].text != "(":
        if not tokens[opener].is_capitalized:
            return 0
        opener -= 1
    if tokens[opener].text != "(" or opener == close - 1 or opener <= lo_index:
        return 0
    before = tokens[opener - 1]
    return opener if before.is_capitalized or is_title(before) else 0


def skip_gap_left(tokens: list[Token], end: int, lo_index: int = 0) -> int:
    """Index where the speaker run ends, past adverbials like "on Tuesday"."""
    j = end
    while j > lo_index and end - j < 5:
        token = tokens[j - 1]
        if token.lower in GAP_WORDS or token.text.isdigit():
            j -= 1
            continue
        break
    return j


def mention_before(tokens: list[Token], end: int, lo_index: int = 0) -> Mention | None:
    """The mention that ends right before ``tokens[end]`` (a reporting verb)."""
    for stop in dict.fromkeys((end, skip_gap_left(tokens, end, lo_index))):
        run: list[Token] = []
        offices: list[Token] = []  # left of a bracket: "Minister for Energy (…)"
        i = stop
        while i > lo_index and len(run) + len(offices) < MAX_MENTION_TOKENS:
            if run and (opener := _office_in_brackets(tokens, i - 1, lo_index)):
                offices, run, i = run + offices, [], opener
                continue
            how = _accepts_left(tokens, i - 1, run, lo_index)
            if not how:
                break
            run.insert(0, tokens[i - 1])
            i -= 1
            if how == "stop-after":
                break
        mention = _bracketed_office(run, offices) if offices else build_mention(run)
        if mention:
            return mention
    return None


def _bracketed_office(title: list[Token], named: list[Token]) -> Mention | None:
    """ "Secretary Ministry of IT (MoITT) Nadeem Akhtar Shah": the bracket
    ends the title, and what follows it is the name (after any title of its
    own: "(Retd) Major General Saleem Bhatti")."""
    mention = build_mention(named)
    office = build_mention(title) if title else None
    if mention is None or not mention.name or office is None:
        return mention
    office_words = office.words if not office.pronoun else ""
    return replace(
        mention,
        start=office.start,
        title=" ".join(filter(None, (office_words, mention.title))),
        words=f"{office_words} {mention.words}",
    )


def mention_after(tokens: list[Token], start: int) -> tuple[Mention | None, int]:
    """The mention starting at ``tokens[start]`` ("said Maria López, the mayor")
    and the index just past it (its appositive included)."""
    run, i = run_after(tokens, start)
    mention = build_mention(run)
    if mention is None or mention.pronoun:
        return mention, i
    if i + 1 < len(tokens) and tokens[i].text == ",":
        stop = _chunk_end(tokens, i + 1, len(tokens))
        if mention.name and not mention.title:
            title = apposition_title(tokens[i + 1 : stop])
            if title:
                return replace(mention, title=title, end=tokens[stop - 1].end), stop
        elif (mention.title or mention.group) and not mention.name:
            # "according to the operator, Peak Citylink"
            run, after = run_after(tokens, i + 1)
            other = build_mention(run)
            if other and other.name and not other.title and after == stop:
                title = mention.title or mention.group
                return merge(replace(mention, title=title, group=""), other), stop
    return mention, i


def run_after(tokens: list[Token], start: int) -> tuple[list[Token], int]:
    run: list[Token] = []
    i = start
    if i < len(tokens) and (
        tokens[i].lower in DETERMINERS or tokens[i].lower in POSSESSIVES
    ):
        run.append(tokens[i])
        i += 1
    elif i < len(tokens) and tokens[i].lower in PRONOUNS:
        return [tokens[i]], i + 1
    while i < len(tokens) and len(run) < MAX_MENTION_TOKENS:
        named = run and (run[-1].is_capitalized or run[-1].text == ".")
        if named and (past := short_form_end(tokens, i)):
            # 'Tamarind Power Systems Ltd. ("Tamarind"), …', but in "Ministry
            # of Water (MoW) Ana Ruiz" the name after it is another's.
            if past < len(tokens) and tokens[past].is_capitalized:
                break
            i = past
            continue
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        lower = token.lower
        joins = (
            _is_name_word(token, sentence_start=False)
            or (run and inner_possessive(tokens, i))
            or lower in TITLE_WORDS
            or lower in GROUP_WORDS
            or (lower in TITLE_MODIFIERS and nxt is not None and nxt.lower not in ",.")
            or _leads_to_title(tokens, i)
            or _possessive_before_head(tokens, i)
            or lower in HONORIFICS
            or (
                token.text == "."
                and run
                and (run[-1].lower in HONORIFICS or run[-1].lower in ABBREVIATIONS)
            )
            or (
                lower in CONNECTORS
                and run
                and nxt is not None
                and (
                    nxt.is_capitalized
                    or nxt.lower in COMPLEMENT_WORDS
                    or (
                        nxt.lower in DETERMINERS
                        and i + 2 < len(tokens)
                        and tokens[i + 2].is_capitalized
                        and lower in AFFILIATION_LINKS | {"for"}
                    )
                )
                and (lower not in ("and", "&") or run[-1].is_capitalized)
            )
            or (token.lower in DETERMINERS and run and run[-1].lower in CONNECTORS)
            or (
                lower in NAME_PARTICLES
                and run
                and nxt is not None
                and nxt.is_capitalized
            )
        )
        if not joins:
            return run, _whose_body(tokens, i, run)
        run.append(token)
        i += 1
    return run, i


def _whose_body(tokens: list[Token], i: int, run: list[Token]) -> int:
    """Where a run ends once the body it belongs to is added: "officials at
    the Environment Agency", "a spokeswoman for the bakers' union"."""
    lower = tokens[i].lower
    end = 0
    if run and run[-1].lower in GROUP_WORDS and lower in _GROUP_LINKS:
        end = _organization_end(tokens, i + 1)
    elif run and run[-1].lower in SPOKES_WORDS and lower in ("for", "of"):
        end = _body_end(tokens, i + 1)
    if not end:
        return i
    run.extend(tokens[i:end])
    return end


def _body_end(tokens: list[Token], i: int) -> int:
    """End of "the bakers' union" / "the Environment Agency" after "spokeswoman
    for": a short noun phrase ending in an organisation word or a name."""
    j = i + (i < len(tokens) and tokens[i].lower in DETERMINERS)
    for k in range(j, min(len(tokens), j + 6)):
        token = tokens[k]
        if token.text in ("’", "'"):
            continue  # "the bakers' union"
        if not token.is_word:
            break
        if token.lower in GROUP_WORDS or token.lower in ORG_WORDS:
            end = k + 1
            while end < len(tokens) and tokens[end].is_capitalized:
                end += 1
            return end
    return _organization_end(tokens, i)


def _organization_end(tokens: list[Token], i: int) -> int:
    """End of "the Nordic Institute for Polar Science" starting at ``i`` (0 if
    no capitalised name follows)."""
    if i < len(tokens) and tokens[i].lower in DETERMINERS:
        i += 1
    start = i
    while i < len(tokens) and (
        tokens[i].is_capitalized
        or (
            tokens[i].lower in CONNECTORS
            and i > start
            and i + 1 < len(tokens)
            and tokens[i + 1].is_capitalized
        )
    ):
        i += 1
    return i if i > start else 0


def _possessive_before_head(tokens: list[Token], i: int) -> bool:
    """ "the city's finance office", "the agency's project director"."""
    token = tokens[i]
    if not token.lower.endswith(("'s", "’s")) or i + 1 >= len(tokens):
        return False
    following = tokens[i + 1].lower
    return (
        following in GROUP_WORDS
        or following in TITLE_WORDS
        or following in TITLE_MODIFIERS
        or _leads_to_title(tokens, i + 1)
    )


def _leads_to_title(tokens: list[Token], i: int) -> bool:
    """A lower-case word right before a title: "port director", "senior
    water engineer", or before a group noun and its name: "infrastructure
    company Savanna Fibre Networks"."""
    for j in (i + 1, i + 2):
        if j >= len(tokens) or not tokens[j].is_word:
            return False
        if is_title(tokens[j]) or (
            tokens[j].lower in GROUP_WORDS
            and j + 1 < len(tokens)
            and tokens[j + 1].is_capitalized
        ):
            return all(
                t.text.isalpha() and t.text.islower() and t.lower not in _FUNCTION_WORDS
                for t in tokens[i:j]
            )
    return False


def head_mention(tokens: list[Token], lo_index: int, end: int) -> Mention | None:
    """The subject of "X, <parenthetical>, said": the first comma-separated
    chunk before the verb that is entirely a mention. A title in the chunk
    before a bare name is its title ("the agency's project director, Priya
    Raman, said")."""
    chunk_start, previous = lo_index, None
    for i in range(lo_index, end + 1):
        if i < end and tokens[i].text != ",":
            continue
        run, stop = run_after(tokens, chunk_start)
        first = tokens[chunk_start] if chunk_start < end else None
        if stop == i and run and not (first and first.lower.endswith("ing")):
            mention = build_mention(run)
            if mention and (mention.title or not mention.name) and i < end:
                named = _named_apposition(tokens, i + 1, end)
                if named is not None:  # "the project director, Priya Raman,"
                    # "Midland Valley's chief executive, Laura Brennan-Whitfield,"
                    # reads as a group ("executives"): a title here. "The
                    # director of Orient Lines, Kwame Asante," is all title.
                    title = mention.words if mention.name else mention.title
                    title = title or mention.group
                    return merge(
                        named, replace(mention, name="", title=title, group="")
                    )
            if mention:
                mention = _with_apposition(tokens, mention, i, end)
                title = apposition_title(previous or [])
                if title and mention.name and not mention.title:
                    mention = replace(mention, title=title)
                return mention
        previous = tokens[chunk_start:i]
        chunk_start = i + 1
    return None


def _named_apposition(tokens: list[Token], start: int, end: int) -> Mention | None:
    """The bare name filling the chunk at ``start``, if it is one."""
    run, stop = run_after(tokens, start)
    if not run or stop != _chunk_end(tokens, start, end):
        return None
    named = build_mention(run)
    return named if named and named.name and not named.title else None


def _with_apposition(tokens, mention: Mention, comma: int, end: int) -> Mention:
    if not mention.name or mention.title or comma >= end:
        return mention
    title = apposition_title(tokens[comma + 1 : _chunk_end(tokens, comma + 1, end)])
    return replace(mention, title=title) if title else mention


def _chunk_end(tokens: list[Token], start: int, end: int) -> int:
    """The next comma, or the sentence's closing stop."""
    for i in range(start, end):
        if tokens[i].text == "," or (i == end - 1 and tokens[i].text in ".!?"):
            return i
    return end
