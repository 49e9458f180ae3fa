"""A synthetic claimtrack corpus, bulk-loaded into PostgreSQL with COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench \\
        uv run python bench/generate_corpus.py --claims 100000

(The benches call :func:`generate` themselves; ``bench/generate_corpus.py``
only builds the corpus. This module imports no other bench.) Tops the
database up to ``--claims`` claims; deterministic for a given seed and
starting size, whatever ``--workers`` (the processes planning the text while
the main one loads it, one per CPU by default: each chunk of 5,000 claims is
planned from a seed of its own).

What it writes, all through the database guards (nothing is disabled):

- sources: news-like texts of 2,000 to 6,000 characters from a small template grammar,
  NFC with ``\\n`` newlines, with their SHA-256 and length (the insert trigger
  re-checks both);
- speakers with a Zipf-like share of the claims (a few speak a lot, most
  rarely), people and organizations, some with Wikidata ids;
- claims of every kind, mostly accepted, some proposed, each anchored by one or
  two content spans whose exact/prefix/suffix come from the text (the span
  trigger re-checks them), with the speaker/attribution and deadline rules of
  the model's constraints;
- the status ledger as the services write it: '' → initial status at version
  1, and for accepted claims possibly one more move at version 3 (a verdict
  with its evidence rows, the deferred trigger checks them at commit; overdue
  by the system user); the claim row is inserted with its final status (the
  status trigger fires only on UPDATE);
- one change-feed event per version (created v1, reviewed v2, status_changed
  v3), txid stamped by the trigger (one txid per loaded chunk); spans and
  evidence carry the version of the event that records them (1 and 3);
- the full-text documents, by one set-based ``INSERT … SELECT`` (the same
  expression as ``claims.search.REFRESH_SQL``).

Not written: simple-history rows (bulk loads skip them, as the services' own
bulk paths would); the history endpoint is not part of the benchmark.
"""

import bisect
import datetime as dt
import hashlib
import itertools
import json
import os
import random
import time
import unicodedata
from dataclasses import dataclass, field

CONTEXT = 32
# Fixed, so that a seed always gives the same corpus: deadlines before this
# day have passed, later ones are still open.
REFERENCE_DATE = dt.date(2026, 11, 27)
FIRST_DATE = dt.date(2022, 1, 3)
UTC = dt.UTC
CLAIMS_PER_CHUNK = 5000

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
FIRST_NAMES = [
    "Amina",
    "José",
    "Zoë",
    "Łukasz",
    "Chloé",
    "Søren",
    "Ayşe",
    "Raúl",
    "François",
    "Björn",
    "Mehmet",
    "Priya",
    "Kwame",
    "Ingrid",
    "Hiroshi",
    "Fatima",
    "Tomás",
    "Olga",
    "Wei",
    "Siobhán",
    "Dario",
    "Imran",
    "Leila",
    "Jürgen",
    "Ana",
    "Bilal",
    "Nadia",
    "Kofi",
    "Marta",
    "Ravi",
    "Elif",
    "Oksana",
    "Tariq",
    "Inès",
    "Pedro",
    "Yuki",
    "Hamza",
    "Greta",
    "Nguyễn",
    "Aisha",
    "Mateus",
    "Sven",
    "Zainab",
    "Carlos",
    "Mariam",
    "Dmitri",
    "Noor",
    "Anaïs",
    "Omar",
    "Ewa",
    "Farhan",
    "Lucía",
    "Kenji",
    "Sofía",
    "Arjun",
    "Hana",
    "Emeka",
    "Renée",
    "Javier",
    "Shirin",
]
LAST_NAMES = [
    "Álvarez",
    "Khan",
    "Müller",
    "Nowak",
    "Okafor",
    "Tanaka",
    "Haddad",
    "Silva",
    "Petrović",
    "Jensen",
    "Castillo",
    "Rahman",
    "Dubois",
    "Kowalczyk",
    "Mensah",
    "Nakamura",
    "Ferreira",
    "Öztürk",
    "Lindqvist",
    "Qureshi",
    "Bianchi",
    "Moreau",
    "Schmidt",
    "Iqbal",
    "Novak",
    "Adeyemi",
    "Sato",
    "Costa",
    "Horvat",
    "Berg",
    "Chaudhry",
    "Lefèvre",
    "Wiśniewski",
    "Boateng",
    "Yamamoto",
    "Gonçalves",
    "Kaya",
    "Nilsson",
    "Malik",
    "Rossi",
    "Laurent",
    "Becker",
    "Siddiqui",
    "Dvořák",
    "Osei",
    "Kimura",
    "Pereira",
    "Demir",
    "Holm",
    "Butt",
]
TITLES = [
    "Finance Minister",
    "Minister for Planning",
    "Prime Minister",
    "opposition leader",
    "Chief Minister of {place}",
    "Mayor of {place}",
    "Governor of the State Bank",
    "spokesperson for the {org}",
    "chair of the {org}",
    "Minister for Water and Power",
    "Education Minister",
    "Health Minister",
    "senator for {place}",
    "chief executive of {Pseudo} Group",
    "economist at the {org}",
]
ORGS = [
    "Ministry of Finance",
    "Ministry of Planning",
    "State Bank",
    "Bureau of Statistics",
    "Water and Power Authority",
    "National Highway Authority",
    "Election Commission",
    "World Bank",
    "International Monetary Fund",
    "Chamber of Commerce",
    "Auditor General",
    "Ministry of Health",
    "Ministry of Education",
    "Railways Board",
    "Port Authority",
]
SUBJECTS = [
    "inflation",
    "unemployment",
    "the budget deficit",
    "wheat exports",
    "electricity prices",
    "the literacy rate",
    "child mortality",
    "foreign reserves",
    "tax revenue",
    "fuel imports",
    "rice production",
    "the trade deficit",
    "public debt",
    "hospital admissions",
    "road deaths",
    "school enrolment",
    "internet coverage",
    "the poverty rate",
    "remittances",
    "tourist arrivals",
    "cotton output",
    "petrol prices",
    "the fiscal gap",
    "broadband subscriptions",
    "vaccination coverage",
    "youth unemployment",
    "power outages",
    "food prices",
    "rail freight",
    "mobile payments",
]
FACILITIES = [
    "schools",
    "hospitals",
    "clinics",
    "bridges",
    "dams",
    "power plants",
    "water treatment plants",
    "universities",
    "police stations",
    "housing units",
    "solar farms",
    "rail stations",
]
PEOPLE = [
    "farmers",
    "teachers",
    "nurses",
    "students",
    "pensioners",
    "workers",
    "families",
    "small traders",
    "fishermen",
    "doctors",
    "refugees",
    "drivers",
]
SERVICES = [
    "clean water",
    "electricity",
    "broadband",
    "a health card",
    "a bank account",
    "a pension",
    "free schooling",
    "gas connections",
]
RESOURCES = ["water", "wheat", "gas", "foreign exchange", "diesel", "vaccines"]
PROJECT_KINDS = [
    "dam",
    "motorway",
    "metro line",
    "airport",
    "port",
    "pipeline",
    "power plant",
    "rail link",
    "tunnel",
    "satellite",
]
MOVES_PAST = [
    "rose",
    "fell",
    "increased",
    "declined",
    "climbed",
    "dropped",
    "grew",
    "shrank",
]
MOVES_INF = ["rise", "fall", "increase", "decline", "grow", "shrink"]
ADJECTIVES = [
    "encouraging",
    "worrying",
    "misleading",
    "incomplete",
    "accurate",
    "disputed",
    "outdated",
    "surprising",
]
STANCE_NOTES = {
    "supports": [
        "The official figures match the claim.",
        "Published data confirm the number.",
        "Records of the {org} show the same figure.",
    ],
    "refutes": [
        "Official figures contradict the claim.",
        "The {org} reports a different number.",
        "The project was not completed on the stated date.",
    ],
    "context": [
        "The figure is right but the period is different.",
        "Only part of the target was met.",
        "The data cover a shorter period than claimed.",
    ],
}
# The rationale of a status moved by a reviewer.
RATIONALES = (
    "Checked against the published figures.",
    "The official record settles it.",
    "See the evidence attached.",
    "Speaker withdrew the statement.",
    "No data exist that could settle this.",
)


