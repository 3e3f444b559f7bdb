"""Monitoring workflows (RULES §12): the monthly job (snapshot, open reports, checks),
monthly reports and their corrections, the city's forward to the province, the daily
deadline job, inspections and quarterly bulletins."""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from core import parsing
from core.audit import audit_context
from core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, RuleViolation
from core.permissions import require
from core.text import excerpt
from core.uploads import read_xlsx_rows
from notifications.recipients import city_regulators, province_regulators, users_of
from notifications.services import notify
from notifications.text import Text, as_choice, as_month, as_month_day
from parties.models import Region
from parties.permissions import is_city_regulator, is_province_regulator
from policy.services import get as policy
from policy.services import monitoring_target

from . import rules, selectors
from .models import (
    FLAG_RULES,
    KINDS,
    Bulletin,
    BulletinRow,
    CityForward,
    EmergencyDeduction,
    Flag,
    FlagCategory,
    FlagStatus,
    Inspection,
    InspectionOutcome,
    MonthlyReport,
    ReportSource,
    ReportStatus,
    ReportVersion,
)

KIND_LABELS = {"drug": "药品", "consumable": "耗材"}
FIGURE_FIELDS = [f"{k}_{f}" for k in ("drug", "consumable") for f in ("total", "platform", "emergency")]


# ----------------------------------------------------------------- helpers


def parse_month(value, field="month") -> date:
    try:
        return parsing.parse_month(value)
    except parsing.ParseError as exc:
        raise InvalidInput(exc.message, field) from None


MAX_AMOUNT = Decimal("99999999999999.99")


def parse_amount(value, label) -> Decimal:
    """A reported amount (MON-2): a number, not negative, at most two decimals, not beyond the
    column. Raises core.parsing.ParseError with the message (the API serializer and the
    service read it with this one parser)."""
    if value is None or str(value).strip() == "":
        raise parsing.ParseError(_("请填写%(label)s") % {"label": label}, "required")
    d = parsing.to_decimal(value, thousands=True)
    if isinstance(value, bool):
        raise parsing.ParseError(_("%(label)s须为数字") % {"label": label}, "not_number")
    if d is None:
        raise parsing.ParseError(_("%(label)s须为数字（当前为“%(value)s”）") % {"label": label, "value": excerpt(value)},
                                 "not_number")
    if d < 0:
        raise parsing.ParseError(_("%(label)s不得为负数") % {"label": label}, "negative")
    if d > MAX_AMOUNT:  # numeric(16, 2): refuse 1e30 with its field instead of overflowing the column
        raise parsing.ParseError(_("%(label)s数值过大，请核对") % {"label": label}, "too_large")
    if d != d.quantize(Decimal("0.01")):
        raise parsing.ParseError(_("%(label)s最多保留两位小数") % {"label": label}, "places")
    return d


def _amount(value, field, label) -> Decimal:
    try:
        return parse_amount(value, label)
    except parsing.ParseError as exc:
        raise InvalidInput(exc.message, field) from None


FIELD_LABELS = {
    "drug_total": gettext_lazy("药品实际采购金额"), "drug_platform": gettext_lazy("药品省平台采购金额"),
    "drug_emergency": gettext_lazy("药品应急采购金额"), "consumable_total": gettext_lazy("耗材实际采购金额"),
    "consumable_platform": gettext_lazy("耗材省平台采购金额"), "consumable_emergency": gettext_lazy("耗材应急采购金额"),
}
# KIND_LABELS words recorded check details (stored, Chinese); refusals name the kind in the reader's language.
# A context of their own: other catalogues translate "药品" as a singular product kind.
FIGURE_KIND_LABELS = {"drug": pgettext_lazy("monitoring figures", "药品"),
                      "consumable": pgettext_lazy("monitoring figures", "耗材")}


def parse_figures(data) -> dict:
    """Amounts of a report, validated (MON-2): numbers, not negative, platform ≤ total,
    emergency ≤ off-platform part. Raises InvalidInput naming the first wrong field."""
    values = {f: _amount(data.get(f), f, FIELD_LABELS[f]) for f in FIGURE_FIELDS}
    errors = []
    for kind in ("drug", "consumable"):
        errors += rules.figure_errors(str(FIGURE_KIND_LABELS[kind]), kind, rules.Figures(
            values[f"{kind}_total"], values[f"{kind}_platform"], values[f"{kind}_emergency"]))
    if errors:
        field, msg = errors[0]
        raise RuleViolation("MON-2", msg, field, errors=[{"field": f, "detail": m} for f, m in errors])
    return values


