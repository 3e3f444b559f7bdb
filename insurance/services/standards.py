"""The yearly payment-standard run (INS-1…INS-4, INS-6, FIL-C5) and its review.

The run is started by the province for a target year and computed by a Celery task in
batches, with its progress on the run row. Inputs are read as of the end of the previous
year, set-based (one aggregate over last year's negotiation results, one DISTINCT ON for the
year-end prices), products in primary-key order and explanations serialised with sorted keys:
the same inputs give byte-identical rows and the same SHA-256 digest."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from psycopg2.extras import execute_values

from catalog.models import Product
from core.audit import audit_context
from core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from listing.models import Listing
from negotiation.models import NegotiationResult
from notifications import recipients
from notifications.services import notify
from policy import services as policy

from .. import registry, rules
from ..models import CatalogueEntry, NationalRule, PaymentStandard, RunStatus, StandardRun, StandardStatus

log = logging.getLogger(__name__)

BATCH = 2000
MAX_REASON = 2000


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


# ---------------------------------------------------------------------- inputs (set-based)


@dataclass
class Inputs:
    year: int
    on: date  # the end of the previous year: the prices the standards start from
    params: dict
    results: dict   # product_id → (sum(p*q), sum(q), count, min price)
    prices: dict    # product_id → (listing price at year end, listing effective date, listing category)
    catalogue: set  # drug product ids in the insurance catalogue
    national: dict  # product_id → entered national rule amount


def _results(year: int) -> dict:
    start, end = _aware(date(year - 1, 1, 1)), _aware(date(year, 1, 1))
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT product_id, SUM(unit_price * quantity), SUM(quantity), COUNT(*), MIN(unit_price)
                  FROM {NegotiationResult._meta.db_table}
                 WHERE confirmed_at >= %s AND confirmed_at < %s AND quantity > 0
              GROUP BY product_id""", [start, end])
        return {pid: (amount, qty, n, low) for pid, amount, qty, n, low in cur.fetchall()}


