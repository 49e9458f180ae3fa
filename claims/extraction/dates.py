"""When a claim was made and when it falls due, at day, month or year precision.

Relative expressions resolve against the publication date; without one only
absolute dates (with a year) resolve. Stored like the claim model does: a
``stated_on`` at its period's first day, a ``due_on`` at its period's last day.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from .lexicon import MONTHS, NUMBER_WORDS, WEEKDAYS

DAY, MONTH, YEAR = "day", "month", "year"

_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]|2[01])\d\d"
_WEEKDAY = "(?:" + "|".join(WEEKDAYS) + ")"
_COUNT = r"(?:\d{1,3}|" + "|".join(NUMBER_WORDS) + ")"
_UNIT = r"(?:day|week|month|year)s?"


@dataclass(frozen=True)
class Resolved:
    date: datetime.date
    precision: str
    start: int
    end: int


def period_start(date: datetime.date, precision: str) -> datetime.date:
    if precision == YEAR:
        return date.replace(month=1, day=1)
    if precision == MONTH:
        return date.replace(day=1)
    return date


def period_end(date: datetime.date, precision: str) -> datetime.date:
    if precision == YEAR:
        return date.replace(month=12, day=31)
    if precision == MONTH:
        return date.replace(day=calendar.monthrange(date.year, date.month)[1])
    return date


def add_months(date: datetime.date, months: int) -> datetime.date:
    index = date.year * 12 + date.month - 1 + months
    year, month = divmod(index, 12)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        return date
    day = min(date.day, calendar.monthrange(year, month + 1)[1])
    return datetime.date(year, month + 1, day)


def _month(word: str) -> int | None:
    """The month a word names; "May" and "March" only capitalised."""
    key = word.rstrip(".").lower()
    if key not in MONTHS or not word[:1].isupper():
        return None
    return MONTHS[key]


def _count(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word.lower()]


def _date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _shift(date: datetime.date, unit: str, count: int) -> datetime.date | None:
    unit = unit.lower().rstrip("s")
    try:
        if unit == "day":
            return date + datetime.timedelta(days=count)
        if unit == "week":
            return date + datetime.timedelta(weeks=count)
    except OverflowError:
        return None
    return add_months(date, count * (12 if unit == "year" else 1))


# -- when it was said ----------------------------------------------------------

_STATED_RE = re.compile(
    rf"\b(?:"
    rf"(?P<dmy>(?P<d1>{_DAY})\s+(?P<m1>{_MONTH}),?\s+(?P<y1>{_YEAR}))|"
    rf"(?P<mdy>(?P<m2>{_MONTH})\s+(?P<d2>{_DAY}),?\s+(?P<y2>{_YEAR}))|"
    rf"(?P<iso>(?P<y3>{_YEAR})-(?P<m3>[01]\d)-(?P<d3>[0-3]\d))|"
    rf"(?P<my>(?P<m4>{_MONTH})\s+(?P<y4>{_YEAR}))|"
    rf"(?P<dm>(?P<d5>{_DAY})\s+(?P<m5>{_MONTH}))|"
    rf"(?P<md>(?P<m6>{_MONTH})\s+(?P<d6>{_DAY}))(?![\d,])|"
    rf"(?P<ago>(?P<n7>{_COUNT})\s+(?P<u7>{_UNIT})\s+ago)|"
    rf"(?P<lastwd>last\s+(?P<w8>{_WEEKDAY}))|"
    rf"(?P<wd>(?P<w9>{_WEEKDAY}))|"
    rf"(?P<yesterday>yesterday|last\s+night)|"
    rf"(?P<today>today|this\s+(?:morning|afternoon|evening)|tonight)|"
    rf"(?P<thismonth>(?:earlier\s+)?this\s+month|earlier\s+in\s+the\s+month)|"
    rf"(?P<lastmonth>last\s+month)|"
    rf"(?P<thisweek>(?:earlier\s+)?this\s+week)|"
    rf"(?P<lastweek>last\s+week)|"
    rf"(?P<thisyear>(?:earlier\s+)?this\s+year|earlier\s+in\s+the\s+year)|"
    rf"(?P<lastyear>last\s+year)|"
    rf"(?P<inmonth>(?:in|last|since|during)\s+(?:(?:early|mid|late)[\s-]+)?(?P<m10>{_MONTH})(?:,?\s+(?P<y10>{_YEAR}))?)|"
    rf"(?P<inyear>(?:in|during)\s+(?P<y11>{_YEAR}))"
    rf")\b",
    re.IGNORECASE,
)


def _month_before(published: datetime.date, month: int) -> datetime.date:
    """That month in the publication year, or the year before if still ahead."""
    year = published.year if month <= published.month else published.year - 1
    return datetime.date(year, month, 1)


def _weekday_on_or_before(published: datetime.date, name: str, strictly: bool):
    back = (published.weekday() - WEEKDAYS.index(name.lower())) % 7
    if strictly and back == 0:
        back = 7
    return published - datetime.timedelta(days=back)


def _stated_match(m: re.Match, published: datetime.date | None):
    """(date, precision) for one match of ``_STATED_RE``, or None."""
    g = m.group
    if g("dmy") or g("mdy"):
        month = _month(g("m1") or g("m2"))
        day = int((g("d1") or g("d2")).rstrip("stndrh"))
        year = int(g("y1") or g("y2"))
        return (_date(year, month, day), DAY) if month else None
    if g("iso"):
        return _date(int(g("y3")), int(g("m3")), int(g("d3"))), DAY
    if g("my"):
        month = _month(g("m4"))
        return (datetime.date(int(g("y4")), month, 1), MONTH) if month else None
    if g("inyear"):
        return datetime.date(int(g("y11")), 1, 1), YEAR
    if g("inmonth") and g("y10"):
        month = _month(g("m10"))
        return (datetime.date(int(g("y10")), month, 1), MONTH) if month else None
    if published is None:
        return None
    return _relative_stated(m, published)


def _relative_stated(m: re.Match, published: datetime.date):
    g = m.group
    if g("dm") or g("md"):
        return _day_month_before(m, published)
    if g("ago"):
        unit = g("u7").lower().rstrip("s")
        date = _shift(published, unit, -_count(g("n7")))
        return date, {"day": DAY, "week": DAY, "month": MONTH}.get(unit, YEAR)
    if g("lastwd") or g("wd"):
        if g("wd") and not g("wd")[0].isupper():
            return None
        return _weekday_on_or_before(
            published, g("w8") or g("w9"), bool(g("lastwd"))
        ), DAY
    simple = {
        "yesterday": (published - datetime.timedelta(days=1), DAY),
        "today": (published, DAY),
        "thismonth": (published, MONTH),
        "lastmonth": (add_months(published, -1), MONTH),
        "thisweek": (published - datetime.timedelta(days=published.weekday()), MONTH),
        "lastweek": (published - datetime.timedelta(days=7), MONTH),
        "thisyear": (published, YEAR),
        "lastyear": (published.replace(year=published.year - 1, day=1), YEAR),
    }
    for name, value in simple.items():
        if g(name):
            return value
    if g("inmonth"):
        return _in_month_stated(m, published)
    return None


def _day_month_before(m: re.Match, published: datetime.date):
    """ "12 March" without a year: the latest one on or before publication."""
    g = m.group
    month = _month(g("m5") or g("m6"))
    day = int((g("d5") or g("d6")).rstrip("stndrh"))
    if not month:
        return None
    date = _date(published.year, month, day)
    if date and date > published:
        date = _date(published.year - 1, month, day)
    return date, DAY


def _in_month_stated(m: re.Match, published: datetime.date):
    """ "in March" without a year: the latest March on or before publication;
    "last March" said in March is the year before's."""
    month = _month(m.group("m10"))
    if not month:
        return None
    if m.group().lower().startswith("last") and month == published.month:
        return datetime.date(published.year - 1, month, 1), MONTH
    return _month_before(published, month), MONTH


