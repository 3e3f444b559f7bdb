"""Reads of the working-day calendar for the regulators' page and the shell banner."""

from dataclasses import dataclass
from datetime import date

import chinese_calendar
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import CalendarDay, CalendarYear
from .services import deadline_models, open_deadlines, package_knows

# chinesecalendar names its holidays in English; the UI shows the official Chinese names.
HOLIDAY_NAMES = {
    "New Year's Day": gettext_lazy("元旦"),
    "Spring Festival": gettext_lazy("春节"),
    "Tomb-sweeping Day": gettext_lazy("清明节"),
    "Labour Day": gettext_lazy("劳动节"),
    "Dragon Boat Festival": gettext_lazy("端午节"),
    "National Day": gettext_lazy("国庆节"),
    "Mid-autumn Festival": gettext_lazy("中秋节"),
    "Anti-Fascist 70th Day": gettext_lazy("中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"),
}

SOURCE_PACKAGE = "package"
SOURCE_TABLE = "table"


def provisional_banner():
    """Text for regulators when this or next year's calendar is not confirmed (None if fine)."""
    today = timezone.localdate()
    years = [y for y in (today.year, today.year + 1) if not package_knows(y)]
    confirmed = set(CalendarYear.objects.filter(year__in=years, confirmed=True).values_list("year", flat=True)) if years else set()
    missing = [y for y in years if y not in confirmed]
    if not missing:
        return None
    return _(
        "%(years)s 年的法定节假日安排尚未确认：涉及该年度的期限暂按周一至周五计算（暂定），"
        "请省医保局在“工作日历”中录入并确认。"
    ) % {"years": "、".join(str(y) for y in missing)}


@dataclass
class DayRow:
    date: date
    kind: str  # CalendarDay.Kind value
    name: str
    source: str  # SOURCE_PACKAGE or SOURCE_TABLE
    entry: CalendarDay | None = None
    package_kind: str | None = None  # what the package says when a table entry overrides it

    @property
    def kind_label(self):
        return CalendarDay.Kind(self.kind).label

    @property
    def overrides_package(self):
        return self.entry is not None and self.package_kind is not None


def _package_days(year: int) -> dict[date, tuple[str, str]]:
    days = {}
    for source, kind in ((chinese_calendar.constants.holidays, CalendarDay.Kind.HOLIDAY),
                         (chinese_calendar.constants.workdays, CalendarDay.Kind.WORKDAY)):
        for d, holiday_name in source.items():
            if d.year == year:
                days[d] = (kind, str(HOLIDAY_NAMES.get(holiday_name, holiday_name)))
    return days


def year_overview(year: int) -> dict:
    """Everything the calendar page shows for one year: status, the holidays and make-up
    working days from both sources (a regulator entry wins over the package on its date),
    and the superseded / withdrawn entries."""
    package = _package_days(year)
    entries = list(CalendarDay.objects.filter(date__year=year).select_related("set_by", "superseded_by"))
    current = {e.date: e for e in entries if e.is_current}
    rows = []
    for d in sorted(set(package) | set(current)):
        entry = current.get(d)
        pkg = package.get(d)
        if entry is not None:
            rows.append(DayRow(d, entry.kind, entry.name, SOURCE_TABLE, entry, pkg[0] if pkg else None))
        else:
            rows.append(DayRow(d, pkg[0], pkg[1], SOURCE_PACKAGE))
    cal_year = CalendarYear.objects.filter(year=year).select_related("confirmed_by").first()
    if package_knows(year):
        status = "package"
    elif cal_year is not None and cal_year.confirmed:
        status = "confirmed"
    else:
        status = "unknown"
    history = sorted((e for e in entries if not e.is_current), key=lambda e: (e.date, e.superseded_at))
    return {
        "year": year,
        "status": status,
        "calendar_year": cal_year,
        "rows": rows,
        "holiday_count": sum(1 for r in rows if r.kind == CalendarDay.Kind.HOLIDAY),
        "workday_count": sum(1 for r in rows if r.kind == CalendarDay.Kind.WORKDAY),
        "history": history,
    }


def open_provisional_deadline_count() -> int:
    """Open deadlines still computed on the Monday–Friday fallback (what a confirmation
    will recompute), across every deadline model."""
    return sum(open_deadlines(m, Q(due_provisional=True)).count() for m in deadline_models())