def _today():
    return timezone.localdate()


def _now():
    return timezone.now()


def _flag(institution_id, month, category, kind, detail, amount=None) -> bool:
    """Add a flag once (idempotent); True when it is new."""
    rows = Flag.objects.bulk_create([Flag(institution_id=institution_id, month=month, category=category, kind=kind,
                                          rule=FLAG_RULES[category], detail=detail, amount=amount)],
                                    ignore_conflicts=True)
    return bool(rows and rows[0].pk)


def _reviewers(institution):
    """MON-2: a city regulator reviews its institutions; provincial-ministry hospitals report
    to the province directly."""
    if institution.reports_to_province:
        return province_regulators()
    return city_regulators(institution.city)


# ----------------------------------------------------------------- the monthly job (MON-1…MON-4)

# The rates are first materialised with CREATE TEMP TABLE … AS (PostgreSQL may run that
# aggregate in parallel; it never parallelises the SELECT of an INSERT … SELECT), then
# upserted with one INSERT … SELECT … ON CONFLICT DO UPDATE.
SNAPSHOT_RATES = "CREATE TEMP TABLE mon_rates ON COMMIT DROP AS {rates}"
SNAPSHOT_UPSERT = """
INSERT INTO monitoring_monthlysnapshot
    (institution_id, month, kind, platform_amount, offplatform_amount, emergency_amount, rate, computed_at)
SELECT r.institution_id, %(start)s, r.kind, r.platform_amount, r.offplatform_amount, r.emergency_amount, r.rate, now()
FROM mon_rates AS r
ON CONFLICT (institution_id, month, kind) DO UPDATE SET
    platform_amount = EXCLUDED.platform_amount,
    offplatform_amount = EXCLUDED.offplatform_amount,
    emergency_amount = EXCLUDED.emergency_amount,
    rate = EXCLUDED.rate,
    computed_at = EXCLUDED.computed_at
"""

REPORTS_OPEN = """
INSERT INTO monitoring_monthlyreport
    (institution_id, month, status, due, to_province, prefill, first_submitted_at, late, latest_version, created_at)
SELECT o.id, %(month)s, 'open', %(due)s, o.reports_to_province,
       jsonb_build_object(
           'drug_total', COALESCE(d.platform_amount + d.offplatform_amount, 0)::text,
           'drug_platform', COALESCE(d.platform_amount, 0)::text,
           'drug_emergency', COALESCE(d.emergency_amount, 0)::text,
           'consumable_total', COALESCE(c.platform_amount + c.offplatform_amount, 0)::text,
           'consumable_platform', COALESCE(c.platform_amount, 0)::text,
           'consumable_emergency', COALESCE(c.emergency_amount, 0)::text),
       NULL, false, 0, now()
FROM parties_organisation o
LEFT JOIN monitoring_monthlysnapshot d ON d.institution_id = o.id AND d.month = %(month)s AND d.kind = 'drug'
LEFT JOIN monitoring_monthlysnapshot c ON c.institution_id = o.id AND c.month = %(month)s AND c.kind = 'consumable'
WHERE o.kind = 'institution' AND o.is_active AND o.level >= %(min_level)s AND o.ownership = ANY(%(ownerships)s)
ON CONFLICT (institution_id, month) DO UPDATE SET prefill = EXCLUDED.prefill
    WHERE monitoring_monthlyreport.status = 'open' AND monitoring_monthlyreport.prefill IS DISTINCT FROM EXCLUDED.prefill
"""

# EMG-2: emergency off-platform purchases of a product that was listed and orderable on the
# platform ON THE DAY IT WAS RECEIVED (see rules.emergency_out_of_scope). The listing's status
# that day is read from its history (listing_listingevent, every change of the row): the last
# version whose status took effect by the end of that day; a listing recorded after the day but
# effective before it counts with its first known status.
_STATUS_ON_PURCHASE_DATE = """
    COALESCE(
        (SELECT e.status FROM listing_listingevent e
          WHERE e.pgh_obj_id = l.id
            AND COALESCE(e.status_changed_at, e.created_at) < (op.received_on + 1)::timestamp AT TIME ZONE %(tz)s
          ORDER BY COALESCE(e.status_changed_at, e.created_at) DESC, e.pgh_id DESC LIMIT 1),
        (SELECT e.status FROM listing_listingevent e WHERE e.pgh_obj_id = l.id ORDER BY e.pgh_id LIMIT 1),
        l.status)
"""
OUT_OF_SCOPE_EMERGENCIES_SQL = f"""
SELECT op.id, op.institution_id, op.kind, op.amount, op.received_on
FROM orders_offplatformpurchase op
WHERE op.received_on >= %(start)s AND op.received_on < %(end)s AND op.reason = 'emergency'
  AND op.product_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM listing_listing l WHERE l.product_id = op.product_id
              AND l.effective_date <= op.received_on AND {_STATUS_ON_PURCHASE_DATE} = 'active')
ORDER BY op.id
"""


