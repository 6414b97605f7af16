"""Dates that may be partial: ``1994``, ``1990-10`` or ``1990-09-12``, read as the span of days they cover.

Sources are often dated to the year or the month only ("1994", "Oct 1990"). To tell whether a source
predates a decision without pretending to more precision than the record has, every date is read as a
:class:`DateSpan`: ``1994`` is 1 Jan to 31 Dec 1994, ``1990-10`` is October 1990, a full date is one day.
A span ``by`` a date (``DateSpan.by("1994")``) is any day up to the end of that date: what is known of a
decision that a publication of that date already reports.

>>> s = span("1990-10")
>>> s.start, s.end
(datetime.date(1990, 10, 1), datetime.date(1990, 10, 31))
>>> span("1994").before(span("1995-01-01")), span("1994").before(span("1994-06"))
(True, False)
>>> span(1994) == span("1994"), span("spring 1990") is None
(True, True)
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
DATE_FORMS = "a date YYYY-MM-DD, YYYY-MM or YYYY"


@dataclass(frozen=True)
class DateSpan:
    """The days a (possibly partial) date covers, ``start`` to ``end`` inclusive; ``text`` as written
    canonically (``1994``, ``1990-10``, ``1990-09-12``, ``by 1994``)."""

    start: dt.date
    end: dt.date
    text: str = field(default="", compare=False)

    @classmethod
    def by(cls, value: Any) -> DateSpan | None:
        """Any day up to the end of ``value`` (None when ``value`` is not a date)."""
        s = span(value)
        return None if s is None else cls(dt.date.min, s.end, f"by {s.text}")

    def before(self, other: DateSpan) -> bool:
        """Every day of this span lies before every day of ``other``."""
        return self.end < other.start

    def not_before(self, other: DateSpan) -> bool:
        """No day of this span lies before the last day of ``other`` (on or after it, certainly)."""
        return self.start >= other.end

    def __str__(self) -> str:
        return self.text or f"{self.start.isoformat()} to {self.end.isoformat()}"

    def __repr__(self) -> str:
        return f"DateSpan({self.text or str(self)!r})"


def span(value: Any) -> DateSpan | None:
    """The days ``value`` covers: a :class:`datetime.date`, a year (int or text), ``YYYY-MM`` or
    ``YYYY-MM-DD`` text; None for anything else (free text such as ``"spring 1990"``)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return DateSpan(value, value, value.isoformat())
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = f"{value:04d}" if 0 < value < 10_000 else ""
    if not isinstance(value, str):
        return None
    m = _PARTIAL.match(value.strip())
    if not m:
        return None
    year = int(m.group(1))
    try:
        if m.group(3) is not None:
            if m.group(2) is None:
                return None
            d = dt.date(year, int(m.group(2)), int(m.group(3)))
            return DateSpan(d, d, d.isoformat())
        if m.group(2) is not None:
            month = int(m.group(2))
            last = calendar.monthrange(year, month)[1]
            return DateSpan(dt.date(year, month, 1), dt.date(year, month, last), f"{year:04d}-{month:02d}")
        if year < 1:
            return None
        return DateSpan(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year:04d}")
    except ValueError:
        return None


def normalise(value: Any) -> dt.date | str:
    """A full date as :class:`datetime.date`, a partial one as canonical text (``"1994"``,
    ``"1990-10"``); raises ValueError naming the accepted forms otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = span(value)
    if s is None:
        raise ValueError(f"expected {DATE_FORMS}, got {value!r}")
    return s.start if s.start == s.end else s.text
