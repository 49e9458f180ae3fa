"""Re-anchoring throughput on one core: spans carried over to revised articles.

    uv run python bench/reanchor.py [--revisions 500] [--spans 20] [--seed 1] [--json]

Generates --revisions articles of about 3,000 to 20,000 characters, deterministically
(--seed), from the sentences of the news story that tests/test_reanchoring.py
wrote for its worked examples, with the names, places and figures swapped for
others in each paragraph. Each article gets --spans spans (a run of 2 to 25
words inside a paragraph) and one revision of 1 to 4 random edits of the kinds
the tests work through: a typo made or fixed, a sentence inserted, a word
reworded, a sentence reworded completely, a paragraph removed, a whitespace
change, the quote marks restyled (curly to straight or back), a sentence
duplicated. Then it times ``sources.reanchoring.reanchor`` over every article,
single-threaded, after a warm-up pass, and reports spans per second (best of
--repeats passes) and the share of spans found by each method, and orphaned.
No database, no Django settings.
"""

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sources.reanchoring import reanchor  # noqa: E402
from tests.test_reanchoring import PARAGRAPHS  # noqa: E402

SIZES = (3000, 20000)
SENTENCE_END = re.compile(r"(?<=[.”])\s+(?=[A-Z“])")
WORD = re.compile(r"\S+")
# The story's names and places, and the stand-ins drawn for each paragraph.
NAMES = ("Hana Kowalczyk", "Tomás Reyes", "Kowalczyk", "Reyes")
NAME_STAND_INS = (
    "Amara Okafor",
    "Bjørn Haugen",
    "Chloé Lefèvre",
    "Elif Şahin",
    "Grace Mwangi",
    "Hiroshi Tanaka",
    "Lucía Ferrer",
    "Siobhán Kelly",
)
PLACES = ("Millbrook", "Elm Street", "Quay Road")
PLACE_STAND_INS = (
    "Eastbrook",
    "Kirkwall",
    "Ålesund",
    "Mill Lane",
    "Harbour Row",
    "Łódź Street",
    "Station Road",
)
NUMBER = re.compile(r"\d+")
WORDS_FOR_REWORDING = ("new", "council", "about", "nearly", "city", "again")
Span = tuple[int, int]
# (old text, new text, spans of the old text)
Revision = tuple[str, str, list[Span]]


def sentence_pool() -> list[str]:
    return [s for p in PARAGRAPHS for s in SENTENCE_END.split(p)]


def paragraph(rng: random.Random, pool: list[str]) -> str:
    """Two to five sentences of the story, with its people, places and
    figures swapped for others."""
    text = " ".join(rng.choice(pool) for _ in range(rng.randint(2, 5)))
    full_name = rng.choice(NAME_STAND_INS)
    for name in NAMES:
        text = text.replace(name, full_name if " " in name else full_name.split()[-1])
    for place in PLACES:
        text = text.replace(place, rng.choice(PLACE_STAND_INS))
    return NUMBER.sub(lambda m: str(rng.randrange(10 ** len(m[0]))), text)


def article(rng: random.Random, pool: list[str]) -> str:
    target, parts, size = rng.randint(*SIZES), [], 0
    while size < target:
        parts.append(paragraph(rng, pool))
        size += len(parts[-1]) + 2
    return "\n\n".join(parts)


def pick_spans(rng: random.Random, text: str, count: int) -> list[Span]:
    """``count`` runs of 2 to 25 words, each inside one paragraph."""
    found: list[Span] = []
    paragraphs = [m.span() for m in re.finditer(r"[^\n]+", text)]
    while len(found) < count:
        low, high = rng.choice(paragraphs)
        words = [m.span() for m in WORD.finditer(text, low, high)]
        length = min(len(words), rng.randint(2, 25))
        first = rng.randrange(len(words) - length + 1)
        found.append((words[first][0], words[first + length - 1][1]))
    return found


# --- edits: each takes the text and returns it revised --------------------------------


def _sentences(text: str) -> list[Span]:
    starts = [0] + [m.end() for m in SENTENCE_END.finditer(text)]
    ends = [m.start() for m in SENTENCE_END.finditer(text)] + [len(text)]
    return list(zip(starts, ends, strict=True))