def _out_of_scope_emergencies(month: date) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(OUT_OF_SCOPE_EMERGENCIES_SQL,
                    {"start": month, "end": rules.add_months(month, 1), "tz": settings.TIME_ZONE})
        return cur.fetchall()


def snapshot_compute(month: date, institution_ids=None) -> int:
    """MON-1 for every institution for `month`, upserted in one statement (idempotent)."""
    month = rules.month_start(month)
    params = {"start": month, "end": rules.add_months(month, 1), "ids": list(institution_ids or [])}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS mon_rates")
        cur.execute(SNAPSHOT_RATES.format(rates=selectors.rates_sql(institution_ids)), params)
        cur.execute(SNAPSHOT_UPSERT, params)
        count = cur.rowcount
        cur.execute("DROP TABLE mon_rates")
        return count


def reports_open(month: date) -> int:
    """MON-2: open every obliged institution's report for `month`, pre-filled from the snapshot."""
    month = rules.month_start(month)
    with connection.cursor() as cur:
        cur.execute(REPORTS_OPEN, {"month": month, "due": rules.report_due(month, policy("mon.report_day", at=month)),
                                   "min_level": rules.REPORTING_MIN_LEVEL,
                                   "ownerships": list(rules.REPORTING_OWNERSHIPS)})
        return cur.rowcount


def checks_run(month: date) -> dict:
    """EMG-2 (emergency outside scope) flags. Below-target rates (MON-4) are flagged when the
    institution reports (`_report_checks`): the rate is the one of the reports (MON-1,
    selectors.procurement_rates), not a second figure from the platform's receipts."""
    month = rules.month_start(month)
    new = []
    out_of_scope = _out_of_scope_emergencies(month)
    groups: dict = {}
    for _pk, inst_id, kind, amount, _on in out_of_scope:
        total, count = groups.get((inst_id, kind), (Decimal(0), 0))
        groups[(inst_id, kind)] = (total + amount, count + 1)
    for (inst_id, kind), (amount, count) in groups.items():
        new.append(Flag(institution_id=inst_id, month=month, category=FlagCategory.EMERGENCY_SCOPE, kind=kind,
                        rule="EMG-2", amount=amount,
                        detail=f"{count} 笔{KIND_LABELS[kind]}以应急名义线下采购，但该产品在采购当日已在省平台挂网可采购，"
                               f"金额 {amount:,.2f} 元（超范围应急采购，医保基金支付部分按规定比例扣减）"))
    created = Flag.objects.bulk_create(new, ignore_conflicts=True)
    # EMG-2: one deduction record per purchase, with the ratio in force on its purchase date.
    EmergencyDeduction.objects.bulk_create(
        [EmergencyDeduction(purchase_id=pk, institution_id=inst_id, month=month, purchased_on=on, amount=amount,
                            ratio_percent=policy("emg.deduction_ratio_percent", at=on))
         for pk, inst_id, _kind, amount, on in out_of_scope],
        ignore_conflicts=True,
    )
    return {"flags": len([f for f in created if f.pk])}


