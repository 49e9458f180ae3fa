"""Speaker mentions: "Gilgit Baltistan Chief Minister Haji Gulbar Khan", "the
prime minister", "Xu Ming", "he", "the delegation members".

A mention is built from a short run of tokens found next to a reporting verb
(scanning.py) and split into the title ("Governor of Xinjiang") and the name
("Erkin Tuniyaz"), or read as a pronoun or a group.
"""

from dataclasses import dataclass

from .lexicon import (
    COMPLEMENT_WORDS,
    CONNECTORS,
    DETERMINERS,
    GROUP_WORDS,
    HONORIFICS,
    NAME_PARTICLES,
    ORG_WORDS,
    POSSESSIVES,
    PRONOUNS,
    SPOKES_WORDS,
    TITLE_WORDS,
)
from .tokens import Token, inner_possessive, is_title, join_tokens

_COMPLEMENT_STARTS = frozenset({"of", "for", "to", "on", "at"})
_SURNAME_TITLES = frozenset({"sheikh", "king", "bishop", "judge", "marshal", "dean"})
_GROUP_PLACE_LINKS = frozenset({"at", "of", "from", "in"})
AFFILIATION_LINKS = frozenset({"of", "at", "from"})


@dataclass(frozen=True)
class Mention:
    """Who a reporting verb is attributed to, as written."""

    start: int
    end: int
    name: str = ""
    title: str = ""
    pronoun: str = ""
    group: str = ""
    words: str = ""  # the mention without its determiner
    definite: bool = False  # "the official": someone named before

    @property
    def kind(self) -> str:
        if self.pronoun:
            return PRONOUNS[self.pronoun]
        if self.group or _names_a_body(self.title):
            return "organization"
        tokens = self.name.lower().split()
        if any(t in ORG_WORDS for t in tokens) or (
            len(tokens) == 1 and self.name.isupper() and len(self.name) > 2
        ):
            return "organization"
        return "person"


def _names_a_body(title: str) -> bool:
    """ "campaign group", "infrastructure company": not a person's title."""
    head = title.rsplit(None, 1)[-1].lower() if title else ""
    return head in GROUP_WORDS and head not in TITLE_WORDS


def merge(first: Mention, second: Mention) -> Mention:
    """A mention and its apposition: "the mayor, Maria López"."""
    return Mention(
        start=min(first.start, second.start),
        end=max(first.end, second.end),
        name=first.name or second.name,
        title=first.title or second.title,
        group=first.group if not (first.name or second.name) else "",
        words=f"{first.words}, {second.words}",
    )


def build_mention(run: list[Token]) -> Mention | None:
    words = [t for t in run if t.text != "."]
    # "the official", and "its chief executive" (one person: not "its staff").
    definite = bool(words) and (
        words[0].lower in ("the", "this", "that")
        or (words[0].lower in POSSESSIVES and not words[-1].lower.endswith("s"))
    )
    while words and (words[0].lower in DETERMINERS or words[0].lower in POSSESSIVES):
        words = words[1:]
    while words and (
        words[-1].lower in CONNECTORS or words[-1].lower in NAME_PARTICLES
    ):
        words = words[:-1]
    if not words:
        return None
    start, end = run[0].start, words[-1].end
    text = join_tokens(words)
    if len(words) == 1 and words[0].lower in PRONOUNS:
        return Mention(start, end, pronoun=words[0].lower, words=text)
    linked = any(t.lower in ("for", "of", "at", "from") for t in words)
    if _is_group(words) and not words[-1].is_capitalized and not linked:
        return Mention(start, end, group=text, words=text, definite=definite)
    title, name = split_title(words)
    if not title and (cut := _named_after_noun(words)):
        # "the campaign group Save Thornbury Births": the group is its name.
        name_text, title_text = join_tokens(words[cut:]), join_tokens(words[:cut])
        return Mention(start, end, name=name_text, title=title_text, words=text)
    if not title and _is_group(words):
        return Mention(start, end, group=text, words=text, definite=definite)
    title, name = _split_affiliation(title, name)
    title, name = _split_office(title, name)
    if not _is_name(name):
        return None
    name = [t for t in name if t.lower not in HONORIFICS]
    name_text = join_tokens(name)
    title_text = join_tokens(title)
    if not title and not name:
        return None
    return Mention(
        start, end, name=name_text, title=title_text, words=text, definite=definite
    )


def _is_name(name: list[Token]) -> bool:
    """Capitalised words, with particles ("van"), an organisation's inner
    words ("Ministry of the Interior") and a plural possessive ("Carriers'")."""
    organization = any(t.lower in ORG_WORDS for t in name)
    for k, token in enumerate(name):
        lower = token.lower
        inner = organization and (lower in CONNECTORS or lower in DETERMINERS)
        if not (
            token.is_capitalized
            or lower in NAME_PARTICLES
            or inner
            or inner_possessive(name, k)
        ):
            return False
    return True


def _named_after_noun(words: list[Token]) -> int:
    """Where the name starts in "infrastructure company Savanna Fibre Networks"
    (a lowercase group noun, then only capitalised words), or 0."""
    cut = len(words)
    while cut > 0 and words[cut - 1].is_capitalized:
        cut -= 1
    if not 0 < cut < len(words) or words[cut - 1].lower not in GROUP_WORDS:
        return 0
    if any(t.lower in AFFILIATION_LINKS or t.lower in CONNECTORS for t in words):
        return 0
    return cut