def typo(rng: random.Random, text: str) -> str:
    """Two neighbouring letters swapped (a typo made, or fixed)."""
    places = [m.start() for m in re.finditer(r"[a-z]{2}", text)]
    i = rng.choice(places)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def insert_sentence(rng: random.Random, text: str) -> str:
    start, _ = rng.choice(_sentences(text))
    return text[:start] + rng.choice(sentence_pool()) + " " + text[start:]


def reword(rng: random.Random, text: str) -> str:
    """A word replaced by another, or one more word."""
    word = rng.choice(list(WORD.finditer(text)))
    extra = rng.choice(WORDS_FOR_REWORDING)
    words = f"{extra} {word[0]}" if rng.random() < 0.5 else extra
    return text[: word.start()] + words + text[word.end() :]


def rewrite_sentence(rng: random.Random, text: str) -> str:
    start, end = rng.choice(_sentences(text))
    return text[:start] + paragraph(rng, sentence_pool()).split(". ")[0] + text[end:]


def remove_paragraph(rng: random.Random, text: str) -> str:
    paragraphs = text.split("\n\n")
    if len(paragraphs) > 1:
        del paragraphs[rng.randrange(len(paragraphs))]
    return "\n\n".join(paragraphs)


def whitespace(rng: random.Random, text: str) -> str:
    """A space doubled, or a paragraph break made a line break."""
    if rng.random() < 0.5 and "\n\n" in text:
        i = rng.choice([m.start() for m in re.finditer("\n\n", text)])
        return text[:i] + "\n" + text[i + 2 :]
    i = rng.choice([m.start() for m in re.finditer(" ", text)])
    return text[:i] + " " + text[i:]


def quote_style(rng: random.Random, text: str) -> str:
    if "“" in text:
        return text.replace("“", '"').replace("”", '"')
    return re.sub(r'"([^"]*)"', r"“\1”", text)


def duplicate_sentence(rng: random.Random, text: str) -> str:
    sentences = _sentences(text)
    start, end = rng.choice(sentences)
    at, _ = rng.choice(sentences)
    return text[:at] + text[start:end] + " " + text[at:]


EDITS: tuple[Callable[[random.Random, str], str], ...] = (
    typo,
    insert_sentence,
    reword,
    rewrite_sentence,
    remove_paragraph,
    whitespace,
    quote_style,
    duplicate_sentence,
)


def generate(count: int, per_article: int, seed: int) -> list[Revision]:
    """``count`` articles, each revised, with ``per_article`` spans."""
    rng = random.Random(seed)
    pool = sentence_pool()
    revisions = []
    for _ in range(count):
        old = article(rng, pool)
        new = old
        for edit in rng.choices(EDITS, k=rng.randint(1, 4)):
            new = edit(rng, new)
        revisions.append((old, new, pick_spans(rng, old, per_article)))
    return revisions


def run(revisions: list[Revision]) -> Counter[str]:
    methods: Counter[str] = Counter()
    for old, new, spans in revisions:
        methods.update(a.method if a else "orphan" for a in reanchor(old, new, spans))
    return methods


def measure(revisions: list[Revision], repeats: int) -> dict:
    run(revisions[:20])  # warm-up: imports, caches
    best, methods = float("inf"), Counter[str]()
    for _ in range(repeats):
        started = time.perf_counter()
        methods = run(revisions)
        best = min(best, time.perf_counter() - started)
    total = sum(methods.values())
    characters = sum(len(old) for old, _, _ in revisions)
    return {
        "revisions": len(revisions),
        "spans": total,
        "mean_article_chars": round(characters / len(revisions)),
        "seconds": round(best, 3),
        "spans_per_second": round(total / best),
        "share": {
            method: round(100 * methods[method] / total, 1)
            for method in ("position", "quote", "fuzzy", "orphan")
        },
        "python": sys.version.split()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--revisions", type=int, default=500)
    parser.add_argument("--spans", type=int, default=20, help="spans per article")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    revisions = generate(max(1, options.revisions), max(1, options.spans), options.seed)
    result = measure(revisions, options.repeats)
    if options.json:
        print(json.dumps(result, indent=2))
        return
    share = ", ".join(f"{method} {pct} %" for method, pct in result["share"].items())
    print(
        f"{result['spans']:,} spans over {result['revisions']} revisions "
        f"({result['mean_article_chars']:,} characters on average): "
        f"{result['spans_per_second']:,} spans/s on one core, "
        f"{result['seconds']} s (best of {options.repeats}); {share}"
    )


if __name__ == "__main__":
    main()
