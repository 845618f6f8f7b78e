"""Months as the warehouse keeps them (YYYY-MM), read from a return's month text.

A month is read with the manifest's month_format (a strptime format, or `excel_serial` for Excel
day numbers). A spreadsheet's date cells need no format: the readers write a typed date cell as
an ISO date ("2024-01-01", or "2024-01-15T10:30" with a time), and that form is always read as
the date it is, whatever month_format says.
"""

from __future__ import annotations

import datetime as dt
import re

from orchestration.lib.sources.force_returns.manifest import EXCEL_SERIAL

# How the spreadsheet readers write a date or datetime cell (readers/spreadsheet.py).
_TYPED_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
# Day 0 of Excel's 1900 date system, as every reader counts it (1900-03-01 is day 61).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_LAST_EXCEL_DAY = 2958465  # 9999-12-31


def _excel_day(text: str) -> dt.date | None:
    try:
        days = float(text)
    except ValueError:
        return None
    if not 1 <= days <= _LAST_EXCEL_DAY:
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=int(days))  # a fraction is the time of day


def month_of(text: str | None, month_format: str, typed_dates: bool) -> str | None:
    """`text` as YYYY-MM, or None when it is not a month in that format. `typed_dates`: the text
    comes from a spreadsheet, whose date cells read as ISO dates."""
    if text is None:
        return None
    if month_format == EXCEL_SERIAL:
        day = _excel_day(text)
        if day is not None:
            return day.strftime("%Y-%m")
    else:
        try:
            return dt.datetime.strptime(text, month_format).strftime("%Y-%m")
        except ValueError:
            pass
    if typed_dates:
        found = _TYPED_DATE.match(text)
        if found is not None:
            try:
                return dt.date(*(int(found.group(i)) for i in (1, 2, 3))).strftime("%Y-%m")
            except ValueError:
                return None
    return None


def describe_format(month_format: str) -> str:
    """How an error says what a month should look like."""
    if month_format == EXCEL_SERIAL:
        return "an Excel day number (45292 is 2024-01-01)"
    return f"a month in {month_format!r}"
