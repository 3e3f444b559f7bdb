"""Monitoring pages: thin views over services and selectors (MON-1…MON-6)."""

import json
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, InvalidInput
from core.exports import xlsx_response
from core.forms import refuse_if_forbidden
from core.permissions import require_page
from core.uploads import XLSX_TYPES, check_upload
from jobs import imports
from parties.models import Organisation, Region
from parties.permissions import is_city_regulator
from policy.services import get, monitoring_target

from . import rules, selectors, services
from .filters import FlagFilter, ReportFilter
from .models import (
    Bulletin,
    CityForward,
    EmergencyDeduction,
    FlagCategory,
    FlagStatus,
    InspectionOutcome,
    MonthlyReport,
    ReportStatus,
)


def _regulator_only(user):
    if not user.is_regulator:
        raise PermissionDenied


def _error_text(exc):
    return _("%(detail)s（%(rule)s）") % {"detail": exc.detail, "rule": exc.code} if "-" in exc.code else exc.detail


def _month_arg(request, default):
    try:
        return services.parse_month(request.GET.get("month")) if request.GET.get("month") else default
    except DomainError:
        return default


def _recent_months(today, n=12):
    last = rules.reporting_month(today)
    return [rules.add_months(last, -i) for i in range(n)]


# ----------------------------------------------------------------- dashboards (MON-1, MON-3)


def _rate_months(user, today, month):
    """The month picker: the last twelve finished months plus the latest month with data."""
    months = _recent_months(today)
    if month not in months:
        months = sorted({*months, month}, reverse=True)
    return months


def _chart_rate(value):
    return float(value) if value is not None else None


def _trend(rows):
    return {"months": [r["month"].strftime("%Y-%m") for r in rows], "rates": [_chart_rate(r["rate"]) for r in rows]}


def dashboard_data(user, month, kind):
    """Everything the rate page and its ECharts charts show, from the one rate selector
    (selectors.procurement_rates, MON-1); the page embeds `chart` as JSON."""
    end = rules.add_months(month, 1)
    trend_start = rules.add_months(month, -11)
    target = monitoring_target(kind, month.year)
    if user.is_institution:
        own = selectors.procurement_rates(user, start=month, by="province", institution=user.organisation)[0]
        trend = selectors.procurement_rates(user, start=trend_start, end=end, by="month",
                                            institution=user.organisation)
        chart = {"months": [r["month"].strftime("%Y-%m") for r in trend],
                 "drug": [_chart_rate(r["drug_rate"]) for r in trend],
                 "consumable": [_chart_rate(r["consumable_rate"]) for r in trend],
                 "drug_target": float(monitoring_target("drug", month.year) or 0),
                 "consumable_target": float(monitoring_target("consumable", month.year) or 0)}
        return {"view": "institution", "own": own, "chart": chart, "target": target}
    trend = selectors.procurement_rates(user, start=trend_start, end=end, by="month", kind=kind)
    province = selectors.procurement_rates(user, start=month, by="province", kind=kind)[0]
    if user.is_province:
        cities = selectors.procurement_rates(user, start=month, by="city", kind=kind)
        counties = selectors.procurement_rates(user, start=month, by="county", kind=kind)
        chart = {"cities": _bars(cities), "counties": _bars(counties[:30]), "trend": _trend(trend),
                 "target": float(target or 0)}
        return {"view": "province", "cities": cities, "counties": counties, "province": province, "chart": chart,
                "target": target}
    institutions = selectors.procurement_rates(user, start=month, by="institution", kind=kind)
    chart = {"institutions": _bars(institutions[:40]), "trend": _trend(trend), "target": float(target or 0)}
    return {"view": "city", "institutions": institutions, "province": province, "chart": chart, "target": target}


@login_required
def dashboard(request):
    """The online-procurement-rate page (MON-1, MON-3). It opens on the latest month with a
    submitted report in the user's scope, not on a month nobody has reported yet."""
    user = request.user
    if not user.is_institution:
        _regulator_only(user)
    today = timezone.localdate()
    month = _month_arg(request, selectors.latest_rate_month(user) or rules.reporting_month(today))
    kind = request.GET.get("kind") if request.GET.get("kind") in ("drug", "consumable") else "drug"
    data = dashboard_data(user, month, kind)
    ctx = {"month": month, "kind": kind, "months": _rate_months(user, today, month),
           "definition": selectors.RATE_DEFINITION, "chart_json": json.dumps(data.pop("chart")), **data}
    if user.is_institution:
        ctx["reports"] = MonthlyReport.objects.filter(institution=user.organisation)[:6]
        return render(request, "monitoring/dashboard_institution.html", ctx)
    if not user.is_province:
        ctx["late"] = selectors.reports_for(user).filter(month=month, late=True)
        ctx["missing"] = selectors.unreported(month, user=user)
    return render(request, "monitoring/dashboard_regulator.html", ctx)


