"""DEL-1 one-year no sales: detection, the province's decision, delisting when due, restoration requests."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.audit import audit_context
from core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from core.parsing import clean_id
from core.permissions import require
from core.uploads import check_upload
from notifications.recipients import province_regulators, users_of
from notifications.services import notify
from notifications.text import Text
from policy.services import get as policy

from .. import rules, selectors
from ..models import (
    NoSalesCase,
    NoSalesStatus,
    RestorationRequest,
    RestorationStatus,
)
from ..signals import no_sales_listing_change
from ._shared import _institution_of


def _listing_transition(listing_ids, from_status: str, action: str, reason: str, user=None) -> list[int]:
    """Move listings out of `from_status` (DEL-1): the listing app does it through its one status
    service (the `no_sales_listing_change` signal, listing/receivers.py) and answers the ids it
    changed; a listing that moved meanwhile is skipped."""
    ids = list(listing_ids)
    if not ids:
        return []
    responses = no_sales_listing_change.send(sender=NoSalesCase, listing_ids=ids, from_status=from_status,
                                             action=action, reason=reason, user=user)
    return [pk for _receiver, changed in responses for pk in (changed or [])]


def no_sales_detect(today: date | None = None) -> list[NoSalesCase]:
    """DEL-1 daily job, step 1: PROPOSE. Active listings without sales for `del.no_sales_days`
    days (receipts fully returned do not count) get one pending case for the province's
    review. The listing itself is not touched: it stays purchasable and negotiable until the
    province decides ("经省医疗保障部门审定后暂停"). Selection is one SQL query; the partial
    unique index makes it idempotent, also on two workers at once."""
    today = today or timezone.localdate()
    days = policy("del.no_sales_days", at=today)
    with transaction.atomic(), audit_context(reason=f"DEL-1：连续 {days} 天无销售，列入拟暂停审核"):
        candidates = list(selectors.no_sales_candidates(today, days).values_list("pk", flat=True))
        if not candidates:
            return []
        last = selectors.last_receipt_dates(candidates)
        # One INSERT … ON CONFLICT DO NOTHING RETURNING: a listing another worker proposed a
        # moment ago hits the partial unique index and is simply not ours to report.
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO orders_nosalescase (listing_id, status, detected_on, last_receipt_on, no_sales_days,"
                " decision_note, created_at)"
                " SELECT t.lid, 'pending', %(today)s, t.last, %(days)s, '', %(now)s"
                " FROM unnest(%(ids)s::bigint[], %(lasts)s::date[]) AS t(lid, last)"
                " ON CONFLICT DO NOTHING RETURNING id",
                {"today": today, "days": days, "now": timezone.now(), "ids": candidates,
                 "lasts": [last.get(lid) for lid in candidates]},
            )
            ours = [row[0] for row in cur.fetchall()]
        cases = list(NoSalesCase.objects.filter(pk__in=ours).select_related("listing__product__manufacturer"))
    if cases:
        notify(province_regulators(), kind="orders.no_sales", level="reminder",
               title=Text(gettext_noop("%(count)s 个挂网产品满一年无销售，待审核是否暂停采购"), count=len(cases)),
               body=Text(gettext_noop("依据：DEL-1。审核决定前，产品仍可采购、议价。")),
               url="/orders/nosales/", dedupe_key=f"orders.no_sales:{today.isoformat()}")
        for case in cases:
            product = case.listing.product
            notify(users_of(product.manufacturer), kind="orders.no_sales", level="warning",
                   title=Text(gettext_noop("%(product)s 满一年无销售，已列入拟暂停采购审核"), product=product),
                   body=Text(gettext_noop("依据：DEL-1。省医保局审核决定前，产品仍可正常采购、议价。")),
                   url="/orders/nosales/", dedupe_key=f"orders.no_sales.mfr:{case.pk}")
    return cases


# Who decides no-sales cases and restorations (DEL-1): the province.
NO_SALES_DECIDER_ONLY = gettext_lazy("仅省医保局可审核暂停采购（DEL-1）")


def no_sales_decide(user, *, case_id, suspend: bool, note: str = "") -> NoSalesCase:
    """The province decides a proposal: suspend (the listing is suspended now; a drug is
    delisted after `del.delisting_delay_days`, a consumable never by this rule, 002 §14) or
    not (the listing was never touched; the case is closed and not re-proposed for a period)."""
    require(user, "orders.decide_no_sales", message=NO_SALES_DECIDER_ONLY)
    case_id = clean_id(case_id, "case")
    if not suspend and not (note or "").strip():
        raise InvalidInput(_("不予暂停须填写理由"), "note")
    today = timezone.localdate()
    reason = "DEL-1：医保部门审核确认暂停采购" if suspend else f"DEL-1：医保部门审核不予暂停：{note}"
    with transaction.atomic(), audit_context(user, reason=reason):
        case = (NoSalesCase.objects.select_for_update(of=("self",)).select_related("listing__product")
                .filter(pk=case_id).first())
        if case is None:
            raise NotFound()
        if case.status != NoSalesStatus.PENDING:
            raise Conflict(_("该案件已审核"), code="DEL-1")
        if suspend:
            if not _listing_transition([case.listing_id], "active", "suspend", reason, user):
                raise Conflict(_("该产品挂网状态已变更（非“挂网中”），不能按本案暂停"), code="DEL-1")
            case.status = NoSalesStatus.SUSPENDED
            case.suspended_on = today
            if rules.del_1_may_delist(case.listing.product.kind):
                case.delist_due = today + timedelta(days=policy("del.delisting_delay_days", at=today))
        else:
            case.status = NoSalesStatus.DISMISSED
        case.decided_by, case.decided_at, case.decision_note = user, timezone.now(), note or ""
        case.save()
    return case


def no_sales_delist_due(today: date | None = None) -> list[NoSalesCase]:
    """DEL-1 daily job, step 2: confirmed suspensions of DRUGS past their delisting date are
    delisted (consumables are only suspended, 002 §14). Claims due rows with SKIP LOCKED; a
    second run finds nothing."""
    today = today or timezone.localdate()
    reason = "DEL-1：暂停采购期满未恢复，撤网"
    with transaction.atomic(), audit_context(reason=reason):
        cases = list(NoSalesCase.objects.select_for_update(skip_locked=True, of=("self",))
                     .filter(status=NoSalesStatus.SUSPENDED, delist_due__lte=today)
                     .select_related("listing__product"))
        done = []
        for case in cases:
            if not rules.del_1_may_delist(case.listing.product.kind):
                continue
            _listing_transition([case.listing_id], "suspended", "delist", reason)
            case.status, case.delisted_on = NoSalesStatus.DELISTED, today
            case.save(update_fields=["status", "delisted_on"])
            done.append(case)
    return done


def no_sales_daily(today: date | None = None) -> dict:
    detected = no_sales_detect(today)
    delisted = no_sales_delist_due(today)
    return {"detected": len(detected), "delisted": len(delisted)}


def restoration_request_create(user, *, case_id, reason: str, letter=None) -> RestorationRequest:
    """DEL-1: an institution asks in writing to resume purchasing a suspended product."""
    institution = _institution_of(user)
    case_id = clean_id(case_id, "case")
    if not (reason or "").strip():
        raise InvalidInput(_("请填写申请理由"), "reason")
    if letter is not None:
        check_upload(letter, field="letter")
    with transaction.atomic(), audit_context(user, reason="医疗机构书面申请恢复采购（DEL-1）"):
        case = NoSalesCase.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise NotFound()
        if case.status not in (NoSalesStatus.SUSPENDED, NoSalesStatus.DELISTED):
            raise RuleViolation("DEL-1", _("仅已暂停采购或已撤网的产品可申请恢复"), "case")
        return RestorationRequest.objects.create(case=case, institution=institution, reason=reason.strip(),
                                                 letter=letter or "", created_by=user)


def restoration_request_decide(user, *, request_id, approve: bool, note: str = "") -> RestorationRequest:
    """DEL-1: the province decides an institution's written request. Approved for a
    consumable: the listing is purchasable again at once, without re-applying (002 §14).
    Approved for a drug: the manufacturer re-applies under the listing rules, and its
    existing listing becomes active again when that application takes effect (no second
    listing; see listing.services.batch._apply_application)."""
    require(user, "orders.decide_restoration", message=NO_SALES_DECIDER_ONLY)
    request_id = clean_id(request_id, "request")
    if not approve and not (note or "").strip():
        raise InvalidInput(_("不予批准须填写理由"), "note")
    with transaction.atomic(), audit_context(user, reason="医保部门审核恢复采购申请（DEL-1）"):
        req = RestorationRequest.objects.select_for_update(of=("self",)).select_related(
            "case__listing__product").filter(pk=request_id).first()
        if req is None:
            raise NotFound()
        if req.status != RestorationStatus.SUBMITTED:
            raise Conflict(_("该申请已审核"), code="DEL-1")
        case = NoSalesCase.objects.select_for_update().get(pk=req.case_id)
        if approve and case.status not in (NoSalesStatus.SUSPENDED, NoSalesStatus.DELISTED):
            raise Conflict(_("该产品已恢复或已批准恢复"), code="DEL-1")
        req.status = RestorationStatus.APPROVED if approve else RestorationStatus.REJECTED
        req.decided_by, req.decided_at, req.decision_note = user, timezone.now(), note or ""
        req.save()
        consumable = rules.del_1_resumes_without_reapplying(case.listing.product.kind)
        if approve and consumable:
            _listing_transition([case.listing_id], "suspended", "restore",
                                f"DEL-1：医疗机构书面申请恢复采购，经医保部门批准（申请 #{req.pk}）", user)
            case.status = NoSalesStatus.RESTORED
            case.save(update_fields=["status"])
        elif approve:
            case.status = NoSalesStatus.RESTORATION_APPROVED
            case.save(update_fields=["status"])
    product = req.case.listing.product
    notify(users_of(req.institution), kind="orders.restoration", title=Text(gettext_noop("恢复采购申请%(status)s：%(product)s"),
                                                                       status=RestorationStatus(req.status).label, product=product),
           body=note, dedupe_key=f"orders.restoration:{req.pk}")
    if approve:
        notify(users_of(product.manufacturer), kind="orders.restoration", level="reminder",
               title=Text(gettext_noop("%(product)s 已恢复采购") if consumable
                          else gettext_noop("%(product)s 已获准恢复采购，请按挂网规则重新申报"), product=product),
               body=Text(gettext_noop("依据：DEL-1。%(note)s"), note=note), dedupe_key=f"orders.restoration.mfr:{req.pk}")
    return req
