"""The extraction pass: one walk over the paragraphs, in reading order.

Order matters for speakers (a pronoun refers back), so everything that names a
speaker is resolved as it is met. Quotations with no verb of their own ("…,” he
said. “…”) are attributed afterwards, from the quotation around them.
"""

import datetime
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from . import transcript
from .build import Said, build
from .classify import find_hedge
from .dates import find_stated
from .frames import Frame, after_quote, before_quote
from .lexicon import CUE_LEMMAS
from .mentions import build_mention
from .proposal import KnownSpeaker, Proposal
from .reported import adding_clause, is_vague, parse_sentence
from .segment import (
    Piece,
    count_words,
    first_content_token,
    is_heading,
    is_speech,
    is_statement,
    outside,
    paragraphs,
    quotations,
    split_sentences,
    tokens_span,
    trim,
    without_relative_clauses,
)
from .speakers import KnownSpeakers, Resolved, SpeakerBook
from .subjects import learn_header_names, learn_names, sentence_subject
from .tokens import Token, tokenize
from .worth import NARRATOR_THRESHOLD, TURN_THRESHOLD

MAX_SENTENCE_CHARS = 2000
# Where statements are made together: one time for all of them.
_OCCASIONS = re.compile(
    r"\b(committee|meeting|session|sitting|hearing|briefing|house|senate|"
    r"assembly|forum|conference|summit|panel)\b"
)
# Quoted words inside reported speech make it a (partial) direct quote.
QUOTED_WORDS = re.compile(r"[“\"«]([^“”\"«»\n]{1,600})[”\"»]")
CUE_WORDS = frozenset([*CUE_LEMMAS, "that"])
_QUOTE_TRIM = " \t\n,;:—–-"


@dataclass
class Utterance:
    """The quoted words of one sentence (or a run of them), to be attributed."""

    spans: list[tuple[int, int]]
    quotations: frozenset[int]
    paragraph: int
    sentence: int
    said: Said | None = None
    context: Said | None = None
    rule: str = ""
    merged: bool = False
    target: "Utterance | None" = None


