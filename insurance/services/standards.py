"""The yearly payment-standard run (INS-1…INS-4, INS-6, FIL-C5) and its review.

The run is started by the province for a target year and computed by a Celery task in
batches, with its progress on the run row. Inputs are read as of the end of the previous
year, set-based (one aggregate over last year's negotiation results, one DISTINCT ON for the
year-end prices), products in primary-key order and explanations serialised with sorted keys:
the same inputs give byte-identical rows and the same SHA-256 digest.

The policy parameters in force are stored once, on the run (`StandardRun.parameters`); each
row's explanation keeps its own inputs, method and steps and references the parameters by the
SHA-256 of their canonical JSON (`parameters_sha256`). The run's digest is SHA-256 over the
canonical parameters followed by every row's [product, rule, method, amount] and canonical
explanation, in product order."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from psycopg2.extras import execute_values

from catalog.models import Product
from core import parsing
from core.audit import audit_context
from core.errors import Conflict, InvalidInput, RuleViolation
from core.parsing import clean_text
from core.permissions import require
from listing.models import Listing
from negotiation.models import NegotiationResult
from notifications import recipients
from notifications.services import notify
from notifications.text import Text
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
    """What the per-product (Python) computation reads. `results` and `prices` hold the
    products computed in Python only; the plain INS-1 drugs are computed in SQL (`_plain_sql`)."""

    year: int
    on: date  # the end of the previous year: the prices the standards start from
    params: dict
    results: dict   # product_id → (sum(p*q), sum(q), count, min price)
    prices: dict    # product_id → (listing price at year end, listing effective date, listing category)
    national: dict  # product_id → entered national rule amount


_RESULTS_SQL = f"""SELECT product_id, SUM(unit_price * quantity) AS amount, SUM(quantity) AS qty, COUNT(*) AS n,
                          MIN(unit_price) AS low
                     FROM {NegotiationResult._meta.db_table}
                    WHERE confirmed_at >= %(start)s AND confirmed_at < %(end)s AND quantity > 0"""

# The listing price in force at `on` for each product: its newest price change effective by
# then, else the listing price of a listing effective by then (DISTINCT ON, one scan).
_PRICES_SQL = f"""SELECT DISTINCT ON (l.product_id) l.product_id,
                         COALESCE((SELECT c.new_price FROM {Listing.price_changes.rel.related_model._meta.db_table} c
                                    WHERE c.listing_id = l.id AND c.effective_date <= %(on)s
                                 ORDER BY c.effective_date DESC, c.id DESC LIMIT 1), l.price) AS price,
                         l.effective_date, l.category
                    FROM {Listing._meta.db_table} l
                   WHERE l.effective_date <= %(on)s AND l.status <> 'delisted'"""


def _window(year: int) -> dict:
    return {"start": _aware(date(year - 1, 1, 1)), "end": _aware(date(year, 1, 1)), "on": date(year - 1, 12, 31),
            "jan1": date(year, 1, 1)}


def _results(year: int, ids: list | None = None) -> dict:
    only = "" if ids is None else " AND product_id = ANY(%(ids)s)"
    with connection.cursor() as cur:
        cur.execute(f"{_RESULTS_SQL}{only} GROUP BY product_id", {**_window(year), "ids": ids})
        return {pid: (amount, qty, n, low) for pid, amount, qty, n, low in cur.fetchall()}


def _year_end_prices(on: date, ids: list | None = None) -> dict:
    only = "" if ids is None else " AND l.product_id = ANY(%(ids)s)"
    with connection.cursor() as cur:
        cur.execute(f"{_PRICES_SQL}{only} ORDER BY l.product_id, l.effective_date DESC, l.id DESC",
                    {"on": on, "ids": ids})
        return {pid: (price, eff, cat) for pid, price, eff, cat in cur.fetchall()}


def gather(year: int, ids: list | None = None) -> Inputs:
    """The inputs of the run; `ids`: load results and prices for these products only."""
    on = date(year - 1, 12, 31)
    registry.prepare(on)
    params = {k: policy.get(k, at=on) for k in (
        "ins.payment_standard_method", "ins.shortage_listing_price", "ins.vbp_min_cut_percent",
        "ins.vbp_converge_years", "ins.filed_transition_years")}
    national = {}
    for rule in NationalRule.objects.filter(valid_from__lte=date(year, 1, 1)).order_by("product_id", "valid_from", "pk"):
        national[rule.product_id] = rule.amount
    return Inputs(year, on, {k: str(v) for k, v in params.items()}, _results(year, ids), _year_end_prices(on, ids),
                  national)


# The run's scope — drugs in the insurance catalogue and every consumable (outside the sunshine
# catalogue: "not payable") — and which of them are the plain INS-1 case: a drug listed at the
# year end that no special rule reaches (INS-2/INS-3/INS-4, an entered national rule, a filing).
_SCOPE_SQL = f"""
WITH scope AS (
    SELECT p.id,
           (%(set_based)s AND p.kind = 'drug'
            AND NOT p.is_national_negotiated AND NOT p.is_designated_production AND NOT p.is_provincial_reserve
            AND NOT p.is_narcotic_psychotropic AND p.generic_of_negotiated_id IS NULL
            AND NOT (p.is_shortage AND %(shortage_on)s) AND NOT (p.id = ANY(%(excluded)s))
            AND EXISTS (SELECT 1 FROM {Listing._meta.db_table} l  -- listed at the year end: a year-end price
                         WHERE l.product_id = p.id AND l.effective_date <= %(on)s AND l.status <> 'delisted')) AS plain
      FROM {Product._meta.db_table} p
     WHERE p.kind = 'consumable'
        OR (p.kind = 'drug' AND EXISTS (
                SELECT 1 FROM {CatalogueEntry._meta.db_table} e
                 WHERE e.product_id = p.id AND e.valid_from <= %(jan1)s
                   AND (e.valid_to IS NULL OR e.valid_to >= %(jan1)s)))
)"""

# INS-1 default method for the plain drugs in one statement: the volume-weighted mean of last
# year's results capped at the year-end listing price, each row's explanation built as the
# same canonical JSON text the Python path writes (sorted keys, no spaces), the step texts
# formatted from the same gettext templates (rules.RESULTS_STEP …), JSON-escaped once in
# Python (`_json_template`): what is formatted into them per row — numbers, the method
# identifiers — needs no escaping, so no row pays for to_json(). The run's digest is taken
# over these rows and the Python rows (passed in) in product order: the same bytes as a run
# computed wholly in Python.
_PLAIN_SQL = _SCOPE_SQL + f""",
price AS ({_PRICES_SQL} ORDER BY l.product_id, l.effective_date DESC, l.id DESC),
res AS (SELECT product_id, SUM(unit_price * quantity) AS amount, SUM(quantity) AS qty, COUNT(*) AS n
          FROM {NegotiationResult._meta.db_table}
         WHERE confirmed_at >= %(start)s AND confirmed_at < %(end)s AND quantity > 0
      GROUP BY product_id),
