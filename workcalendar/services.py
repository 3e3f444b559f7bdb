"""Working-day arithmetic on the official calendar (RULES §0).

Sources, in order: a regulator's per-date entry (CalendarDay); `chinesecalendar` for the
years it knows; otherwise Monday–Friday, and every result that relied on such a day is
*provisional* until the year is confirmed (never guessed silently)."""

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from .models import CalendarDay, CalendarYear


@lru_cache(maxsize=1)
def _package_years() -> frozenset[int]:
    years = {d.year for d in chinese_calendar.constants.holidays}
    return frozenset(years)


def package_knows(year: int) -> bool:
    return year in _package_years()


class _Calendar:
    """A snapshot of the overrides, loaded once per computation (one query each)."""

    def __init__(self):
        self.overrides = dict(CalendarDay.objects.values_list("date", "kind"))
        self.confirmed_years = set(CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True))

    def day(self, d: date) -> tuple[bool, bool]:
        """(is working day, is known for sure)."""
        kind = self.overrides.get(d)
        known = package_knows(d.year) or d.year in self.confirmed_years
        if kind is not None:
            return kind == CalendarDay.Kind.WORKDAY, known
        if package_knows(d.year):
            return chinese_calendar.is_workday(d), True
        return d.weekday() < 5, known


def year_is_known(year: int) -> bool:
    return package_knows(year) or CalendarYear.objects.filter(year=year, confirmed=True).exists()


def is_working_day(d: date) -> bool:
    return _Calendar().day(d)[0]


def deadline(start: date, n: int) -> tuple[date, bool]:
    """The n-th working day after `start` (start itself not counted), and whether any day
    counted on the way is provisional."""
    if n < 0:
        raise ValueError("n must be >= 0")
    cal = _Calendar()
    d, counted, provisional = start, 0, False
    while counted < n:
        d += timedelta(days=1)
        working, known = cal.day(d)
        provisional |= not known
        if working:
            counted += 1
    return d, provisional


def add_working_days(start: date, n: int) -> date:
    return deadline(start, n)[0]


def working_days_between(a: date, b: date) -> int:
    """Working days in (a, b]: after a, up to and including b. Negative if b < a."""
    if b < a:
        return -working_days_between(b, a)
    cal = _Calendar()
    count, d = 0, a
    while d < b:
        d += timedelta(days=1)
        if cal.day(d)[0]:
            count += 1
    return count