def _bars(rows):
    rows = [r for r in rows if r["rate"] is not None]
    return {"labels": [r["label"] for r in rows][::-1], "rates": [float(r["rate"]) for r in rows][::-1]}


# ----------------------------------------------------------------- reports (MON-2)


@login_required
def report_list(request):
    user = request.user
    if not (user.is_institution or user.is_regulator):
        raise PermissionDenied
    month = _month_arg(request, None)
    status = request.GET.get("status") or ""
    q = (request.GET.get("q") or "").strip()
    qs = ReportFilter(request.GET, queryset=selectors.reports_for(user)).qs
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "monitoring/report_list.html", {
        "page": page, "month": month, "status": status, "q": q, "months": _recent_months(timezone.localdate()),
        "statuses": [*ReportStatus.choices, ("late", _("逾期报送"))],
    })


@login_required
def report_new(request):
    user = request.user
    require_page(user, "monitoring.report_on_page")
    today = timezone.localdate()
    month = _month_arg(request, rules.reporting_month(today))
    if request.method == "POST":
        month_raw = request.POST.get("month", "")
        values = {f: request.POST.get(f, "") for f in services.FIGURE_FIELDS}
        errors = {}
        try:
            version = services.report_submit(user=user, month=month_raw, figures=values,
                                             reason=request.POST.get("reason", ""))
        except DomainError as exc:
            refuse_if_forbidden(exc)
            errors[exc.field or "form"] = _error_text(exc)
            for e in exc.errors or []:
                errors.setdefault(e.get("field") or "form", e.get("detail"))
            try:
                month = services.parse_month(month_raw)
            except DomainError:
                pass
        else:
            messages.success(request, _("%(year)s年%(month)02d月 采购数据已报送（第 %(version)s 版）。") % {
                "year": version.report.month.year, "month": version.report.month.month, "version": version.version})
            return redirect(version.report)
    else:
        values = services.report_prefill(user.organisation, month)
        errors = {}
    existing = MonthlyReport.objects.filter(institution=user.organisation, month=month).first()
    own = selectors.institution_rates(user.organisation, month, rules.add_months(month, 1))
    return render(request, "monitoring/report_form.html", {
        "month": month, "values": values, "errors": errors, "existing": existing, "own": own,
        "months": _recent_months(today), "due": rules.report_due(month, _report_day(month)),
        "kinds": [("drug", "药品"), ("consumable", "医用耗材")],
    })


def _report_day(month):
    return get("mon.report_day", at=month)


@login_required
def report_detail(request, pk):
    report = MonthlyReport.objects.visible_to(request.user).select_related("institution").filter(pk=pk).first()
    if report is None:
        raise Http404
    versions = list(report.versions.select_related("submitted_by").order_by("-version"))
    own = selectors.institution_rates(report.institution, report.month, rules.add_months(report.month, 1))
    current = versions[0] if versions else None
    rates = {}
    if current:
        for k in ("drug", "consumable"):
            total, platform, emergency = current.figures(k)
            rates[k] = {"total": total, "platform": platform, "emergency": emergency,
                        "rate": rules.rate_of_total(platform, total), "own": own.get(k, {})}
    return render(request, "monitoring/report_detail.html", {
        "report": report, "versions": versions, "rates": rates,
        "flags": selectors.flags_for(request.user).filter(institution=report.institution, month=report.month),
    })


