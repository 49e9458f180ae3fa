"""What a sentence teaches about people, even when it reports no speech: the
titled names it introduces and the subject later pronouns may refer to."""

from dataclasses import replace

from .lexicon import DETERMINERS, GROUP_WORDS, word_set
from .mentions import Mention, apposition_title, build_mention
from .scanning import MAX_MENTION_TOKENS, run_after
from .speakers import SpeakerBook
from .tokens import Token, is_title, join_tokens, short_form_end

_GROUP_LINKS = frozenset({"from", "of", "representing", "at"})
_NAME_LINKS = frozenset({"of", "and", "for", "&", "the"})
_ORG_WINDOW = 12
_HUMAN_VERBS = word_set(
    """
    spoke speaks arrived arrives visited visits met meets travelled traveled
    attended attends addressed thanked urged urges called welcomed praised
    criticised criticized signed resigned joined led chaired inaugurated declined
    refused apologised apologized answered asked testified campaigned voted
    appeared stood sat walked smiled laughed wept insisted admitted denied
    """
)


def learn_names(book: SpeakerBook, tokens: list[Token]) -> None:
    """Register every "Title Name", "a delegation from Org" and "Full Name
    (Short)" in ``tokens``."""
    for k, token in enumerate(tokens):
        if token.text == "(" and (end := short_form_end(tokens, k)):
            _learn_short_form(book, tokens, k, end)
    titles = [k for k, t in enumerate(tokens) if is_title(t)]
    next_title = iter(titles)
    title_at = next(next_title, None)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        lower = token.lower
        if (
            lower in GROUP_WORDS
            and i + 1 < len(tokens)
            and tokens[i + 1].lower in _GROUP_LINKS
        ):
            _learn_group(book, tokens, i)
        while title_at is not None and title_at < i:
            title_at = next(next_title, None)
        # A titled name needs a title word within reach of its first token.
        near_title = title_at is not None and title_at - i < MAX_MENTION_TOKENS
        if near_title and (token.is_capitalized or is_title(token)):
            run, stop = run_after(tokens, i)
            mention = build_mention(run) if run else None
            if (
                mention is not None
                and mention.name
                and mention.title
                and mention.kind == "person"  # not "Chairman Pakistan … Authority"
            ):
                book.learn(mention)
            i = max(stop, i + 1)
        else:
            i += 1


def learn_header_names(book: SpeakerBook, tokens: list[Token]) -> Mention | None:
    """Register every full name a transcript's header gives, titled or not
    ("with Ana Lucía Beltrán", "Guest: Ing. Héctor Salgado Ruiz"), so that
    the labels' surnames resolve to them; the first of them is returned."""
    first = None
    i = 0
    while i < len(tokens):
        if tokens[i].is_capitalized or is_title(tokens[i]):
            run, stop = run_after(tokens, i)
            mention = build_mention(run) if run else None
            if mention is not None and len(mention.name.split()) >= 2:
                book.learn(mention, untitled=True)
                first = first or mention
            i = max(stop, i + 1)
        else:
            i += 1
    return first


def _learn_short_form(
    book: SpeakerBook, tokens: list[Token], at: int, end: int
) -> None:
    """ "Ministry of Information Technology and Telecommunication (MoITT)",
    'Tamarind Power Systems Ltd. ("Tamarind")': the short form names what its
    initials or its word pick out of the capitalised words before it."""
    short = join_tokens([t for t in tokens[at + 1 : end - 1] if t.is_word])
    start = at
    while start > 0 and (
        tokens[start - 1].is_capitalized
        or (
            tokens[start - 1].text == "."
            and start > 1
            and tokens[start - 2].is_capitalized
        )
        or (
            tokens[start - 1].lower in _NAME_LINKS
            and start > 1
            and tokens[start - 2].is_capitalized
        )
    ):
        start -= 1
    words = [t for t in tokens[start:at] if t.is_word]
    letters = [c.lower() for c in short if c.isupper()]
    if len(letters) >= 2:
        # The shortest tail of capitalised words whose initials spell it.
        for k in range(len(words) - 1, -1, -1):
            initials = [t.lower[0] for t in words[k:] if t.is_capitalized]
            if initials == letters:
                book.alias(short, join_tokens(_from(tokens, words[k], at)))
                return
    elif short.lower() in {t.lower for t in words}:
        first = next(t for t in words if t.is_capitalized and not is_title(t))
        book.alias(short, join_tokens(_from(tokens, first, at)))


