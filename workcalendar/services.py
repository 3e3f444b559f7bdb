"""Working-day arithmetic on the official calendar (RULES §0) and the regulator's writes.

Sources, in order: a regulator's current per-date entry (CalendarDay); `chinesecalendar` for
the years it knows; otherwise Monday–Friday, and every result that relied on such a day is
*provisional* until a provincial regulator confirms the year (never guessed silently).

Efficiency: a computation loads the regulator entries and the confirmed years once
(`_Calendar`: two queries) and then walks the days in memory, so `deadline`,
`add_working_days` and `working_days_between` cost O(1) queries whatever `n` is.
Recomputing every open deadline after a confirmation shares one snapshot for all rows.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar
import pghistory
from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.audit import audit_context
from core.errors import Conflict, InvalidInput
from core.parsing import clean_date, clean_text
from core.permissions import require
from notifications.models import Notification
from notifications.recipients import province_regulators
from notifications.services import notify
from notifications.text import Text
from policy.services import get as policy_get

from .models import CalendarDay, CalendarYear, WorkingDayDeadline

MIN_YEAR, MAX_YEAR = 2000, 2100
NAME_MAX, NOTE_MAX, REASON_MAX = 50, 200, 200


# --- the calendar ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _package_years() -> frozenset[int]:
    return frozenset(d.year for d in chinese_calendar.constants.holidays)


def package_knows(year: int) -> bool:
    """`chinesecalendar` carries the State Council's schedule for this year."""
    return year in _package_years()


class _Calendar:
    """A snapshot of the regulator entries (optionally only after `since`) and the confirmed
    years: two queries, then every day is answered in memory."""

    def __init__(self, since: date | None = None):
        entries = CalendarDay.objects.current()
        if since is not None:
            entries = entries.filter(date__gt=since)
        self.overrides = dict(entries.values_list("date", "kind"))
        self.confirmed_years = set(CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True))

    def known(self, year: int) -> bool:
        return package_knows(year) or year in self.confirmed_years

    def day(self, d: date) -> tuple[bool, bool]:
        """(is working day, is known for sure)."""
        known = self.known(d.year)
        kind = self.overrides.get(d)
        if kind is not None:
            return kind == CalendarDay.Kind.WORKDAY, known
        if package_knows(d.year):
            return chinese_calendar.is_workday(d), True
        return d.weekday() < 5, known


def year_is_known(year: int) -> bool:
    return package_knows(year) or CalendarYear.objects.filter(year=year, confirmed=True).exists()


def is_working_day(d: date) -> bool:
    return _Calendar(since=d - timedelta(days=1)).day(d)[0]


def _walk(cal: _Calendar, start: date, n: int) -> tuple[date, bool]:
    if n < 0:
        raise ValueError("n must be >= 0")
    d, counted, provisional = start, 0, False
    while counted < n:
        d += timedelta(days=1)
        if d.year > MAX_YEAR:
            raise ValueError(f"deadline beyond {MAX_YEAR}")
        working, known = cal.day(d)
        provisional |= not known
        if working:
            counted += 1
    return d, provisional


def deadline(start: date, n: int) -> tuple[date, bool]:
    """The n-th working day after `start` (start itself not counted), and whether any day
    counted on the way lies in a year nobody has confirmed (then the date is provisional)."""
    return _walk(_Calendar(since=start), start, n)


def add_working_days(start: date, n: int) -> date:
    return deadline(start, n)[0]


def working_days_between(a: date, b: date) -> int:
    """Working days in (a, b]: after a, up to and including b. Negative if b < a."""
    if b < a:
        return -working_days_between(b, a)
    cal = _Calendar(since=a)
    count, d = 0, a
    while d < b:
        d += timedelta(days=1)
        if cal.day(d)[0]:
            count += 1
    return count


# --- deadlines of other apps ----------------------------------------------------------------


def deadline_models() -> list[type[WorkingDayDeadline]]:
    """Every concrete model inheriting WorkingDayDeadline (any app, including test apps)."""
    return [m for m in apps.get_models() if issubclass(m, WorkingDayDeadline) and not m._meta.proxy]


def open_deadlines(model, extra: Q):
    # _base_manager: a default manager that hides rows must not hide open deadlines.
    return model._base_manager.filter(
        model.deadline_open_q() & extra & Q(due_start__isnull=False, due_days__isnull=False)
    )


