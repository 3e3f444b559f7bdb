"""Home-page tasks of monitoring (MON-2, issue 15 item 6), registered from
`MonitoringConfig.ready()`: an obliged institution's monthly report due by the report day
(`mon.report_day`, the 15th) of the following month; the regulators' missing reports and open
late/missing-report flags."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.todos import TodoItem, register_todo
from policy.services import get as policy

from . import rules, selectors
from .models import FlagCategory, FlagStatus

REGULATOR_ROLES = ("province_regulator", "city_regulator", "county_regulator")


def monitoring_todos(user, today):
    role = "province_regulator" if user.is_superuser else user.role
    month = rules.reporting_month(today)
    due = rules.report_due(month, policy("mon.report_day", at=month))
    if role == "institution":
        missing = selectors.unreported(month, user=user).filter(pk=user.organisation_id).aggregate(n=Count("pk"))
        return [TodoItem(_("%(month)s采购数据月报待报送") % {"month": date_format(month, "YEAR_MONTH_FORMAT")},
                         missing["n"], reverse("monitoring:report_new") + f"?month={month:%Y-%m}", due=due,
                         overdue=today > due, note=_("每月 15 日前报送上月采购数据"), order=25)]
    if role not in REGULATOR_ROLES:
        return []
    flags = selectors.flags_for(user).filter(status=FlagStatus.OPEN).order_by().aggregate(
        late=Count("pk", filter=_category(FlagCategory.LATE_REPORT)),
        missing=Count("pk", filter=_category(FlagCategory.MISSING_REPORT)))
    flag_url = reverse("monitoring:flag_list") + f"?status={FlagStatus.OPEN}&category="
    items = [
        TodoItem(_("待督查：月报未报送"), flags["missing"], flag_url + FlagCategory.MISSING_REPORT, overdue=True,
                 order=35),
        TodoItem(_("待督查：月报逾期报送"), flags["late"], flag_url + FlagCategory.LATE_REPORT, order=36),
    ]
    if role != "province_regulator":
        # The city collects its institutions' reports (ACT-4): who has not reported this month yet.
        n = selectors.unreported(month, user=user).aggregate(n=Count("pk"))["n"]
        items.append(TodoItem(_("%(month)s尚未报送月报的机构") % {"month": date_format(month, "YEAR_MONTH_FORMAT")},
                              n, reverse("monitoring:dashboard") + f"?month={month:%Y-%m}", due=due,
                              overdue=today > due, order=34))
    return items


def _category(value):
    return Q(category=value)


def register():
    register_todo("monitoring", monitoring_todos)
