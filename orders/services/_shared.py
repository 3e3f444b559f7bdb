"""Helpers shared by the orders services modules: the acting organisation, parsed input (not an API)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

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


# Money and quantity columns are numeric(16, 2) or narrower: a larger number is the client's
# mistake (e.g. 1e30), refused here with its field rather than overflowing the column.
MAX_NUMBER = Decimal("99999999999999.99")


def _parse_decimal(raw, field):
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("须为数字"), field) from None
    if not value.is_finite():
        raise InvalidInput(_("须为数字"), field)
    if abs(value) > MAX_NUMBER:
        raise InvalidInput(_("数值过大，请核对"), field)
    return value


def _parse_id(raw, field) -> int:
    """An object id from a client (HIS JSON or a form): a positive whole number that fits the
    column, else refused with its field — not a ValueError or overflow deep in the query."""
    if isinstance(raw, bool):
        raise InvalidInput(_("须为正整数编号"), field)
    try:
        value = int(str(raw).strip()) if not isinstance(raw, int) else raw
    except (TypeError, ValueError):
        raise InvalidInput(_("须为正整数编号"), field) from None
    if not 0 < value < 2**63:
        raise InvalidInput(_("须为正整数编号"), field)
    return value


def _parse_date(raw, field, default=None):
    if raw in (None, ""):
        if default is not None:
            return default
        raise InvalidInput(_("请填写日期"), field)
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput(_("日期格式应为 YYYY-MM-DD"), field) from None


def _quantity(raw, field):
    problem = rules.quantity_valid(raw)
    if problem:
        raise InvalidInput(problem[1], field)
    return int(Decimal(str(raw).strip()))