@login_required
def report_upload(request):
    require_page(request.user, "monitoring.report_on_page")
    errors, rows = {}, []
    if request.method == "POST":
        # Only the cheap checks here (type, zip directory, macros); the rows are read by a worker.
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise InvalidInput(_("请选择要上传的文件"), "file")
            check_upload(upload, allowed=XLSX_TYPES, field="file")
        except DomainError as exc:
            refuse_if_forbidden(exc)
            errors["file"] = exc.detail
            rows = exc.errors or []
        else:
            job = imports.start(request.user, "monitoring.reports", upload)
            return redirect("jobs:import_detail", pk=job.pk)
    return render(request, "monitoring/report_upload.html", {"errors": errors, "rows": rows,
                                                             "headers": services.UPLOAD_HEADERS})


@login_required
def report_template(request):
    last = rules.reporting_month(timezone.localdate())
    return xlsx_response("采购数据月报模板.xlsx", services.UPLOAD_HEADERS,
                         [[last.strftime("%Y-%m"), 0, 0, 0, 0, 0, 0, ""]], title="月报", widths=[12] + [20] * 7,
                         translate=False)  # the upload reads these headers back


# ----------------------------------------------------------------- MON-6 monitoring table


TABLE_HEADERS = ["月份", "设区市", "县（市、区）", "医疗机构", "级别",
                 "药品实际采购金额（元）", "药品省平台采购金额（元）", "药品应急采购金额（元）", "药品网上采购率（%）",
                 "耗材实际采购金额（元）", "耗材省平台采购金额（元）", "耗材应急采购金额（元）", "耗材网上采购率（%）",
                 "报送时间", "版本", "逾期"]


@login_required
def monitoring_table(request):
    """MON-6 采购监测表 (.xlsx, streamed from a temporary file): one row per report in force,
    then the totals with amount-weighted rates."""
    user = request.user
    if not (user.is_regulator or user.is_institution):
        raise PermissionDenied
    today = timezone.localdate()
    month = _month_arg(request, None)
    start, end = (month, rules.add_months(month, 1)) if month else (date(today.year, 1, 1), rules.month_start(today))
    city = request.GET.get("city") or None
    qs = selectors.monitoring_table_rows(user, start=start, end=end, city=city)
    institutions = Organisation.objects.filter(city_id=city) if city else None
    # The rates come from the one rate selector (MON-1), like the page and the charts.
    rates = {(r["report__institution_id"], r["report__month"]): r for r in selectors.procurement_rates(
        user, start=start, end=end, by="institution_month", institutions=institutions)}
    total = selectors.procurement_rates(user, start=start, end=end, by="province", institutions=institutions)[0]

    def rows():
        for v in qs.iterator(chunk_size=2000):
            r, inst = v.report, v.report.institution
            rate = rates.get((inst.pk, r.month), {})
            yield [r.month.strftime("%Y-%m"), inst.city.name if inst.city else "", inst.county.name if inst.county else "",
                   inst.name, inst.get_level_display(),
                   v.drug_total, v.drug_platform, v.drug_emergency, rate.get("drug_rate"),
                   v.consumable_total, v.consumable_platform, v.consumable_emergency, rate.get("consumable_rate"),
                   timezone.localtime(v.submitted_at).replace(tzinfo=None), v.version, "是" if r.late else "否"]
        yield ["合计", "", "", "", "",
               total["drug_total"], total["drug_platform"], total["drug_emergency"], total["drug_rate"],
               total["consumable_total"], total["consumable_platform"], total["consumable_emergency"],
               total["consumable_rate"], "", "", ""]

    label = month.strftime("%Y%m") if month else f"{start:%Y%m}-{rules.add_months(end, -1):%Y%m}"
    return xlsx_response(f"采购监测表-{label}.xlsx", TABLE_HEADERS, rows(), title="采购监测表",
                         widths=[10, 10, 14, 28, 6] + [16] * 8 + [18, 6, 6])


# ----------------------------------------------------------------- city forward (MON-2)


