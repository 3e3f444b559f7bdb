"""Price-risk signals (BAD-1): the nightly detection and the regulator's decisions.

Detection reads what the platform already has — listing price changes, other provinces'
prices, order lines and deliveries, PRC-1 linkage cases — in a few set-based queries, feeds
the numbers to `rules`, and inserts each signal under a key that names its evidence with
`ON CONFLICT DO NOTHING`. Running it twice, or on two workers at once, adds nothing.
Nothing is sanctioned automatically: a regulator dismisses (with a reason), records an
interview, or starts a bad-record decision, which then follows BAD-1 in qualifications."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import OtherProvincePrice
from core.audit import audit_context
from core.errors import Conflict, InvalidInput
from core.parsing import clean_text
from core.permissions import require
from listing.models import ListingPriceChange
from notifications import recipients
from notifications.services import notify
from notifications.text import Text
from orders.models import DeliveryLine, LineStatus, OrderLine
from policy import services as policy
from pricing.models import LinkageCase

from . import rules
from .models import RiskSignal, SignalKind, SignalStatus

log = logging.getLogger(__name__)

MAX_REASON = 2000


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


# ---------------------------------------------------------------------- detection


def _price_rises(today):
    min_percent = Decimal(policy.get("risk.rise_min_percent", at=today))
    window = int(policy.get("risk.repeat_window_days", at=today))
    min_count = int(policy.get("risk.repeat_min_count", at=today))
    rises = (ListingPriceChange.objects.filter(old_price__isnull=False, new_price__gt=F("old_price"),
                                               effective_date__lte=today)
             .select_related("listing__product__manufacturer").order_by("effective_date", "pk"))
    out, by_enterprise = [], defaultdict(list)
    for change in rises:
        product = change.listing.product
        by_enterprise[product.manufacturer_id].append(change)
        percent = rules.price_rise_percent(change.old_price, change.new_price, min_percent=min_percent)
        if percent is None:
            continue
        out.append(RiskSignal(
            kind=SignalKind.PRICE_RISE, key=f"price_rise:{change.pk}", enterprise_id=product.manufacturer_id,
            product=product, measure=percent,
            summary=f"{product} 挂网价 {change.old_price} → {change.new_price} 元（上涨 {percent}%）",
            evidence={"change": change.pk, "listing": change.listing_id, "old": str(change.old_price),
                      "new": str(change.new_price), "effective_date": change.effective_date.isoformat(),
                      "rule": change.rule, "reason": change.reason[:300]},
            link=reverse("listing:listing_detail", args=[change.listing_id]), detected_on=today))
    for enterprise_id, changes in by_enterprise.items():
        inside = rules.repeated_rises([c.effective_date for c in changes], window_days=window, min_count=min_count)
        if inside is None:
            continue
        last = changes[-1]
        out.append(RiskSignal(
            kind=SignalKind.REPEATED_RISES, key=f"repeated_rises:{enterprise_id}:{last.pk}", enterprise_id=enterprise_id,
            measure=Decimal(len(inside)),
            summary=f"{last.listing.product.manufacturer} 在 {window} 天内涨价 {len(inside)} 次",
            evidence={"changes": [c.pk for c in changes if c.effective_date >= inside[0]],
                      "dates": [d.isoformat() for d in inside], "window_days": window},
            link=reverse("oversight:enterprise_detail", args=[enterprise_id]), detected_on=today))
    return out


def _regional_differences(today):
    ratio = Decimal(policy.get("risk.regional_ratio", at=today))
    current = (OtherProvincePrice.objects.filter(superseded_at__isnull=True, effective_date__lte=today,
                                                 level="province")
               .select_related("product__manufacturer").order_by("product_id", "province", "-effective_date", "-pk"))
    per_product: dict[int, dict] = defaultdict(dict)
    rows: dict[int, dict] = defaultdict(dict)
    products = {}
    for p in current:
        if p.province in per_product[p.product_id]:
            continue  # the newest record of each province is its current price
        per_product[p.product_id][p.province] = p.price
        rows[p.product_id][p.province] = p.pk
        products[p.product_id] = p.product
    out = []
    for product_id, prices in per_product.items():
        found = rules.regional_spread(prices, ratio=ratio)
        if found is None:
            continue
        high, low, spread = found
        product = products[product_id]
        out.append(RiskSignal(
            kind=SignalKind.REGIONAL_DIFFERENCE,
            key=f"regional:{product_id}:{rows[product_id][high]}:{rows[product_id][low]}",
            enterprise_id=product.manufacturer_id, product=product, measure=spread,
            summary=f"{product}：{high} {prices[high]} 元 / {low} {prices[low]} 元 = {spread} 倍",
            evidence={"prices": {k: str(v) for k, v in sorted(prices.items())}, "high": high, "low": low,
                      "ratio": str(spread)},
            link=reverse("catalog:product_detail", args=[product_id]), detected_on=today))
    return out


def _supply_failures(today):
    days = int(policy.get("risk.supply_days", at=today))
    window = int(policy.get("risk.supply_window_days", at=today))
    min_lines = int(policy.get("risk.supply_min_lines", at=today))
    minimum = Decimal(policy.get("risk.fill_rate_min", at=today))
    start, end = _start_of(today - timedelta(days=window)), _start_of(today - timedelta(days=days))
    shipped_in_time = DeliveryLine.objects.filter(
        order_line=OuterRef("pk"), delivery__shipped_on__lte=OuterRef("order__created_at__date") + timedelta(days=days))
    lines = (OrderLine.objects.filter(order__created_at__gte=start, order__created_at__lt=end)
             .exclude(status=LineStatus.CANCELLED)
             .annotate(on_time=Exists(shipped_in_time))
             .values("distributor", "on_time", "status"))
    due, on_time, declined = defaultdict(int), defaultdict(int), defaultdict(int)
    for row in lines.iterator():
        due[row["distributor"]] += 1
        on_time[row["distributor"]] += bool(row["on_time"])
        declined[row["distributor"]] += row["status"] == LineStatus.DECLINED
    out = []
    for enterprise_id, n in due.items():
        rate = rules.fill_rate(due_lines=n, on_time=on_time[enterprise_id], min_lines=min_lines, minimum=minimum)
        if rate is None:
            continue
        out.append(RiskSignal(
            kind=SignalKind.SUPPLY_FAILURE, key=f"supply:{enterprise_id}:{today:%Y-%m}", enterprise_id=enterprise_id,
            measure=rate,
            summary=f"近 {window} 天 {n} 行订单中 {on_time[enterprise_id]} 行按时发货（{days} 天内），"
                    f"拒绝配送 {declined[enterprise_id]} 行，及时率 {rate:.2%}",
            evidence={"due_lines": n, "on_time": on_time[enterprise_id], "declined": declined[enterprise_id],
                      "window_days": window, "supply_days": days, "from": (today - timedelta(days=window)).isoformat()},
            link=reverse("oversight:enterprise_detail", args=[enterprise_id]), detected_on=today))
    return out


def _linkage_overdue(today):
    cases = (LinkageCase.objects.filter(status="overdue") | LinkageCase.objects.filter(declared_late=True))
    out = []
    for case in cases.select_related("listing__product__manufacturer").order_by("pk"):
        if not rules.linkage_overdue(status=case.status, declared_late=case.declared_late):
            continue
        product = case.listing.product
        out.append(RiskSignal(
            kind=SignalKind.LINKAGE_OVERDUE, key=f"linkage:{case.pk}", enterprise_id=product.manufacturer_id,
            product=product, measure=case.national_lowest,
            summary=f"{product}：{case.province} 新低价 {case.national_lowest} 元（{case.price_effective_date:%Y-%m-%d} 执行）"
                    + ("逾期申报" if case.declared_late else "逾期未申报"),
            evidence={"case": case.pk, "province": case.province, "national_lowest": str(case.national_lowest),
                      "price_effective_date": case.price_effective_date.isoformat(),
                      "due": case.due.isoformat() if getattr(case, "due", None) else None,
                      "declared_late": case.declared_late, "status": case.status},
            link=reverse("pricing:linkage_detail", args=[case.pk]), detected_on=today))
    return out


DETECTORS = (_price_rises, _regional_differences, _supply_failures, _linkage_overdue)


def run_nightly(today: date | None = None) -> int:
    """Detect and insert new signals; returns how many are new. Idempotent."""
    today = today or timezone.localdate()
    candidates = [s for detect in DETECTORS for s in detect(today)]
    keys = [s.key for s in candidates]
    with transaction.atomic(), audit_context(reason="定时任务：价格风险信号（BAD-1）"):
        existing = set(RiskSignal.objects.filter(key__in=keys).values_list("key", flat=True))
        RiskSignal.objects.bulk_create(candidates, ignore_conflicts=True)
        # Two workers racing may both see a key as new; the notification's dedupe key sends once.
        created = list(RiskSignal.objects.filter(key__in=set(keys) - existing).select_related("enterprise"))
    for signal in created:
        notify(recipients.province_regulators(), kind="oversight.signal", title=Text(gettext_noop("新的价格风险信号")),
               body=str(signal), level="warning", target=signal,
               url=reverse("oversight:signal_detail", args=[signal.pk]), dedupe_key=f"oversight.signal.{signal.key}")
    log.info("risk signals: %s candidates, %s new", len(candidates), len(created))
    return len(created)


# ---------------------------------------------------------------------- decisions

DECISIONS = {
    "dismiss": (SignalStatus.DISMISSED, "排除"),
    "interview": (SignalStatus.INTERVIEW, "约谈"),
    "bad_record": (SignalStatus.BAD_RECORD, "启动不良记录认定"),
}


def signal_decide(user, *, signal, action: str, reason: str) -> RiskSignal:
    """The province closes a signal with a recorded decision and its reason (BAD-1, AUD-1).
    Permission and input first; then the locked row; a refusal changes nothing."""
    require(user, "oversight.decide_signal", message=_("仅省医保局可以处理价格风险信号"))
    if action not in DECISIONS:
        raise InvalidInput(_("未知的处理方式"), "action")
    reason = clean_text(reason, "reason", MAX_REASON,
                        required=_("请填写处理意见（排除、约谈或启动不良记录认定都须说明理由）"),
                        too_long=_("处理意见不能超过 %(max)s 字"))
    status, label = DECISIONS[action]
    with transaction.atomic(), audit_context(user, reason=f"价格风险信号{label}：{reason}"):
        locked = RiskSignal.objects.select_for_update().get(pk=signal.pk)
        if locked.status != SignalStatus.OPEN:
            raise Conflict(_("该信号已处理（%(status)s）") % {"status": locked.get_status_display()})
        locked.status, locked.decided_by, locked.decided_at, locked.decision_reason = status, user, timezone.now(), reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return locked