def emergency_deduction_record(*, user, deduction_id, insurance_paid) -> "EmergencyDeduction":
    """EMG-2: at settlement the regulator records the insurance-paid part of an out-of-scope
    emergency purchase; the deduction is the ratio in force on the purchase date × that part.
    Only regulators, only within their scope; 0 ≤ insurance-paid ≤ the purchase amount."""
    require(user, "monitoring.record_deduction", message=_("仅医保部门可以记录扣减"), rule="EMG-2")
    paid = parsing.to_decimal(insurance_paid)
    if paid is None and not isinstance(insurance_paid, bool):
        raise InvalidInput(_("医保基金支付金额须为数字"), "insurance_paid")
    if paid is None or paid < 0 or parsing.decimal_places(paid) > 2:
        raise InvalidInput(_("医保基金支付金额须为不小于 0 的金额（最多 2 位小数）"), "insurance_paid")
    with transaction.atomic():
        row = EmergencyDeduction.objects.visible_to(user).select_for_update().filter(pk=deduction_id).first()
        if row is None:
            raise NotFound()
        if paid > row.amount:
            raise RuleViolation("EMG-2", _("医保基金支付金额 %(paid)s 元不能超过采购金额 %(amount)s 元") % {
                "paid": paid, "amount": row.amount}, "insurance_paid")
        deduction = rules.emg_2_deduction(paid, row.ratio_percent)
        with audit_context(user, reason=f"EMG-2 超范围应急采购扣减：{paid} × {row.ratio_percent}% = {deduction}"):
            row.insurance_paid, row.deduction = paid, deduction
            row.recorded_by, row.recorded_at = user, timezone.now()
            row.save(update_fields=["insurance_paid", "deduction", "recorded_by", "recorded_at"])
    return row


def monthly_run(month: date | None = None) -> dict:
    """The 1st-of-month job: compute the past month's rates, store them as the month's
    snapshot, open the month's reports pre-filled, run the checks. Safe to re-run."""
    month = rules.month_start(month) if month else rules.reporting_month(_today())
    with audit_context(reason=f"MON-1 月度网上采购率计算 {month:%Y-%m}"), transaction.atomic():
        snapshots = snapshot_compute(month)
        opened = reports_open(month)
        checks = checks_run(month)
    return {"month": month.isoformat(), "snapshots": snapshots, "reports_opened": opened, **checks}


# ----------------------------------------------------------------- reports (MON-2)


def _institution_of(user):
    require(user, "monitoring.submit_report", message=_("仅医疗机构可以报送采购数据月报"), rule="MON-2")
    return user.organisation


def report_submit_allowed(user):
    """MON-2: refuse (403) anyone but an institution. The API asks before it validates the body,
    so a refused caller learns that first, whatever it sent."""
    _institution_of(user)


def report_submit(*, user, month, figures: dict, reason: str = "", source=ReportSource.WEB) -> ReportVersion:
    """MON-2: submit (or correct, with a reason) an institution's figures for a past month.
    Every submission is a new version; the first decides lateness."""
    institution = _institution_of(user)
    month = parse_month(month)
    reason = (reason or "").strip()
    today = _today()
    if not rules.must_report(institution.level, institution.ownership):
        raise RuleViolation("MON-2", _("本机构不属于须按月报送的二级及以上公立医疗机构"), "month")
    if rules.is_future_or_current(month, today):
        raise RuleViolation("MON-2", _("只能报送已结束月份的数据（%(month)s 尚未结束）") % {"month": f"{month:%Y-%m}"}, "month")
    values = parse_figures(figures)
    with transaction.atomic(), audit_context(user, reason=reason or f"MON-2 报送 {month:%Y-%m} 采购数据"):
        report_day = policy("mon.report_day", at=month)
        report, _created = MonthlyReport.objects.get_or_create(
            institution=institution, month=month,
            defaults={"due": rules.report_due(month, report_day), "to_province": institution.reports_to_province},
        )
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        if report.latest_version and not reason:
            raise RuleViolation("MON-2", _("%(month)s 的月报已报送；更正须填写更正原因（将保存为新版本）") % {
                "month": f"{month:%Y-%m}"}, "reason")
        version = ReportVersion.objects.create(report=report, version=report.latest_version + 1, reason=reason,
                                               source=source, submitted_by=user, **values)
        first = report.latest_version == 0
        report.latest_version = version.version
        report.status = ReportStatus.SUBMITTED
        if first:
            report.first_submitted_at = _now()
            report.late = today > report.due
        report.save(update_fields=["latest_version", "status", "first_submitted_at", "late"])
        _report_checks(report, version)
    return version


