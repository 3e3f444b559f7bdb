"""Home-page tasks of ordering and settlement (issue 15 item 6), registered with `core.todos`
from `OrdersConfig.ready()`. Every count goes through the selector of the page it links to."""

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from core.todos import TodoItem, register_todo

from . import selectors
from .models import LineStatus

REGULATOR_ROLES = ("province_regulator", "city_regulator", "county_regulator")


def _role(user):
    return "province_regulator" if user.is_superuser else user.role


def institution_todos(user, today):
    """ACT-3: deliveries to receive into stock; invoices to pay (ORD-2), due and overdue."""
    if _role(user) != "institution":
        return []
    receive = selectors.receivable_deliveries(user).aggregate(n=Count("pk"))
    unpaid = selectors.invoices_for(user, not_yet_due_on=today).aggregate(n=Count("pk"), due=Min("due_date"))
    overdue = selectors.invoices_for(user, overdue_on=today).aggregate(n=Count("pk"), due=Min("due_date"))
    return [
        TodoItem(_("待收货入库的配送单"), receive["n"], reverse("orders:receiving"), order=10),
        TodoItem(_("待付款发票"), unpaid["n"], reverse("orders:payments") + "?due=1", due=unpaid["due"],
                 note=_("回款期限 = 入库日 + 约定回款天数"), order=20),
        TodoItem(_("已超过回款期限的发票"), overdue["n"], reverse("orders:payments") + "?overdue=1",
                 due=overdue["due"], overdue=True, order=21),
    ]


def distributor_todos(user, today):
    """ACT-2: order lines to confirm, then to ship (the delivery work list)."""
    if _role(user) != "distributor":
        return []
    counts = selectors.lines_for(user, status=[LineStatus.SUBMITTED, LineStatus.CONFIRMED]).order_by().aggregate(
        confirm=Count("pk", filter=_status(LineStatus.SUBMITTED)),
        ship=Count("pk", filter=_status(LineStatus.CONFIRMED)))
    url = reverse("orders:deliveries")
    return [
        TodoItem(_("待确认配送的订单行"), counts["confirm"], f"{url}?status={LineStatus.SUBMITTED}", order=10),
        TodoItem(_("已确认待发货的订单行"), counts["ship"], f"{url}?status={LineStatus.CONFIRMED}", order=11),
    ]


def _status(value):
    return Q(status=value)


def regulator_todos(user, today):
    """ORD-2 monitoring: invoices of the regulator's institutions unpaid past their due date."""
    if _role(user) not in REGULATOR_ROLES:
        return []
    overdue = selectors.overdue_invoices(user, today).order_by().aggregate(n=Count("pk"), due=Min("due_date"))
    return [TodoItem(_("回款超期的发票"), overdue["n"], reverse("orders:overdue"), due=overdue["due"],
                     overdue=True, order=40)]


def register():
    register_todo("orders.institution", institution_todos)
    register_todo("orders.distributor", distributor_todos)
    register_todo("orders.regulator", regulator_todos)