@dataclass
class Extraction:
    """The state of one ``extract()`` call: created, run once, dropped."""

    text: str
    published: datetime.date | None
    book: SpeakerBook
    proposals: list[Proposal] = field(default_factory=list)
    utterances: list[Utterance] = field(default_factory=list)
    bare_frames: dict[int, Said] = field(default_factory=dict)
    occasions: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    last_said: Said | None = None
    sentence: int = 0
    _tokens: list[Token] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)

    def run(self) -> list[Proposal]:
        paras = paragraphs(self.text)
        found = quotations(self.text, paras)
        speech: dict[int, list[tuple[Piece, int]]] = {}
        for number, quotation in enumerate(found):
            para_start = paras[quotation.pieces[0].paragraph][0]
            if is_speech(self.text, quotation, para_start, CUE_WORDS):
                for piece in quotation.pieces:
                    speech.setdefault(piece.paragraph, []).append((piece, number))
        turns = transcript.find_turns(self.text, paras)
        first_turn = min(turns, default=len(paras))
        mostly_turns = len(turns) * 2 >= len(paras)
        header = self._session_date(paras[0][0], paras[first_turn][0]) if turns else []
        interviewee = None
        said: Said | None = None
        for index, (lo, hi) in enumerate(paras):
            if index in turns:
                interviewee = interviewee or self.book.first_person
                said = self._turn_speaker(turns[index], interviewee, header)
                self._turn(said, turns[index].body_start, hi)
            elif index > first_turn:
                if transcript.ends_turn(self.text, lo, hi):
                    said = None  # a heading or the record's own line
                self._turn(said, lo, hi)  # the turn goes on in a new paragraph
            elif turns:
                interviewee = interviewee or self._header(lo, hi)
            elif is_heading(self.text, lo, hi):
                learn_names(self.book, tokenize(self.text, lo, hi))
            else:
                pieces = sorted(speech.get(index, []), key=lambda item: item[0].open)
                self._paragraph(index, lo, hi, pieces, narrate=not mostly_turns)
        self._attribute_quotations()
        proposals = [self._settled(p) for p in self.proposals]
        return sorted(proposals, key=lambda p: (p.content_spans[0], p.rule))

    def _settled(self, proposal: Proposal) -> Proposal:
        name = proposal.speaker_name and self.book.settle(proposal.speaker_name)
        return replace(proposal, speaker_name=name) if name else proposal

    def _header(self, lo: int, hi: int) -> Resolved | None:
        """A transcript's header paragraph introduces who speaks ("Guest:
        Ing. Ana Ruiz, …"): its names are learned, and the guest's returned."""
        guest = learn_header_names(self.book, tokenize(self.text, lo, hi))
        if guest and transcript.GUEST_LINE.match(self.text, lo, hi):
            return self.book.resolve(guest)
        return None

    # -- paragraphs and sentences ---------------------------------------------

    def _paragraph(self, index: int, lo: int, hi: int, pieces, narrate: bool) -> None:
        masks = [(piece.start, piece.end) for piece, _ in pieces]
        # Tokenized once, around the quoted words; sentences take slices.
        self._tokens = []
        position = lo
        for start, end in [*masks, (hi, hi)]:
            self._tokens += tokenize(self.text, position, start)
            position = max(position, end)
        self._starts = [token.start for token in self._tokens]
        for s_lo, s_hi in split_sentences(self.text, lo, hi, masks):
            inside = [(p, q) for p, q in pieces if s_lo <= p.open < s_hi]
            if inside:
                self._quoted_sentence(index, s_lo, s_hi, inside)
            elif s_hi - s_lo <= MAX_SENTENCE_CHARS:
                self._plain_sentence(index, s_lo, s_hi, narrate)
            self.sentence += 1

    def _quoted_sentence(self, paragraph: int, lo: int, hi: int, pieces) -> None:
        runs = [
            (pieces[k][0].close, pieces[k + 1][0].open) for k in range(len(pieces) - 1)
        ]
        before = self._tokens_in(lo, pieces[0][0].open)
        learn_names(self.book, before)
        after = [(r, self._tokens_in(*r)) for r in [*runs, (pieces[-1][0].close, hi)]]
        for _, run_tokens in after:
            learn_names(self.book, run_tokens)
        said = None
        for (r_lo, r_hi), run_tokens in after:
            frame = after_quote(run_tokens)
            if frame is not None:
                inverted = frame.mention.start >= frame.cue.end
                rule = "quote-inverted" if inverted else "quote-cue-after"
                said = self._said(frame, rule, paragraph, [(r_lo, r_hi)])
                self._adding(run_tokens, said)
                break
        lead_in = None
        if said is None:
            frame, lead_in = before_quote(before)
            if frame is not None:
                rule = "quote-partial" if lead_in else "quote-cue-before"
                region = [(lo, pieces[0][0].open)]
                said = self._said(frame, rule, paragraph, region)
        spans = [
            span
            for piece, _ in pieces
            if (span := trim(self.text, piece.start, piece.end, _QUOTE_TRIM))
        ]
        if lead_in is not None:
            spans.insert(0, lead_in)
        if not spans:
            return
        utterance = Utterance(
            spans,
            frozenset(q for _, q in pieces),
            paragraph,
            self.sentence,
            said=said,
            context=self.last_said,
            rule=said.rule if said else "",
        )
        self.utterances.append(utterance)

    def _tokens_in(self, lo: int, hi: int) -> list[Token]:
        """The current paragraph's tokens within ``[lo, hi)``."""
        return self._tokens[
            bisect_left(self._starts, lo) : bisect_left(self._starts, hi)
        ]

    def _adding(self, tokens: list[Token], said: Said) -> None:
        """ "“…,” he said, adding that …": a second, reported claim."""
        found = adding_clause(tokens)
        if found is not None:
            self._add(
                build(
                    self.text,
                    [found[1]],
                    said,
                    "indirect",
                    "reported-adding",
                    said.regions,
                    self.published,
                )
            )

    def _plain_sentence(self, paragraph: int, lo: int, hi: int, narrate: bool) -> None:
        tokens = self._tokens_in(lo, hi)
        first = first_content_token(self.text, tokens, lo)
        reports = parse_sentence(tokens, first)
        learn_names(self.book, tokens)
        subject = sentence_subject(tokens, first)
        if reports:
            # Each report's time is searched outside every report's words:
            # "… that A, and expected B by March" is not said in March.
            claimed = [span for r in reports for span in r.content]
            for reported in reports:
                self._reported(paragraph, tokens, reported, claimed)
            if subject is not None and subject.kind == "organization" and subject.name:
                self.book.notice(subject)  # "Harlow Foods expects …, Doe said"
            return
        if subject is not None:
            self.book.notice(subject)
        if narrate:
            self._narrator(tokens, first)

    def _reported(self, paragraph, tokens: list[Token], reported, claimed) -> None:
        frame = reported.frame
        region = without_relative_clauses(tokens, outside(tokens_span(tokens), claimed))
        if reported.vague or self.book.unnamed(frame.mention):
            hedge = (frame.cue.start, frame.cue.end)
            self._add(
                build(
                    self.text,
                    list(reported.content),
                    None,
                    "hedged",
                    "hedged-source",
                    region,
                    self.published,
                    cue_span=hedge,
                )
            )
            return
        said = self._said(frame, reported.rule, paragraph, region)
        if not reported.content:
            self.bare_frames[self.sentence] = said
            return
        if reported.lead:
            self._add(
                build(
                    self.text,
                    [reported.lead],
                    None,
                    "narrator",
                    "narrator-lead",
                    [],
                    self.published,
                )
            )
        quoted = any(
            " " in m.group(1).strip()
            for span in reported.content
            for m in QUOTED_WORDS.finditer(self.text, *span)
        )
        self._add(
            build(
                self.text,
                list(reported.content),
                said,
                "direct_quote" if quoted else "indirect",
                "quote-partial" if quoted else reported.rule,
                said.regions,
                self.published,
            )
        )

    def _narrator(self, tokens: list[Token], first: int) -> None:
        if first >= len(tokens) or not is_statement(self.text, tokens, first):
            return
        span = (tokens[first].start, tokens[-1].end)
        hedge = find_hedge(self.text, *span)
        attribution = "hedged" if hedge else "narrator"
        proposal = build(
            self.text,
            [span],
            None,
            attribution,
            "hedge" if hedge else "narrator",
            [],
            self.published,
            cue_span=hedge,
        )
        if hedge or (proposal and proposal.checkworthiness >= NARRATOR_THRESHOLD):
            self._add(proposal)  # else nothing a fact-checker could check

    def _turn(self, said: Said | None, lo: int, hi: int) -> None:
        for s_lo, s_hi in split_sentences(self.text, lo, hi):
            words = self.text[s_lo:s_hi]
            if self._others_words(s_lo, s_hi) or said is None:
                continue  # "Critics say …", even in a question's preamble
            if (
                words.endswith("?")
                or count_words(words) < 4
                or transcript.is_filler(words)
            ):
                continue
            span = trim(self.text, s_lo, s_hi, _QUOTE_TRIM)
            proposal = span and build(
                self.text,
                [span],
                said,
                "direct_quote",
                "transcript-turn",
                said.regions,
                self.published,
            )
            # Pleasantries and procedure ("I move that the bill be read") are
            # left out; a speaker's opinion or undertaking never is.
            if proposal and (
                proposal.checkworthiness >= TURN_THRESHOLD or proposal.kind != "fact"
            ):
                self._add(proposal)

    def _others_words(self, lo: int, hi: int) -> bool:
        """A turn's sentence that passes on what others said: unnamed ones
        ("Critics say the authority loses more than it saves"), a hedged claim
        of no speaker, or a named or titled one ("The minister told this House
        in March that the base would open by May 1"), that one's claim. Not
        the turn's speaker's own either way ("I told …" is)."""
        tokens = tokenize(self.text, lo, hi)
        asks = self.text[lo:hi].rstrip().endswith("?")  # "Will the minister tell …?"
        others = [
            r
            for r in parse_sentence(tokens, first_content_token(self.text, tokens, lo))
            if r.content and (r.vague or not (r.frame.mention.pronoun or asks))
        ]
        for reported in others:
            self._reported(0, tokens, reported, list(reported.content))
        return bool(others)

    def _session_date(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """Where a transcript's header dates the session (searched once), not
        counting when it was published ("Published: 22 April 2026")."""
        regions = transcript.session_regions(self.text, lo, hi)
        found = find_stated(self.text, regions, self.published)
        return [(found.start, found.end)] if found else []

    def _turn_speaker(self, turn: transcript.Turn, interviewee, header) -> Said | None:
        """Who speaks in ``turn``; None for the interviewer. The turn was said
        when the header says the session was held ("…, 12 February 2026"),
        else at publication."""
        if turn.role == "interviewer":
            return None
        if turn.role == "answer":
            speaker = interviewee
        else:
            name = transcript.label_as_name(turn.name or turn.label)
            words = tokenize(name, 0, len(name))
            mention = build_mention(words)
            if mention is not None and turn.title and not mention.title:
                mention = replace(mention, title=turn.title)
            speaker = self.book.resolve(mention) if mention else None
        if speaker is None:
            return None
        said = Said(
            speaker,
            (turn.label_start, turn.label_end),
            None,
            "",
            "transcript-turn",
            header,
            turn.paragraph,
        )
        self.last_said = said
        return said

    # -- attribution ------------------------------------------------------------

    def _said(self, frame: Frame, rule: str, paragraph: int, regions) -> Said:
        vague = is_vague(frame.mention)
        speaker = None if vague else self.book.resolve(frame.mention)
        own = list(regions)
        regions = list(regions)
        previous = self.last_said
        if (
            speaker is not None
            and previous is not None
            and previous.speaker is not None
            and previous.speaker.name == speaker.name
            and paragraph - previous.paragraph <= 2
        ):
            # The same speaker again ("she added"): the same occasion, unless
            # this frame names its own time (it is searched first).
            regions += previous.regions
        regions += self._occasion(own)
        said = Said(
            speaker,
            (frame.mention.start, frame.mention.end),
            (frame.cue.start, frame.cue.end),
            frame.cue.lemma,
            rule,
            regions,
            paragraph,
        )
        if speaker is not None:
            self.last_said = said
        return said

    def _occasion(self, regions) -> list[tuple[int, int]]:
        """A committee or a sitting named again ("the secretary informed the
        committee that …"): the time the article gave it first, if this
        frame gives none. The first dated mention of each occasion is kept."""
        words = " ".join(self.text[a:b] for a, b in regions).lower()
        found = _OCCASIONS.findall(words)
        new = [word for word in found if word not in self.occasions]
        if new and find_stated(self.text, regions, self.published):
            self.occasions.update(dict.fromkeys(new, tuple(regions)))
        return [r for word in found for r in self.occasions.get(word, ())]

    def _attribute_quotations(self) -> None:
        by_sentence = {u.sentence: u for u in self.utterances}
        framed_quotation: dict[int, Said] = {}
        for u in self.utterances:
            if u.said is not None:
                for q in u.quotations:
                    framed_quotation.setdefault(q, u.said)
        for u in self.utterances:
            if u.said is not None:
                continue
            self._attribute(u, by_sentence, framed_quotation)
            if u.said is not None:  # its quotation may run on: same speaker
                for q in u.quotations:
                    framed_quotation.setdefault(q, u.said)
        for u in self.utterances:
            if not u.merged:
                self._quoted(u)

    def _quoted(self, u: Utterance) -> None:
        self._add(
            build(
                self.text,
                sorted(u.spans),
                u.said,
                "direct_quote",
                u.rule or "quote-unattributed",
                u.said.regions if u.said else [],
                self.published,
                attribution_if_unknown="hedged",
            )
        )

    def _attribute(self, u: Utterance, by_sentence, framed_quotation) -> None:
        previous = by_sentence.get(u.sentence - 1)
        following = by_sentence.get(u.sentence + 1)
        for q in u.quotations:
            if q in framed_quotation:
                u.said, u.rule = framed_quotation[q], "quote-multi-paragraph"
                return
        if previous and previous.paragraph == u.paragraph and previous.said:
            target = previous.target or previous
            target.spans.extend(u.spans)
            u.merged, u.said, u.target = True, previous.said, target
            return
        if following and following.paragraph == u.paragraph and following.said:
            following.spans[:0] = u.spans
            u.merged, u.said, u.target = True, following.said, following
            return
        bare = self.bare_frames.get(u.sentence + 1)
        if bare is not None:
            u.said, u.rule = bare, "quote-cue-after"
            return
        context = u.context
        if context is not None and context.paragraph >= u.paragraph - 1:
            u.said, u.rule = context, "quote-continued"

    def _add(self, proposal: Proposal | None) -> None:
        if proposal is not None:
            self.proposals.append(proposal)


def extract_text(
    text: str,
    published_on: datetime.date | None,
    known_speakers: Sequence[KnownSpeaker] | KnownSpeakers,
) -> list[Proposal]:
    book = SpeakerBook(known_speakers)
    return Extraction(text, published_on, book).run()
