"""Home-page tasks of price linkage (PRC-1, issue 15 item 6), registered from
`PricingConfig.ready()`. A case's `due` is 20 working days after the other province's price took
effect (working-day calendar)."""

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext as _

from core.todos import TodoItem, register_todo

from . import selectors
from .models import LinkageStatus


def linkage_todos(user, today):
    role = "province_regulator" if user.is_superuser else user.role
    url = reverse("pricing:linkage_list")
    if role == "manufacturer":
        agg = selectors.linkage_cases(user).filter(status=LinkageStatus.OPEN).aggregate(n=Count("pk"), due=Min("due"))
        late = selectors.linkage_cases(user, overdue_only=True).aggregate(n=Count("pk"), due=Min("due"))
        return [
            TodoItem(_("待申报的价格联动"), agg["n"], f"{url}?status={LinkageStatus.OPEN}", due=agg["due"],
                     overdue=bool(agg["due"] and agg["due"] < today),
                     note=_("须在外省新低价执行之日起 20 个工作日内申报"), order=20),
            # Still declarable, but already reported to the regulator (PRC-1 escalation).
            TodoItem(_("逾期未申报的价格联动"), late["n"], reverse("pricing:overdue_list"), due=late["due"],
                     overdue=True, order=21),
        ]
    if role not in ("province_regulator", "city_regulator"):
        # A county supervises its institutions' purchases, not enterprises' price declarations.
        return []
    declared = selectors.linkage_cases(user).filter(status=LinkageStatus.DECLARED).aggregate(n=Count("pk"))
    overdue = selectors.linkage_cases(user, overdue_only=True).aggregate(n=Count("pk"), due=Min("due"))
    items = [TodoItem(_("逾期未申报的价格联动"), overdue["n"], reverse("pricing:overdue_list"), due=overdue["due"],
                      overdue=True, order=30)]
    if role == "province_regulator":
        # Only the province confirms a declared price (ACT-5); a city would find no button.
        items.append(TodoItem(_("企业已申报待确认的价格联动"), declared["n"],
                              f"{url}?status={LinkageStatus.DECLARED}", order=20))
    return items


def register():
    register_todo("pricing.linkage", linkage_todos)
