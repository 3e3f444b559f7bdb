from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Forbidden, InvalidInput
from core.exports import dated_xlsx_response
from core.permissions import require_page

from . import selectors, services
from .clauses import clause_of
from .forms import ParameterChangeForm
from .registry import PARAMETERS, TYPE_LABELS


def _filters(request):
    return {
        "q": request.GET.get("q", "").strip(),
        "rule": request.GET.get("rule", "").strip(),
        "section": request.GET.get("section", "").strip(),
    }


@login_required
def parameter_list(request):
    require_page(request.user, "policy.view_parameters")
    filters = _filters(request)
    rows = selectors.parameter_rows(**filters)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "policy/parameter_list.html", {
        "page": page,
        "groups": selectors.grouped(list(page)),
        "filters": filters,
        "rules": selectors.rules(),
        "sections": selectors.sections(),
        "can_manage": request.user.has_perm("policy.manage"),
        "today": timezone.localdate(),
    })


@login_required
def parameter_export(request):
    """The (filtered) parameter list as .xlsx, with the value in force today."""
    require_page(request.user, "policy.view_parameters")
    rows = selectors.parameter_rows(**_filters(request))
    headers = [_("章节"), _("规则"), _("参数键"), _("名称"), _("类型"), _("现行取值"), _("现行取值生效日期"),
               _("待生效调整"), _("说明"), _("政策依据")]
    return dated_xlsx_response("policy-parameters", headers, (_export_row(r) for r in rows), title=_("政策参数"),
                               widths=(22, 11, 36, 40, 8, 40, 16, 30, 60, 40))


def _export_row(r):
    p = r.definition
    pending = "；".join(f"{d:%Y-%m-%d} → {shown}" for d, shown in r.pending_display)
    return [str(p.section), p.rule, p.key, str(p.label), str(TYPE_LABELS[p.type]), r.display,
            r.effective_from.isoformat() if r.effective_from else "", pending, str(p.help), r.clause]


@login_required
def parameter_detail(request, key):
    require_page(request.user, "policy.view_parameters")
    definition = PARAMETERS.get(key)
    if definition is None:
        raise Http404
    can_manage = request.user.has_perm("policy.manage")
    today = timezone.localdate()
    current = services.get(key, at=today)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("仅省医保局可调整政策参数"))
        form = ParameterChangeForm(definition, request.POST)
        if form.is_valid():
            try:
                services.set_value(
                    user=request.user, key=key, raw_value=form.cleaned_data["value"],
                    effective_from=form.cleaned_data["effective_from"], reason=form.cleaned_data["reason"],
                )
            except Forbidden as exc:
                raise PermissionDenied(exc.detail) from exc
            except InvalidInput as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
            else:
                messages.success(request, _("已保存新版本，自 %(date)s 起生效。") % {
                    "date": form.cleaned_data["effective_from"].isoformat()})
                return redirect("policy:parameter_detail", key=key)
    elif request.method == "GET":
        form = ParameterChangeForm(definition, initial={
            "value": ParameterChangeForm.initial_for(definition, current), "effective_from": today,
        }) if can_manage else None
    else:
        return HttpResponse(status=405)
    return render(request, "policy/parameter_detail.html", {
        "p": definition,
        "type_label": _("表格（调整时按 JSON 格式填写）") if definition.type == "json" else TYPE_LABELS[definition.type],
        "current": selectors.value_html(definition, current),
        "clause": clause_of(definition.rule),
        "choice_labels": [selectors.CHOICE_LABELS.get(c, c) for c in definition.choices],
        "history": selectors.history(key, at=today),
        "form": form,
        "can_manage": can_manage,
        "today": today,
    })
