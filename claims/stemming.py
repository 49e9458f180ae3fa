"""The English ("Porter2") stemmer of the Snowball project, in plain Python:
"hired", "hiring" and "hires" are "hire"; "operations" and "operational"
are "oper"; "general" stays apart from "generate". It follows the published
algorithm (snowballstem.org/algorithms/english/stemmer.html) step by step;
a word is stemmed once (``functools.cache``), however many claims hold it.
"""

import functools

VOWELS = frozenset("aeiouy")
DOUBLES = ("bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt")
LI_ENDINGS = frozenset("cdeghkmnrt")
EXCEPTIONS = {
    "skis": "ski",
    "skies": "sky",
    "dying": "die",
    "lying": "lie",
    "tying": "tie",
    "idly": "idl",
    "gently": "gentl",
    "ugly": "ugli",
    "early": "earli",
    "only": "onli",
    "singly": "singl",
    **{w: w for w in ("sky", "news", "howe", "atlas", "cosmos", "bias", "andes")},
}
AFTER_1A = frozenset(
    [
        "inning",
        "outing",
        "canning",
        "herring",
        "earring",
        "proceed",
        "exceed",
        "succeed",
    ]
)
STEP_2_ENDINGS = dict(
    (
        ("ational", "ate"),
        ("tional", "tion"),
        ("enci", "ence"),
        ("anci", "ance"),
        ("abli", "able"),
        ("entli", "ent"),
        ("ization", "ize"),
        ("izer", "ize"),
        ("ation", "ate"),
        ("ator", "ate"),
        ("alism", "al"),
        ("aliti", "al"),
        ("alli", "al"),
        ("fulness", "ful"),
        ("ousli", "ous"),
        ("ousness", "ous"),
        ("iveness", "ive"),
        ("iviti", "ive"),
        ("biliti", "ble"),
        ("bli", "ble"),
        ("fulli", "ful"),
        ("lessli", "less"),
        ("ogi", "og"),
        ("li", ""),
    )
)
STEP_3_ENDINGS = dict(
    (
        ("ational", "ate"),
        ("tional", "tion"),
        ("alize", "al"),
        ("icate", "ic"),
        ("iciti", "ic"),
        ("ical", "ic"),
        ("ful", ""),
        ("ness", ""),
        ("ative", ""),
    )
)
STEP_4 = (
    "ement",
    "ment",
    "able",
    "ible",
    "ance",
    "ence",
    "ate",
    "iti",
    "ous",
    "ive",
    "ize",
    "ism",
    "ion",
    "ant",
    "ent",
    "al",
    "er",
    "ic",
)


def _vowel(word: str, i: int) -> bool:
    return word[i] in VOWELS


def _region(word: str, start: int) -> int:
    """Where the region after the first non-vowel following a vowel begins."""
    for i in range(start + 1, len(word)):
        if not _vowel(word, i) and _vowel(word, i - 1):
            return i + 1
    return len(word)


def _short_syllable(word: str) -> bool:
    """Whether ``word`` ends in a short syllable ("hop", "at")."""
    if len(word) == 2:
        return _vowel(word, 0) and not _vowel(word, 1)
    return (
        len(word) > 2
        and not _vowel(word, -3)
        and _vowel(word, -2)
        and not _vowel(word, -1)
        and word[-1] not in "wxY"
    )


def _longest(word: str, suffixes) -> str:
    return max((s for s in suffixes if word.endswith(s)), key=len, default="")


@functools.cache
def stem(word: str) -> str:
    if len(word) <= 2:
        return word
    if word in EXCEPTIONS:
        return EXCEPTIONS[word]
    word = _mark_y(word.lstrip("'"))
    r1 = next(
        (len(p) for p in ("gener", "commun", "arsen") if word.startswith(p)),
        _region(word, 0),
    )
    r2 = _region(word, r1)
    word = _plural(_possessive(word))
    if word in AFTER_1A:
        return word
    word = _derivational(_closing_y(_past(word, r1)), r1, r2)
    return _closing_e_or_l(_r2_suffix(word, r2), r1, r2).replace("Y", "y")


def _mark_y(word: str) -> str:
    """A y that starts a word or follows a vowel is a consonant (Y)."""
    return "".join(
        "Y" if c == "y" and (not i or word[i - 1] in VOWELS) else c
        for i, c in enumerate(word)
    )


def _possessive(word: str) -> str:  # step 0
    for suffix in ("'s'", "'s", "'"):
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _plural(word: str) -> str:  # step 1a
    suffix = _longest(word, ("sses", "ied", "ies", "us", "ss", "s"))
    if suffix == "sses":
        return word[:-2]
    if suffix in ("ied", "ies"):
        return word[:-3] + ("i" if len(word) > 4 else "ie")
    if suffix == "s" and any(c in VOWELS for c in word[:-2]):
        return word[:-1]
    return word


def _past(word: str, r1: int) -> str:  # step 1b
    suffix = _longest(word, ("eedly", "ingly", "edly", "eed", "ing", "ed"))
    if suffix in ("eed", "eedly"):
        return word[: -len(suffix)] + "ee" if len(word) - len(suffix) >= r1 else word
    if not suffix or not any(c in VOWELS for c in word[: -len(suffix)]):
        return word
    word = word[: -len(suffix)]
    if word.endswith(("at", "bl", "iz")):
        return word + "e"
    if word.endswith(DOUBLES):
        return word[:-1]
    if _short_syllable(word) and r1 >= len(word):
        return word + "e"
    return word


def _closing_y(word: str) -> str:  # step 1c
    if len(word) > 2 and word[-1] in "yY" and word[-2] not in VOWELS:
        return word[:-1] + "i"
    return word


def _derivational(word: str, r1: int, r2: int) -> str:  # steps 2 and 3
    suffix = _longest(word, STEP_2_ENDINGS)
    if suffix and len(word) - len(suffix) >= r1:
        base = word[: -len(suffix)]
        if suffix == "ogi":
            word = base + "og" if base.endswith("l") else word
        elif suffix == "li":
            word = base if base[-1:] in LI_ENDINGS else word
        else:
            word = base + STEP_2_ENDINGS[suffix]
    suffix = _longest(word, STEP_3_ENDINGS)
    if (
        suffix
        and len(word) - len(suffix) >= r1
        and (suffix != "ative" or len(word) - len(suffix) >= r2)
    ):
        word = word[: -len(suffix)] + STEP_3_ENDINGS[suffix]
    return word


def _r2_suffix(word: str, r2: int) -> str:  # step 4
    suffix = _longest(word, STEP_4)
    if (
        suffix
        and len(word) - len(suffix) >= r2
        and (suffix != "ion" or word[-4:-3] in ("s", "t"))
    ):
        return word[: -len(suffix)]
    return word


def _closing_e_or_l(word: str, r1: int, r2: int) -> str:  # step 5
    end = len(word) - 1
    if word.endswith("e") and (
        end >= r2 or (end >= r1 and not _short_syllable(word[:-1]))
    ):
        return word[:-1]
    if word.endswith("ll") and end >= r2:
        return word[:-1]
    return word