@login_required
def forward_list(request):
    user = request.user
    require_page(user, "monitoring.view_forwards")
    today = timezone.localdate()
    month = _month_arg(request, selectors.latest_rate_month(user) or rules.reporting_month(today))
    errors, preview = {}, None
    if is_city_regulator(user):
        city = user.organisation.city
        if request.method == "POST":
            try:
                services.city_forward(user=user, city_id=request.POST.get("city") or city.pk,
                                      month=request.POST.get("month"), note=request.POST.get("note", ""))
            except DomainError as exc:
                refuse_if_forbidden(exc)
                errors[exc.field or "form"] = _error_text(exc)
            else:
                messages.success(request, _("已将 %(year)s年%(month)02d月 三级医疗机构数据汇总上报省医保局。") % {
                    "year": month.year, "month": month.month})
                return redirect(f"{request.path}?month={month:%Y-%m}")
        preview = services.city_forward_preview(city, month)
    forwards = CityForward.objects.visible_to(user).select_related("city", "forwarded_by")
    done = forwards.filter(month=month).first() if is_city_regulator(user) else None
    pending_cities = None
    if user.is_province:
        pending_cities = Region.objects.filter(level="city").exclude(
            pk__in=CityForward.objects.filter(month=month).values("city_id")).order_by("code")
    return render(request, "monitoring/forward_list.html", {
        "month": month, "months": _rate_months(user, today, month), "preview": preview, "errors": errors,
        "done": done, "definition": selectors.RATE_DEFINITION,
        "page": Paginator(forwards, 25).get_page(request.GET.get("page")), "pending_cities": pending_cities,
    })


# ----------------------------------------------------------------- flags and inspections (MON-4, MON-5, EMG-2)


@login_required
def flag_list(request):
    user = request.user
    _regulator_only(user)
    errors, deduction_errors = {}, {}
    if request.method == "POST" and request.POST.get("deduction"):
        try:
            services.emergency_deduction_record(user=user, deduction_id=request.POST.get("deduction"),
                                                insurance_paid=request.POST.get("insurance_paid", ""))
        except DomainError as exc:
            deduction_errors[request.POST.get("deduction")] = _error_text(exc)
        else:
            messages.success(request, _("扣减金额已记录。"))
            return redirect(request.get_full_path())
    elif request.method == "POST":
        try:
            services.inspection_record(user=user, flag_id=request.POST.get("flag"), outcome=request.POST.get("outcome"),
                                       note=request.POST.get("note", ""),
                                       inspected_on=request.POST.get("inspected_on") or None)
        except DomainError as exc:
            refuse_if_forbidden(exc)
            errors[request.POST.get("flag")] = _error_text(exc)
        else:
            messages.success(request, _("督查结果已记录。"))
            return redirect(request.get_full_path())
    category = request.GET.get("category") or None
    status = request.GET.get("status") or None
    qs = FlagFilter(request.GET, queryset=selectors.flags_for(user)).qs
    if request.GET.get("export") == "xlsx":
        flags = list(qs)
        _attach_rates(user, flags)
        rows = ([f.month.strftime("%Y-%m"), f.institution.city.name if f.institution.city else "", f.institution.name,
                 f.get_category_display(), f.get_kind_display() if f.kind else "", f.rule, f.detail, f.amount,
                 f.rates.get("drug_rate"), f.rates.get("consumable_rate"),
                 f.get_status_display(), "；".join(f"{i.inspected_on} {i.get_outcome_display()} {i.note}"
                                                   for i in f.inspections.all())]
                for f in flags)
        return xlsx_response(f"督查名单-{timezone.localdate():%Y%m%d}.xlsx",
                             ["月份", "设区市", "医疗机构", "问题类型", "类别", "规则", "说明", "涉及金额（元）",
                              "药品网上采购率（%）", "耗材网上采购率（%）", "状态", "督查记录"],
                             rows, title="督查名单")
    deduction_qs = (EmergencyDeduction.objects.visible_to(user).select_related("institution", "purchase__product")
                    .order_by(F("insurance_paid").asc(nulls_first=True), "-month", "id"))
    if request.GET.get("export") == "deductions":
        rows = ([d.month.strftime("%Y-%m"), d.institution.name, d.purchased_on,
                 str(d.purchase.product or d.purchase.item_name), d.amount, d.ratio_percent, d.insurance_paid,
                 d.deduction] for d in deduction_qs.iterator(chunk_size=500))
        return xlsx_response(f"超范围应急采购扣减-{timezone.localdate():%Y%m%d}.xlsx",
                             ["月份", "医疗机构", "采购日期", "产品", "采购金额（元）", "扣减比例（%）",
                              "医保基金支付金额（元）", "扣减金额（元）"],
                             rows, title="超范围应急采购扣减")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    _attach_rates(user, page.object_list)
    deductions = deduction_qs[:50]
    return render(request, "monitoring/flag_list.html", {
        "page": page, "errors": errors, "categories": FlagCategory.choices, "statuses": FlagStatus.choices,
        "deductions": deductions, "deduction_errors": deduction_errors,
        "outcomes": InspectionOutcome.choices, "category": category or "", "status": status or "",
        "today": timezone.localdate(),
    })