class Zipf:
    """Draw items with probability proportional to 1 / rank**s."""

    def __init__(self, items, s, rng):
        self.items = list(items)
        self.cum = list(
            itertools.accumulate(1 / rank**s for rank in range(1, len(self.items) + 1))
        )
        self.total = self.cum[-1]
        self.rng = rng

    def __call__(self):
        return self.items[bisect.bisect(self.cum, self.rng.random() * self.total)]


def pseudo_words(seed: int, count: int) -> list[str]:
    """``count`` distinct made-up proper names ("Velmora", "Kastrin"), in a fixed
    order: the first are the most frequent places and projects, the tail rare."""
    rng = random.Random(f"words:{seed}")
    onsets = [
        "b",
        "c",
        "d",
        "f",
        "g",
        "h",
        "k",
        "l",
        "m",
        "n",
        "p",
        "r",
        "s",
        "t",
        "v",
        "z",
        "br",
        "dr",
        "gr",
        "kr",
        "st",
        "tr",
        "sh",
        "ch",
        "th",
    ]
    vowels = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ou"]
    codas = ["", "", "", "n", "r", "l", "s", "m", "sh", "rn", "nd"]
    words, seen = [], set()
    while len(words) < count:
        syllables = rng.choice((2, 2, 3, 3, 4))
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables)
        ) + rng.choice(codas)
        if word not in seen and 5 <= len(word) <= 14:
            seen.add(word)
            words.append(word.capitalize())
    return words


def search_terms(seed: int = 1) -> tuple[str, list[str]]:
    """Words for the search benchmark: one in a large share of the claims, and
    candidates for a rare one (places far down the Zipf tail, in rank order;
    the benchmark takes the first that a handful of claims contain)."""
    return "percent", pseudo_words(seed, 20_000)[1_000:1_400]


@dataclass
class Unit:
    """One sentence of a source text; ``anchors`` are (key, offset, exact)
    for the claimed words inside it (offsets relative to the sentence)."""

    text: str
    anchors: list = field(default_factory=list)


@dataclass
class PlannedClaim:
    id: int
    kind: str
    attribution: str
    speaker: tuple | None  # (id, name, title)
    content: str
    due: tuple | None  # (due_on, precision, due_text)
    spans: list = field(default_factory=list)  # (start, end, exact, prefix, suffix)


class Slots(dict):
    """Template slots filled lazily (str.format_map asks only for those used)."""

    def __init__(self, grammar, when):
        super().__init__()
        self.grammar, self.when = grammar, when

    def __missing__(self, key):
        value = self[key] = self.grammar.slot(key, self.when)
        return value