def find_stated(
    text: str, regions: list[tuple[int, int]], published: datetime.date | None
) -> Resolved | None:
    """The first date expression in ``regions`` (the words around the claim
    that say when it was made), stored at its period's first day."""
    for lo, hi in regions:
        for m in _STATED_RE.finditer(text, lo, hi):
            try:
                found = _stated_match(m, published)
            except (OverflowError, ValueError):  # past year 1 or 9999
                continue
            if found and found[0]:
                date, precision = found
                return Resolved(period_start(date, precision), precision, *m.span())
    return None


# -- when it falls due ---------------------------------------------------------

_DUE_RE = re.compile(
    rf"\b(?:"
    rf"(?P<half>(?:by|before|in|during|until)\s+the\s+(?P<h_which>first|second|third|fourth|last)\s+"
    rf"(?P<h_unit>half|quarter)\s+of\s+(?P<h_y>{_YEAR}))|"
    rf"(?P<endof>(?:by|before)\s+(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?"
    rf"(?P<e_what>year|month|next\s+year|{_YEAR}|(?P<e_m>{_MONTH})(?:\s+(?P<e_y>{_YEAR}))?))|"
    rf"(?P<yearend>by\s+(?:the\s+)?year[\s-]end)|"
    rf"(?P<within>(?:within(?:\s+the\s+(?:next|coming))?|in\s+the\s+(?:next|coming)|"
    rf"over\s+the\s+(?:next|coming)|in)\s+(?P<w_n>{_COUNT})\s+(?P<w_u>{_UNIT})(?:['’]?\s+time)?)|"
    rf"(?P<within_next>within\s+(?:the\s+)?(?:next|coming)\s+(?P<wn_u>week|month|year))|"
    rf"(?P<bydate>(?:by|before|until|no\s+later\s+than|on|from)\s+(?:{_WEEKDAY},?\s+)?"
    rf"(?:(?P<b_d1>{_DAY})\s+(?P<b_m1>{_MONTH})|(?P<b_m2>{_MONTH})\s+(?P<b_d2>{_DAY}))(?:,?\s+(?P<b_y>{_YEAR}))?)|"
    rf"(?P<bymonth>(?:by|before|until|in|from|no\s+later\s+than)\s+(?:(?:early|mid|late)[\s-]+)?"
    rf"(?P<bm_first>{_MONTH})(?:(?:\s*,\s*|\s+or\s+|\s+and\s+|\s*[-–]\s*|\s+to\s+)(?P<bm_last>{_MONTH}))*"
    rf"(?:\s+(?P<bm_y>{_YEAR})|\s+(?P<bm_rel>next|this)\s+year)?)|"
    rf"(?P<byyear>(?:by|before|until|in|from|no\s+later\s+than)\s+(?:(?:early|mid|late)[\s-]+)?(?P<by_y>{_YEAR}))|"
    rf"(?P<through>(?:throughout|through|for\s+(?:the\s+whole\s+of|all\s+of|the\s+rest\s+of))\s+"
    rf"(?P<t_y>{_YEAR}))|"
    rf"(?P<weekday>(?:by|before|until|on)\s+(?:next\s+)?(?P<wd_name>{_WEEKDAY}))|"
    rf"(?P<season>(?:(?:by|before|until|in|during)\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+)?)?)?"
    rf"(?:(?P<s_rel>next|this|coming)\s+)?(?P<s_name>spring|summer|autumn|fall|winter)"
    rf"(?:\s+(?:of\s+)?(?P<s_y>{_YEAR}))?)|"
    rf"(?P<next>next\s+(?P<n_u>week|month|year))|"
    rf"(?P<later>(?:later\s+)?this\s+(?P<l_u>month|year))"
    rf")\b",
    re.IGNORECASE,
)
_MONTH_WORD_RE = re.compile(_MONTH, re.IGNORECASE)


