"""Figures as values: the amounts and years a text states, read from its
tokens (``matching.TOKEN``) so that "12,000", "twelve thousand" and "12k"
are one figure, percentages and fractions are fractions of one, and a day
beside a month is neither. ``claims/matching.py`` compares what this reads."""

from .matching_words import (
    FRACTIONS,
    LONE_FRACTION_AFTER,
    MONTHS,
    PER_UNIT,
    SCALES,
    UNITS,
)


def quantities(tokens: list[str]) -> tuple[set[float], set[int]]:
    """The amounts (percentages and fractions as fractions of one) and the
    years a text states; a day beside a month is neither."""
    amounts: set[float] = set()
    years: set[int] = set()
    i = 0
    while i < len(tokens):
        start = i
        value, i, spelled = _number(tokens, i)
        if value is None:
            i = _lone_fraction(tokens, start, amounts)
            continue
        after = tokens[i] if i < len(tokens) else ""
        near = {tokens[start - 1] if start else "", after}
        if scaled := _scaled(tokens, i, value):
            value, i = scaled
        elif (
            not spelled
            and "," not in tokens[start]
            and value.is_integer()
            and 1900 <= value <= 2100
        ):
            years.add(int(value) - (start > 0 and tokens[start - 1] == "before"))
            continue
        elif near & MONTHS.keys() and value <= 31:
            continue  # a day of a month
        elif spelled and value == 1:
            continue  # "one of", "no one": rarely a figure
        amounts.add(round(value, 6))
    return amounts, years


def _scaled(tokens: list[str], i: int, value: float) -> tuple[float, int] | None:
    """The value of the number ``value`` in the unit that follows it at
    ``tokens[i]`` ("2.5 million", "40 percent", "two-fifths", "two days",
    "one in five"), and the index after it; None if no unit follows."""
    after = tokens[i] if i < len(tokens) else ""
    if after in SCALES:
        return value * SCALES[after], i + 1
    if after in ("%", "percent") or tokens[i : i + 2] == ["per", "cent"]:
        return value / 100, i + (2 if after == "per" else 1)
    if after == "in":
        # "One in five" pupils: a fraction.
        ratio, end, _ = _number(tokens, i + 1) if i + 1 < len(tokens) else (None, i, 0)
        if ratio and value < ratio <= 100:
            return value / ratio, end
    if after in FRACTIONS and value < 10:
        return value / FRACTIONS[after], i + 1
    if after in PER_UNIT:
        return value * PER_UNIT[after], i + 1
    return None


def _lone_fraction(tokens: list[str], i: int, amounts: set[float]) -> int:
    """A fraction with no number before it, "more than half", "a quarter of
    an hour", read into ``amounts``; the index after it."""
    word = tokens[i]
    before = tokens[i - 1] if i else ""
    if word not in FRACTIONS or word.endswith("s") or before not in LONE_FRACTION_AFTER:
        return i + 1
    value, i = 1 / FRACTIONS[word], i + 1
    # "Half an hour", "a quarter of an hour": the fraction of the unit.
    unit = tokens[i + 1 : i + 3] if tokens[i : i + 1] == ["of"] else tokens[i : i + 2]
    if len(unit) == 2 and unit[0] in ("a", "an") and unit[1] in PER_UNIT:
        value *= PER_UNIT[unit[1]]
    amounts.add(round(value, 6))
    return i


SCALES_AFTER_A = frozenset(["hundred", "thousand", "million", "billion", "dozen"])
MULTIPLIERS = {"hundred": 100, "dozen": 12}


def _number(tokens: list[str], i: int) -> tuple[float | None, int, bool]:
    """The number starting at ``tokens[i]`` (digits, or words such as "one
    point two", "twelve thousand", "one and a half"), the index after it, and
    whether it was spelled out."""
    if tokens[i][0].isdigit():
        return float(tokens[i].replace(",", "")), i + 1, False
    total, current, seen = 0.0, 0.0, False
    while i < len(tokens):
        word, rest = tokens[i], tokens[i + 1 : i + 3]
        if word in UNITS or (
            word == "a" and not seen and rest[:1] and rest[0] in SCALES_AFTER_A
        ):
            current += UNITS.get(word, 1)  # "a million", "a dozen": one
        elif word in MULTIPLIERS and seen:
            current *= MULTIPLIERS[word]
        elif word in SCALES and seen and word.isalpha() and len(word) > 2:
            total, current = total + current * SCALES[word], 0.0
        elif word == "point" and seen and rest[:1] and rest[0] in UNITS:
            current += UNITS[rest[0]] / 10
            i += 1
        elif word == "and" and seen and rest == ["a", "half"]:
            current += 0.5
            i += 2
        elif word == "and" and seen and rest[:1] and rest[0] in UNITS:
            pass
        else:
            break
        seen = True
        i += 1
    if not seen:
        return None, i, True
    return total + current, i, True