def _report_checks(report, version):
    institution, month = report.institution, report.month
    if report.late and version.version == 1:
        _flag(institution.pk, month, FlagCategory.LATE_REPORT, "",
              f"{month:%Y-%m} 月报于 {timezone.localdate(report.first_submitted_at):%Y-%m-%d} 报送，"
              f"晚于截止日 {report.due:%Y-%m-%d}")
    own = selectors.institution_rates(institution, month, rules.add_months(month, 1))
    tolerance = policy("mon.discrepancy_tolerance_percent", at=month)
    for kind in KINDS:
        total, platform, _emergency = version.figures(kind)
        own_platform = own.get(kind, {}).get("platform_amount", Decimal(0))
        if rules.discrepancy(platform, own_platform, tolerance):
            _flag(institution.pk, month, FlagCategory.DISCREPANCY, kind,
                  f"自报{KIND_LABELS[kind]}省平台采购金额 {platform:,.2f} 元，平台入库记录 {own_platform:,.2f} 元，"
                  f"差异超过 {tolerance}%", amount=abs(platform - own_platform))
        target = monitoring_target(kind, month.year)
        if rules.below_target(platform, total, target):
            _flag(institution.pk, month, FlagCategory.LOW_RATE, kind,
                  f"{KIND_LABELS[kind]}网上采购率 {rules.rate_of_total(platform, total)}%（自报数据），低于目标 {target}%",
                  amount=total - platform)


def report_prefill(institution, month: date) -> dict:
    """What the form shows first: the platform's own figures for the month."""
    report = MonthlyReport.objects.filter(institution=institution, month=month).first()
    if report is not None and report.latest_version:
        v = report.current
        return {f: getattr(v, f) for f in FIGURE_FIELDS}
    if report is not None and report.prefill:
        return dict(report.prefill)
    own = selectors.institution_rates(institution, month, rules.add_months(month, 1))
    out = {}
    for kind in KINDS:
        row = own.get(kind) or {}
        out[f"{kind}_total"] = row.get("total_amount", Decimal(0))
        out[f"{kind}_platform"] = row.get("platform_amount", Decimal(0))
        out[f"{kind}_emergency"] = row.get("emergency_amount", Decimal(0))
    return out


UPLOAD_HEADERS = ["月份", "药品实际采购金额", "药品省平台采购金额", "药品应急采购金额",
                  "耗材实际采购金额", "耗材省平台采购金额", "耗材应急采购金额", "更正原因"]
UPLOAD_FIELDS = ["month", *FIGURE_FIELDS, "reason"]


MAX_UPLOAD_ROWS = 240  # twenty years of months: more is not a monthly-report file


def report_upload(*, user, upload, progress=None) -> list[ReportVersion]:
    """MON-2 by .xlsx (the template's headers, one month per row). All or nothing: any wrong
    row refuses the whole file with row-level errors. Runs on a worker (jobs.imports);
    `progress(done, total)` is told after each row."""
    _institution_of(user)
    rows = read_xlsx_rows(upload, max_rows=MAX_UPLOAD_ROWS)
    if not rows:
        raise InvalidInput(_("文件没有内容"), "file")
    headers = [str(h or "").strip() for h in rows[0]][: len(UPLOAD_HEADERS)]
    if headers != UPLOAD_HEADERS:
        expected = "、".join(UPLOAD_HEADERS)
        raise InvalidInput(_("表头与模板不一致，应为：%(headers)s") % {"headers": expected}, "file",
                           errors=[{"row": 1, "field": "file", "detail": _("表头应为：%(headers)s") % {"headers": expected}}])
    data_rows = [(i, r) for i, r in enumerate(rows[1:], start=2) if any(c not in (None, "") for c in r)]
    if not data_rows:
        raise InvalidInput(_("文件中没有数据行"), "file")
    errors, done = [], []
    try:
        with transaction.atomic():
            for line, row in data_rows:
                values = dict(zip(UPLOAD_FIELDS, list(row) + [None] * len(UPLOAD_FIELDS), strict=False))
                month = values["month"]
                if isinstance(month, datetime):
                    month = month.date()
                try:
                    with transaction.atomic():
                        done.append(report_submit(user=user, month=month, figures=values,
                                                  reason=str(values.get("reason") or ""), source=ReportSource.XLSX))
                except DomainError as exc:
                    errors.append({"row": line, "field": exc.field, "column": _column(exc.field),
                                   "detail": excerpt(exc.detail, 200), "code": exc.code})
                if progress:
                    progress(len(done) + len(errors), len(data_rows))
            if errors:
                raise _UploadRefused()
    except _UploadRefused:
        first = errors[0]
        raise InvalidInput(_("第 %(row)s 行 %(column)s：%(detail)s（共 %(count)s 处错误，未导入任何数据）") % {
            "row": first["row"], "column": first["column"], "detail": first["detail"], "count": len(errors)},
            "file", errors=errors) from None
    return done


def report_import_job(user, upload, progress) -> str:
    """jobs.imports handler for the monthly-report upload page."""
    return f"已导入 {len(report_upload(user=user, upload=upload, progress=progress))} 个月的采购数据。"


