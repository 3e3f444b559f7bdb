"""Orders in the header search (issue 15 item 10), registered with `core.search` from
`OrdersConfig.ready()`: the order list's own selector and FilterSet (number, HIS reference,
institution), so the scoping and the count are those of `/orders/orders/?q=`."""

from django.urls import reverse
from django.utils.translation import pgettext

from core.navigation import ENTERPRISES, INSTITUTIONS, REGULATORS
from core.search import SearchHit, group_of, register_search, role_of

from . import selectors
from .filters import OrderFilter

ROLES = INSTITUTIONS | ENTERPRISES | REGULATORS  # who has the order list in the menu


def _hit(order):
    return SearchHit(order.number, reverse("orders:order_detail", args=[order.pk]),
                     f"{order.institution.name} · {order.get_status_display()} · {order.created_at:%Y-%m-%d}")


def search_orders(user, q, limit):
    """Scoped like the list: an institution its own orders, a supplier those with its lines, a
    city/county its institutions', the province all."""
    if role_of(user) not in ROLES:
        return None
    qs = OrderFilter({"q": q}, queryset=selectors.orders_for(user)).qs
    return group_of("orders", pgettext("search kind", "订单"), qs, url_name="orders:order_list", q=q, limit=limit,
                    hit=_hit, order=20)


def register():
    register_search("orders.orders", search_orders)