def _year_end_prices(on: date) -> dict:
    """The listing price in force at `on` for each product: its newest price change effective
    by then, else the listing price of a listing effective by then (DISTINCT ON, one scan)."""
    listing = Listing._meta.db_table
    change = Listing.price_changes.rel.related_model._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT DISTINCT ON (l.product_id) l.product_id,
                       COALESCE((SELECT c.new_price FROM {change} c WHERE c.listing_id = l.id AND c.effective_date <= %s
                                 ORDER BY c.effective_date DESC, c.id DESC LIMIT 1), l.price),
                       l.effective_date, l.category
                  FROM {listing} l
                 WHERE l.effective_date <= %s AND l.status <> 'delisted'
              ORDER BY l.product_id, l.effective_date DESC, l.id DESC""", [on, on])
        return {pid: (price, eff, cat) for pid, price, eff, cat in cur.fetchall()}


def gather(year: int) -> Inputs:
    on = date(year - 1, 12, 31)
    registry.prepare(on)
    params = {k: policy.get(k, at=on) for k in (
        "ins.payment_standard_method", "ins.shortage_listing_price", "ins.vbp_min_cut_percent",
        "ins.vbp_converge_years", "ins.filed_transition_years")}
    catalogue = set(CatalogueEntry.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=date(year, 1, 1)),
                                                  valid_from__lte=date(year, 1, 1)).values_list("product_id", flat=True))
    national = {}
    for rule in NationalRule.objects.filter(valid_from__lte=date(year, 1, 1)).order_by("product_id", "valid_from", "pk"):
        national[rule.product_id] = rule.amount
    return Inputs(year, on, {k: str(v) for k, v in params.items()}, _results(year), _year_end_prices(on), catalogue,
                  national)


def scope(inputs: Inputs):
    """Drugs in the insurance catalogue and every consumable (outside the sunshine catalogue:
    "not payable"), in primary-key order."""
    return (Product.objects.filter(Q(kind="drug", pk__in=inputs.catalogue) | Q(kind="consumable"))
            .select_related("generic_of_negotiated").order_by("pk"))


# ---------------------------------------------------------------------- one product


def _ins_1(product, inputs: Inputs, cap, cap_label) -> rules.Standard:
    method = inputs.params["ins.payment_standard_method"]
    agg = inputs.results.get(product.pk)
    if method == "listing_price" and cap is not None:
        return rules.Standard("INS-1", "listing_price", rules.q4(cap), (f"按{cap_label} {rules.q4(cap)} 元（测算方法参数）",))
    if method == "lowest_negotiated" and agg is not None:
        low = min(agg[3], cap) if cap is not None else agg[3]
        return rules.Standard("INS-1", "lowest_negotiated", rules.q4(low), (f"上年最低议价价格 {rules.q4(agg[3])} 元"
                                                                           + (f"，不高于{cap_label}" if cap is not None else ""),))
    results = [] if agg is None else [(agg[0] / agg[1], agg[1])]
    std = rules.ins_1(results, cap=cap, cap_label=cap_label)
    if agg is not None:  # say how many results the mean came from (the aggregate folds them)
        steps = (f"上年已确认议价结果 {agg[2]} 条，数量合计 {agg[1]}，加权平均价 {rules.q4(agg[0] / agg[1])} 元",
                 *std.steps[1:])
        std = rules.Standard(std.rule, std.method, std.amount, steps)
    return std


def compute(product, inputs: Inputs) -> tuple[rules.Standard, dict]:
    """The standard of one product for the run's year and the inputs it used."""
    on = inputs.on
    price = inputs.prices.get(product.pk)
    listing_price, listed_on, category = price if price else (None, None, None)
    used = {"listing_price_at_year_end": str(listing_price) if listing_price is not None else None,
            "listing_category": category, "as_of": on.isoformat()}
    if product.kind == "consumable":
        filed = registry.filing_price(product, on) if listing_price is None else None
        if filed is not None:
            used["filing"] = filed.reference
            if filed.set_standard is not None:
                return rules.Standard("FIL-C5", "filed_consumable_set", rules.q4(filed.set_standard),
                                      (f"备案耗材：按医保部门核定的支付标准 {rules.q4(filed.set_standard)} 元",)), used
            return rules.fil_c5(filing_price=filed.price, similar_standards=[], first_sale_here=filed.first_sale_here,
                                filed_on=filed.filed_on, year=inputs.year,
                                transition_years=int(inputs.params["ins.filed_transition_years"])), used
        return rules.ins_6(listing_price=listing_price, in_sunshine_catalogue=product.in_sunshine_catalogue), used
    national = inputs.national.get(product.pk)
    if national is not None:
        used["national_rule"] = str(national)
    if product.is_national_negotiated and product.nn_payment_standard:
        return rules.ins_3_negotiated(product.nn_payment_standard), used
    if product.is_designated_production and listing_price is not None:
        return rules.ins_2(designated_price=listing_price, kind="designated"), used
    if product.is_provincial_reserve and listing_price is not None:
        return rules.ins_2(reserve_price=listing_price, kind="reserve"), used
    if product.is_narcotic_psychotropic:
        return rules.ins_2(national_rule=national, kind="narcotic"), used
    vbp = registry.selected_price(product, on)
    if vbp is not None:
        used["vbp"] = vbp.reference
        last = listing_price if listing_price is not None else vbp.selected_price
        return rules.ins_4(selected=vbp.selected_price, last_price=last, year=inputs.year, is_selected=vbp.is_selected,
                           min_cut_percent=Decimal(inputs.params["ins.vbp_min_cut_percent"]),
                           years_to_converge=int(inputs.params["ins.vbp_converge_years"])), used
    # Only an unlisted product is bought under its filing (a listing takes over, FIL-C4).
    filed = registry.filing_price(product, on) if listing_price is None else None
    cap, cap_label = (listing_price, "挂网价")
    if filed is not None:
        cap, cap_label = filed.price, "备案价"
        used["filing"] = filed.reference
    nn = product.generic_of_negotiated
    if nn is not None and listed_on is not None:
        std = rules.ins_3_generic(listed_on=listed_on, agreement_start=nn.nn_agreement_start,
                                  agreement_end=nn.nn_agreement_end, year=inputs.year, listing_price=listing_price,
                                  results_standard=_ins_1(product, inputs, cap, cap_label), national_rule=national)
        if std is not None:
            return std, used
    if product.is_shortage and inputs.params["ins.shortage_listing_price"] == "True" and listing_price is not None:
        return rules.Standard("INS-2", "shortage_listing_price", rules.q4(listing_price),
                              (f"短缺药品按挂网价 {rules.q4(listing_price)} 元（征求意见稿规定，参数已开启）",)), used
    return _ins_1(product, inputs, cap, cap_label), used