class _UploadRefused(Exception):
    pass


def _column(field):
    if field in UPLOAD_FIELDS:
        return UPLOAD_HEADERS[UPLOAD_FIELDS.index(field)]
    return field or ""


# ----------------------------------------------------------------- city forward (MON-2)


def city_forward_preview(city, month: date, *, with_rates: bool = True) -> dict:
    """The aggregate the city would send: its tertiary institutions reporting to the city.
    `with_rates` adds the city summary's rates from the one rate selector (MON-1)."""
    tertiary = selectors.obliged_institutions().filter(city=city, level=rules.TERTIARY, reports_to_province=False)
    versions = selectors.latest_versions().filter(report__month=month, report__institution__in=tertiary)
    totals = selectors.totals_of(versions)
    out = {"institution_count": tertiary.count(), "reported_count": versions.count(), **totals,
           "missing": list(tertiary.exclude(pk__in=versions.values("report__institution_id")).order_by("name"))}
    if with_rates:
        rates = selectors.procurement_rates(start=month, by="province", institutions=tertiary)[0]
        out.update(drug_rate=rates["drug_rate"], consumable_rate=rates["consumable_rate"])
    return out


def city_forward(*, user, city_id, month, note: str = "") -> CityForward:
    """MON-2: a city regulator sends its tertiary institutions' aggregate to the province.
    A city may forward only its own institutions' data, once per month."""
    require(user, "monitoring.forward_city", message=_("仅设区市医保局可以汇总上报"), rule="MON-2")
    city = Region.objects.filter(pk=city_id, level="city").first()
    if city is None:
        raise NotFound(_("设区市不存在"))
    if city.pk != user.organisation.city_id:
        raise Forbidden(_("不能汇总上报其他设区市（%(city)s）的数据") % {"city": city.name}, code="MON-2")
    month = parse_month(month)
    today = _today()
    if rules.is_future_or_current(month, today):
        raise RuleViolation("MON-2", _("%(month)s 尚未结束，不能汇总上报") % {"month": f"{month:%Y-%m}"}, "month")
    with transaction.atomic(), audit_context(user, reason=f"MON-2 {city.name} {month:%Y-%m} 三级医疗机构数据汇总上报"):
        if CityForward.objects.select_for_update().filter(city=city, month=month).exists():
            raise Conflict(_("%(city)s %(month)s 已汇总上报") % {"city": city.name, "month": f"{month:%Y-%m}"}, "month")
        preview = city_forward_preview(city, month, with_rates=False)
        preview.pop("missing")
        if preview["reported_count"] == 0:
            raise RuleViolation("MON-2", _("本月尚无三级医疗机构报送数据，无法汇总上报"), "month")
        due = rules.add_months(month, 1).replace(day=policy("mon.city_forward_day", at=month))
        fwd = CityForward.objects.create(city=city, month=month, note=(note or "").strip(), late=today > due,
                                         forwarded_by=user, **preview)
        notify(province_regulators(), kind="monitoring.city_forward", title=Text(gettext_noop("%(city)s 已报送 %(month)s 三级医疗机构采购数据"),
                                                                city=city.name, month=as_month(month)),
               url="/monitoring/forwards/", dedupe_key=f"mon-forward-{city.pk}-{month:%Y%m}")
    return fwd


# ----------------------------------------------------------------- deadlines (MON-2)


