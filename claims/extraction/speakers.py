"""Who said it: resolving mentions to one name per speaker within a text.

A ``SpeakerBook`` lives for one ``extract()`` call. It knows the speakers passed
in (by name and alias), learns the people a text introduces ("Federal Minister
… Shaza Fatima Khawaja"), and resolves later short forms to them: a surname or
part of the name ("PM Shehbaz"), a title ("the prime minister"), a group noun
("the delegation members") and pronouns ("he", "they") via the last speaker or
sentence subject of the fitting kind.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sources.text import name_key

from .lexicon import (
    GENERIC_ORGANIZATIONS,
    GROUP_WORDS,
    MEMBER_GROUPS,
    NAME_PARTICLES,
    TITLE_ABBREVIATIONS,
    TITLE_WORDS,
    UNNAMED,
)
from .mentions import Mention, group_organization, spoken_for
from .proposal import KnownSpeaker

_TITLE_BREAKS = (" of ", " for ", " to ", " on ", " at ")
_RECENT_ORGANIZATIONS = 24


@dataclass(eq=False)
class Entry:
    name: str
    title: str
    kind: str
    known: bool = False
    last_used: int = 0
    tokens: frozenset[str] = frozenset()  # of the name, for part-of-name matches


@dataclass(frozen=True)
class Resolved:
    name: str
    title: str
    kind: str
    via: str  # known, name, surname, title, group, pronoun or new


def normalize(words: str) -> str:
    """Lower case, straight apostrophes, no article, abbreviations spelled out."""
    text = " ".join(words.lower().replace("’", "'").split())
    for article in ("the ", "a ", "an "):
        if text.startswith(article):
            text = text[len(article) :]
    text = text.removesuffix("'s")
    return " ".join(TITLE_ABBREVIATIONS.get(w, w) for w in text.split())


def known_key(words: str) -> str:
    """How a known speaker's name or alias is looked up: ``normalize``d, then
    under the database's look-alike key (``sources.text.name_key``, the
    TR39 skeleton), so that a spelling ``find_or_create_speaker`` would match
    to a speaker (a Cyrillic letter, a zero-width space) is that speaker here
    too, and a merged speaker's old name, an alias of the speaker it was
    merged into, finds the latter."""
    return name_key(normalize(words))


def title_head(title: str) -> str:
    """ "federal minister for economic affairs" → "federal minister";
    "federal secretary petroleum division" → "federal secretary" (an office
    named after the title word is not part of its head)."""
    text = normalize(title)
    for word in _TITLE_BREAKS:
        text = text.split(word, 1)[0]
    words = text.split()
    last = max((k for k, w in enumerate(words) if w in TITLE_WORDS), default=-1)
    return " ".join(words[: last + 1]) if last >= 0 else text


def _within(head: str, title: str) -> bool:
    """ "PTA chairman" within "Chairman Pakistan Telecommunication Authority
    Major General": each word of the short form is a word of the long one or
    the initials of some of its capitalised words."""
    words = normalize(title).split()
    initials = "".join(w[0] for w in title.split() if w[:1].isupper()).lower()
    return all(w in words or (len(w) > 1 and w in initials) for w in head.split())


def _name_tokens(name: str) -> frozenset[str]:
    return frozenset(t for t in normalize(name).split() if t not in NAME_PARTICLES)


class KnownSpeakers:
    """Speakers already in the database, indexed by normalized name or alias
    and by name token. Built once, it can serve any number of extractions
    (claims/services/proposals.py keeps one per process and adds new speakers
    to it); a SpeakerBook only reads it."""

    def __init__(self, known: Iterable[KnownSpeaker] = ()):
        self.by_name: dict[str, KnownSpeaker] = {}
        # token → (all tokens of a name or alias, its speaker)
        self.by_token: dict[str, list[tuple[frozenset[str], KnownSpeaker]]] = {}
        self.add(known)

    def add(self, known: Iterable[KnownSpeaker]) -> None:
        """Index ``known``, which come after those indexed already (a name
        keeps the first speaker that had it)."""
        for speaker in known:
            for alias in (speaker.name, *speaker.aliases):
                if alias and alias.strip():
                    self.by_name.setdefault(known_key(alias), speaker)
                    tokens = _name_tokens(alias)
                    for token in tokens:
                        self.by_token.setdefault(token, []).append((tokens, speaker))


class SpeakerBook:
    def __init__(self, known: Sequence[KnownSpeaker] | KnownSpeakers = ()):
        if not isinstance(known, KnownSpeakers):
            known = KnownSpeakers(known)
        self._known = known.by_name
        self._known_tokens = known.by_token
        self._entries: dict[str, Entry] = {}
        self._by_token: dict[str, list[Entry]] = {}
        self._by_title: dict[str, dict[str, Entry]] = {}
        self._groups: dict[str, Entry] = {}
        self._last: dict[str, Entry] = {}
        self._recent_orgs: list[Entry] = []
        self._used: set[str] = set()  # known speakers this text has named
        self._clock = 0
        # Entries for a title that named nobody yet: "its chief executive".
        self._placeholders: dict[str, str] = {}

    # -- public -------------------------------------------------------------

    def resolve(self, mention: Mention) -> Resolved | None:
        """The speaker ``mention`` stands for; it becomes the latest antecedent."""
        if mention.pronoun:
            entry = self._antecedent(mention.pronoun)
            if entry is None:
                return None
            self._touch(entry)
            return Resolved(entry.name, entry.title, entry.kind, "pronoun")
        organization = spoken_for(mention)
        if organization:
            return self._resolve_spokesperson(mention, organization)
        entry, via = self._find(mention)
        if entry is None:
            entry, via = self._add(mention), "new"
        elif mention.name and mention.title:
            # Named once bare, then with a title: "the minister" finds them.
            self._entry(entry.name, mention.title, entry.kind)
        self._touch(entry)
        return Resolved(entry.name, mention.title or entry.title, entry.kind, via)

    def _resolve_spokesperson(self, mention: Mention, organization: str) -> Resolved:
        """A spokesperson's words are the organisation's; "she" later still
        refers to the spokesperson, so to the organisation."""
        stand_in = Mention(
            mention.start, mention.end, name=organization, words=organization
        )
        entry, via = self._find(stand_in)
        if entry is None and organization.islower():  # "for the board"
            entry, via = self._match_group(organization), "group"
        if entry is None:
            entry, via = self._entry(organization, "", "organization"), "new"
        self._touch(entry)
        self._last["person"] = entry
        return Resolved(entry.name, mention.title, entry.kind, via)

    def notice(self, mention: Mention) -> None:
        """A sentence subject: a candidate antecedent for later pronouns (the
        caller decides which subjects qualify)."""
        if mention.pronoun or not (mention.name or mention.group or mention.title):
            return
        entry, _ = self._find(mention)
        if entry is None:
            entry = self._add(mention)
        if entry is not None:
            self._touch(entry)

    def settle(self, name: str) -> str | None:
        """Who a title that named nobody yet turned out to be: "its chief
        executive said" in a lead, "Terminal Costa Central chief executive
        Ignacio Ferreyra" a paragraph later; only if one person fits."""
        title = self._placeholders.get(name)
        head = title_head(title) if title else ""
        if not head:
            return None
        fits = {
            e.name
            for e in self._by_title.get(head.split()[-1], {}).values()
            if e.name not in self._placeholders
            and (
                (entry_head := title_head(e.title)) == head
                or entry_head.endswith(" " + head)
            )
        }
        return fits.pop() if len(fits) == 1 else None

    def unnamed(self, mention: Mention) -> bool:
        """ "The official said" with no official named before it: nobody a
        reader could ask, like "an official said"."""
        if mention.name or mention.pronoun or not mention.definite:
            return False
        words = normalize(mention.title or mention.group).split()
        return bool(words) and words[-1] in UNNAMED and self._find(mention)[0] is None

    @property
    def first_person(self) -> Resolved | None:
        """The first person the text named: an interview's interviewee."""
        entry = next((e for e in self._entries.values() if e.kind == "person"), None)
        return (
            Resolved(entry.name, entry.title, entry.kind, "context") if entry else None
        )

    @property
    def last_person(self) -> Resolved | None:
        entry = self._last.get("person")
        return (
            Resolved(entry.name, entry.title, entry.kind, "context") if entry else None
        )

    def learn(self, mention: Mention, untitled: bool = False) -> None:
        """A titled name seen anywhere (or, from a transcript's header, any
        name): known for later short forms only."""
        if mention.name and (mention.title or untitled):
            entry, _ = self._find(mention)
            if entry is None:
                self._add(mention)

    def alias(self, short: str, full: str) -> None:
        """ "MoITT" and "Tamarind" name what "Ministry of … (MoITT)" and
        'Tamarind Power Systems Ltd. ("Tamarind")' introduced."""
        mention = Mention(0, 0, name=full, words=full)
        entry, _ = self._find(mention)
        if entry is None:
            entry = self._add(mention)
        self._entries.setdefault(normalize(short), entry)

    def learn_group(self, head: str, organization: str, title: str) -> None:
        """ "a delegation from … Galaxy Space" → the "Galaxy Space delegation";
        "researchers at the Institute" → the Institute."""
        self._groups[head.lower()] = self._group_entry(head, organization, title)

    def _group_entry(self, head: str, organization: str, title: str) -> Entry:
        head = head.lower()
        names = [f"{organization} {head}", organization]
        if head in MEMBER_GROUPS:
            names.reverse()
        for name in names:
            known = self._known.get(known_key(name))
            if known is not None:
                entry = self._entry(known.name, title, known.kind)
                entry.known = True
                return entry
        return self._entry(names[0], title, "organization")

    # -- matching -----------------------------------------------------------

    def _find(self, mention: Mention) -> tuple[Entry | None, str]:
        known = self._match_known(mention)
        if known is not None:
            entry = self._entry(known.name, mention.title, known.kind)
            entry.known = True
            self._used.add(known_key(known.name))
            return entry, "known"
        if mention.name:
            return self._match_name(mention.name)
        if mention.group:
            head, organization = group_organization(mention.group)
            if organization:
                return self._group_entry(head, organization, mention.group), "group"
            if mention.definite and head in TITLE_WORDS:
                # "the official", "its chief executive": someone titled so.
                titled = self._match_title(mention.group)
                if titled is not None:
                    return titled, "title"
            return self._match_group(mention.group), "group"
        if mention.title:
            return self._match_title(mention.title), "title"
        return None, ""

    def _match_known(self, mention: Mention) -> KnownSpeaker | None:
        if not self._known:
            return None
        candidates = (
            mention.words,
            f"{mention.title} {mention.name}",
            mention.name,
            mention.title,
            mention.group,
        )
        for words in dict.fromkeys(candidates):
            key = known_key(words) if words.strip() else ""
            if key and key in self._known:
                return self._known[key]
        # Otherwise only a part of a full name ("Shaza Fatima" of "Shaza Fatima
        # Khawaja"), never a common word: "the mayor's office" is not the known
        # "City finance office".
        wanted = _name_tokens(mention.name) if mention.name else frozenset()
        if mention.group:
            return None
        if not wanted:
            return None
        last = normalize(mention.name).split()[-1]
        fits = {
            s.name: s
            for tokens, s in self._known_tokens.get(last, ())
            if wanted <= tokens
        }
        if len(wanted) == 1:
            # A lone surname ("Khan") is a known speaker only once this text
            # has named them in full.
            fits = {n: s for n, s in fits.items() if known_key(n) in self._used}
        return self._most_recent_known(list(fits.values()))

    def _most_recent_known(self, fits: list[KnownSpeaker]) -> KnownSpeaker | None:
        if len(fits) <= 1:
            return fits[0] if fits else None
        used = [
            (self._entries[s.name].last_used, s)
            for s in fits
            if s.name in self._entries
        ]
        return max(used, key=lambda pair: pair[0])[1] if used else None

    def _match_name(self, name: str) -> tuple[Entry | None, str]:
        key = normalize(name)
        if key in self._entries:
            return self._entries[key], "name"
        wanted = _name_tokens(name)
        # "P. Sandhu" is Parminder Sandhu: an initial matches a name's first
        # letter, the rest must be whole.
        initials = {t for t in wanted if len(t) == 1}
        wanted -= initials
        if not wanted:
            return None, ""
        fits = self._fits(key, wanted, initials)
        if not fits:
            return None, ""
        return max(fits, key=lambda e: e.last_used), "surname"

    def _fits(self, key: str, wanted: frozenset[str], initials: set[str]) -> list:
        def initials_fit(entry: Entry) -> bool:
            rest = {t[0] for t in entry.tokens - wanted}
            return initials <= rest

        last = key.split()[-1]
        fits = [e for e in self._by_token.get(last, ()) if wanted <= e.tokens]
        if not fits:
            fits = [
                e
                for token in wanted
                for e in self._by_token.get(token, ())
                if wanted <= e.tokens
            ]
        return [e for e in fits if initials_fit(e)]

    def _match_group(self, group: str) -> Entry | None:
        """A group seen before ("the delegation members"), or for "the
        company"/"the ministry" the latest organisation of that sort."""
        words = normalize(group).split()
        for word in reversed(words):
            if word in self._groups:
                return self._groups[word]
        if len(words) != 1:
            return None
        head = words[0]
        fits = [e for e in self._recent_orgs if head in normalize(e.name).split()]
        if not fits and head in GENERIC_ORGANIZATIONS:
            fits = list(self._recent_orgs)
        return max(fits, key=lambda e: e.last_used) if fits else None

    def _match_title(self, title: str) -> Entry | None:
        head = title_head(title)
        if not head:
            return None
        fits = [
            e
            for e in self._by_title.get(head.split()[-1], {}).values()
            if (entry_head := title_head(e.title)) == head
            or entry_head.endswith(" " + head)
            or head.endswith(" " + entry_head)
            or (" " in head and _within(head, e.title))
        ]
        return max(fits, key=lambda e: e.last_used) if fits else None

    def _antecedent(self, pronoun: str) -> Entry | None:
        if pronoun in ("he", "she"):
            return self._last.get("person")
        return self._last.get("organization")

    # -- bookkeeping --------------------------------------------------------

    def _add(self, mention: Mention) -> Entry:
        name = mention.name or mention.group or mention.title
        for article in ("the ", "The ", "a ", "A ", "an ", "An "):
            name = name.removeprefix(article)
        entry = self._entry(name, mention.title, mention.kind)
        if not mention.name and mention.definite:
            self._placeholders.setdefault(entry.name, name)
        if mention.group:
            for word in normalize(mention.group).split():
                if word in GROUP_WORDS:
                    self._groups.setdefault(word, entry)
        return entry

    def _entry(self, name: str, title: str, kind: str) -> Entry:
        key = normalize(name)
        entry = self._entries.get(key)
        if entry is None:
            entry = Entry(name, title, kind, tokens=_name_tokens(name))
            self._entries[key] = entry
            for token in entry.tokens:
                self._by_token.setdefault(token, []).append(entry)
        if title and not entry.title:
            entry.title = title
        # Under each title word: "the chairman" finds the "Chairman … Major
        # General" too.
        for word in normalize(title).split():
            if word in TITLE_WORDS:
                self._by_title.setdefault(word, {})[key] = entry
        return entry

    def _touch(self, entry: Entry) -> None:
        self._clock += 1
        entry.last_used = self._clock
        self._last["person" if entry.kind == "person" else "organization"] = entry
        if entry.kind != "person":
            if entry in self._recent_orgs:
                self._recent_orgs.remove(entry)
            self._recent_orgs.append(entry)
            del self._recent_orgs[:-_RECENT_ORGANIZATIONS]