def _attach_rates(user, flags):
    """Each flag's institution's rates of the flag's month, from the one rate selector (MON-1):
    the inspection list shows the same figure as the rate page, never one of its own."""
    flags = list(flags)
    for f in flags:
        f.rates = {}
    if not flags:
        return
    months = [f.month for f in flags]
    rows = selectors.procurement_rates(user, start=min(months), end=rules.add_months(max(months), 1),
                                       by="institution_month", institutions={f.institution_id for f in flags})
    rates = {(r["report__institution_id"], r["report__month"]): r for r in rows}
    for f in flags:
        f.rates = rates.get((f.institution_id, f.month), {})


# ----------------------------------------------------------------- bulletins (MON-3)


def bulletin_list(request):
    """Bulletins visible to the user; without sign-in, the public ones (ACT-8)."""
    user = request.user
    errors = {}
    can_publish = user.has_perm("monitoring.publish_bulletin")
    if request.method == "POST":
        if not can_publish:
            raise PermissionDenied
        try:
            bulletin = services.bulletin_publish(user=user, year=request.POST.get("year"),
                                                 quarter=request.POST.get("quarter"),
                                                 is_public=request.POST.get("is_public") == "on")
        except DomainError as exc:
            refuse_if_forbidden(exc)
            errors[exc.field or "form"] = _error_text(exc)
        else:
            messages.success(request, _("已发布：%(title)s") % {"title": bulletin.title})
            return redirect(bulletin)
    today = timezone.localdate()
    last_q = (today.month - 1) // 3  # the last finished quarter
    year, quarter = (today.year, last_q) if last_q else (today.year - 1, 4)
    qs = Bulletin.objects.visible_to(user).select_related("city")
    return render(request, "monitoring/bulletin_list.html", {
        "page": Paginator(qs, 20).get_page(request.GET.get("page")), "can_publish": can_publish, "errors": errors,
        "year": year, "quarter": quarter, "years": range(today.year, today.year - 4, -1),
    })


def bulletin_detail(request, pk):
    """A published bulletin: public without sign-in when the regulator chose so (ACT-8);
    `?print=1` gives the print-ready page, `?export=xlsx` the Excel (MON-6)."""
    bulletin = Bulletin.objects.visible_to(request.user).select_related("city").filter(pk=pk).first()
    if bulletin is None:
        if not request.user.is_authenticated:

            return redirect_to_login(request.get_full_path())
        raise Http404
    rows = list(bulletin.rows.order_by("rank"))
    totals = services.bulletin_totals(bulletin)
    if request.GET.get("export") == "xlsx":
        data = [[r.rank, r.city_name, r.institution_name, LEVELS.get(r.level, r.level), r.drug_total, r.drug_platform, r.drug_emergency, r.drug_rate,
                 r.consumable_total, r.consumable_platform, r.consumable_emergency, r.consumable_rate,
                 r.months_reported] for r in rows]
        data.append(["合计", "", f"{totals['n']} 家", "", totals["drug_total"], totals["drug_platform"],
                     totals["drug_emergency"], totals["drug_rate"], totals["consumable_total"],
                     totals["consumable_platform"], totals["consumable_emergency"], totals["consumable_rate"], ""])
        return xlsx_response(f"{bulletin.title}.xlsx", BULLETIN_HEADERS, data, title="通报")
    targets = {k: monitoring_target(k, bulletin.year) for k in ("drug", "consumable")}
    template = "monitoring/bulletin_print.html" if request.GET.get("print") else "monitoring/bulletin_detail.html"
    return render(request, template, {"bulletin": bulletin, "rows": rows, "totals": totals, "targets": targets})


LEVELS = {1: "一级", 2: "二级", 3: "三级"}
BULLETIN_HEADERS = ["排名", "设区市", "医疗机构", "级别", "药品实际采购金额（元）", "药品省平台采购金额（元）",
                    "药品应急采购金额（元）", "药品网上采购率（%）", "耗材实际采购金额（元）", "耗材省平台采购金额（元）",
                    "耗材应急采购金额（元）", "耗材网上采购率（%）", "已报送月数"]

