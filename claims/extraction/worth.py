"""Check-worthiness: how much a sentence gives a fact-checker to check.

Scored from what makes a statement checkable in the fact-checking literature
(ClaimBuster's "check-worthy factual sentences"; Full Fact's claim types):
numbers and quantities, dates, named people and bodies doing something,
comparisons, causes and the future. What cannot be checked lowers it: a
question, a vague or procedural line, an empty phrase. 0 to 1; the narrator's
sentences are proposed only from ``NARRATOR_THRESHOLD`` up, while a named
speaker's words are always proposed (their saying so is the claim).
"""

import re

from .classify import is_future

NARRATOR_THRESHOLD = 0.5
# A transcript turn is a named speaker's, but read sentence by sentence, so
# its pleasantries and procedure ("I move that the bill be read") are left out.
TURN_THRESHOLD = 0.3

_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|"
    r"millions|billion|billions|trillion|dozen|dozens|half|third|quarter|"
    r"double|doubled|triple|tripled|percent|per\s+cent)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:January|February|March|April|June|July|August|September|October|"
    r"November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday|yesterday|today|tomorrow|(?:last|next|this)\s+(?:week|month|year|"
    r"spring|summer|autumn|winter)|fiscal|quarter|(?:19|20)\d\d)\b"
)
_COMPARISON = re.compile(
    r"\b(?:more|less|fewer|than|higher|lower|highest|lowest|largest|smallest|"
    r"biggest|record|increase[ds]?|decrease[ds]?|rose|risen|fell|fallen|grew|"
    r"grown|dropped|declined|surged|jumped|doubled|halved|cut|raised|"
    r"compared|up\s+from|down\s+from|first|only|most|least)\b",
    re.IGNORECASE,
)
_CAUSE = re.compile(
    r"\b(?:because|due\s+to|owing\s+to|as\s+a\s+result|led\s+to|leads?\s+to|"
    r"caused?|causing|resulted\s+in|results?\s+in|blamed|thanks\s+to|"
    r"so\s+that|therefore|hence)\b",
    re.IGNORECASE,
)
# Verbs of doing and deciding: a named actor with one of these is news.
_ACTION = re.compile(
    r"\b(?:approved|rejected|signed|launched|opened|closed|announced|awarded|"
    r"allocated|spent|paid|fined|banned|raised|cut|built|completed|won|lost|"
    r"hired|fired|sacked|resigned|appointed|elected|passed|issued|granted|"
    r"applied|filed|sued|charged|arrested|imposed|lifted|suspended|cancelled|"
    r"canceled|delayed|postponed|acquired|bought|sold|invested|borrowed|"
    r"received|recorded|reported|reached|exceeded|missed|killed|injured|"
    r"damaged|collapsed|flooded|shut|reopened|agreed|voted|introduced|cast|"
    r"cited|presented|showed|shown|serves?|served|lapsed|stalled|expanded|"
    r"employs?|employed|owns?|owned|operates?|operated|controls?|controlled|"
    r"accused|admitted|denied|confirmed|warned|promised|pledged|ordered|"
    r"halted|stopped|started|began|ended|blocked|seized|raided|deported|"
    r"released|published|signed|ratified|vetoed|overturned|ruled|convicted|"
    r"acquitted|sentenced|hit|struck|destroyed|evacuated|rescued|died|"
    r"exported|imported|produced|supplied|delivered|shipped|connected|"
    r"installed|deployed|tested|trained|treated|vaccinated|enrolled|attended)\b",
    re.IGNORECASE,
)
# Lines with nothing to check: procedure, vague statements, site furniture.
_EMPTY = re.compile(
    r"\b(?:remains?\s+(?:a\s+)?(?:matter\s+of\s+debate|to\s+be\s+seen|unclear)|"
    r"time\s+will\s+tell|it\s+(?:is|was)\s+not\s+(?:yet\s+)?clear|"
    r"(?:the\s+)?(?:meeting|session|sitting|hearing)\s+(?:was|were)\s+"
    r"(?:attended|chaired|adjourned|held)|"
    r"chaired\s+by|was\s+adjourned|"
    r"read\s+more|click\s+here|subscribe|sign\s+up|share\s+this|"
    r"all\s+rights\s+reserved|for\s+more\s+information|"
    r"(?:is|are)\s+(?:among|one\s+of)\s+(?:many|several)\s+(?:issues|questions))\b",
    re.IGNORECASE,
)
# Bodies named by their common noun ("the council approved …") act too.
_BODY = re.compile(
    r"\b(?:the|a)\s+(?:[a-z]+\s+)?(?:council|government|ministry|minister|"
    r"department|agency|authority|regulator|committee|commission|court|police|"
    r"company|firm|operator|board|bank|parliament|assembly|senate|city|state|"
    r"province|mayor|president|governor|utility|union|university|hospital)\b",
    re.IGNORECASE,
)
# A capitalised word after the first: a name, a body, a place.
_NAME = re.compile(r"(?<=[\s(“\"'‘])[A-Z][\w’'-]*[a-z][\w’'-]*|\b[A-Z]{2,}\b")


# What each kind of checkable detail adds.
SIGNALS = ((_NUMBER, 0.4), (_DATE, 0.2), (_COMPARISON, 0.15), (_CAUSE, 0.15))


def checkworthiness(words: str) -> float:
    """How check-worthy ``words`` (one sentence or clause) are, 0 to 1."""
    text = " ".join(words.split())
    if not text or text.rstrip("”\"’' )").endswith("?"):
        return 0.1 if text else 0.0
    score = 0.1 + sum(weight for pattern, weight in SIGNALS if pattern.search(text))
    score += _actor(text)
    if is_future(text):
        score += 0.15
    if len(text.split()) < 5:
        score -= 0.2
    if _EMPTY.search(text):
        score -= 0.4
    return round(min(max(score, 0.0), 1.0), 2)


def _actor(text: str) -> float:
    """A named person or body doing something counts most; a name or a deed
    alone, less."""
    named = bool(_BODY.search(text)) or any(
        not _DATE.fullmatch(name) for name in _NAME.findall(text)
    )
    acting = bool(_ACTION.search(text))
    return 0.4 if named and acting else 0.1 if named or acting else 0.0
