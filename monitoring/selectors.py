"""Reads of the monitoring channel. Every rate is computed by PostgreSQL aggregates (MON-1):
no Python loop over receipt lines or purchases."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, F, Max, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from core.replica import from_replica
from parties.models import Organisation
from shortage.selectors import EMERGENCY_OFFPLATFORM_IDS_SQL

from . import rules
from .models import Flag, MonthlyReport, ReportVersion

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=18, decimal_places=2))

# MON-1 per institution and kind for [start, end): platform receipts (入库) from the order
# flow, off-platform purchases, and the emergency part of them — MON-2: the off-platform rows
# of emergency purchases declared under EMG-1 (shortage app), not a free-text reason. One statement; the monthly
# job wraps it in INSERT … ON CONFLICT DO UPDATE. `inst_filter` narrows institutions.
RATES_SQL = """
WITH plat AS (
    SELECT x.institution_id, p.kind, SUM(x.amount) AS amount
    FROM (
        SELECT rl.institution_id, l.product_id, rl.amount
        FROM orders_receiptline rl JOIN listing_listing l ON l.id = rl.listing_id
        WHERE rl.received_on >= %(start)s AND rl.received_on < %(end)s {plat_filter}
        UNION ALL
        -- A filed (FIL-3) or self-sourced product is bought without a listing: its product
        -- comes through the order line, looked up for those few rows only. (A COALESCE with a
        -- sub-select per row did the same, but the planner costed an unprunable probe of every
        -- order-line partition for each receipt: 100× the real cost, which switched on JIT
        -- compilation — 0.8 s of a 1.9 s month at 10 M lines, `make bench`.)
        SELECT rl.institution_id, ol.product_id, rl.amount
        FROM orders_receiptline rl JOIN orders_orderline ol ON ol.id = rl.order_line_id
        WHERE rl.listing_id IS NULL AND rl.received_on >= %(start)s AND rl.received_on < %(end)s {plat_filter}
    ) x JOIN catalog_product p ON p.id = x.product_id
    GROUP BY x.institution_id, p.kind
), off AS (
    SELECT op.institution_id, op.kind, SUM(op.amount) AS amount,
           COALESCE(SUM(op.amount) FILTER (WHERE op.id IN ({emergency_ids})), 0) AS emergency
    FROM orders_offplatformpurchase op
    WHERE op.received_on >= %(start)s AND op.received_on < %(end)s {off_filter}
    GROUP BY op.institution_id, op.kind
), inst AS (
    SELECT o.id, k.kind
    FROM parties_organisation o CROSS JOIN (VALUES ('drug'), ('consumable')) AS k(kind)
    WHERE o.kind = 'institution' {inst_filter}
)
SELECT inst.id AS institution_id, inst.kind,
       COALESCE(plat.amount, 0) AS platform_amount,
       COALESCE(off.amount, 0) AS offplatform_amount,
       COALESCE(off.emergency, 0) AS emergency_amount,
       CASE WHEN COALESCE(plat.amount, 0) + COALESCE(off.amount, 0) > 0
            THEN round(COALESCE(plat.amount, 0) * 100 / (COALESCE(plat.amount, 0) + COALESCE(off.amount, 0)), 2)
       END AS rate
FROM inst
LEFT JOIN plat ON plat.institution_id = inst.id AND plat.kind = inst.kind
LEFT JOIN off ON off.institution_id = inst.id AND off.kind = inst.kind
"""


def rates_sql(institution_ids=None):
    if institution_ids is None:
        return RATES_SQL.format(plat_filter="", off_filter="", inst_filter="", emergency_ids=EMERGENCY_OFFPLATFORM_IDS_SQL)
    return RATES_SQL.format(
        plat_filter="AND rl.institution_id = ANY(%(ids)s)", off_filter="AND op.institution_id = ANY(%(ids)s)",
        inst_filter="AND o.id = ANY(%(ids)s)", emergency_ids=EMERGENCY_OFFPLATFORM_IDS_SQL,
    )


def period_rates(start: date, end: date, institution_ids=None) -> list[dict]:
    """MON-1 per institution and kind over [start, end), straight from receipts."""
    params = {"start": start, "end": end, "ids": list(institution_ids or [])}
    with connection.cursor() as cur:
        cur.execute(rates_sql(institution_ids), params)
        cols = [c.name for c in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def institution_rates(institution, start: date, end: date) -> dict:
    """{kind: {platform_amount, offplatform_amount, emergency_amount, total_amount, rate}}."""
    out = {}
    for row in period_rates(start, end, [institution.pk]):
        row["total_amount"] = row["platform_amount"] + row["offplatform_amount"]
        out[row["kind"]] = row
    return out


def obliged_institutions():
    """MON-2: secondary-and-above public (incl. military) institutions."""
    return Organisation.objects.filter(
        kind="institution", is_active=True, level__gte=rules.REPORTING_MIN_LEVEL,
        ownership__in=rules.REPORTING_OWNERSHIPS,
    )


def latest_versions():
    """The figures in force: each submitted report's latest version."""
    return ReportVersion.objects.filter(version=F("report__latest_version"))


# ----------------------------------------------------------------- THE online-procurement rate (MON-1)