class Grammar:
    """The small deterministic text generator."""

    def __init__(self, seed: int, rng: random.Random):
        self.rng = rng
        words = pseudo_words(seed, 20_000)
        self.place = Zipf(words, 1.0, rng)
        self.pseudo = Zipf(words[::-1], 0.6, rng)  # organization / company names
        self.subject = Zipf(SUBJECTS, 0.8, rng)
        self.org = Zipf(ORGS, 0.7, rng)
        # Slot name -> a function drawing its value, or a list to pick from.
        self.makers = {
            "subj": self.subject,
            "place": self.place,
            "place2": self.place,
            "org": self.org,
            "n": self.number,
            "pct": self.pct,
            "money": self.money,
            "project": self.project,
            "Pseudo": self.pseudo,
            "month": MONTHS,
            "weekday": WEEKDAYS,
            "facility": FACILITIES,
            "people": PEOPLE,
            "service": SERVICES,
            "resource": RESOURCES,
            "moved": MOVES_PAST,
            "move": MOVES_INF,
            "adj": ADJECTIVES,
        }

    def pick(self, items):
        return items[int(self.rng.random() * len(items))]

    def randint(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    def number(self):
        r = self.rng.random()
        if r < 0.5:
            return str(self.randint(2, 99))
        if r < 0.85:
            return f"{self.randint(100, 9999):,}"
        return f"{self.randint(1, 40)} million"

    def pct(self):
        return f"{self.randint(1, 40)}.{self.randint(0, 9)}"

    def money(self):
        unit = self.pick(["million", "billion"])
        return f"{self.pick(['$', '€', 'Rs '])}{self.randint(2, 900)} {unit}"

    def project(self):
        return f"{self.place()} {self.pick(PROJECT_KINDS)}"

    def slot(self, name: str, when: dt.date) -> str:
        """One template slot's value, drawn only when a template uses it."""
        if name == "year":
            return str(when.year - self.randint(0, 4))
        if name == "months":
            return str(self.randint(2, 36))
        maker = self.makers[name]
        return maker() if callable(maker) else self.pick(maker)

    def slots(self, when: dt.date) -> "Slots":
        return Slots(self, when)

    FACTS = [
        "{subj} in {place} {moved} by {pct} percent in {year}",
        "{place} opened {n} new {facility} last year",
        "the {org} spent {money} on {facility} in {place} in {year}",
        "{n} {people} lost their jobs in {place} after the {project} closed",
        "{subj} reached a record {pct} percent in {month} {year}",
        "the government has paid {money} to {people} in {place} since {year}",
        "{subj} {moved} for the {n}th month in a row",
        "the {project} cost {money} more than its budget",
    ]
    PREDICTIONS = [
        "{subj} will {move} by {pct} percent {due}",
        "the {project} will be finished {due}",
        "{place} will run out of {resource} {due}",
        "{subj} in {place} will fall below {pct} percent {due}",
        "the {org} will double its lending to {people} {due}",
    ]
    PROMISES = [
        "we will build {n} {facility} in {place} {due}",
        "my government will cut {subj} by half {due}",
        "every family in {place} will have {service} {due}",
        "we will open the {project} {due}",
        "we will hire {n} {people} for {place} {due}",
    ]
    OPINIONS = [
        "the {project} is the worst decision this country has made in {n} years",
        "{place} deserves a better deal on {facility}",
        "the {org} has failed the {people} of {place}",
        "no government has done more for {people} than this one",
        "the plan for {place} is a historic success",
    ]
    FILLERS = [
        "Officials in {place} met on {weekday} to discuss {subj}.",
        "The {org} did not respond to a request for comment.",
        "Data from the {org} show that {subj} has changed little since {year}.",
        "The {project} was first announced in {year} at a cost of {money}.",
        "Residents of {place} said {people} had waited {months} months for {service}.",
        "Critics said the plan for {place} lacked detail.",
        "The debate in {place2} continued late into the evening.",
        "Opposition members walked out of the session in protest.",
        "Analysts called the latest figures on {subj} {adj}.",
        "A report by the {org} in {month} described the numbers as {adj}.",
        "{Pseudo} Group, which holds the contract for the {project}, declined to comment.",
        "The {org} expects a review of {subj} before {month}.",
        "Traders in {place} said prices had {moved} since {month}.",
        "Local officials in {place2} gave no timetable for the {project}.",
    ]
    LEDES = [
        "{place}, {weekday} — ",
        "",
        "",
        "In {place}, ",
    ]

    def content(self, kind: str, when: dt.date, due_text: str) -> str:
        templates = {
            "fact": self.FACTS,
            "prediction": self.PREDICTIONS,
            "promise": self.PROMISES,
            "opinion": self.OPINIONS,
        }[kind]
        slots = self.slots(when)
        slots["due"] = due_text
        text = self.pick(templates).format_map(slots)
        return text[0].upper() + text[1:]

    def filler(self, when: dt.date) -> str:
        text = self.pick(self.FILLERS).format_map(self.slots(when))
        return text[0].upper() + text[1:]

    def due(self, stated: dt.date):
        """A deadline: (due_on at its period's end, precision, the source's words)."""
        target = stated + dt.timedelta(days=self.rng.randint(60, 1400))
        r = self.rng.random()
        if r < 0.35:
            end = dt.date(target.year, 12, 31)
            return (
                end,
                "year",
                self.pick([f"by the end of {target.year}", f"by {target.year}"]),
            )
        if r < 0.8:
            last = dt.date(
                target.year + (target.month == 12), target.month % 12 + 1, 1
            ) - dt.timedelta(days=1)
            month = MONTHS[target.month - 1]
            return (
                last,
                "month",
                self.pick(
                    [
                        f"by {month} {target.year}",
                        f"before the end of {month} {target.year}",
                    ]
                ),
            )
        return (
            target,
            "day",
            f"by {target.day} {MONTHS[target.month - 1]} {target.year}",
        )


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:]