def _explanation(std: rules.Standard, used: dict, params: dict) -> dict:
    return {"inputs": used, "parameters": params, "steps": list(std.steps),
            "path": [list(p) for p in std.path]}


def canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# ---------------------------------------------------------------------- the run


def run_start(user, *, year: int) -> StandardRun:
    """INS-1: the province starts the run for `year`. Refused for a year with no confirmed
    negotiation results in the year before (nothing to compute from), and while another run of
    the year is open (a double click starts one run)."""
    if not user.has_perm("insurance.run_standards"):
        raise Forbidden("仅省医保局可以测算医保支付标准")
    if not isinstance(year, int) or not 2020 <= year <= 2100:
        raise InvalidInput("请填写正确的标准年度", "year")
    start, end = _aware(date(year - 1, 1, 1)), _aware(date(year, 1, 1))
    if not NegotiationResult.objects.filter(confirmed_at__gte=start, confirmed_at__lt=end).exists():
        raise RuleViolation("INS-1", f"{year - 1} 年没有已确认的议价结果，不能测算 {year} 年医保支付标准", "year")
    try:
        with transaction.atomic(), audit_context(user, reason=f"测算 {year} 年医保支付标准"):
            version = (StandardRun.objects.filter(year=year).order_by("-version").values_list("version", flat=True)
                       .first() or 0) + 1
            run = StandardRun.objects.create(year=year, version=version, started_by=user)
            transaction.on_commit(lambda: _enqueue(run.pk))
    except IntegrityError:
        raise Conflict(f"{year} 年已有进行中或待发布的测算，请先完成或发布") from None
    return run


def _enqueue(run_id):
    from ..tasks import compute_standards  # tasks import this module; the reverse is deferred

    compute_standards.delay(run_id)


def run_execute(run_id: int) -> StandardRun | None:
    """Compute every standard of the run (the Celery task). Claims the queued run once: a
    duplicate delivery finds it running or done and does nothing."""
    with transaction.atomic():
        run = StandardRun.objects.select_for_update(skip_locked=True).filter(pk=run_id, status=RunStatus.QUEUED).first()
        if run is None:
            return None
        run.status = RunStatus.RUNNING
        run.save(update_fields=["status"])
    try:
        with audit_context(reason=f"测算 {run.year} 年医保支付标准（第 {run.version} 版）"):
            _compute_all(run)
    except Exception as exc:
        log.exception("payment-standard run %s failed", run_id)
        StandardRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED, error=str(exc)[:2000],
                                                     finished_at=timezone.now())
        raise
    return StandardRun.objects.get(pk=run_id)


_COLUMNS = ("run_id", "year", "product_id", "rule", "method", "computed_amount", "amount", "payable", "explanation",
            "adjust_reason", "status")


def _compute_all(run: StandardRun):
    inputs = gather(run.year)
    products = scope(inputs)
    StandardRun.objects.filter(pk=run.pk).update(total=products.count())
    digest = hashlib.sha256()
    done = 0
    batch = []
    for product in products.iterator(chunk_size=BATCH):
        std, used = compute(product, inputs)
        explanation = canonical(_explanation(std, used, inputs.params))
        digest.update(canonical([product.pk, std.rule, std.method, str(std.amount)]).encode())
        digest.update(explanation.encode())
        batch.append((run.pk, run.year, product.pk, std.rule, std.method, std.amount, std.amount, std.payable,
                      explanation, "", StandardStatus.DRAFT))
        if len(batch) >= BATCH:
            done += _flush(run, batch)
    done += _flush(run, batch)
    StandardRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, digest=digest.hexdigest(), done=done,
                                                 finished_at=timezone.now())