def _from(tokens: list[Token], first: Token, at: int) -> list[Token]:
    """The name's words from ``first`` to the bracket, as a mention keeps them
    (without the period of "Ltd.")."""
    return [t for t in tokens[:at] if t.start >= first.start and t.text != "."]


def _learn_group(book: SpeakerBook, tokens: list[Token], at: int) -> None:
    """ "a delegation from the Chinese company Galaxy Space" → Galaxy Space delegation."""
    end = at + 2
    last_run: tuple[int, int] | None = None
    run_start = None
    while end < len(tokens) and end - at < _ORG_WINDOW and tokens[end].is_word:
        inside = (
            run_start is not None
            and tokens[end].lower in ("of", "for", "and", "&")
            and end + 1 < len(tokens)
            and tokens[end + 1].is_capitalized
        )
        if tokens[end].is_capitalized:
            run_start = end if run_start is None else run_start
            last_run = (run_start, end + 1)
        elif not inside:
            run_start = None
        end += 1
    if last_run is None:
        return
    organization = join_tokens(tokens[last_run[0] : last_run[1]])
    title = join_tokens(tokens[at : last_run[1]])
    book.learn_group(tokens[at].lower, organization, title)


def sentence_subject(tokens: list[Token], first: int) -> Mention | None:
    """The mention a sentence opens with ("The delegation members also …",
    "Ana Ruiz, the director, spoke …"), or else the one past a short
    introductory phrase ("Last year, …"). A bare name counts only before a
    verb people do ("Ana Ruiz spoke …"): "South Africa has …" is no
    antecedent for "she"."""
    mention = _subject_at(tokens, first)
    if mention is None:
        for i in range(first, min(len(tokens), first + 6)):
            if tokens[i].text == ",":
                return _subject_at(tokens, i + 1)
    return mention


def _subject_at(tokens: list[Token], start: int) -> Mention | None:
    run, stop = run_after(tokens, start)
    if (
        len(run) == 1
        and stop + 1 < len(tokens)
        and tokens[stop].text.isalpha()
        and tokens[stop + 1].text == ","
    ):
        run, stop = [*run, tokens[stop]], stop + 1  # "The regulator, …"
    mention = build_mention(run) if run else None
    if run and stop < len(tokens) and tokens[stop].text == ",":
        mention, stop = _with_apposition(tokens, run, mention, stop)
    if mention is None or stop >= len(tokens) or not tokens[stop].is_word:
        return None
    if not mention.name or mention.title:
        return mention
    if mention.kind == "person" and tokens[stop].lower not in _HUMAN_VERBS:
        return None
    return mention


def _with_apposition(
    tokens: list[Token], run: list[Token], mention: Mention | None, comma: int
) -> tuple[Mention | None, int]:
    """ "Ana Ruiz, a senior official, spoke", "A senior official, Ana Ruiz,
    spoke", "The regulator, the Port Board, has": the one named, titled by the
    other; and the token after the apposition."""
    past = _past_apposition(tokens, comma)
    if past == comma:
        return mention, comma
    other_run, end = run_after(tokens, comma + 1)
    other = build_mention(other_run) if other_run and end == past - 1 else None
    if other is not None and other.name and not (mention and mention.name):
        words = [t for t in run if t.lower not in DETERMINERS]
        head = (mention.title or mention.group) if mention else join_tokens(words)
        return replace(other, title=other.title or head), past
    if mention is not None and mention.name and not mention.title:
        title = apposition_title(tokens[comma + 1 : past - 1])
        return (replace(mention, title=title) if title else mention), past
    return mention, past


def _past_apposition(tokens: list[Token], comma: int) -> int:
    """The token after an apposition's closing comma, or ``comma`` itself if
    none closes within reach."""
    for i in range(comma + 1, min(len(tokens), comma + _ORG_WINDOW * 2)):
        if tokens[i].text == ",":
            return i + 1
        if not (tokens[i].is_word or tokens[i].text in "’'-"):
            break
    return comma