base AS (
    SELECT s.id AS product_id, pr.price, pr.category, r.n, r.qty, round(r.amount / r.qty, 4) AS mean,
           round(pr.price, 4) AS cap
      FROM scope s JOIN price pr ON pr.product_id = s.id LEFT JOIN res r ON r.product_id = s.id
     WHERE s.plain AND NOT (s.id = ANY(%(py_ids)s))
),
decided AS (
    SELECT b.*,
           CASE WHEN b.n IS NULL THEN 'cap_without_results'
                WHEN b.mean > b.price THEN 'weighted_mean_capped' ELSE 'weighted_mean' END AS method,
           CASE WHEN b.n IS NULL OR b.mean > b.price THEN b.cap ELSE b.mean END AS amount,
           CASE WHEN b.n IS NULL THEN '"' || format(%(no_results_step)s, %(cap_label)s, b.cap) || '"'
                ELSE '"' || format(%(results_step)s, b.n, b.qty, b.mean) || '"'
                     || CASE WHEN b.mean > b.price
                             THEN ',"' || format(%(capped_step)s, %(cap_label)s, b.cap) || '"' ELSE '' END
           END AS steps
      FROM base b
),
computed AS (
    SELECT d.product_id, d.method, d.amount,
           '{{"inputs":{{"as_of":' || %(as_of)s || ',"listing_category":' || to_json(d.category)::text
           || ',"listing_price_at_year_end":"' || d.price::text || '"}},"parameters_sha256":'
           || %(params_ref)s || ',"path":[],"steps":[' || d.steps || ']}}' AS explanation
      FROM decided d
),
ins AS (
    INSERT INTO {PaymentStandard._meta.db_table} ({{columns}})
    SELECT %(run)s, %(year)s, product_id, 'INS-1', method, amount, amount, TRUE, explanation::jsonb, '', 'draft'
      FROM computed
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM ins),
       encode(sha256(convert_to(%(params)s || COALESCE(string_agg(piece, '' ORDER BY pid), ''), 'UTF8')), 'hex')
  FROM (SELECT product_id AS pid,
               '[' || product_id || ',"INS-1","' || method || '","' || amount::text || '"]'
               || explanation AS piece
          FROM computed
        UNION ALL
        SELECT * FROM unnest(%(py_ids)s::bigint[], %(py_pieces)s::text[])) t"""


def _json_template(template, names: tuple[str, ...]) -> str:
    """A step template as the inside of a canonical JSON string, for format() in PostgreSQL."""
    return json.dumps(_pg_format(template, names), ensure_ascii=False)[1:-1]


def _pg_format(template, names: tuple[str, ...]) -> str:
    """A gettext template with named placeholders as a PostgreSQL format() string."""
    return re.sub(r"%%|%\((\w+)\)s", lambda m: "%%" if m.group(0) == "%%" else f"%{names.index(m.group(1)) + 1}$s",
                  str(template))


def _set_based(inputs: Inputs) -> tuple[bool, list]:
    """Whether the plain INS-1 drugs can be computed in SQL, and the products that must not be
    (a VBP variety's, an entered national rule's). Another method than the default, or a
    selected-price provider that cannot list its products, sends every product to Python."""
    covered = registry.selected_products(inputs.on)
    ok = SET_BASED and inputs.params["ins.payment_standard_method"] == "weighted_mean_capped" and covered is not None
    return ok, sorted(set(covered or ()) | set(inputs.national))


SET_BASED = True  # tests switch it off to prove the SQL path writes the same rows and digest


# ---------------------------------------------------------------------- one product


def _ins_1(product, inputs: Inputs, cap, cap_label) -> rules.Standard:
    method = inputs.params["ins.payment_standard_method"]
    agg = inputs.results.get(product.pk)
    if method == "listing_price" and cap is not None:
        return rules.ins_1_listing_price(cap=cap, cap_label=cap_label)
    if method == "lowest_negotiated" and agg is not None:
        return rules.ins_1_lowest(lowest=agg[3], cap=cap, cap_label=cap_label)
    results = [] if agg is None else [(agg[0] / agg[1], agg[1])]
    std = rules.ins_1(results, cap=cap, cap_label=cap_label)
    if agg is not None:  # say how many results the mean came from (the aggregate folds them)
        steps = (rules.results_step(count=agg[2], volume=agg[1], mean=rules.q4(agg[0] / agg[1])), *std.steps[1:])
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
        alliance = registry.alliance_standard(product, on) if product.in_sunshine_catalogue else None
        if alliance is not None:
            used["alliance"] = alliance.reference
            used["alliance_selected_prices"] = [str(p) for p in alliance.selected_prices]
            return rules.ins_6(listing_price=listing_price, in_sunshine_catalogue=True,
                               alliance_prices=alliance.selected_prices), used
        filed = registry.filing_price(product, on) if listing_price is None else None
        if filed is not None:
            used["filing"] = filed.reference
            if filed.set_standard is not None:
                return rules.filed_consumable_set(filed.set_standard), used
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
    cap, cap_label = (listing_price, _("挂网价"))
    if filed is not None:
        cap, cap_label = filed.price, _("备案价")
        used["filing"] = filed.reference
    nn = product.generic_of_negotiated
    if nn is not None and listed_on is not None:
        std = rules.ins_3_generic(listed_on=listed_on, agreement_start=nn.nn_agreement_start,
                                  agreement_end=nn.nn_agreement_end, year=inputs.year, listing_price=listing_price,
                                  results_standard=_ins_1(product, inputs, cap, cap_label), national_rule=national)
        if std is not None:
            return std, used
    if product.is_shortage and inputs.params["ins.shortage_listing_price"] == "True" and listing_price is not None:
        return rules.shortage_listing_price(listing_price), used
    return _ins_1(product, inputs, cap, cap_label), used


def _explanation(std: rules.Standard, used: dict, params_ref: str) -> dict:
    return {"inputs": used, "parameters_sha256": params_ref, "steps": list(std.steps),
            "path": [list(p) for p in std.path]}


def canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def parameters_ref(params: dict) -> str:
    """How an explanation references the run's parameters: the SHA-256 of their canonical JSON
    (the same parameters give the same reference, so a rerun's rows stay byte-identical)."""
    return hashlib.sha256(canonical(params).encode()).hexdigest()


def parameters_of(standard: PaymentStandard) -> tuple[dict, bool]:
    """The parameters a standard was computed with (stored once on its run), and whether they
    are the ones its explanation references."""
    params = standard.run.parameters
    return params, standard.explanation.get("parameters_sha256") == parameters_ref(params)


# ---------------------------------------------------------------------- the run


def run_start(user, *, year: int) -> StandardRun:
    """INS-1: the province starts the run for `year`. Refused for a year with no confirmed
    negotiation results in the year before (nothing to compute from), and while another run of
    the year is open (a double click starts one run)."""
    require(user, "insurance.run_standards", message=_("仅省医保局可以测算医保支付标准"))
    if not isinstance(year, int) or not 2020 <= year <= 2100:
        raise InvalidInput(_("请填写正确的标准年度"), "year")
    start, end = _aware(date(year - 1, 1, 1)), _aware(date(year, 1, 1))
    if not NegotiationResult.objects.filter(confirmed_at__gte=start, confirmed_at__lt=end).exists():
        raise RuleViolation("INS-1", _("%(last)s 年没有已确认的议价结果，不能测算 %(year)s 年医保支付标准")
                            % {"last": year - 1, "year": year}, "year")
    try:
        with transaction.atomic(), audit_context(user, reason=f"测算 {year} 年医保支付标准"):
            version = (StandardRun.objects.filter(year=year).order_by("-version").values_list("version", flat=True)
                       .first() or 0) + 1
            run = StandardRun.objects.create(year=year, version=version, started_by=user)
            transaction.on_commit(lambda: _enqueue(run.pk))
    except IntegrityError:
        raise Conflict(_("%(year)s 年已有进行中或待发布的测算，请先完成或发布") % {"year": year}) from None
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
        # The explanations are stored records: written in the source language whatever the
        # language of whoever triggered the task, so a rerun is byte-identical (same digest).
        with translation.override(settings.LANGUAGE_CODE), \
                audit_context(reason=f"测算 {run.year} 年医保支付标准（第 {run.version} 版）"):
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
    on = date(run.year - 1, 12, 31)
    inputs = gather(run.year, ids=[])  # parameters, national rules, providers; no product yet
    set_based, excluded = _set_based(inputs)
    window = _window(run.year)
    scope_params = {**window, "set_based": set_based, "excluded": excluded,
                    "shortage_on": inputs.params["ins.shortage_listing_price"] == "True"}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")  # see the INSERT … SELECT below
        cur.execute(_SCOPE_SQL + """
            SELECT COUNT(*), COALESCE(array_agg(id ORDER BY id) FILTER (WHERE NOT plain), '{}') FROM scope""",
                    scope_params)
        total, special = cur.fetchone()
    params_ref = parameters_ref(inputs.params)
    StandardRun.objects.filter(pk=run.pk).update(total=total, parameters=inputs.params)

    # The special cases, product by product in Python (with their inputs only).
    inputs.results, inputs.prices = _results(run.year, special), _year_end_prices(on, special)
    py_ids, py_pieces, batch = [], [], []
    done = 0
    for start in range(0, len(special), BATCH):
        chunk = special[start:start + BATCH]
        for product in Product.objects.filter(pk__in=chunk).select_related("generic_of_negotiated").order_by("pk"):
            std, used = compute(product, inputs)
            explanation = canonical(_explanation(std, used, params_ref))
            py_ids.append(product.pk)
            py_pieces.append(canonical([product.pk, std.rule, std.method, str(std.amount)]) + explanation)
            batch.append((run.pk, run.year, product.pk, std.rule, std.method, std.amount, std.amount, std.payable,
                          explanation, "", StandardStatus.DRAFT))
        done += _flush(run, batch)

    # The plain INS-1 drugs in one INSERT … SELECT, and the digest over every row.
    plain_params = {
        **scope_params, "run": run.pk, "year": run.year, "py_ids": py_ids, "py_pieces": py_pieces,
        "as_of": json.dumps(on.isoformat()), "params": canonical(inputs.params), "params_ref": json.dumps(params_ref),
        "cap_label": json.dumps(_("挂网价"), ensure_ascii=False)[1:-1],
        "results_step": _json_template(rules.RESULTS_STEP, ("count", "volume", "mean")),
        "capped_step": _json_template(rules.CAPPED_STEP, ("cap_label", "cap")),
        "no_results_step": _json_template(rules.NO_RESULTS_STEP, ("cap_label", "cap")),
    }
    with transaction.atomic(), connection.cursor() as cur:
        # One statement over the whole catalogue: compiling it to machine code costs more than it saves.
        cur.execute("SET LOCAL jit = off")
        cur.execute(_PLAIN_SQL.replace("{columns}", ", ".join(_COLUMNS)), plain_params)
        inserted, digest = cur.fetchone()
    done += inserted
    StandardRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, digest=digest, done=done,
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
    require(user, "insurance.publish_standards", message=_("仅省医保局可以调整医保支付标准"))
    reason = clean_text(reason, "reason", MAX_REASON, required=_("调整支付标准须填写理由"),
                        too_long=_("理由不能超过 %(max)s 字"))
    value = parsing.to_decimal(amount)
    if value is None and not isinstance(amount, bool):
        raise InvalidInput(_("请填写正确的金额"), "amount")
    ceiling = Decimal(str(policy.get("sys.price_ceiling_yuan")))
    if value is None or value <= 0 or value > ceiling or value != value.quantize(Decimal("0.0001")):
        raise InvalidInput(_("支付标准须为大于 0 的金额（最多 4 位小数）"), "amount")
    with transaction.atomic(), audit_context(user, reason=f"调整医保支付标准：{reason}"):
        row = PaymentStandard.objects.select_for_update().get(pk=standard.pk)
        if row.status != StandardStatus.DRAFT:
            raise Conflict(_("已发布的支付标准不能修改；如需调整，请重新测算并发布新版本"))
        row.amount, row.payable = value, True
        row.adjusted_by, row.adjusted_at, row.adjust_reason = user, timezone.now(), reason
        row.save(update_fields=["amount", "payable", "adjusted_by", "adjusted_at", "adjust_reason"])
    return row


def run_publish(user, *, run: StandardRun) -> StandardRun:
    """The province publishes a computed run: its standards become the year's standards in
    force; an earlier published version of the same year is superseded (kept, never edited)."""
    require(user, "insurance.publish_standards", message=_("仅省医保局可以发布医保支付标准"))
    with transaction.atomic(), audit_context(user, reason=f"发布 {run.year} 年医保支付标准"):
        locked = StandardRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RunStatus.DONE:
            raise Conflict(_("测算当前状态为“%(status)s”，不能发布") % {"status": locked.get_status_display()})
        now = timezone.now()
        older = StandardRun.objects.filter(year=locked.year, status=RunStatus.PUBLISHED).exclude(pk=locked.pk)
        PaymentStandard.objects.filter(run__in=older, status=StandardStatus.PUBLISHED).update(
            status=StandardStatus.SUPERSEDED)
        locked.standards.update(status=StandardStatus.PUBLISHED, published_at=now)
        locked.status, locked.published_by, locked.published_at = RunStatus.PUBLISHED, user, now
        locked.save(update_fields=["status", "published_by", "published_at"])
    notify(recipients.province_regulators(), kind="insurance.published", title=gettext_lazy("医保支付标准已发布"),
           body=Text(gettext_noop("%(run)s 已发布，共 %(n)s 个产品。"), n=locked.total,
                     run=Text(gettext_noop("%(year)s 年支付标准（第 %(version)s 版）"), year=locked.year,
                              version=locked.version)), target=locked, dedupe_key=f"insurance.published.{locked.pk}")
    return locked


def unpublished_target_year(today: date) -> int | None:
    """INS-1: standards for a year are due before it begins. From the fourth quarter on, the
    coming year without a published run is flagged (returned)."""
    year = today.year + 1
    if today.month < 10:
        return None
    published = StandardRun.objects.filter(year=year, status=RunStatus.PUBLISHED).exists()
    return None if published else year
