"""Claim-extractor throughput on one core, and its peak memory.

    uv run python bench/extraction.py [--articles 2000] [--seed 1] [--json]

Generates --articles articles of about 3,000 characters, deterministically
(--seed), by recombining the prose paragraphs of the curated test articles the
extraction team wrote (seeds/riverton-*, harbourne-*, tromvik-* (its header
only), svalbard-*) with the people, places and numbers in them swapped for
others. Then it runs
``claims.extraction.extract`` over all of them, single-threaded, with the
publication date and no known speakers, after a warm-up pass, and reports
articles per second (best of --repeats passes), characters per second, and the
peak memory: Python allocations during one extraction of every article
(tracemalloc, a separate untimed pass) and the process's maximum resident set
size. No database, no Django settings.
"""

import argparse
import datetime
import json
import random
import re
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    "riverton-water-2026-03-10",
    "harbourne-barrier-2025-11-04",
    "tromvik-ferry-2026-02-12",
    "svalbard-fjords-study",
)
TARGET_CHARS = 3000
LABEL = re.compile(r"[A-Z][A-Z .]{0,40}:\s")
# Names in the source articles and the stand-ins drawn for each generated one.
PEOPLE = (
    "Dana Whitfield",
    "Luis Ortega",
    "Janet Pruitt",
    "Priya Raman",
    "Tom Ashworth",
    "Sarah Lindqvist",
    "Ingrid Solheim",
    "Harald Breivik",
    "Zoë Ørsted",
    "José Núñez",
)
STAND_INS = (
    "Amara Okafor",
    "Bjørn Haugen",
    "Chloé Lefèvre",
    "Dmitri Volkov",
    "Elif Şahin",
    "Farid Haddad",
    "Grace Mwangi",
    "Hiroshi Tanaka",
    "Isabel Duarte",
    "Jonas Weber",
    "Kavya Iyer",
    "Lucía Ferrer",
    "Mateus Costa",
    "Nadia Rahman",
    "Oskar Nilsson",
    "Paulina Nowak",
    "Qiu Lin",
    "Rafael Mendes",
    "Siobhán Kelly",
    "Tariq Aziz",
)
PLACES = ("Riverton", "Harbourne", "Tromvik", "Svalbard", "Teesside", "Gdańsk")
PLACE_STAND_INS = (
    "Eastbrook",
    "Millford",
    "Kirkwall",
    "Ålesund",
    "Porto Velho",
    "Saint-Malo",
    "Łódź",
    "Valparaíso",
)


def load_paragraphs() -> list[str]:
    """The prose paragraphs of the test articles. The transcript's "NAME:" turns
    are left out: mixed into news prose they would make most generated articles
    read as transcripts."""
    paragraphs = []
    for name in SOURCES:
        text = (ROOT / "seeds" / name / "article.txt").read_text("utf-8")
        paragraphs += [
            p.strip() for p in text.split("\n") if p.strip() and not LABEL.match(p)
        ]
    return paragraphs


def _swap(paragraph: str, mapping: dict[str, str]) -> str:
    for old, new in mapping.items():
        paragraph = paragraph.replace(old, new)
    return paragraph


def generate(count: int, seed: int) -> list[tuple[str, datetime.date]]:
    """``count`` articles of about TARGET_CHARS characters, with dates."""
    rng = random.Random(seed)
    pool = load_paragraphs()
    articles = []
    for _ in range(count):
        mapping = {}
        for person in PEOPLE:
            first, last = rng.choice(STAND_INS).split(" ", 1)
            mapping[person] = f"{first} {last}"
            mapping[person.split(" ", 1)[1]] = last  # the surname alone
        mapping.update(
            zip(PLACES, rng.sample(PLACE_STAND_INS, len(PLACES)), strict=True)
        )
        parts, size = [], 0
        while size < TARGET_CHARS:
            paragraph = _swap(rng.choice(pool), mapping)
            paragraph = paragraph.replace("12 percent", f"{rng.randint(3, 40)} percent")
            parts.append(paragraph)
            size += len(paragraph) + 2
        published = datetime.date(2025, 1, 1) + datetime.timedelta(rng.randrange(700))
        articles.append(("\n\n".join(parts), published))
    return articles


def run(articles, extract) -> int:
    return sum(len(extract(text, published)) for text, published in articles)


def measure(articles, repeats: int) -> dict:
    from claims.extraction import extract

    run(articles[: min(50, len(articles))], extract)  # warm-up: imports, regex caches
    best, proposals = float("inf"), 0
    for _ in range(repeats):
        started = time.perf_counter()
        proposals = run(articles, extract)
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    run(articles, extract)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    characters = sum(len(text) for text, _ in articles)
    return {
        "articles": len(articles),
        "characters": characters,
        "mean_article_chars": round(characters / len(articles)),
        "proposals": proposals,
        "seconds": round(best, 3),
        "articles_per_second": round(len(articles) / best, 1),
        "characters_per_second": round(characters / best),
        "tracemalloc_peak_mib": round(peak / 2**20, 2),
        "max_rss_mib": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        "python": sys.version.split()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    result = measure(generate(max(1, options.articles), options.seed), options.repeats)
    if options.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{result['articles']} articles, {result['mean_article_chars']} characters on "
        f"average, {result['proposals']} proposals\n"
        f"{result['articles_per_second']} articles/s "
        f"({result['characters_per_second']:,} characters/s) on one core, "
        f"best of {options.repeats} in {result['seconds']} s\n"
        f"peak memory: {result['tracemalloc_peak_mib']} MiB allocated by Python "
        f"(tracemalloc), {result['max_rss_mib']} MiB resident (max RSS)"
    )


if __name__ == "__main__":
    main()