def _flush(run, batch) -> int:
    """Insert a batch of computed rows in one statement (no model instances: the run writes
    one row per product, and the rows are final until the province adjusts one)."""
    n = len(batch)
    if n:
        table = PaymentStandard._meta.db_table
        with transaction.atomic(), connection.cursor() as cur:
            execute_values(cur.cursor, f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES %s", batch,
                           template="(%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s)", page_size=BATCH)
            StandardRun.objects.filter(pk=run.pk).update(done=F("done") + n)
        batch.clear()
    return n


# ---------------------------------------------------------------------- review and publication


def standard_adjust(user, *, standard: PaymentStandard, amount, reason: str) -> PaymentStandard:
    """The province adjusts a draft standard, always with a reason (AUD-1)."""
    if not user.has_perm("insurance.publish_standards"):
        raise Forbidden("仅省医保局可以调整医保支付标准")
    reason = (reason or "").replace("\r\n", "\n").strip()
    if not reason:
        raise InvalidInput("调整支付标准须填写理由", "reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"理由不能超过 {MAX_REASON} 字", "reason")
    try:
        value = Decimal(str(amount).strip())
    except Exception:
        raise InvalidInput("请填写正确的金额", "amount") from None
    ceiling = Decimal(str(policy.get("sys.price_ceiling_yuan")))
    if not value.is_finite() or value <= 0 or value > ceiling or value != value.quantize(Decimal("0.0001")):
        raise InvalidInput("支付标准须为大于 0 的金额（最多 4 位小数）", "amount")
    with transaction.atomic(), audit_context(user, reason=f"调整医保支付标准：{reason}"):
        row = PaymentStandard.objects.select_for_update().get(pk=standard.pk)
        if row.status != StandardStatus.DRAFT:
            raise Conflict("已发布的支付标准不能修改；如需调整，请重新测算并发布新版本")
        row.amount, row.payable = value, True
        row.adjusted_by, row.adjusted_at, row.adjust_reason = user, timezone.now(), reason
        row.save(update_fields=["amount", "payable", "adjusted_by", "adjusted_at", "adjust_reason"])
    return row


def run_publish(user, *, run: StandardRun) -> StandardRun:
    """The province publishes a computed run: its standards become the year's standards in
    force; an earlier published version of the same year is superseded (kept, never edited)."""
    if not user.has_perm("insurance.publish_standards"):
        raise Forbidden("仅省医保局可以发布医保支付标准")
    with transaction.atomic(), audit_context(user, reason=f"发布 {run.year} 年医保支付标准"):
        locked = StandardRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RunStatus.DONE:
            raise Conflict(f"测算当前状态为“{locked.get_status_display()}”，不能发布")
        now = timezone.now()
        older = StandardRun.objects.filter(year=locked.year, status=RunStatus.PUBLISHED).exclude(pk=locked.pk)
        PaymentStandard.objects.filter(run__in=older, status=StandardStatus.PUBLISHED).update(
            status=StandardStatus.SUPERSEDED)
        locked.standards.update(status=StandardStatus.PUBLISHED, published_at=now)
        locked.status, locked.published_by, locked.published_at = RunStatus.PUBLISHED, user, now
        locked.save(update_fields=["status", "published_by", "published_at"])
    notify(recipients.province_regulators(), kind="insurance.published", title="医保支付标准已发布",
           body=f"{locked} 已发布，共 {locked.total} 个产品。", target=locked, dedupe_key=f"insurance.published.{locked.pk}")
    return locked


def unpublished_target_year(today: date) -> int | None:
    """INS-1: standards for a year are due before it begins. From the fourth quarter on, the
    coming year without a published run is flagged (returned)."""
    year = today.year + 1
    if today.month < 10:
        return None
    published = StandardRun.objects.filter(year=year, status=RunStatus.PUBLISHED).exists()
    return None if published else year
