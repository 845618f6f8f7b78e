"""Periods as people quote them, parsed into the calendar months they cover.

    2024-01..2024-10   a range of months, both ends included
    2023-24            a financial year (April 2023 to March 2024), also 2023/24 or FY2023-24
    2024               a calendar year
    2024-03            one month

A financial year's second part is the next year's last two digits; `2011-12` and other forms
that could also be a month are read as the month (write FY2011-12 for the year).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from orchestration.lib.figures.errors import FigureError

_MONTH = r"(\d{4})-(\d{2})"
_RANGE = re.compile(rf"^{_MONTH}\s*\.\.\s*{_MONTH}$")
_SINGLE = re.compile(rf"^{_MONTH}$")
_YEAR = re.compile(r"^(\d{4})$")
_FINANCIAL = re.compile(r"^(?:FY\s*)?(\d{4})[-/](\d{2})$", re.IGNORECASE)

PERIOD_FORMS = "2024-01..2024-10 (months), 2023-24 (financial year), 2024 (calendar year), 2024-03"


@dataclass(frozen=True)
class Period:
    """The label a figure is quoted under and the first day of each month it covers, in order."""

    label: str
    months: tuple[dt.date, ...]

    @property
    def first(self) -> dt.date:
        return self.months[0]

    @property
    def last(self) -> dt.date:
        return self.months[-1]


def _month(year: str, month: str, text: str) -> dt.date:
    if not 1 <= int(month) <= 12:
        raise FigureError(f"period {text!r}: {year}-{month} is not a month; use {PERIOD_FORMS}")
    return dt.date(int(year), int(month), 1)


def _months_between(first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def parse_period(text: str) -> Period:
    """The months of a period written in one of PERIOD_FORMS; a FigureError says what is wrong."""
    value = str(text).strip()
    if match := _RANGE.match(value):
        first = _month(match[1], match[2], value)
        last = _month(match[3], match[4], value)
        if last < first:
            raise FigureError(f"period {value!r}: the range ends before it starts")
        if first == last:
            return Period(f"{first:%Y-%m}", (first,))
        return Period(f"{first:%Y-%m}..{last:%Y-%m}", _months_between(first, last))
    explicit_fy = value.upper().startswith("FY") or "/" in value
    if (match := _FINANCIAL.match(value)) and (explicit_fy or not 1 <= int(match[2]) <= 12):
        start = int(match[1])
        if int(match[2]) != (start + 1) % 100:
            raise FigureError(
                f"period {value!r}: a financial year runs April to March of the next year, "
                f"e.g. {start}-{(start + 1) % 100:02d}; use {PERIOD_FORMS}"
            )
        months = _months_between(dt.date(start, 4, 1), dt.date(start + 1, 3, 1))
        return Period(f"{start}-{(start + 1) % 100:02d}", months)
    if match := _SINGLE.match(value):
        month = _month(match[1], match[2], value)
        return Period(f"{month:%Y-%m}", (month,))
    if match := _YEAR.match(value):
        year = int(match[1])
        return Period(str(year), _months_between(dt.date(year, 1, 1), dt.date(year, 12, 1)))
    raise FigureError(f"period {value!r} is not a period; use {PERIOD_FORMS}")
