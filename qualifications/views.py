"""Qualification (QUA-1) and distribution (QUA-2) pages — thin over services/selectors."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Product
from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from core.forms import call_service
from core.parsing import date_or_none
from parties.models import Organisation

from . import selectors, services
from .filters import DistributionFilter, QualificationFilter
from .forms import AnswerForm, EndForm, ProposeForm, QualificationForm, ReviewForm, WithdrawForm
from .models import (
    BadRecord,
    BadRecordKind,
    BadRecordSanction,
    BadRecordScope,
    BadRecordSeverity,
    DistributionRelationship,
    DistributionStatus,
    Qualification,
    QualificationStatus,
)


def _form_error(form, exc):
    form.add_error(exc.field if exc.field in form.fields else None, exc.detail)


@login_required
def qualification_list(request):
    user = request.user
    if not (user.is_province or user.is_enterprise or user.is_regulator):
        raise PermissionDenied(_("无权查看企业资质"))
    qs = QualificationFilter(request.GET, request=request, queryset=Qualification.objects.visible_to(user)
                             .select_related("enterprise").order_by("enterprise__name", "kind", "id")).qs
    status, q = request.GET.get("status", ""), request.GET.get("q", "").strip()
    expiring = request.GET.get("expiring") == "1"
    today = timezone.localdate()
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    blockers = None
    if user.is_enterprise:
        blockers = selectors.blocking_qualifications(user.organisation, today)
    return render(request, "qualifications/qualification_list.html", {
        "page": page, "statuses": QualificationStatus.choices, "status": status, "q": q, "today": today,
        "expiring": expiring, "blockers": blockers, "can_submit": user.is_enterprise,
    })


@login_required
def qualification_create(request):
    user = request.user
    if not user.is_enterprise:
        raise PermissionDenied(_("仅生产企业或配送企业可申报资质"))
    replaces = None
    if request.GET.get("replaces", "").isdigit():
        replaces = Qualification.objects.visible_to(user).filter(pk=request.GET["replaces"]).first()
    if request.method == "POST":
        form = QualificationForm(request.POST, request.FILES)
        q = form.is_valid() and call_service(form, services.qualification_submit, user, replaces=replaces,
                                             **form.cleaned_data)
        if q:
            messages.success(request, _("资质已提交，等待省医保局审核"))
            return redirect("qualifications:qualification_detail", pk=q.pk)
    else:
        initial = {"kind": replaces.kind, "name": replaces.name} if replaces else {}
        form = QualificationForm(initial=initial)
    return render(request, "qualifications/qualification_form.html", {"form": form, "replaces": replaces})


@login_required
def qualification_detail(request, pk):
    user = request.user
    q = get_object_or_404(Qualification.objects.visible_to(user).select_related("enterprise"), pk=pk)
    own = user.is_enterprise and q.enterprise_id == user.organisation_id
    review_form = ReviewForm() if services.can_review(user) else None
    change_form = QualificationForm(file_required=False, initial={
        "kind": q.kind, "name": q.name, "number": q.number, "valid_from": q.valid_from, "valid_until": q.valid_until,
    }) if own else None
    withdraw_form = WithdrawForm() if own else None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "review" and review_form is not None:
                review_form = ReviewForm(request.POST)
                if review_form.is_valid():
                    services.qualification_review(user, q, approve=review_form.cleaned_data["decision"] == "approve",
                                                  reason=review_form.cleaned_data["reason"])
                    messages.success(request, _("审核结果已保存"))
                    return redirect("qualifications:qualification_detail", pk=q.pk)
            elif action == "change" and own:
                change_form = QualificationForm(request.POST, request.FILES, file_required=False)
                if change_form.is_valid():
                    data = dict(change_form.cleaned_data)
                    services.qualification_change(user, q, **data)
                    messages.success(request, _("资质已变更，等待重新审核"))
                    return redirect("qualifications:qualification_detail", pk=q.pk)
            elif action == "withdraw" and own:
                withdraw_form = WithdrawForm(request.POST)
                if withdraw_form.is_valid():
                    services.qualification_withdraw(user, q, withdraw_form.cleaned_data["reason"])
                    messages.success(request, _("资质已撤回"))
                    return redirect("qualifications:qualification_list")
            else:
                raise PermissionDenied
        except (Forbidden, NotFound) as exc:
            raise PermissionDenied(exc.detail) from exc
        except DomainError as exc:
            form = {"review": review_form, "change": change_form, "withdraw": withdraw_form}[action]
            _form_error(form, exc)
    return render(request, "qualifications/qualification_detail.html", {
        "q": q, "own": own, "review_form": review_form if q.status == QualificationStatus.PENDING else None,
        "change_form": change_form if q.status != QualificationStatus.WITHDRAWN else None,
        "withdraw_form": withdraw_form if q.status != QualificationStatus.WITHDRAWN else None,
        "today": timezone.localdate(),
    })


@login_required
def qualification_file(request, pk):
    q = get_object_or_404(Qualification.objects.visible_to(request.user), pk=pk)
    if not q.file:
        raise Http404
    return FileResponse(q.file.open("rb"), as_attachment=False, filename=q.file.name.rsplit("/", 1)[-1])


@login_required
def distribution_list(request):
    user = request.user
    if not (user.is_enterprise or user.is_regulator):
        raise PermissionDenied(_("无权查看配送关系"))
    qs = (DistributionRelationship.objects.visible_to(user)
          .select_related("manufacturer", "distributor", "city").prefetch_related("counties"))
    qs = DistributionFilter(request.GET, queryset=qs).qs
    status, org = request.GET.get("status", ""), request.GET.get("org", "")
    page = Paginator(qs.order_by("-proposed_at", "-id"), 50).get_page(request.GET.get("page"))
    propose_form = None
    if user.has_perm("qualifications.propose_distribution"):
        propose_form = ProposeForm(request.POST or None)
        if request.method == "POST" and propose_form.is_valid():
            data = dict(propose_form.cleaned_data)
            self_delivery = data.pop("self_delivery")
            try:
                if self_delivery:
                    data.pop("distributor")
                    services.distribution_self_deliver(user, **data)
                else:
                    services.distribution_propose(user, **data)
            except Forbidden as exc:
                raise PermissionDenied(exc.detail) from exc
            except DomainError as exc:
                _form_error(propose_form, exc)
            else:
                messages.success(request, _("已登记自行配送，即时生效") if self_delivery
                                 else _("已向配送企业发出邀请，待其确认"))
                return redirect("qualifications:distribution_list")
    elif request.method == "POST":
        raise PermissionDenied(_("仅生产企业可选择配送企业"))
    return render(request, "qualifications/distribution_list.html", {
        "page": page, "statuses": DistributionStatus.choices, "status": status, "propose_form": propose_form,
        "answer_form": AnswerForm(), "end_form": EndForm(), "org": org,
        "orgs": Organisation.objects.enterprises().visible_to(user).order_by("kind", "name") if user.is_regulator else (),
    })


def _rel(request, pk):
    return get_object_or_404(DistributionRelationship.objects.visible_to(request.user), pk=pk)


def _distribution_action(request, pk, form_class, invalid_message, act, done_message):
    """One answer to a distribution relationship from the list page: `act(user, rel, data)`;
    a refusal is shown there as a message, a Forbidden/NotFound is the 403 page."""
    rel = _rel(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, invalid_message)
        return redirect("qualifications:distribution_list")
    try:
        act(request.user, rel, form.cleaned_data)
    except (Forbidden, NotFound) as exc:
        raise PermissionDenied(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, done_message)
    return redirect("qualifications:distribution_list")


@login_required
@require_POST
def distribution_answer(request, pk):
    return _distribution_action(
        request, pk, AnswerForm, _("请选择接受或拒绝"),
        lambda user, rel, d: services.distribution_answer(user, rel, d["decision"] == "accept", d["note"]),
        _("已答复配送邀请"))


@login_required
@require_POST
def distribution_end(request, pk):
    return _distribution_action(
        request, pk, EndForm, _("请填写终止原因"),
        lambda user, rel, d: services.distribution_end(user, rel, d["reason"]), _("配送关系已终止"))


# ----------------------------------------------------------------------------- BAD-1 bad records


@login_required
def bad_record_list(request):
    """BAD-1: regulators see the provincial bad-record list; an enterprise sees its own."""


    user = request.user
    if not (user.is_regulator or user.is_enterprise):
        raise PermissionDenied
    if request.method == "POST":

        try:
            if request.POST.get("revoke"):
                record = BadRecord.objects.filter(pk=request.POST["revoke"]).first()
                if record is None:
                    raise Http404
                services.bad_record_revoke(user, record, request.POST.get("reason"))
                messages.success(request, _("不良记录已撤销。"))
            else:
                recorded_on = date_or_none(request.POST.get("recorded_on"))
                product_id = (request.POST.get("product") or "").strip()
                product = Product.objects.filter(pk=product_id).first() if product_id.isdigit() else None
                if product_id and product is None:
                    raise InvalidInput(_("产品编号 %(product_id)s 不存在") % {"product_id": product_id}, "product")
                part_ids = [p for p in re.split(r"[\s,，、]+", request.POST.get("products", "")) if p]
                if any(not p.isdigit() for p in part_ids):
                    raise InvalidInput(_("产品编号须为数字，以逗号分隔"), "products")
                part = list(Product.objects.filter(pk__in=part_ids))
                if len(part) != len(set(part_ids)):
                    raise InvalidInput(_("部分产品编号不存在"), "products")
                services.bad_record_enter(
                    user, enterprise=Organisation.objects.filter(pk=request.POST.get("enterprise") or 0).first(),
                    kind=request.POST.get("kind"), severity=request.POST.get("severity"), recorded_on=recorded_on,
                    description=request.POST.get("description"), product=product,
                    sanction=request.POST.get("sanction") or "interview", scope=request.POST.get("scope") or "product",
                    products=part,
                )
                messages.success(request, _("不良记录已认定。"))
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("qualifications:bad_record_list")
    qs = BadRecord.objects.visible_to(user).select_related("enterprise", "product", "recorded_by")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "qualifications/bad_record_list.html", {
        "page": page, "kinds": BadRecordKind.choices, "severities": BadRecordSeverity.choices,
        "sanctions": BadRecordSanction.choices, "scopes": BadRecordScope.choices,
        "enterprises": Organisation.objects.enterprises().order_by("name") if services.can_review(user) else [],
    })