def claim_units(claim: PlannedClaim, grammar: Grammar) -> list[Unit]:
    """The sentence(s) of the source that carry this claim, with its anchors."""
    rng = grammar.rng
    c = claim.content
    name = claim.speaker[1] if claim.speaker else None
    title = claim.speaker[2] if claim.speaker else None

    def unit(before: str, exact: str, after: str) -> Unit:
        return Unit(before + exact + after, [(claim.id, len(before), exact)])

    if claim.attribution == "direct_quote":
        first = grammar.pick(
            [
                unit("“", c, f",” said {name}, {title}."),
                unit(f"{name}, {title}, said: “", c, ".”"),
                unit("“", c, f",” {name} told reporters."),
            ]
        )
    elif claim.attribution == "indirect":
        first = unit(f"{name}, {title}, said that ", _lower_first(c), ".")
    elif claim.attribution == "hedged" and name:
        first = unit(f"{name} reportedly told aides that ", _lower_first(c), ".")
    elif claim.attribution == "hedged":
        first = unit(
            "According to people familiar with the matter, ", _lower_first(c), "."
        )
    else:  # narrator
        first = unit("", c, ".")
    units = [first]
    if rng.random() < 0.3:  # restated later in the same text: a second span
        if name:
            units.append(unit(f"{name} later repeated the point: “", c, ".”"))
        else:
            units.append(unit("To sum up, ", _lower_first(c), "."))
    return units


def layout(units: list[Unit], rng: random.Random) -> tuple[str, list, list]:
    """Join sentences into paragraphs; return the text, the absolute anchors
    (key, start, exact) and every sentence's (start, end)."""
    parts, anchors, sentences = [], [], []
    offset = 0
    index = 0
    while index < len(units):
        size = rng.randint(2, 5)
        paragraph = units[index : index + size]
        index += size
        if parts:
            parts.append("\n\n")
            offset += 2
        for position, item in enumerate(paragraph):
            if position:
                parts.append(" ")
                offset += 1
            for key, relative, exact in item.anchors:
                anchors.append((key, offset + relative, exact))
            sentences.append((offset, offset + len(item.text)))
            parts.append(item.text)
            offset += len(item.text)
    text = "".join(parts)
    return text, anchors, sentences


def selector(text: str, start: int, end: int) -> tuple:
    return (
        start,
        end,
        text[start:end],
        text[max(0, start - CONTEXT) : start],
        text[end : end + CONTEXT],
    )


