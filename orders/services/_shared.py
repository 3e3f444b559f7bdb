"""Helpers shared by the orders services modules: the acting organisation, parsed input (not an API)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import parsing
from core.errors import InvalidInput
from core.permissions import require
from parties.permissions import is_his_client

from .. import rules
from ..models import (
    OrderSource,
)

CENT = Decimal("0.01")


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _institution_of(user):
    require(user, "orders.place_order", message=_("仅医疗机构（或其HIS接口）可执行此操作"))
    return user.organisation


def _distributor_of(user):
    """The organisation acting as distributor: a distributor, or a manufacturer that delivers
    its own products (QUA-2 self-delivery) — callers only ever touch lines/deliveries whose
    `distributor` is this organisation, so a manufacturer reaches only the lines routed to it."""
    require(user, "orders.supply", message=_("仅配送企业（或自行配送的生产企业）可执行此操作"))
    return user.organisation


def _source_of(user):
    return OrderSource.API if is_his_client(user) else OrderSource.WEB


# orders/api.py reads the bound from here.
MAX_NUMBER = parsing.MAX_NUMBER
DATE_REQUIRED = gettext_lazy("请填写日期")
DATE_FORMAT = gettext_lazy("日期格式应为 YYYY-MM-DD")


def _parse_date(raw, field, default=None):
    return parsing.clean_date(raw, field, required=DATE_REQUIRED, message=DATE_FORMAT, default=default)


def _quantity(raw, field):
    problem = rules.quantity_valid(raw)
    if problem:
        raise InvalidInput(problem[1], field)
    return int(parsing.to_decimal(raw))