@dataclass(frozen=True)
class Due:
    date: datetime.date
    precision: str
    text: str
    firm: bool  # "by …", "within …", "next …": a deadline, not just a time


_FIRM_RE = re.compile(
    r"(?:by|before|until|within|no\s+later|next|in\s+the\s+next|over\s+the\s+next|"
    r"throughout|through|for)\b",
    re.IGNORECASE,
)


def _upcoming_month(published: datetime.date | None, month: int, year: str | None):
    if year:
        return datetime.date(int(year), month, 1)
    if published is None:
        return None
    return datetime.date(published.year + (month < published.month), month, 1)


def _due_match(m: re.Match, published: datetime.date | None):
    g = m.group
    if g("endof"):
        return _end_of(m, published)
    if g("half"):
        return _part_of_year(m)
    if g("yearend"):
        return (published, YEAR) if published else None
    if g("within"):
        return _within(m, published)
    if g("bydate"):
        return _by_date(m, published)
    if g("bymonth"):
        return _by_month(m, published)
    if g("byyear"):
        return datetime.date(int(g("by_y")), 1, 1), YEAR
    if g("through"):
        return _through(m, published)
    if published is None:
        return None
    return _relative_due(m, published)


def _relative_due(m: re.Match, published: datetime.date):
    """The deadlines that only resolve against the publication date."""
    g = m.group
    if g("within_next"):
        # "within the next year", said 3 October 2024: by about October 2025.
        unit = g("wn_u").lower()
        return _shift(published, unit, 1), DAY if unit == "week" else MONTH
    if g("season"):
        return _season(m, published)
    if g("weekday"):
        return _coming_weekday(g("wd_name"), published)
    if g("next"):
        return _next_period(g("n_u"), published)
    if g("later"):
        return published, MONTH if g("l_u").lower() == "month" else YEAR
    return None


_PARTS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4}


def _part_of_year(m: re.Match):
    """ "in the first half of 2026" → June 2026; "by the fourth quarter of
    2027" → December 2027 (month: the period ends with a month)."""
    which = _PARTS[m.group("h_which").lower()]
    if m.group("h_unit").lower() == "half":
        which = min(which, 2) * 2
    month = 3 * which
    return datetime.date(int(m.group("h_y")), month, 1), MONTH


def _within(m: re.Match, published: datetime.date | None):
    if not published:
        return None
    unit = m.group("w_u").lower().rstrip("s")
    date = _shift(published, unit, _count(m.group("w_n")))
    return date, DAY if unit in ("day", "week") else MONTH