def _split_office(title: list[Token], name: list[Token]):
    """ "Federal Secretary | Petroleum Division Momin Akhtar Qureshi": after a
    title, an office named before the person belongs to the title."""
    if not title:
        return title, name
    last = max((k for k, t in enumerate(name) if t.lower in ORG_WORDS), default=-1)
    person = name[last + 1 :]
    if last < 0 or len(person) < 2 or not all(t.is_capitalized for t in person):
        return title, name
    return [*title, *name[: last + 1]], person


def _split_affiliation(title: list[Token], name: list[Token]):
    """ "Peter Lang of the Institute for Fiscal Research": the words after "of"
    are his affiliation, part of the title, not of the name."""
    for k, token in enumerate(name):
        if k and token.lower in AFFILIATION_LINKS:
            before = name[:k]
            if len(before) < 2 or any(t.lower in ORG_WORDS for t in before):
                break  # "Ministry of Finance", "Bank of England": one name
            return [*title, *name[k:]], before
    return title, name


def _is_group(words: list[Token]) -> bool:
    """ "the delegation members", "Officials", "researchers at the Institute" —
    but "Environment Agency" is a name."""
    heads = [i for i, t in enumerate(words) if t.lower in GROUP_WORDS]
    if not heads:
        return False
    if heads[-1] == len(words) - 1 and not words[-1].is_capitalized:
        return True  # "the delegation members", "Union leaders"
    first = heads[0]
    if not words[first].is_capitalized:
        return True
    # A capitalised group word opening a sentence: "Officials", "Traders in
    # Karachi", "Officials of the ministry" — but "Ministry of Finance" is a name.
    if first != 0:
        return False
    if len(words) == 1:
        return True
    link = words[1].lower
    return link in ("in", "at", "from") or (
        link == "of" and words[0].lower.endswith("s")
    )


def spoken_for(mention: Mention) -> str:
    """The organisation a spokesperson speaks for ("a spokeswoman for the
    bakers' union" → "bakers' union"), or ""."""
    title = mention.title.split()
    if mention.name or len(title) < 3 or title[0].lower() not in SPOKES_WORDS:
        return ""
    if title[1].lower() not in ("for", "of"):
        return ""
    rest = title[2:]
    if rest and rest[0].lower() in DETERMINERS:
        rest = rest[1:]
    return " ".join(rest)


def group_organization(words: str) -> tuple[str, str]:
    """("researchers", "Nordic Institute") from "researchers at the Nordic Institute"."""
    for link in (" at ", " of ", " from ", " with ", " in "):
        if link in words:
            head, _, organization = words.partition(link)
            for article in ("the ", "The "):
                organization = organization.removeprefix(article)
            return head.split()[-1].lower(), organization
    return words.split()[-1].lower(), ""


def split_title(words: list[Token]) -> tuple[list[Token], list[Token]]:
    """("Governor of Xinjiang", "Erkin Tuniyaz") from the words of a mention."""
    heads = [k for k, t in enumerate(words) if is_title(t)]
    if _ends_in_surname_title(words, heads):
        heads.pop()  # "Imran Sheikh", "Martin King": a surname
    if not heads:
        return [], words
    h = heads[-1]
    title, rest = words[: h + 1], words[h + 1 :]
    if rest and rest[0].lower in _COMPLEMENT_STARTS:
        cut = _complement_length(rest)
        title, rest = title + rest[:cut], rest[cut:]
    if rest and not any(t.is_capitalized for t in rest):
        return words, []
    return title, rest


def _ends_in_surname_title(words: list[Token], heads: list[int]) -> bool:
    last = len(words) - 1
    return (
        bool(heads)
        and heads[-1] == last > 0
        and words[-1].lower in _SURNAME_TITLES
        and not is_title(words[-2])
        and words[-2].is_capitalized
    )


def _complement_length(rest: list[Token]) -> int:
    """How many words after "of/for/to" still belong to the title."""
    k, consumed = 1, 0
    while k < len(rest):
        lower = rest[k].lower
        if lower in COMPLEMENT_WORDS:
            k, consumed = k + 1, consumed + 1
        elif lower in DETERMINERS or (lower in CONNECTORS and consumed):
            k += 1
        else:
            break
    if consumed:
        while k < len(rest) and rest[k].lower in ORG_WORDS:
            k += 1  # "for the Environment Agency"
        return k
    capitals = sum(1 for t in rest[k:] if t.is_capitalized)
    if not capitals or not rest[-1].is_capitalized:
        return len(rest)  # "for the bakers' union": all of it
    # "of the National Assembly", "of Harlow Foods": up to the organisation
    # word; otherwise a one-word place ("Governor of Sindh Farhan Ali").
    ends = [j for j in range(k, len(rest)) if rest[j].lower in ORG_WORDS]
    return ends[-1] + 1 if ends else k + 1


def apposition_title(phrase: list[Token]) -> str:
    """The title in "Xu Ming, chairman of Galaxy Space," (or "")."""
    if phrase and (phrase[0].lower in DETERMINERS or phrase[0].lower in POSSESSIVES):
        phrase = phrase[1:]
    while phrase and not phrase[-1].is_word:
        phrase = phrase[:-1]
    if not phrase or len(phrase) > 12 or not any(is_title(t) for t in phrase[:4]):
        return ""
    return join_tokens(phrase)