def deadline_check(today: date | None = None) -> dict:
    """The daily job: on mon.reminder_day remind institutions that have not reported last
    month; on mon.institution_escalation_day flag them and tell their reviewer; on
    mon.city_escalation_day tell the province which cities have not forwarded. Every
    notification carries a dedupe_key, so a re-run sends nothing twice."""
    today = today or _today()
    month = rules.reporting_month(today)
    params = {k: policy(f"mon.{k}", at=today) for k in
              ("reminder_day", "institution_escalation_day", "city_escalation_day", "report_day")}
    actions = rules.escalation_action(today.day, params["reminder_day"], params["institution_escalation_day"],
                                      params["city_escalation_day"])
    sent = {"reminded": 0, "escalated": 0, "cities_escalated": 0}
    if not actions:
        return sent
    due = rules.report_due(month, params["report_day"])
    with audit_context(reason=f"MON-2 月报时限检查 {today:%Y-%m-%d}"):
        missing = list(selectors.unreported(month))
        if "remind" in actions:
            for inst in missing:
                if notify(users_of(inst), kind="monitoring.reminder", level="warning",
                          title=Text(gettext_noop("请于 %(due)s 前报送 %(month)s 药品（医用耗材）采购数据"),
                                     due=as_month_day(due), month=as_month(month)),
                          url="/monitoring/reports/new/", dedupe_key=f"mon-remind-{inst.pk}-{month:%Y%m}"):
                    sent["reminded"] += 1
        if "escalate_institutions" in actions:
            for inst in missing:
                _flag(inst.pk, month, FlagCategory.MISSING_REPORT, "",
                      f"{month:%Y-%m} 月报截至 {due:%Y-%m-%d} 未报送")
                notify(users_of(inst), kind="monitoring.overdue", level="danger",
                       title=Text(gettext_noop("%(month)s 采购数据月报已逾期，已提示医保部门"), month=as_month(month)),
                       url="/monitoring/reports/new/", dedupe_key=f"mon-overdue-{inst.pk}-{month:%Y%m}")
                if notify(_reviewers(inst), kind="monitoring.escalation", level="danger",
                          title=Text(gettext_noop("%(institution)s 未按时报送 %(month)s 采购数据（MON-2）"),
                                     institution=inst.name, month=as_month(month)),
                          url="/monitoring/reports/?status=open", dedupe_key=f"mon-escalate-{inst.pk}-{month:%Y%m}"):
                    sent["escalated"] += 1
        if "escalate_cities" in actions:
            forwarded = CityForward.objects.filter(month=month).values("city_id")
            cities = Region.objects.filter(level="city").exclude(pk__in=forwarded).filter(
                pk__in=selectors.obliged_institutions().filter(level=rules.TERTIARY, reports_to_province=False)
                .values("city_id"))
            for city in cities:
                if notify(province_regulators(), kind="monitoring.city_escalation", level="danger",
                          title=Text(gettext_noop("%(city)s 未按时汇总上报 %(month)s 三级医疗机构采购数据（MON-2）"),
                                     city=city.name, month=as_month(month)),
                          url="/monitoring/forwards/", dedupe_key=f"mon-city-escalate-{city.pk}-{month:%Y%m}"):
                    sent["cities_escalated"] += 1
                notify(city_regulators(city), kind="monitoring.city_overdue", level="danger",
                       title=Text(gettext_noop("%(month)s 三级医疗机构数据汇总上报已逾期"), month=as_month(month)),
                       url="/monitoring/forwards/", dedupe_key=f"mon-city-overdue-{city.pk}-{month:%Y%m}")
    return sent


# ----------------------------------------------------------------- inspections (MON-5)


def inspection_record(*, user, flag_id, outcome, note, inspected_on=None) -> Inspection:
    """MON-5: a regulator records an inspection of a flagged institution and its outcome
    (提醒 / 约谈 / 整改 / 移交). Only flags within the regulator's scope."""
    require(user, "monitoring.record_inspection", message=_("仅医保部门可以记录督查结果"), rule="MON-5")
    if outcome not in InspectionOutcome.values:
        raise InvalidInput(_("请选择处理结果"), "outcome")
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("请填写督查记录"), "note")
    with transaction.atomic(), audit_context(user, reason=f"MON-5 督查记录：{InspectionOutcome(outcome).label}"):
        flag = Flag.objects.visible_to(user).select_for_update().filter(pk=flag_id).first()
        if flag is None:
            raise NotFound()
        inspection = Inspection.objects.create(flag=flag, outcome=outcome, note=note, recorded_by=user,
                                               inspected_on=inspected_on or _today())
        flag.status = FlagStatus.INSPECTED
        flag.save(update_fields=["status"])
        notify(users_of(flag.institution), kind="monitoring.inspection", level="warning",
               title=Text(gettext_noop("医保部门督查结果：%(outcome)s（%(category)s）"),
                          outcome=InspectionOutcome(outcome).label, category=as_choice(flag, "category")),
               body=note, dedupe_key=f"mon-inspection-{inspection.pk}")
    return inspection


# ----------------------------------------------------------------- bulletins (MON-3)

