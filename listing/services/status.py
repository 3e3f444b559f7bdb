"""Listing prices and status: price changes (PRC-1/PRC-2/EXP-2, LST-0.4/BAD-1 rise flags) and the one
place a listing's status changes (DEL-1 … DEL-4, LST-5)."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from catalog.models import Product
from core.audit import audit_context
from core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from core.permissions import allowed, require
from notifications import recipients
from notifications.services import notify
from notifications.text import Text, as_choice
from qualifications.services import bad_record_for_quality_event

from .. import rules
from ..models import (
    DelistReason,
    DelistRequest,
    DelistStatus,
    Listing,
    ListingPriceChange,
    ListingStatus,
    PriceRiseFlag,
    PriceRiseStatus,
    QualityEvent,
    Severity,
)
from ._shared import PROVINCE_ONLY, _flag_rise, _require_reason, _today, check_price


def price_rise_review(*, user, flag, note) -> PriceRiseFlag:
    """BAD-1: the province records what it found about a flagged rise (reason required). Whether
    it is an abnormal rise worth a bad record is a separate decision (qualifications)."""
    require(user, "listing.review_price_rise", message=PROVINCE_ONLY)
    note = _require_reason(note, "review_note")
    with transaction.atomic(), audit_context(user, reason=f"BAD-1 核查涨价：{note}"):
        locked = PriceRiseFlag.objects.select_for_update().get(pk=flag.pk)
        if locked.status != PriceRiseStatus.OPEN:
            raise Conflict(_("该涨价记录已核查"), "review_note")
        locked.status = PriceRiseStatus.REVIEWED
        locked.reviewed_by = user
        locked.reviewed_at = timezone.now()
        locked.review_note = note
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    return locked


def listing_change_price(*, user, listing, new_price, effective_date, rule, reason) -> Listing:
    """Change a listing price (PRC-1 linkage, PRC-2 general adjustment, EXP-2 negotiation):
    ListingPriceChange and the new price in one transaction, audited with the rule and reason.
    `user` is the regulator who decided it, or None for a scheduled job."""
    if user is not None:
        require(user, "listing.change_price", message=_("仅省医保局可调整挂网价格"))
    reason = _require_reason(reason)
    if not rule:
        raise InvalidInput(_("请注明调整依据的规则编号"), "rule")
    price = check_price(new_price, field="new_price", at=effective_date)
    with transaction.atomic(), audit_context(user, reason=f"{rule}：{reason}"):
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        if locked.status == ListingStatus.DELISTED:
            raise Conflict(_("已撤网产品不能调整挂网价"), "listing")
        old = locked.price
        ListingPriceChange.objects.create(listing=locked, old_price=old, new_price=price, effective_date=effective_date,
                                          rule=rule, reason=reason, changed_by=user)
        locked.price = price
        locked.save(update_fields=["price", "updated_at"])
        _flag_rise(listing=locked, old_price=old, new_price=price, rule=rule, user=user,
                   reason=f"挂网价调整（{rule}）：{reason}")
        notify(recipients.users_of(locked.product.manufacturer), kind="listing.price", title=gettext_lazy("挂网价格已调整"),
               body=Text(gettext_noop("%(product)s：%(old)s → %(new)s 元（%(rule)s，%(date)s 起）。%(reason)s"),
                         product=locked.product, old=rules.fmt(old), new=rules.fmt(price), rule=rule,
                         date=f"{effective_date:%Y-%m-%d}", reason=reason),
               target=locked, url=reverse("listing:listing_detail", args=[locked.pk]))
    return locked


# The listing life cycle, declared as data: action → (allowed from, to).
TRANSITIONS = {
    "propose_suspension": ({ListingStatus.ACTIVE}, ListingStatus.PENDING_SUSPENSION),
    "suspend": ({ListingStatus.ACTIVE, ListingStatus.PENDING_SUSPENSION}, ListingStatus.SUSPENDED),
    "restore": ({ListingStatus.SUSPENDED, ListingStatus.PENDING_SUSPENSION}, ListingStatus.ACTIVE),
    "delist": ({ListingStatus.ACTIVE, ListingStatus.PENDING_SUSPENSION, ListingStatus.SUSPENDED}, ListingStatus.DELISTED),
}


ACTION_LABELS = {"propose_suspension": gettext_lazy("拟暂停"), "suspend": gettext_lazy("暂停挂网"),
                 "restore": gettext_lazy("恢复挂网"), "delist": gettext_lazy("撤网")}


def listing_set_status(user, *, listing, action, rule, reason) -> Listing:
    """The one place a listing's status changes (DEL-1 … DEL-4, LST-5). `user` is the acting
    provincial regulator, or None for a scheduled job."""
    if user is not None:
        require(user, "listing.change_status", message=_("仅省医保局可变更挂网状态"))
    if action not in TRANSITIONS:
        raise InvalidInput(_("未知的操作：%(action)s") % {"action": action}, "action")
    reason = _require_reason(reason)
    allowed, target = TRANSITIONS[action]
    with transaction.atomic(), audit_context(user, reason=f"{rule}：{reason}"):
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        if locked.status not in allowed:
            raise Conflict(_("挂网状态为“%(status)s”，不能%(action)s")
                           % {"status": locked.get_status_display(), "action": ACTION_LABELS[action]}, "status")
        locked.status = target
        locked.status_reason = reason
        locked.status_rule = rule
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_reason", "status_rule", "status_changed_at", "updated_at"])
        notify(recipients.users_of(locked.product.manufacturer), kind="listing.status",
               title=Text(gettext_noop("挂网产品%(action)s"), action=ACTION_LABELS[action]),
               body=Text(gettext_noop("%(product)s：%(reason)s（%(rule)s）"), product=locked.product, reason=reason,
                         rule=rule),
               level="warning" if action != "restore" else "info", target=locked,
               url=reverse("listing:listing_detail", args=[locked.pk]),
               dedupe_key=f"listing.status.{locked.pk}.{action}.{locked.status_changed_at:%Y%m%d%H%M%S%f}")
    return locked


def listing_suspend(user, *, listing, rule, reason) -> Listing:
    return listing_set_status(user, listing=listing, action="suspend", rule=rule, reason=reason)


def listing_restore(user, *, listing, rule, reason) -> Listing:
    return listing_set_status(user, listing=listing, action="restore", rule=rule, reason=reason)


def listing_delist(user, *, listing, rule, reason) -> Listing:
    return listing_set_status(user, listing=listing, action="delist", rule=rule, reason=reason)


def listing_propose_suspension(user, *, listing, rule, reason) -> Listing:
    return listing_set_status(user, listing=listing, action="propose_suspension", rule=rule, reason=reason)


def listings_transition(user, *, listing_ids, from_status: str, action: str, rule: str, reason: str) -> list[int]:
    """Move listings out of `from_status` through `listing_set_status` (DEL-1 no sales: the
    orders app's decisions). Rows are first claimed with SKIP LOCKED and re-checked, so a second
    run or a second worker changes nothing; a row that moved meanwhile is skipped. Returns the
    ids changed."""
    ids = list(listing_ids)
    if not ids:
        return []
    claimed = list(Listing.objects.select_for_update(skip_locked=True).filter(pk__in=ids, status=from_status)
                   .order_by("pk"))
    changed = []
    for listing in claimed:
        try:
            with transaction.atomic():
                listing_set_status(user, listing=listing, action=action, rule=rule, reason=reason)
        except Conflict:
            continue
        changed.append(listing.pk)
    return changed


def quality_event_record(*, user, product, kind, event_date, authority_level, severity, description) -> QualityEvent:
    """DEL-2: a regulator records a quality-test failure or quality penalty. A provincial-or-
    higher event suspends (一般) or revokes (严重) the product's live listing; within the
    lookback it also refuses new applications (LST-0.2)."""
    require(user, "listing.record_quality_event", message=PROVINCE_ONLY)
    description = _require_reason(description, "description")
    if kind not in ("failure", "penalty"):
        raise InvalidInput(_("请选择事件类型"), "kind")
    if authority_level not in ("national", "province", "city", "county"):
        raise InvalidInput(_("请选择药监部门层级"), "authority_level")
    if severity not in (Severity.MINOR, Severity.SERIOUS):
        raise InvalidInput(_("请选择情节"), "severity")
    if event_date > _today():
        raise InvalidInput(_("发生日期不能晚于今天"), "event_date")
    with transaction.atomic(), audit_context(user, reason=f"DEL-2 记录质量事件：{description}"):
        event = QualityEvent.objects.create(
            product=product, enterprise=product.manufacturer, kind=kind, event_date=event_date,
            authority_level=authority_level, severity=severity, description=description, recorded_by=user,
        )
        if authority_level in rules.AUTHORITY_COUNTS:
            listing = Listing.objects.filter(product=product).exclude(status=ListingStatus.DELISTED).first()
            what = "质量检验不合格" if kind == "failure" else "因质量问题受到处罚"
            with translation.override(None):  # part of a stored Chinese status reason and bad record
                authority = str(rules.AUTHORITY_LABELS[authority_level])
            text = f"{event_date:%Y-%m-%d} {authority}药监部门：{what}（{description}）"
            # BAD-1: a suspension or revocation for quality enters the bad-record list (both).
            bad_record_for_quality_event(user, product=product, serious=severity == Severity.SERIOUS,
                                         event_date=event_date, description=f"DEL-2 质量事件：{text}")
            if listing is not None:
                if severity == Severity.SERIOUS:
                    listing_set_status(user, listing=listing, action="delist", rule="DEL-2", reason=f"撤销挂网：{text}")
                elif listing.status in TRANSITIONS["suspend"][0]:
                    listing_set_status(user, listing=listing, action="suspend", rule="DEL-2", reason=f"暂停挂网：{text}")
    return event


DRUG_DELIST_REASONS = {DelistReason.STOPPED_PRODUCTION, DelistReason.NO_SALES}


CONSUMABLE_DELIST_REASONS = {DelistReason.STOPPED_PRODUCTION, DelistReason.STOPPED_SELLING,
                             DelistReason.REGISTRATION_CHANGED, DelistReason.NO_SALES}


def delist_request_create(*, user, listing, reason_kind, note="") -> DelistRequest:
    """DEL-3: a manufacturer applies to delist its own product (stopped production, no sales
    for over a year; consumables also stopped selling / registration changed)."""
    if not allowed(user, "listing.request_delist", listing) or listing.product.manufacturer_id != user.organisation_id:
        raise NotFound()
    reasons = CONSUMABLE_DELIST_REASONS if listing.product.kind == "consumable" else DRUG_DELIST_REASONS
    if reason_kind not in reasons:
        raise RuleViolation("DEL-3", _("该撤网原因不适用于此类产品"), "reason_kind")
    if listing.status == ListingStatus.DELISTED:
        raise Conflict(_("产品已撤网"))
    with transaction.atomic(), audit_context(user, reason=f"DEL-3 申请撤网：{DelistReason(reason_kind).label}"):
        try:
            with transaction.atomic():
                req = DelistRequest.objects.create(listing=listing, enterprise=user.organisation, reason_kind=reason_kind,
                                                   note=(note or "").strip(), requested_by=user)
        except IntegrityError:
            raise Conflict(_("该产品已有待审核的撤网申请")) from None
        notify(recipients.province_regulators(), kind="listing.delist", title=gettext_lazy("撤网申请待审核"),
               body=Text(gettext_noop("%(enterprise)s：%(product)s（%(kind)s）"), enterprise=user.organisation,
                         product=listing.product, kind=as_choice(req, "reason_kind")),
               url=reverse("listing:delist_queue"), dedupe_key=f"listing.delist.{req.pk}")
    return req


def delist_request_decide(*, user, request, approve: bool, reason) -> DelistRequest:
    require(user, "listing.decide_delist", message=PROVINCE_ONLY)
    reason = _require_reason(reason) if not approve else ((reason or "").strip() or "同意撤网")
    with transaction.atomic(), audit_context(user, reason=f"DEL-3 审核撤网申请：{reason}"):
        req = DelistRequest.objects.select_for_update().get(pk=request.pk)
        if req.status != DelistStatus.PENDING:
            raise Conflict(_("该撤网申请已处理"))
        req.status = DelistStatus.APPROVED if approve else DelistStatus.REFUSED
        req.decided_by = user
        req.decided_at = timezone.now()
        req.decision_reason = reason
        req.save()
        if approve:
            listing_set_status(user, listing=req.listing, action="delist", rule="DEL-3",
                       reason=f"企业申请撤网（{req.get_reason_kind_display()}）：{reason}")
        else:
            notify(recipients.users_of(req.enterprise), kind="listing.delist", title=gettext_lazy("撤网申请未获同意"),
                   body=Text(gettext_noop("%(product)s：%(reason)s"), product=req.listing.product, reason=reason),
                   level="warning",
                   url=reverse("listing:listing_detail", args=[req.listing_id]))
    return req


def listing_lst5_suspend(today: date | None = None, *, generic_name: str | None = None, dosage_form: str | None = None) -> int:
    """LST-5: where ≥ 3 manufacturers of a variety (same generic name and dosage form) have
    passed consistency evaluation, suspend the live listings of that variety's products that
    have not (excluding originators and reference preparations). Idempotent."""
    today = today or _today()
    evaluated = Product.objects.filter(kind="drug", is_consistency_evaluated=True)
    if generic_name is not None:
        evaluated = evaluated.filter(generic_name=generic_name, dosage_form=dosage_form)
    varieties = {}
    for g, f, m in evaluated.values_list("generic_name", "dosage_form", "manufacturer_id").distinct():
        varieties.setdefault((g, f), set()).add(m)
    count = 0
    for (g, f), makers in varieties.items():
        if not rules.lst_5_suspension_due(len(makers)):
            continue
        targets = Listing.objects.filter(
            status__in=TRANSITIONS["suspend"][0], product__generic_name=g, product__dosage_form=f,
            product__is_consistency_evaluated=False, product__is_originator=False, product__is_reference=False,
        ).values_list("pk", flat=True)
        for pk in targets:
            listing = Listing.objects.get(pk=pk)
            try:
                listing_set_status(None, listing=listing, action="suspend", rule="LST-5",
                           reason=f"同品种（{g} {f}）通过一致性评价的生产企业已达 {len(makers)} 家，"
                                  f"暂停未通过一致性评价产品的挂网资格")
                count += 1
            except Conflict:
                continue  # changed meanwhile
    return count


def on_product_saved(product_pk):
    """Catalogue change hook: re-check LST-5 for the product's variety."""
    product = Product.objects.filter(pk=product_pk).first()
    if product is not None and product.kind == "drug" and product.is_consistency_evaluated:
        listing_lst5_suspend(generic_name=product.generic_name, dosage_form=product.dosage_form)