def _plan_recompute(cal: _Calendar, extra: Q) -> list[tuple[type, list]]:
    """The open deadlines matching `extra` whose (due, due_provisional) differ on `cal`,
    per model, locked until the end of the transaction (the daily jobs skip them)."""
    plan = []
    for model in deadline_models():
        rows = open_deadlines(model, extra).select_for_update(of=("self",)).order_by("pk")
        changed = []
        for row in rows:
            due, provisional = _walk(cal, row.due_start, row.due_days)
            if (due, provisional) != (row.due, row.due_provisional):
                row.due, row.due_provisional = due, provisional
                changed.append(row)
        if changed:
            plan.append((model, changed))
    return plan


def _apply_recompute(plan) -> None:
    for model, changed in plan:
        model._base_manager.bulk_update(changed, ["due", "due_provisional"], batch_size=500)


def _recompute_and_write(cal: _Calendar, extra: Q, write):
    """Plan the recomputation on the calendar as it will be after `write()`, record the
    count in the audit context, then run `write()` and update the deadlines — all inside
    the caller's transaction and audit context. Returns (write's result, count)."""
    plan = _plan_recompute(cal, extra)
    count = sum(len(rows) for _model, rows in plan)
    # Set before the writes: pghistory stores the context with the first tracked write.
    pghistory.context(recomputed_deadlines=count)
    result = write()
    _apply_recompute(plan)
    return result, count


# --- input checks ---------------------------------------------------------------------------


MANAGER_ONLY = gettext_lazy("仅省医保局可以维护工作日历")


def check_year(value, field: str = "year") -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(_("年份“%(value)s”无效，请填写四位数字年份") % {"value": value}, field) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(
            _("年份须在 %(min)s 至 %(max)s 之间") % {"min": MIN_YEAR, "max": MAX_YEAR}, field
        )
    return year