BULLETIN_SQL = """
WITH v AS (
    SELECT r.institution_id, COUNT(*) AS months,
           SUM(v.drug_total) AS drug_total, SUM(v.drug_platform) AS drug_platform,
           SUM(v.drug_emergency) AS drug_emergency,
           SUM(v.consumable_total) AS consumable_total, SUM(v.consumable_platform) AS consumable_platform,
           SUM(v.consumable_emergency) AS consumable_emergency
    FROM monitoring_reportversion v
    JOIN monitoring_monthlyreport r ON r.id = v.report_id AND v.version = r.latest_version
    WHERE r.month = ANY(%(months)s)
    GROUP BY r.institution_id
)
SELECT o.id, o.name, c.name, o.level, COALESCE(v.months, 0),
       COALESCE(v.drug_total, 0), COALESCE(v.drug_platform, 0), COALESCE(v.drug_emergency, 0),
       COALESCE(v.consumable_total, 0), COALESCE(v.consumable_platform, 0), COALESCE(v.consumable_emergency, 0)
FROM parties_organisation o
JOIN parties_region c ON c.id = o.city_id
LEFT JOIN v ON v.institution_id = o.id
WHERE o.id = ANY(%(ids)s)
"""


def bulletin_publish(*, user, year: int, quarter: int, is_public: bool = False) -> Bulletin:
    """MON-3: the province publishes the quarter's bulletin of tertiary institutions; a city
    that of its secondary-and-above institutions. Figures: the reports in force (latest
    version) of the quarter's three months, summed; rates amount-weighted."""
    try:
        year, quarter = int(year), int(quarter)
    except (TypeError, ValueError):
        raise InvalidInput(_("请选择年度和季度"), "quarter") from None
    if quarter not in (1, 2, 3, 4):
        raise InvalidInput(_("季度应为 1–4"), "quarter")
    months = rules.quarter_months(year, quarter)
    if rules.add_months(months[-1], 1) > _today():
        raise RuleViolation("MON-3", _("%(year)s年第%(quarter)s季度尚未结束，不能发布通报") % {"year": year, "quarter": quarter},
                            "quarter")
    # Which bulletin: the province's (tertiary, whole province) or a city's (its institutions).
    if is_province_regulator(user):
        city = None
        institutions = selectors.obliged_institutions().filter(level=rules.TERTIARY)
        title = f"{year}年第{quarter}季度全省三级公立医疗机构网上采购情况通报"
    elif is_city_regulator(user):
        city = user.organisation.city
        institutions = selectors.obliged_institutions().filter(city=city)
        title = f"{year}年第{quarter}季度{city.name}二级及以上公立医疗机构网上采购情况通报"
    else:
        raise Forbidden(_("仅省、设区市医保局可以发布通报"), code="MON-3")
    with transaction.atomic(), audit_context(user, reason=f"MON-3 发布通报：{title}"):
        exists = Bulletin.objects.select_for_update().filter(year=year, quarter=quarter, city=city).exists()
        if exists:
            raise Conflict(_("本季度通报已发布"), "quarter")
        bulletin = Bulletin.objects.create(city=city, year=year, quarter=quarter, title=title,
                                           is_public=bool(is_public), published_by=user)
        with connection.cursor() as cur:
            cur.execute(BULLETIN_SQL, {"months": months, "ids": list(institutions.values_list("pk", flat=True))})
            data = cur.fetchall()
        targets = {k: monitoring_target(k, year) for k in KINDS}
        rows = []
        for (inst_id, name, city_name, level, n, dt, dp, de, ct, cp, ce) in data:
            rows.append(BulletinRow(
                bulletin=bulletin, rank=0, institution_id=inst_id, institution_name=name, city_name=city_name,
                level=level, months_reported=n, drug_total=dt, drug_platform=dp, drug_emergency=de,
                drug_rate=rules.rate_of_total(dp, dt), consumable_total=ct, consumable_platform=cp,
                consumable_emergency=ce, consumable_rate=rules.rate_of_total(cp, ct),
                drug_below_target=rules.below_target(dp, dt, targets["drug"]),
                consumable_below_target=rules.below_target(cp, ct, targets["consumable"]),
            ))
        rows.sort(key=lambda r: (r.drug_rate is None, -(r.drug_rate or 0), r.institution_name))
        for i, r in enumerate(rows, start=1):
            r.rank = i
        BulletinRow.objects.bulk_create(rows)
    return bulletin


def bulletin_totals(bulletin) -> dict:
    t = bulletin.rows.aggregate(**{f: Sum(f) for f in FIGURE_FIELDS}, n=Count("id"))
    t["drug_rate"] = rules.rate_of_total(t["drug_platform"] or 0, t["drug_total"] or 0)
    t["consumable_rate"] = rules.rate_of_total(t["consumable_platform"] or 0, t["consumable_total"] or 0)
    return t