# One definition for every page, chart and export (issue 15 item 4). 004 附件 §一(二) defines
# the rate (platform 入库 amount ÷ all 入库 amount of the same period), and 004 §二(二) says
# whose figures it is computed from: "省医保部门核实各医疗机构上报数据，测算确定……网上采购率" —
# the institutions' monthly reports (MON-2), in their version in force. The platform's own
# receipts (MonthlySnapshot) are the cross-check of those reports (MON-5, 004 §三), not a
# second rate. Areas and periods are weighted by amounts (MON-3: Σ platform ÷ Σ total).
RATE_DEFINITION = gettext_lazy(
    "网上采购率＝医疗机构月报中在省平台采购入库金额 ÷ 同期采购入库总金额（按已报送月报的现行版本，"
    "多家机构或多个月份按金额加权；未报送月报的机构不计入）。")

_RATE_GROUPS = {
    "institution": ("report__institution_id", "report__institution__name", "report__institution__city__name"),
    "institution_month": ("report__institution_id", "report__month"),
    "city": ("report__institution__city_id", "report__institution__city__name"),
    "county": ("report__institution__county_id", "report__institution__county__name",
               "report__institution__city__name"),
    "month": ("report__month",),
    "province": (),
}
_FIGURES = [f"{k}_{f}" for k in ("drug", "consumable") for f in ("total", "platform", "emergency")]


@from_replica
def procurement_rates(user=None, *, start: date, end: date | None = None, by: str = "institution",
                      kind: str = "drug", institutions=None, institution=None) -> list[dict]:
    """MON-1 rates by `by` over the months in [start, end) (one month when `end` is omitted),
    within `user`'s scope. Each row: label, reports (count), the drug_* and consumable_* sums,
    `drug_rate` and `consumable_rate`, and `platform`/`total`/`emergency`/`rate` of `kind`.
    Sorted by the `kind` rate, highest first; "province" gives exactly one row."""
    end = end or rules.add_months(start, 1)
    qs = latest_versions().filter(report__month__gte=start, report__month__lt=end, report__status="submitted")
    if user is not None:
        qs = qs.filter(report__in=MonthlyReport.objects.visible_to(user))
    if institutions is not None:
        qs = qs.filter(report__institution__in=institutions)
    if institution is not None:
        qs = qs.filter(report__institution=institution)
    sums = {f"s_{f}": Coalesce(Sum(f), ZERO) for f in _FIGURES}
    group = _RATE_GROUPS[by]
    if group:
        rows = list(qs.values(*group).annotate(reports=Count("id"), **sums).order_by())
    else:
        rows = [qs.aggregate(reports=Count("id"), **sums)]
    out = []
    for r in rows:
        row = {k[2:] if k.startswith("s_") else k: v for k, v in r.items()}
        for k in ("drug", "consumable"):
            row[f"{k}_rate"] = rules.rate_of_total(row[f"{k}_platform"], row[f"{k}_total"])
        row.update(platform=row[f"{kind}_platform"], total=row[f"{kind}_total"],
                   emergency=row[f"{kind}_emergency"], rate=row[f"{kind}_rate"],
                   month=row.get("report__month"))
        row["label"] = (row.get("report__institution__name") or row.get("report__institution__county__name")
                        or row.get("report__institution__city__name") or ("全省" if by == "province" else ""))
        out.append(row)
    if by == "month":
        out.sort(key=lambda r: r["month"])
    else:
        out.sort(key=lambda r: (r["rate"] is None, -(r["rate"] or 0), r["label"]))
    return out


@from_replica
def latest_rate_month(user=None) -> date | None:
    """The latest month with a submitted report within `user`'s scope (the rate page opens on it)."""
    qs = MonthlyReport.objects.filter(status="submitted")
    if user is not None:
        qs = qs.visible_to(user)
    return qs.aggregate(m=Max("month"))["m"]


def reports_for(user):
    """Monthly reports `user` may see (filtered by monitoring.filters.ReportFilter)."""
    return MonthlyReport.objects.visible_to(user).select_related("institution", "institution__city")


def monitoring_table_rows(user, *, start: date, end: date, city=None):
    """MON-6 采购监测表: one row per submitted report (latest version) in [start, end)."""
    qs = latest_versions().filter(report__month__gte=start, report__month__lt=end,
                                  report__in=MonthlyReport.objects.visible_to(user))
    if city:
        qs = qs.filter(report__institution__city_id=city)
    return qs.select_related("report__institution__city", "report__institution__county").order_by(
        "report__month", "report__institution__city__code", "report__institution__name")


def totals_of(qs) -> dict:
    """Σ of each reported figure (SQL aggregate)."""
    fields = [f"{k}_{f}" for k in ("drug", "consumable") for f in ("total", "platform", "emergency")]
    return qs.aggregate(**{f: Coalesce(Sum(f), ZERO) for f in fields})


def unreported(month: date, user=None):
    """MON-2: obliged institutions with no submitted report for `month`."""
    qs = obliged_institutions().exclude(
        pk__in=MonthlyReport.objects.filter(month=month, status="submitted").values("institution_id"))
    if user is not None:
        qs = qs.filter(pk__in=Organisation.objects.visible_to(user).values("pk"))
    return qs.select_related("city")


def flags_for(user):
    """Inspection-list flags `user` may see (filtered by monitoring.filters.FlagFilter)."""
    return Flag.objects.visible_to(user).select_related("institution", "institution__city").prefetch_related(
        "inspections")
