"""Home-page tasks of the catalogue (QUA-1 product information changes, issue 15 item 6),
registered from `CatalogConfig.ready()`: the province reviews its requests, a city the ordinary
consumables / IVD reagents it is named for."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from core.todos import TodoItem, register_todo

from . import selectors
from .models import ChangeReviewer, ChangeStatus


def change_todos(user, today):
    role = "province_regulator" if user.is_superuser else user.role
    reviewer = {"province_regulator": ChangeReviewer.PROVINCE, "city_regulator": ChangeReviewer.CITY}.get(role)
    if reviewer is None:
        return []
    n = (selectors.change_requests(user, status=ChangeStatus.PENDING, reviewer=reviewer).order_by()
         .aggregate(n=Count("pk"))["n"])
    url = reverse("catalog:change_list") + f"?status={ChangeStatus.PENDING}&reviewer={reviewer}"
    return [TodoItem(_("待审核的产品信息变更"), n, url, order=12)]


def register():
    register_todo("catalog.changes", change_todos)
