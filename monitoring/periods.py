"""The period a monitoring report covers: a calendar quarter (the default) or a date range.

Dates are the offices' wall-clock dates (Asia/Manila): a quarter runs from its first day at 00:00
to the day after its last at 00:00, Manila time.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.models import MANILA

QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
#: The longest date range a report may cover (about three years).
MAX_DAYS = 3 * 366
# The years a period may lie in (a date near 9999 would overflow the day after the period).
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: How many quarters the period picker offers, the current one included.
QUARTERS_OFFERED = 8


class BadPeriod(ValueError):
    """The period asked for cannot be read; the message says why (shown to the user, 400)."""


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both dates included; `quarter` ("2026-Q3") when it is one."""

    start: datetime.date
    end: datetime.date
    quarter: str = ""

    @property
    def starts_at(self):
        """The first moment of the period (aware, Manila midnight)."""
        return datetime.datetime.combine(self.start, datetime.time.min, MANILA)

    @property
    def ends_before(self):
        """The first moment after the period."""
        return datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, MANILA
        )

    @property
    def label(self):
        if self.quarter:
            year, number = self.quarter.split("-Q")
            return _("Q%(number)s %(year)s (%(start)s to %(end)s)") % {
                "number": number,
                "year": year,
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
            }
        return _("%(start)s to %(end)s") % {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }

    @property
    def slug(self):
        """For file names: "2026-Q3" or "2026-07-01_2026-08-15"."""
        return self.quarter or f"{self.start.isoformat()}_{self.end.isoformat()}"

    def query(self):
        """The query string that asks for this period again."""
        if self.quarter:
            return f"quarter={self.quarter}"
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"


def quarter(year, number):
    """The Period of quarter `number` (1-4) of `year`."""
    start = datetime.date(year, 3 * number - 2, 1)
    after = datetime.date(year + 1, 1, 1) if number == 4 else datetime.date(year, 3 * number + 1, 1)
    return Period(start, after - datetime.timedelta(days=1), f"{year}-Q{number}")


def today():
    return timezone.localtime(timezone.now(), MANILA).date()


def current_quarter():
    day = today()
    return quarter(day.year, (day.month - 1) // 3 + 1)


def recent_quarters(count=QUARTERS_OFFERED):
    """The current quarter and the ones before it, newest first."""
    period = current_quarter()
    quarters = []
    for _i in range(count):
        quarters.append(period)
        period = quarter(*_previous(period))
    return quarters


def _previous(period):
    year, number = (int(part) for part in period.quarter.split("-Q"))
    return (year - 1, 4) if number == 1 else (year, number - 1)


def _date(value, name):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise BadPeriod(
            _("The %(name)s date must be written as YYYY-MM-DD.") % {"name": name}
        ) from exc


def period_from(params):
    """The Period a request's query parameters ask for: `quarter=YYYY-Qn`, or `start` and `end`
    (YYYY-MM-DD, both included), or else the current quarter. Raises BadPeriod."""
    start, end = (params.get("start") or "").strip(), (params.get("end") or "").strip()
    if start or end:
        if not (start and end):
            raise BadPeriod(_("Give both the first and the last date of the period."))
        first, last = _date(start, _("first")), _date(end, _("last"))
        if last < first:
            raise BadPeriod(_("The last date comes before the first."))
        if first.year < FIRST_YEAR or last.year > LAST_YEAR:
            raise BadPeriod(
                _("A period must lie between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        if (last - first).days > MAX_DAYS:
            raise BadPeriod(_("A period may cover at most three years."))
        return Period(first, last)
    wanted = (params.get("quarter") or "").strip()
    if not wanted:
        return current_quarter()
    match = QUARTER_RE.match(wanted)
    if not match or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise BadPeriod(_("A quarter is written like 2026-Q3."))
    return quarter(int(match.group(1)), int(match.group(2)))
