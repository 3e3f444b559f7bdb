"""The official working-day calendar (RULES §0) beside `chinesecalendar`: regulators keep a
table of per-date overrides and a per-year "confirmed" flag for years the package does not
know yet. Deadline-bearing models inherit `WorkingDayDeadline`."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.mixins import NeverDeleted


class CalendarDayQuerySet(models.QuerySet):
    def current(self):
        """The entries in force (not superseded or withdrawn)."""
        return self.filter(superseded_at__isnull=True)


@pghistory.track()
class CalendarDay(NeverDeleted):
    """A regulator-maintained entry: this date is a holiday, or a make-up working day (调休).

    Entries are never deleted or edited in place: changing a date's entry supersedes the
    current one with a new row, and withdrawing it marks it superseded with no successor.
    So the table itself shows which calendar was in force when a deadline was computed
    (pghistory additionally records who and why)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日（休息）")
        WORKDAY = "workday", _("调休上班日")

    date = models.DateField(_("日期"), db_index=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("说明"), max_length=50, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    superseded_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    superseded_reason = models.CharField(_("失效原因"), max_length=200, blank=True)

    objects = CalendarDayQuerySet.as_manager()

    never_deleted_trigger = "calendar_day_never_deleted"

    class Meta:
        ordering = ["date", "set_at"]
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")
        constraints = [
            models.UniqueConstraint(
                fields=["date"], condition=Q(superseded_at__isnull=True), name="calendar_day_one_current_entry"
            ),
            models.CheckConstraint(condition=Q(kind__in=["holiday", "workday"]), name="calendar_day_kind_valid"),
            models.CheckConstraint(
                condition=Q(superseded_at__isnull=True, superseded_by__isnull=True)
                | Q(superseded_at__isnull=False, superseded_by__isnull=False),
                name="calendar_day_superseded_has_actor",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"

    @property
    def is_current(self):
        return self.superseded_at is None


@pghistory.track()
class CalendarYear(NeverDeleted):
    """Whether a year's calendar is confirmed (announced by the State Council and entered)."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    confirmed = models.BooleanField(_("已确认"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    never_deleted_trigger = "calendar_year_never_deleted"

    class Meta:
        ordering = ["year"]
        verbose_name = _("年度日历")
        verbose_name_plural = _("年度日历")
        constraints = [models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="calendar_year_range")]

    def __str__(self):
        return str(self.year)


class WorkingDayDeadline(models.Model):
    """Mixin for rows carrying a deadline N working days after a start date.

    `due` is indexed for the claiming sweep; `due_provisional` marks a due date computed on
    the Monday–Friday fallback for a year the calendar does not know yet. Subclasses define
    `deadline_open_q()` (which rows are still open) so that confirming a year recomputes
    every open provisional deadline (see workcalendar.services.confirm_year)."""

    due_start = models.DateField(_("起算日"), null=True, blank=True)
    due_days = models.PositiveSmallIntegerField(_("期限（工作日）"), null=True, blank=True)
    due = models.DateField(_("截止日"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(_("截止日暂定"), default=False)

    class Meta:
        abstract = True

    @classmethod
    def deadline_open_q(cls) -> Q:
        raise NotImplementedError

    def set_deadline(self, start, working_days: int):
        # Imported here: services imports this module's models (a top-level import would be a cycle).
        from .services import deadline

        self.due_start = start
        self.due_days = working_days
        self.due, self.due_provisional = deadline(start, working_days)