def _by_date(m: re.Match, published: datetime.date | None):
    g = m.group
    month = _month(g("b_m1") or g("b_m2"))
    day = int((g("b_d1") or g("b_d2")).rstrip("stndrh"))
    if not month:
        return None
    start = _upcoming_month(published, month, g("b_y"))
    return (_date(start.year, month, day), DAY) if start else None


def _by_month(m: re.Match, published: datetime.date | None):
    """ "by May", "in March or April next year": the last month named."""
    g = m.group
    months = [mo for w in _MONTH_WORD_RE.findall(m.group()) if (mo := _month(w))]
    if not months:
        return None
    year = g("bm_y")
    if g("bm_rel") and published:
        year = str(published.year + (g("bm_rel").lower() == "next"))
    start = _upcoming_month(published, months[-1], year)
    return (start, MONTH) if start else None


def _through(m: re.Match, published: datetime.date | None):
    """ "throughout 2026": by the end of that year. "Throughout the year" is
    how long, not by when: no deadline (the pattern leaves it out)."""
    return datetime.date(int(m.group("t_y")), 1, 1), YEAR


def _coming_weekday(name: str, published: datetime.date):
    """ "by Friday": the next Friday after publication, a week on if it is one."""
    if not name[0].isupper():
        return None
    ahead = (WEEKDAYS.index(name.lower()) - published.weekday()) % 7
    return published + datetime.timedelta(days=ahead or 7), DAY


def _next_period(unit: str, published: datetime.date):
    unit = unit.lower()
    if unit == "week":
        # Next week ends on the Sunday after the coming Monday.
        monday = published - datetime.timedelta(days=published.weekday())
        return monday + datetime.timedelta(days=13), DAY
    if unit == "month":
        return add_months(published, 1), MONTH
    return published.replace(year=published.year + 1, day=1), YEAR


# Start month, and the month it ends in (astronomically: 20–22 June, September,
# December, March), northern hemisphere.
_SEASONS = {
    "spring": (3, 6),
    "summer": (6, 9),
    "autumn": (9, 12),
    "fall": (9, 12),
    "winter": (12, 3),
}


def _season(m: re.Match, published: datetime.date | None):
    """ "next spring" (said in April 2026: spring 2027), "by the summer",
    "in winter 2026": due the month the season ends, at month precision."""
    words = m.group().lower()
    if words.startswith(m.group("s_name").lower()):
        return None  # a bare "spring" may be a noun ("the spring rains")
    start_month, end_month = _SEASONS[m.group("s_name").lower()]
    if words.startswith(("before", "by", "until")) and "end" not in words:
        # "before the summer": done by the time it starts.
        end_month = start_month - 1 or 12
    if m.group("s_y"):
        year = int(m.group("s_y"))
    elif published is None:
        return None
    else:
        year = published.year - 1  # the season that may still be running
        while True:
            start = datetime.date(year, start_month, 1)
            end = period_end(
                datetime.date(year + (end_month < start_month), end_month, 1), MONTH
            )
            upcoming = (
                start > published if m.group("s_rel") == "next" else end >= published
            )
            if upcoming:
                break
            year += 1
    return datetime.date(year + (end_month < start_month), end_month, 1), MONTH


def _end_of(m: re.Match, published: datetime.date | None):
    what = m.group("e_what").lower()
    if m.group("e_m"):
        month = _month(m.group("e_m"))
        start = _upcoming_month(published, month, m.group("e_y")) if month else None
        return (start, MONTH) if start else None
    if what.isdigit():
        return datetime.date(int(what), 1, 1), YEAR
    if published is None:
        return None
    if what == "month":
        return published, MONTH
    if what.startswith("next"):
        return published.replace(year=published.year + 1, day=1), YEAR
    return published, YEAR


def find_due(
    text: str, regions: list[tuple[int, int]], published: datetime.date | None
) -> Due | None:
    """The deadline a prediction or promise names, stored at its period's last
    day; the words that say it are kept as ``due_text``.

    A deadline ("by …", "within …") wins over a plain time ("in May"), and of
    several deadlines the latest ("begins in March, fully open by October").
    A date already past at publication is a time, not a deadline: skipped.
    """
    found: list[Due] = []
    for lo, hi in regions:
        for m in _DUE_RE.finditer(text, lo, hi):
            try:
                match = _due_match(m, published)
            except (OverflowError, ValueError):  # past year 1 or 9999
                continue
            if not match or not match[0]:
                continue
            date, precision = match
            due = period_end(date, precision)
            if published is not None and due < published:
                continue
            found.append(
                Due(due, precision, m.group(), bool(_FIRM_RE.match(m.group())))
            )
    firm = [d for d in found if d.firm]
    if firm:
        return max(firm, key=lambda d: d.date)
    return found[0] if found else None
