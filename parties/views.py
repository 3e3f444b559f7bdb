"""Pages of parties: HIS API clients (ACT-7) — list, create (the token is shown once),
revoke with a reason. Thin: reads through `visible_to`, writes through `parties.services`."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from openpyxl import Workbook

from core.errors import DomainError
from core.exports import safe_row
from core.forms import refuse_if_forbidden
from core.permissions import require_page

from . import services
from .models import ApiClient, Organisation, OrgKind


class ApiClientForm(forms.Form):
    name = forms.CharField(label=_("接口名称"), max_length=100,
                           help_text=_("便于识别的名称，如“HIS 正式环境”“HIS 测试环境”"))
    institution = forms.ModelChoiceField(
        label=_("医疗机构"), queryset=Organisation.objects.none(), required=False,
        help_text=_("省医保局为哪个医疗机构创建"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_province:
            self.fields["institution"].queryset = Organisation.objects.filter(
                kind=OrgKind.INSTITUTION, is_active=True
            ).order_by("name")
            self.fields["institution"].required = True
        else:
            del self.fields["institution"]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("吊销原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("记入审计记录，如“HIS 更换厂商，旧令牌停用”“令牌疑似泄露”"))


def _filtered(request):
    qs = ApiClient.objects.visible_to(request.user).select_related("institution", "created_by", "revoked_by")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(institution__name__icontains=q) | Q(key_id=q))
    if status == "active":
        qs = qs.filter(revoked_at__isnull=True)
    elif status == "revoked":
        qs = qs.filter(revoked_at__isnull=False)
    return qs.order_by("-created_at", "-id"), {"q": q, "status": status}


@login_required
def api_client_list(request):
    require_page(request.user, "parties.view_api_clients")
    qs, filters = _filtered(request)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    for client in page:
        client.can_revoke = client.is_active and request.user.has_perm("parties.manage_institution_api_clients", client.institution)
    return render(request, "parties/api_client_list.html", {
        "page": page, "filters": filters, "can_create": request.user.has_perm("parties.manage_api_clients"),
        "show_institution": not request.user.is_institution,
    })


@login_required
def api_client_export(request):
    """The list as .xlsx (the filters of the page apply)."""
    require_page(request.user, "parties.view_api_clients")
    qs, _filters = _filtered(request)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(gettext("HIS接口客户端"))
    ws.append([gettext("医疗机构"), gettext("接口名称"), gettext("令牌编号"), gettext("创建时间"), gettext("创建人"), gettext("最近使用"),
               gettext("状态"), gettext("吊销时间"), gettext("吊销人"), gettext("吊销原因")])

    def when(dt):
        return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else ""

    for c in qs.iterator():
        ws.append(safe_row(ws, [
            c.institution.name, c.name, c.key_id, when(c.created_at), str(c.created_by or ""), when(c.last_used_at),
            gettext("有效") if c.is_active else gettext("已吊销"), when(c.revoked_at), str(c.revoked_by or ""),
            c.revoked_reason]))
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="api-clients-{timezone.localdate():%Y%m%d}.xlsx"'
    wb.save(response)
    return response


@never_cache  # the page with the token must not be cached anywhere
@login_required
def api_client_create(request):
    user = request.user
    if not user.has_perm("parties.manage_api_clients"):
        raise PermissionDenied
    form = ApiClientForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        institution = form.cleaned_data.get("institution") or user.organisation
        try:
            client, token = services.api_client_create(user, institution, form.cleaned_data["name"])
        except DomainError as exc:
            refuse_if_forbidden(exc)
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            return render(request, "parties/api_client_created.html", {"client": client, "token": token})
    return render(request, "parties/api_client_form.html", {"form": form})


@login_required
def api_client_revoke(request, pk):
    client = get_object_or_404(ApiClient.objects.visible_to(request.user).select_related("institution"), pk=pk)
    if not request.user.has_perm("parties.manage_institution_api_clients", client.institution):
        raise PermissionDenied
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.api_client_revoke(request.user, client, form.cleaned_data["reason"])
        except DomainError as exc:
            refuse_if_forbidden(exc)
            form.add_error("reason" if exc.field == "reason" else None, exc.detail)
        else:
            messages.success(request, gettext("接口客户端“%(name)s”已吊销，其令牌立即失效。") % {"name": client.name})
            return redirect("parties:api_client_list")
    return render(request, "parties/api_client_revoke.html", {"client": client, "form": form})
