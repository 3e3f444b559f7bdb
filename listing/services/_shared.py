"""Helpers shared by the listing services modules (not an API of the app)."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from core import parsing
from core.errors import InvalidInput
from notifications import recipients
from notifications.services import notify
from notifications.text import Text
from policy import services as policy

from .. import rules
from ..models import (
    PriceRiseFlag,
)

log = logging.getLogger(__name__)


def _today() -> date:
    return timezone.localdate()


# The refusal for the province's own actions (ACT-5); the permission names who may act.
PROVINCE_ONLY = gettext_lazy("仅省医保局可执行此操作")


REASON_REQUIRED = gettext_lazy("请填写理由")
REASON_TOO_LONG = gettext_lazy("理由不能超过 %(max)s 字")


def _require_reason(reason, field="reason"):
    return parsing.clean_text(reason, field, 2000, required=REASON_REQUIRED, too_long=REASON_TOO_LONG)


def check_price(value, field="declared_price", at=None) -> Decimal:
    """A price typed by a person: > 0, at most 4 decimals, not absurd (sys.price_ceiling_yuan)."""
    ceiling = Decimal(str(policy.get("sys.price_ceiling_yuan", at=at)))
    problem = rules.declared_price_problem(value, ceiling)
    if problem:
        raise InvalidInput(problem, field)
    return parsing.to_decimal(value)


def _flag_rise(*, listing, old_price, new_price, rule, reason, user=None, application=None):
    """LST-0.4 / BAD-1: record a listing-price rise for the regulator as a possible abnormal
    price rise and tell the province. One flag per application (idempotent)."""
    if not rules.is_rise(old_price, new_price):
        return None
    if application is not None:
        existing = PriceRiseFlag.objects.filter(application=application).first()
        if existing is not None:
            return existing
    flag = PriceRiseFlag.objects.create(listing=listing, application=application, old_price=old_price,
                                        new_price=new_price, rule=rule, reason=reason, created_by=user)
    notify(recipients.province_regulators(), kind="listing.price_rise", title=gettext_lazy("挂网价格上涨（可能的异常涨价）"),
           body=Text(gettext_noop("%(product)s（%(manufacturer)s）：%(old)s → %(new)s 元，上涨 %(rise)s 元（%(rule)s）。%(reason)s"),
                     product=listing.product, manufacturer=listing.product.manufacturer, old=rules.fmt(old_price),
                     new=rules.fmt(new_price), rise=rules.fmt(new_price - old_price), rule=rule, reason=reason),
           level="warning", target=flag, url=reverse("listing:price_rise_list"),
           dedupe_key=f"listing.price_rise.{flag.pk}")
    return flag


def _notify_enterprise(app, title, body, level="info"):
    notify(recipients.users_of(app.enterprise), kind="listing.application", title=title, body=body, level=level,
           target=app, url=reverse("listing:application_detail", args=[app.pk]),
           dedupe_key=f"listing.app.{app.pk}.{app.status}.{app.updated_at:%Y%m%d%H%M%S%f}")