def _ids(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
    return cursor.fetchone()[0]


TABLES = {
    "source": "sources_source",
    "claim": "claims_claim",
    "span": "claims_span",
    "ledger": "claims_statuschange",
    "evidence": "claims_evidence",
    "event": "claims_claimevent",
}

# Where each table's row holds ids that count from 0 within a planned chunk:
# (column position, whose id it is). Claim ids are final when planned.
RELATIVE_IDS = {
    "source": ((0, "source"),),
    "span": ((0, "span"), (2, "source")),
    "ledger": ((0, "ledger"),),
    "evidence": ((0, "evidence"), (2, "ledger"), (3, "source")),
    "event": ((0, "event"),),
}


def _shift(rows: dict, base: dict) -> dict:
    """A planned chunk's rows with its chunk-relative ids made absolute, each
    table's counted on from ``base`` (the highest id loaded so far)."""
    shifted = dict(rows)
    for table, positions in RELATIVE_IDS.items():
        out = []
        for row in rows[table]:
            row = list(row)
            for position, key in positions:
                if row[position] is not None:
                    row[position] += base[key]
            out.append(row)
        shifted[table] = out
    return shifted


# The generator a worker process plans with: forked from the loading process
# after it read the reference rows, so a worker never touches the database.
_WORKER_GENERATOR = None


def _plan_in_worker(task):
    return _WORKER_GENERATOR.plan(*task)


def _planned(generator, sizes, first_day, day_step, workers):
    """Each chunk's rows, in order; with ``workers`` > 1 planned by that many
    forked processes, at most two chunks each ahead of the loading."""
    tasks = [(index, size, first_day, day_step) for index, size in enumerate(sizes)]
    if workers <= 1 or len(tasks) < 2:
        for task in tasks:
            yield generator.plan(*task)
        return
    import collections
    import multiprocessing

    from django.db import connections

    global _WORKER_GENERATOR
    _WORKER_GENERATOR = generator
    # A forked child must not share this process's database connections.
    connections.close_all()
    pending = collections.deque()
    pending_limit = 2 * workers
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        queued = iter(tasks)
        for task in itertools.islice(queued, pending_limit):
            pending.append(pool.apply_async(_plan_in_worker, (task,)))
        while pending:
            rows = pending.popleft().get()
            for task in itertools.islice(queued, 1):
                pending.append(pool.apply_async(_plan_in_worker, (task,)))
            yield rows


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    quoted = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


SOURCE_COLUMNS = [
    "id",
    "title",
    "url",
    "publisher_id",
    "kind",
    "language",
    "published_on",
    "retrieved_at",
    "text",
    "content_hash",
    "text_length",
    "revises_id",
    "created_at",
    "created_by_id",
]
CLAIM_COLUMNS = [
    "id",
    "text",
    "speaker_id",
    "speaker_title",
    "attribution",
    "kind",
    "stated_on",
    "stated_on_precision",
    "due_on",
    "due_on_precision",
    "due_text",
    "status",
    "review",
    "review_note",
    "reviewed_by_id",
    "reviewed_at",
    "version",
    "created_at",
    "created_by_id",
    "updated_at",
]
SPAN_COLUMNS = [
    "id",
    "claim_id",
    "source_id",
    "role",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "created_at",
    "created_by_id",
    "claim_version",
]
LEDGER_COLUMNS = [
    "id",
    "claim_id",
    "from_status",
    "to_status",
    "rationale",
    "claim_version",
    "changed_at",
    "changed_by_id",
]
EVIDENCE_COLUMNS = [
    "id",
    "claim_id",
    "status_change_id",
    "source_id",
    "stance",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "note",
    "created_at",
    "created_by_id",
    "claim_version",
]
EVENT_COLUMNS = [
    "id",
    "claim_id",
    "kind",
    "version",
    "state",
    "detail",
    "actor_id",
    "created_at",
]
COLUMNS = {
    "source": SOURCE_COLUMNS,
    "claim": CLAIM_COLUMNS,
    "span": SPAN_COLUMNS,
    "ledger": LEDGER_COLUMNS,
    "evidence": EVIDENCE_COLUMNS,
    "event": EVENT_COLUMNS,
}
INITIAL = {
    "fact": "unverified",
    "prediction": "pending",
    "promise": "pending",
    "opinion": "unverifiable",
}
VERDICTS = {"confirmed", "partly_confirmed", "refuted"}

SEARCH_SQL = """
INSERT INTO claims_claimsearch (claim_id, document)
SELECT c.id,
       setweight(to_tsvector('english', c.text), 'A')
    || setweight(to_tsvector('simple', coalesce(sp.name, '') || ' '
                 || coalesce(sp.aliases::text, '')), 'A')
    || setweight(to_tsvector('english', coalesce(w.words, '')), 'B')
FROM claims_claim c
LEFT JOIN claims_speaker sp ON sp.id = c.speaker_id
LEFT JOIN (
    SELECT s.claim_id, string_agg(s.exact, ' ' ORDER BY s.id) AS words
    FROM claims_span s WHERE s.role = 'content' GROUP BY s.claim_id
) w ON w.claim_id = c.id
WHERE NOT EXISTS (SELECT 1 FROM claims_claimsearch d WHERE d.claim_id = c.id)
"""


# Claims per source before scaling: a mean of 5.
CLAIMS_PER_SOURCE = (1, 2, 3, 4, 5, 5, 6, 7, 8, 9)


class Generator:
    def __init__(
        self,
        seed: int,
        start_claims: int,
        target: int,
        log,
        *,
        claims_per_source: float = 5.0,
        progress=None,
    ):
        self.seed = seed
        self.rng = random.Random(f"corpus:{seed}:{start_claims}")
        self.grammar = Grammar(seed, self.rng)
        self.target = target
        self.start_claims = start_claims
        self.log = log
        self.scale = claims_per_source / 5.0
        self.progress = progress  # called with (claims made, claims wanted)

    # --- fixed reference rows (users, publishers, speakers) -------------------

    def prepare(self):
        from django.contrib.auth import get_user_model

        from claims.models import Speaker, SpeakerName
        from claims.services import get_system_user
        from sources.models import Publisher

        users = get_user_model()
        self.editor, _ = users.objects.get_or_create(username="bench-editor")
        self.reviewer, _ = users.objects.get_or_create(username="bench-reviewer")
        self.system = get_system_user()

        names = [f"The {self.grammar.place()} {k}" for k in ("Times", "Post", "Herald")]
        names += [f"{p} Daily" for p in pseudo_words(self.seed, 60)[:37]]
        for name in names:
            Publisher.objects.get_or_create(
                name=name,
                defaults={"url": f"https://{name.lower().replace(' ', '')}.example"},
            )
        self.publishers = list(
            Publisher.objects.order_by("id").values_list("id", "url")
        )

        wanted = max(200, self.target // 25)
        have = Speaker.objects.count()
        if have < wanted:
            srng = random.Random(f"speakers:{self.seed}:{have}")
            pseudo = pseudo_words(self.seed + 1, 2000)
            new = []
            for index in range(have, wanted):
                if srng.random() < 0.15:
                    kind = "organization"
                    name = srng.choice(
                        [
                            f"{srng.choice(pseudo)} Party",
                            f"{srng.choice(pseudo)} Chamber of Commerce",
                            f"{srng.choice(pseudo)} Workers’ Union",
                            f"{srng.choice(pseudo)} Group",
                        ]
                    )
                    description = "spokesperson"
                else:
                    kind = "person"
                    name = f"{srng.choice(FIRST_NAMES)} {srng.choice(LAST_NAMES + pseudo[:40])}"
                    description = srng.choice(TITLES).format(
                        place=srng.choice(pseudo[:300]),
                        org=srng.choice(ORGS),
                        Pseudo=srng.choice(pseudo),
                    )
                aliases = (
                    [name.split()[-1]] if kind == "person" and index % 3 == 0 else []
                )
                new.append(
                    Speaker(
                        name=unicodedata.normalize("NFC", name),
                        kind=kind,
                        aliases=aliases,
                        description=description,
                        wikidata_id=f"Q{7_000_000 + index}" if index % 4 == 0 else "",
                    )
                )
            Speaker.objects.bulk_create(new, batch_size=2000)
            # bulk_create skips save(): the look-alike keys are written here.
            SpeakerName.objects.bulk_create(
                [row for speaker in new for row in speaker.name_rows()],
                batch_size=2000,
            )
        speakers = list(
            Speaker.objects.filter(merged_into__isnull=True)
            .order_by("id")
            .values_list("id", "name", "description")
        )
        self.speaker = Zipf(speakers, 1.1, self.rng)
        self.speaker_count = len(speakers)

    # --- one chunk of sources with their claims ---------------------------------

    def plan_claim(self, claim_id: int, when: dt.date) -> PlannedClaim:
        rng = self.rng
        kind = rng.choices(
            ["fact", "prediction", "promise", "opinion"], weights=[45, 20, 15, 20]
        )[0]
        r = rng.random()
        if r < 0.72:
            speaker = self.speaker()
            attribution = (
                "direct_quote"
                if kind in ("opinion", "promise") or rng.random() < 0.5
                else rng.choices(["indirect", "hedged"], weights=[85, 15])[0]
            )
        else:
            speaker = None
            attribution = "narrator" if rng.random() < 0.8 else "hedged"
        due = self.grammar.due(when) if kind in ("prediction", "promise") else None
        content = self.grammar.content(kind, when, due[2] if due else "")
        return PlannedClaim(claim_id, kind, attribution, speaker, content, due)

    def final_status(self, claim: PlannedClaim, accepted: bool) -> str:
        rng = self.rng
        initial = INITIAL[claim.kind]
        if not accepted:
            return initial
        if claim.kind == "fact":
            options = {
                "unverified": 35,
                "confirmed": 25,
                "partly_confirmed": 10,
                "refuted": 20,
                "unverifiable": 7,
                "retracted": 3,
            }
        elif claim.kind == "opinion":
            options = {"unverifiable": 95, "retracted": 5}
        elif claim.due[0] < REFERENCE_DATE:
            options = {
                "confirmed": 30,
                "partly_confirmed": 15,
                "refuted": 25,
                "overdue": 20,
                "unverifiable": 5,
                "retracted": 5,
            }
        else:
            options = {"pending": 85, "confirmed": 8, "retracted": 7}
        return rng.choices(list(options), weights=list(options.values()))[0]

    def chunk(self, ids: dict, claims_wanted: int, first_day: float, day_step: float):
        """Plan one chunk of sources and claims; return the rows per table."""
        rng, grammar = self.rng, self.grammar
        rows = {
            k: [] for k in ("source", "claim", "span", "ledger", "evidence", "event")
        }
        planned: list[tuple[PlannedClaim, int, dt.datetime]] = []
        texts = []  # (source id, text, sentences)
        made = 0
        day = first_day
        while made < claims_wanted:
            source_id = ids["source"] = ids["source"] + 1
            published = FIRST_DATE + dt.timedelta(days=int(day))
            day += day_step
            retrieved = dt.datetime.combine(published, dt.time(6), UTC) + dt.timedelta(
                minutes=rng.randint(0, 960)
            )
            drawn = max(1, round(rng.choice(CLAIMS_PER_SOURCE) * self.scale))
            k = min(claims_wanted - made, drawn)
            claims = []
            for _ in range(k):
                claim_id = ids["claim"] = ids["claim"] + 1
                claims.append(self.plan_claim(claim_id, published))
            made += k
            units = [u for c in claims for u in claim_units(c, grammar)]
            target_length = rng.randint(2000, 6000)
            length = sum(len(u.text) + 1 for u in units)
            lede = rng.choice(Grammar.LEDES).format(
                place=grammar.place(), weekday=rng.choice(WEEKDAYS)
            )
            fillers = []
            while length < target_length:
                sentence = grammar.filler(published)
                fillers.append(Unit(sentence))
                length += len(sentence) + 1
            # Claims land anywhere among the fillers, in order (a restatement
            # after the sentence it restates).
            positions = sorted(rng.randint(0, len(fillers)) for _ in units)
            for shift, (position, u) in enumerate(zip(positions, units, strict=True)):
                fillers.insert(position + shift, u)
            if lede:
                first = fillers[0]
                shift = len(lede)
                first.text = lede + first.text
                first.anchors = [
                    (key, off + shift, ex) for key, off, ex in first.anchors
                ]
            text, anchors, sentences = layout(fillers, rng)
            # Every piece is precomposed already, so offsets hold as computed.
            assert unicodedata.is_normalized("NFC", text)
            assert "\r" not in text
            assert "\x00" not in text
            publisher_id, publisher_url = rng.choice(self.publishers)
            title = (
                claims[0].content
                if len(claims[0].content) < 90
                else claims[0].content[:88] + "…"
            )
            rows["source"].append(
                (
                    source_id,
                    title,
                    f"{publisher_url}/{published:%Y/%m}/{source_id}",
                    publisher_id,
                    rng.choices(
                        [
                            "news_article",
                            "transcript",
                            "press_release",
                            "official_document",
                        ],
                        weights=[70, 15, 10, 5],
                    )[0],
                    rng.choice(["en", "en", "en", "en-GB", "en-US"]),
                    published,
                    retrieved,
                    text,
                    hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    len(text),
                    None,
                    retrieved,
                    self.editor.pk,
                )
            )
            by_claim = {}
            for key, start, exact in anchors:
                span = selector(text, start, start + len(exact))
                assert span[2] == exact
                by_claim.setdefault(key, []).append(span)
            for claim in claims:
                claim.spans = by_claim[claim.id]
                created = retrieved + dt.timedelta(minutes=rng.randint(5, 600))
                planned.append((claim, source_id, created))
            texts.append((source_id, text, sentences))

        for claim, source_id, created in planned:
            self.claim_rows(rows, ids, claim, source_id, created, texts)
        return rows, made, day

    def claim_rows(self, rows, ids, claim, source_id, created, texts):
        rng = self.rng
        accepted = rng.random() < 0.9
        status = self.final_status(claim, accepted)
        initial = INITIAL[claim.kind]
        moved = status != initial
        stated_on, stated_precision = self.stated_on(created.date())
        due_on, due_precision, due_text = claim.due or (None, "", "")
        speaker_id = claim.speaker[0] if claim.speaker else None
        speaker_title = claim.speaker[2] if claim.speaker else ""
        reviewed_at = (
            created + dt.timedelta(hours=rng.randint(1, 72)) if accepted else None
        )
        moved_at = self.moved_at(status, due_on, reviewed_at) if moved else None
        version = 1 + accepted + moved
        text = claim.content + "."
        rows["claim"].append(
            (
                claim.id,
                text,
                speaker_id,
                speaker_title,
                claim.attribution,
                claim.kind,
                stated_on,
                stated_precision,
                due_on,
                due_precision,
                due_text,
                status,
                "accepted" if accepted else "proposed",
                "",
                self.reviewer.pk if accepted else None,
                reviewed_at,
                version,
                created,
                self.editor.pk,
                moved_at or reviewed_at or created,
            )
        )
        self.span_rows(rows, ids, claim, source_id, created)
        ids["ledger"] += 1
        rows["ledger"].append(
            (
                ids["ledger"],
                claim.id,
                "",
                initial,
                "Proposed.",
                1,
                created,
                self.editor.pk,
            )
        )
        # The claim's fields as each event records them; status, review and
        # version follow, in this order.
        fields = {
            "text": text,
            "speaker": speaker_id,
            "speaker_title": speaker_title,
            "attribution": claim.attribution,
            "kind": claim.kind,
            "stated_on": stated_on.isoformat() if stated_on else None,
            "stated_on_precision": stated_precision,
            "due_on": due_on.isoformat() if due_on else None,
            "due_on_precision": due_precision,
            "due_text": due_text,
        }

        def event(kind, version, status, review, detail, actor, at):
            ids["event"] += 1
            state = {**fields, "status": status, "review": review, "version": version}
            rows["event"].append(
                (
                    ids["event"],
                    claim.id,
                    kind,
                    version,
                    json.dumps(state),
                    detail,
                    actor,
                    at,
                )
            )

        event("created", 1, initial, "proposed", "proposed", self.editor.pk, created)
        if accepted:
            event(
                "reviewed",
                2,
                initial,
                "accepted",
                "accepted",
                self.reviewer.pk,
                reviewed_at,
            )
        if moved:
            ids["ledger"] += 1
            ledger_id = ids["ledger"]
            actor = self.system.pk if status == "overdue" else self.reviewer.pk
            rationale = self.rationale(status, due_text, due_on, moved_at)
            rows["ledger"].append(
                (ledger_id, claim.id, initial, status, rationale, 3, moved_at, actor)
            )
            if status in VERDICTS:
                self.evidence_rows(
                    rows,
                    ids,
                    claim.id,
                    ledger_id,
                    status,
                    source_id,
                    texts,
                    actor,
                    at=moved_at,
                )
            event(
                "status_changed",
                3,
                status,
                "accepted",
                f"status {initial} → {status}",
                actor,
                moved_at,
            )

    def stated_on(self, published: dt.date) -> tuple[dt.date | None, str]:
        """The date the source gives the statement, and its precision: the
        day eight times in ten, the month once, none once."""
        r = self.rng.random()
        if r < 0.8:
            return published, "day"
        if r < 0.9:
            return published.replace(day=1), "month"
        return None, ""

    def moved_at(self, status: str, due_on, reviewed_at: dt.datetime) -> dt.datetime:
        """When an accepted claim left its first status: the night after its
        deadline for an overdue one, else up to 400 days after its review;
        never before its review nor after REFERENCE_DATE."""
        latest = dt.datetime.combine(REFERENCE_DATE, dt.time(0), UTC)
        if status == "overdue":
            moved_at = dt.datetime.combine(
                due_on + dt.timedelta(days=1), dt.time(3), UTC
            )
        else:
            moved_at = reviewed_at + dt.timedelta(days=self.rng.randint(1, 400))
        return max(reviewed_at + dt.timedelta(hours=1), min(moved_at, latest))

    def rationale(self, status: str, due_text: str, due_on, moved_at) -> str:
        """The rationale of a claim's second ledger entry."""
        if status == "overdue":
            return (
                f"Deadline passed: due {due_text}, last day {due_on.isoformat()}; "
                f"no resolution recorded by {moved_at.date().isoformat()}."
            )
        return self.rng.choice(RATIONALES)

    def span_rows(self, rows, ids, claim, source_id, created):
        for start, end, exact, prefix, suffix in claim.spans:
            ids["span"] += 1
            rows["span"].append(
                (
                    ids["span"],
                    claim.id,
                    source_id,
                    "content",
                    start,
                    end,
                    exact,
                    prefix,
                    suffix,
                    created,
                    self.editor.pk,
                    1,  # recorded by the created event
                )
            )

    def evidence_rows(
        self, rows, ids, claim_id, ledger_id, status, source_id, texts, actor, *, at
    ):
        """The evidence of a verdict (ledger entry ``ledger_id``): a stance or
        two, from another source where there is one, most anchored in one of
        its sentences."""
        rng = self.rng
        stances = {
            "confirmed": ["supports"],
            "refuted": ["refutes"],
            "partly_confirmed": ["supports", "context"],
        }[status]
        if rng.random() < 0.3 and status != "partly_confirmed":
            stances = [*stances, "context"]
        for stance in stances:
            evidence_source, evidence_text, sentences = rng.choice(texts)
            if evidence_source == source_id and len(texts) > 1:
                evidence_source, evidence_text, sentences = rng.choice(texts)
            if rng.random() < 0.7:
                start, end = rng.choice(sentences)
                anchor = selector(evidence_text, start, end)
            else:
                anchor = (None, None, "", "", "")
            ids["evidence"] += 1
            rows["evidence"].append(
                (
                    ids["evidence"],
                    claim_id,
                    ledger_id,
                    evidence_source,
                    stance,
                    *anchor,
                    rng.choice(STANCE_NOTES[stance]).format(org=rng.choice(ORGS)),
                    at,
                    actor,
                    3,  # recorded by the status_changed event
                )
            )

    # --- the whole load -----------------------------------------------------------

    def plan(self, index: int, claims_wanted: int, first_day: float, day_step: float):
        """Chunk ``index`` of this load, planned from its own seed: the same
        rows whichever process plans it and whatever ran before. Claim ids are
        final; every other id counts from 0 within the chunk and is shifted by
        :func:`_shift` when the chunk is loaded."""
        self.rng.seed(f"corpus:{self.seed}:{self.start_claims}:{index}")
        ids = dict.fromkeys(TABLES, 0)
        ids["claim"] = self.first_claim + index * CLAIMS_PER_CHUNK
        day = first_day + index * CLAIMS_PER_CHUNK / (5 * self.scale) * day_step
        rows, _, _ = self.chunk(ids, claims_wanted, day, day_step)
        return rows

    def run(self, workers: int = 1):
        from django.db import connection, transaction

        started = time.perf_counter()
        self.prepare()
        need = self.target - self.start_claims
        with connection.cursor() as cursor:
            ids = {key: _ids(cursor, table) for key, table in TABLES.items()}
        self.first_claim = ids["claim"]
        total_days = (REFERENCE_DATE - FIRST_DATE).days - 7
        # Spread the new sources over the calendar, after any already loaded.
        day = total_days * self.start_claims / self.target
        day_step = (total_days - day) / max(1, need / (5 * self.scale))
        sizes = [
            min(CLAIMS_PER_CHUNK, need - done)
            for done in range(0, need, CLAIMS_PER_CHUNK)
        ]
        made = 0
        counts = dict.fromkeys(TABLES, 0)
        for rows in _planned(self, sizes, day, day_step, workers):
            made += len(rows["claim"])
            with transaction.atomic(), connection.cursor() as cursor:
                shifted = _shift(rows, ids)
                for key in ("source", "claim", "span"):
                    counts[key] += _copy(
                        cursor, TABLES[key], COLUMNS[key], shifted[key]
                    )
                # First entries, then second ones: each must follow the one before.
                first = [r for r in shifted["ledger"] if r[2] == ""]
                second = [r for r in shifted["ledger"] if r[2] != ""]
                counts["ledger"] += _copy(
                    cursor, TABLES["ledger"], LEDGER_COLUMNS, first
                )
                counts["ledger"] += _copy(
                    cursor, TABLES["ledger"], LEDGER_COLUMNS, second
                )
                for key in ("evidence", "event"):
                    counts[key] += _copy(
                        cursor, TABLES[key], COLUMNS[key], shifted[key]
                    )
            for key in ids:
                if key != "claim":
                    ids[key] += len(rows[key])
            elapsed = time.perf_counter() - started
            if self.progress is not None:
                self.progress(made, need)
            self.log(
                f"  claims {self.start_claims + made:>7}/{self.target} "
                f"sources {counts['source']:>6} spans {counts['span']:>7} "
                f"events {counts['event']:>7}  {elapsed:6.1f} s"
            )
        tables = TABLES
        with connection.cursor() as cursor:
            for table in tables.values():
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    f"(SELECT MAX(id) FROM {table}))",
                    [table],
                )
            self.log("  search documents (one INSERT … SELECT) …")
            search_started = time.perf_counter()
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(SEARCH_SQL)
            self.log(
                f"  {cursor.rowcount} search documents in "
                f"{time.perf_counter() - search_started:.1f} s"
            )
        self.log("  VACUUM ANALYZE …")
        with connection.cursor() as cursor:
            for table in [
                *tables.values(),
                "claims_claimsearch",
                "claims_speaker",
                "auth_user",
            ]:
                cursor.execute(f"VACUUM ANALYZE {table}")
        elapsed = time.perf_counter() - started
        self.log(
            f"Corpus: {made} claims added ({self.speaker_count} speakers, "
            + ", ".join(f"{v} {k}" for k, v in counts.items())
            + f") in {elapsed:.1f} s"
        )
        return {"seconds": elapsed, "added": made, **counts}


def generate(
    target: int,
    *,
    seed: int = 1,
    log=print,
    claims_per_source: float = 5.0,
    progress=None,
    workers: int | None = None,
) -> dict | None:
    """Top the database up to ``target`` claims, about ``claims_per_source``
    to a source, the text planned by ``workers`` processes (default: one per
    CPU) while this one loads. Returns timing and counts, or None when it
    already has that many. The corpus is the same for any number of workers."""
    from claims.models import Claim

    existing = Claim.objects.count()
    if existing >= target:
        log(f"Corpus: {existing} claims already present (wanted {target}).")
        return None
    log(f"Corpus: generating {target - existing} claims (seed {seed}) …")
    generator = Generator(
        seed,
        existing,
        target,
        log,
        claims_per_source=claims_per_source,
        progress=progress,
    )
    return generator.run(workers=default_workers() if workers is None else workers)


def default_workers() -> int:
    """One planning process per CPU this process may use."""
    return max(1, len(os.sched_getaffinity(0)))
