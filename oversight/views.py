"""Regulator pages of the price-risk signals and the enterprise record (BAD-1). Thin: reads
through selectors, decisions through `services.signal_decide`."""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, Forbidden
from core.exports import xlsx_response
from core.permissions import require_page
from parties.models import Organisation

from . import selectors, services
from .models import BAD_RECORD_KIND, RiskSignal, SignalKind, SignalStatus

PAGE_SIZE = 30


def _filters(request):
    kind = request.GET.get("kind") or ""
    status = request.GET.get("status", "open")
    enterprise = request.GET.get("enterprise") or ""
    return {
        "kind": kind if kind in SignalKind.values else "",
        "status": status if status in SignalStatus.values else "",
        "enterprise": int(enterprise) if enterprise.isdigit() and len(enterprise) < 10 else None,
        "q": (request.GET.get("q") or "").replace("\x00", "").strip()[:100],
    }


@login_required
def signal_list(request):
    require_page(request.user, "oversight.view_signals")
    f = _filters(request)
    qs = selectors.signals(request.user, **f)
    return render(request, "oversight/signal_list.html", {
        "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")), **f,
        "kinds": SignalKind.choices, "statuses": SignalStatus.choices,
    })


@login_required
def signal_export(request):
    require_page(request.user, "oversight.view_signals")
    qs = selectors.signals(request.user, **_filters(request))
    rows = ((s.detected_on, s.get_kind_display(), s.enterprise.name, str(s.product or ""), s.measure, s.summary,
             s.get_status_display(), s.decision_reason) for s in qs[:50000])
    return xlsx_response("价格风险信号.xlsx", [_("发现日期"), _("类型"), _("企业"), _("产品"), _("指标值"), _("摘要"), _("状态"),
                                              _("处理意见")], rows, title=_("价格风险信号"))


@login_required
def signal_detail(request, pk):
    require_page(request.user, "oversight.view_signals")
    signal = get_object_or_404(RiskSignal.objects.visible_to(request.user).select_related("enterprise", "product"),
                               pk=pk)
    bad_record_url = reverse("qualifications:bad_record_list") + "?" + urlencode({
        "enterprise": signal.enterprise_id, "product": signal.product_id or "", "kind": BAD_RECORD_KIND[signal.kind],
        "signal": signal.pk,
    })
    return render(request, "oversight/signal_detail.html", {
        "signal": signal, "evidence": json.dumps(signal.evidence, ensure_ascii=False, indent=2),
        "can_decide": request.user.has_perm("oversight.decide_signal"), "bad_record_url": bad_record_url,
    })


@login_required
@require_POST
def signal_decide(request, pk):
    signal = get_object_or_404(RiskSignal.objects.visible_to(request.user), pk=pk)
    action = request.POST.get("action", "")
    try:
        signal = services.signal_decide(request.user, signal=signal, action=action, reason=request.POST.get("reason"))
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("oversight:signal_detail", pk)
    messages.success(request, _("已记录处理决定：%(status)s") % {"status": signal.get_status_display()})
    if signal.status == SignalStatus.BAD_RECORD:
        return redirect(reverse("qualifications:bad_record_list") + "?" + urlencode({
            "enterprise": signal.enterprise_id, "product": signal.product_id or "",
            "kind": BAD_RECORD_KIND[signal.kind], "signal": signal.pk}))
    return redirect("oversight:signal_detail", pk)


@login_required
def enterprise_list(request):
    require_page(request.user, "oversight.view_signals")
    q = (request.GET.get("q") or "").replace("\x00", "").strip()[:100]
    return render(request, "oversight/enterprise_list.html", {
        "page": Paginator(selectors.enterprises(q), PAGE_SIZE).get_page(request.GET.get("page")), "q": q})


@login_required
def enterprise_detail(request, pk):
    require_page(request.user, "oversight.view_signals")
    enterprise = get_object_or_404(Organisation.objects.enterprises(), pk=pk)
    record = selectors.enterprise_record(enterprise)
    chart = [{"name": name, "type": "line", "step": "end", "data": points} for name, points in record["chart"]]
    return render(request, "oversight/enterprise_detail.html", {
        "enterprise": enterprise, **record, "chart_series": chart})