def parse_date(value, field: str = "date") -> date:
    """A real calendar date within 2000–2100 (typed text such as "2027-02-30" is refused)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        d = value
    else:
        text = str(value or "").strip()
        if not text:
            raise InvalidInput(_("请填写日期"), field)
        d = clean_date(text, field, message=_("“%(value)s”不是有效的日期：请按 YYYY-MM-DD 填写实际存在的日期"))
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise InvalidInput(_("日期须在 %(min)s 至 %(max)s 年之间") % {"min": MIN_YEAR, "max": MAX_YEAR}, field)
    return d


def _parse_kind(value) -> str:
    if value not in CalendarDay.Kind.values:
        raise InvalidInput(_("未知的类型：请选择“法定节假日（休息）”或“调休上班日”"), "kind")
    return value


def _supersede(entry: CalendarDay, user, reason: str):
    entry.superseded_at = timezone.now()
    entry.superseded_by = user
    entry.superseded_reason = reason
    entry.save(update_fields=["superseded_at", "superseded_by", "superseded_reason"])


def _affected_by(d: date) -> Q:
    """Open deadlines whose counting window (due_start, due] contains `d`."""
    return Q(due_start__lt=d, due__gte=d)


# --- regulator services ---------------------------------------------------------------------


def set_calendar_day(user, day, kind, name="") -> CalendarDay:
    """Record that `day` is a statutory holiday or a make-up working day (调休).

    An existing entry for the date is superseded, never edited or deleted. Open deadlines
    whose window contains the date are recomputed at once (count in `entry.recomputed_deadlines`)."""
    require(user, "workcalendar.manage", message=MANAGER_ONLY)
    d = parse_date(day)
    kind = _parse_kind(kind)
    name = clean_text(name, "name", NAME_MAX)
    label = CalendarDay.Kind(kind).label
    with transaction.atomic(), audit_context(user, reason=f"登记 {d} 为{label}{('：' + name) if name else ''}"):
        current = CalendarDay.objects.select_for_update().current().filter(date=d).first()
        if current is not None and current.kind == kind and current.name == name:
            raise Conflict(_("%(date)s 已登记为“%(kind)s”，未作更改") % {"date": d, "kind": label}, "date")

        def write():
            if current is not None:
                _supersede(current, user, "被新的登记替换")
            try:
                with transaction.atomic():
                    return CalendarDay.objects.create(date=d, kind=kind, name=name, set_by=user)
            except IntegrityError:
                raise Conflict(_("%(date)s 的登记刚被其他用户修改，请刷新后重试") % {"date": d}, "date") from None

        cal = _Calendar()
        cal.overrides[d] = kind
        entry, entry.recomputed_deadlines = _recompute_and_write(cal, _affected_by(d), write)
    return entry


def withdraw_calendar_day(user, day, reason) -> CalendarDay:
    """Withdraw the current entry of `day` (the date falls back to the package / Mon–Fri).
    The entry stays in the table, marked superseded with who, when and why."""
    require(user, "workcalendar.manage", message=MANAGER_ONLY)
    d = parse_date(day)
    reason = clean_text(reason, "reason", REASON_MAX, required=_("撤销登记须填写原因"))
    with transaction.atomic(), audit_context(user, reason=f"撤销 {d} 的日历登记：{reason}"):
        current = CalendarDay.objects.select_for_update().current().filter(date=d).first()
        if current is None:
            raise InvalidInput(_("%(date)s 没有生效的日历登记，无可撤销") % {"date": d}, "date")
        cal = _Calendar()
        cal.overrides.pop(d, None)
        _written, count = _recompute_and_write(cal, _affected_by(d), lambda: _supersede(current, user, reason))
        current.recomputed_deadlines = count
    return current


def confirm_year(user, year, note) -> CalendarYear:
    """A provincial regulator confirms that the year's holidays and make-up days are entered
    as announced. Every open provisional deadline in every WorkingDayDeadline model is then
    recomputed in the same transaction (count in `obj.recomputed_deadlines`)."""
    require(user, "workcalendar.manage", message=MANAGER_ONLY)
    year = check_year(year)
    note = clean_text(note, "note", NOTE_MAX, required=_("请填写确认说明（如国务院办公厅通知文号）"))
    if package_knows(year):
        raise Conflict(_("%(year)s 年的放假安排已包含在内置的国务院节假日数据中，无需确认") % {"year": year}, "year")
    with transaction.atomic(), audit_context(user, reason=f"确认 {year} 年工作日历：{note}"):
        obj = CalendarYear.objects.select_for_update().filter(year=year).first()
        if obj is not None and obj.confirmed:
            raise Conflict(
                _("%(year)s 年日历已于 %(at)s 由 %(who)s 确认，未作更改")
                % {"year": year, "at": timezone.localtime(obj.confirmed_at).strftime("%Y-%m-%d %H:%M"),
                   "who": obj.confirmed_by},
                "year",
            )
        if not CalendarDay.objects.current().filter(date__year=year, kind=CalendarDay.Kind.HOLIDAY).exists():
            raise InvalidInput(
                _("%(year)s 年尚未登记任何法定节假日：请先按国务院公布的放假安排录入，再确认") % {"year": year},
                "year",
            )

        def write():
            fields = {"confirmed": True, "confirmed_by": user, "confirmed_at": timezone.now(), "note": note}
            if obj is not None:
                for key, value in fields.items():
                    setattr(obj, key, value)
                obj.save(update_fields=list(fields))
                return obj
            try:
                with transaction.atomic():
                    return CalendarYear.objects.create(year=year, **fields)
            except IntegrityError:
                raise Conflict(_("%(year)s 年日历刚被其他用户确认，请刷新") % {"year": year}, "year") from None

        cal = _Calendar()
        cal.confirmed_years.add(year)
        confirmed, confirmed.recomputed_deadlines = _recompute_and_write(cal, Q(due_provisional=True), write)
    return confirmed


# --- reminders ------------------------------------------------------------------------------


def remind_unconfirmed_next_year(today: date | None = None) -> list:
    """From the month in policy parameter `calendar.reminder_month` (default November) to the
    end of the year, remind every provincial regulator that next year's calendar is not
    confirmed. One message per recipient, year and month (dedupe key): re-runs of the job
    in the same month send nothing new."""
    today = today or timezone.localdate()
    if today.month < policy_get("calendar.reminder_month", at=today):
        return []
    year = today.year + 1
    if year_is_known(year):
        return []
    return notify(
        province_regulators(),
        kind="workcalendar.year_unconfirmed",
        level=Notification.Level.REMINDER,
        title=Text(gettext_noop("%(year)s 年工作日历尚未确认"), year=year),
        body=Text(gettext_noop(
            "%(year)s 年的法定节假日和调休上班日尚未录入并确认。在确认前，跨入 %(year)s 年的期限"
            "均按周一至周五暂定计算。请在国务院公布放假安排后，于“工作日历”中录入并确认。"
        ), year=year),
        url=f"{reverse('workcalendar:index')}?year={year}",
        dedupe_key=f"workcalendar:year-unconfirmed:{year}:{today.month:02d}",
    )
