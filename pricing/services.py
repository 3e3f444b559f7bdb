"""Writes of listing-price dynamics: PRC-1 linkage cases, PRC-2 the yearly general linkage,
PRC-3 complaints. Listing prices and suspensions are decided here and carried out by the listing app (the
signals of pricing/signals.py, received in listing/receivers.py), never written here directly."""

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from catalog.selectors import national_lowest_price
from core.audit import audit_context
from core.errors import Conflict, DomainError, Forbidden, InvalidInput, RuleViolation
from core.parsing import clean_text
from core.permissions import require
from core.uploads import check_upload
from notifications.models import Notification
from notifications.recipients import province_regulators, users_of
from notifications.services import notify
from notifications.text import Text
from policy.services import get as policy_get
from workcalendar.services import add_working_days

from . import hooks, rules, selectors, signals
from .models import (
    LINKAGE_LIVE,
    Complaint,
    ComplaintOutcome,
    ComplaintStatus,
    ComplaintSubject,
    GeneralLinkageItem,
    GeneralLinkageRound,
    ItemStatus,
    LinkageCase,
    LinkageStatus,
    RoundStatus,
)

log = logging.getLogger(__name__)

LIVE_LISTING_STATUSES = ("active", "pending_suspension", "suspended")


PROVINCE_ONLY = gettext_lazy("仅省医保局可以办理（%(rule)s）")


def _price(value, field, rule) -> Decimal:
    price = rules.parse_price(value)
    if price is None:
        raise RuleViolation(rule, _("价格须为大于 0 的数值，最多 4 位小数"), field)
    ceiling = policy_get("sys.price_ceiling_yuan")
    if price > ceiling:
        raise InvalidInput(_("价格超过单价上限 %(ceiling)s 元，请核对") % {"ceiling": ceiling}, field)
    return price


# === PRC-1 linkage cases ======================================================================


def _case_url(case) -> str:
    return reverse("pricing:linkage_detail", args=[case.pk])


def _notify_enterprise(case, *, kind, title, body, level, key):
    return notify(
        users_of(case.listing.product.manufacturer), kind=kind, title=title, body=body, level=level,
        target=case, url=_case_url(case), dedupe_key=f"pricing:linkage:{case.pk}:{key}",
    )


def linkage_open_for_record(record, previous_lowest=None) -> list[LinkageCase]:
    """PRC-1: a newly recorded other-province price `record` lowered the product's national
    lowest price. Open a case for each live listing of the product priced above it, due
    `prc.linkage_working_days` working days after the price's effective date, and notify the
    manufacturer at once. Idempotent (one case per listing and price record)."""
    if record.superseded_at is not None:
        return []
    # The catalogue sends the previous lowest record (or None); a plain price is accepted too.
    previous_lowest = getattr(previous_lowest, "price", previous_lowest)
    listings = hooks.live_listings(product_id=record.product_id, above=record.price)
    opened = []
    for listing in listings:
        with transaction.atomic(), audit_context(reason=f"PRC-1 新的全国最低价（{record.province} {record.price}）立案"):
            case = LinkageCase(
                listing=listing, trigger_price=record, province=f"{record.province}{record.city}",
                national_lowest=record.price, previous_lowest=previous_lowest,
                listing_price_at_open=listing.price, price_effective_date=record.effective_date,
            )
            days = policy_get("prc.linkage_working_days", at=record.effective_date)
            case.set_deadline(record.effective_date, days)
            try:
                with transaction.atomic():
                    case.save()
            except IntegrityError:
                continue  # already opened for this listing and record
            _notify_enterprise(
                case, kind="pricing.linkage_opened", level=Notification.Level.WARNING, key="opened",
                title=Text(gettext_noop("低价联动：%(product)s 须于 %(due)s 前申报价格"), product=listing.product,
                           due=f"{case.due:%Y-%m-%d}"),
                body=Text(gettext_noop("%(province)s 自 %(date)s 起执行 %(price)s 元，低于本省挂网价 %(listing_price)s 元。"
                                       "根据规定（PRC-1），请在新的全国最低价执行之日起 %(days)s 个工作日内（%(due)s 前）"
                                       "向省平台申报不高于 %(price)s 元的价格。"),
                          province=case.province, date=f"{record.effective_date:%Y-%m-%d}", price=record.price,
                          listing_price=listing.price, days=days, due=f"{case.due:%Y-%m-%d}"),
            )
            opened.append(case)
    return opened


def on_lower_national_price_recorded(sender, record, previous_lowest=None, **kwargs):
    """Receiver of catalog.signals.lower_national_price_recorded (connected in PricingConfig.ready)."""
    linkage_open_for_record(record, previous_lowest)


def _get_case_for_update(case) -> LinkageCase:
    return LinkageCase.objects.select_for_update(of=("self",)).select_related("listing__product").get(pk=case.pk)


def linkage_declare(user, case: LinkageCase, *, price, note: str = "") -> LinkageCase:
    """PRC-1: the manufacturer declares its new price (≤ the new national lowest price)."""
    require(user, "pricing.declare_linkage", case, message=_("只有该产品的生产企业可以申报联动价格（PRC-1）"))
    price = _price(price, "price", "PRC-1")
    note = clean_text(note, "note", 2000)
    today = timezone.localdate()
    with transaction.atomic(), audit_context(user, reason=f"PRC-1 企业申报联动价格 {price}"):
        case = _get_case_for_update(case)
        if case.status not in (LinkageStatus.OPEN, LinkageStatus.OVERDUE):
            raise Conflict(_("案件当前状态为“%(status)s”，不能申报") % {"status": case.get_status_display()})
        if not rules.declaration_allowed(price, case.national_lowest):
            raise RuleViolation(
                "PRC-1", _("申报价 %(price)s 元高于新的全国最低价 %(lowest)s 元，不予受理") % {
                    "price": price, "lowest": case.national_lowest}, "price"
            )
        case.declared_price = price
        case.declared_at = timezone.now()
        case.declared_by = user
        case.declared_late = case.status == LinkageStatus.OVERDUE or (case.due is not None and today > case.due)
        case.declaration_note = note
        case.status = LinkageStatus.DECLARED
        case.save()
    notify(province_regulators(), kind="pricing.linkage_declared", title=Text(gettext_noop("低价联动申报待确认：%(product)s"), product=case.listing.product),
           body=Text(gettext_noop("企业申报价 %(price)s 元（新的全国最低价 %(lowest)s 元）。"), price=price,
                     lowest=case.national_lowest), target=case,
           url=_case_url(case), dedupe_key=f"pricing:linkage:{case.pk}:declared:{case.declared_at:%Y%m%d%H%M%S}")
    return case


def linkage_confirm(user, case: LinkageCase, *, note: str = "", effective_date: date | None = None) -> LinkageCase:
    """PRC-1: a provincial regulator confirms the declaration; the listing price changes to the
    declared price (listing_change_price, rule PRC-1, kept in the listing's price history).
    Other live cases of the listing whose lowest price the new price also meets are closed."""
    require(user, "pricing.manage", message=PROVINCE_ONLY % {"rule": "PRC-1"})
    note = clean_text(note, "note", 2000)
    effective_date = effective_date or timezone.localdate()
    with transaction.atomic(), audit_context(user, reason=f"PRC-1 确认联动价格：{note or '企业申报属实'}"):
        case = _get_case_for_update(case)
        if case.status != LinkageStatus.DECLARED:
            raise Conflict(_("案件当前状态为“%(status)s”，不能确认") % {"status": case.get_status_display()})
        signals.listing_price_decided.send(
            sender=LinkageCase, listing=case.listing, new_price=case.declared_price, effective_date=effective_date,
            rule="PRC-1", reason=f"低价联动（案件 #{case.pk}）：{case.province} 执行 {case.national_lowest} 元", user=user,
        )
        if case.listing_suspended:
            # The suspension was for not declaring (PRC-1); the declaration is now confirmed.
            listing = type(case.listing).objects.get(pk=case.listing_id)
            if listing.status == "suspended":
                signals.listing_suspension_lifted.send(
                    sender=LinkageCase, listing=listing, rule="PRC-1",
                    reason=f"低价联动已申报并确认（案件 #{case.pk}），恢复挂网", user=user,
                )
        case.status = LinkageStatus.CONFIRMED
        case.decided_at = timezone.now()
        case.decided_by = user
        case.decision_note = note
        case.save()
        others = (
            LinkageCase.objects.select_for_update(of=("self",))
            .filter(listing=case.listing, status__in=LINKAGE_LIVE, national_lowest__gte=case.declared_price)
            .exclude(pk=case.pk)
        )
        for other in others:
            other.status = LinkageStatus.CLOSED
            other.decided_at, other.decided_by = timezone.now(), user
            other.decision_note = f"已由联动案件 #{case.pk} 调整至 {case.declared_price} 元，一并办结"
            other.save()
    _notify_enterprise(case, kind="pricing.linkage_confirmed", level=Notification.Level.INFO, key="confirmed",
                       title=Text(gettext_noop("低价联动已确认：%(product)s 挂网价调整为 %(price)s 元"),
                                  product=case.listing.product, price=case.declared_price),
                       body=Text(gettext_noop("自 %(date)s 起执行。"), date=f"{effective_date:%Y-%m-%d}"))
    return case


def linkage_reject(user, case: LinkageCase, *, note: str) -> LinkageCase:
    """PRC-1: the declaration is not accepted (e.g. untrue): the case returns to the enterprise
    (or, past its deadline, stays with the regulator as overdue)."""
    require(user, "pricing.manage", message=PROVINCE_ONLY % {"rule": "PRC-1"})
    note = clean_text(note, "note", 2000, required=_("请填写退回理由"))
    today = timezone.localdate()
    with transaction.atomic(), audit_context(user, reason=f"PRC-1 退回联动申报：{note}"):
        case = _get_case_for_update(case)
        if case.status != LinkageStatus.DECLARED:
            raise Conflict(_("案件当前状态为“%(status)s”，不能退回") % {"status": case.get_status_display()})
        if case.due is not None and today > case.due:
            case.status = LinkageStatus.OVERDUE
            case.escalated_at = case.escalated_at or timezone.now()
        else:
            case.status = LinkageStatus.OPEN
        case.decision_note = note
        case.save()
    _notify_enterprise(case, kind="pricing.linkage_rejected", level=Notification.Level.WARNING,
                       key=f"rejected:{timezone.now():%Y%m%d%H%M%S}",
                       title=Text(gettext_noop("低价联动申报被退回：%(product)s"), product=case.listing.product), body=note)
    return case


def linkage_close(user, case: LinkageCase, *, note: str) -> LinkageCase:
    """Close a live case without a price change (e.g. the other province's price was
    withdrawn, or the listing was delisted), with the reason."""
    require(user, "pricing.manage", message=PROVINCE_ONLY % {"rule": "PRC-1"})
    note = clean_text(note, "note", 2000, required=_("请填写关闭原因"))
    with transaction.atomic(), audit_context(user, reason=f"PRC-1 关闭联动案件：{note}"):
        case = _get_case_for_update(case)
        if case.status not in LINKAGE_LIVE:
            raise Conflict(_("案件当前状态为“%(status)s”，不能关闭") % {"status": case.get_status_display()})
        case.status = LinkageStatus.CLOSED
        case.decided_at, case.decided_by, case.decision_note = timezone.now(), user, note
        case.save()
    return case


def linkage_send_reminders(today: date) -> int:
    """PRC-1: remind the manufacturer `prc.reminder_working_days_before` working days before
    the deadline (from then until the deadline, once: dedupe key)."""
    n = policy_get("prc.reminder_working_days_before", at=today)
    horizon = add_working_days(today, n)
    sent = 0
    cases = LinkageCase.objects.filter(status=LinkageStatus.OPEN, due__gte=today, due__lte=horizon).select_related(
        "listing__product__manufacturer"
    )
    for case in cases:
        sent += bool(_notify_enterprise(
            case, kind="pricing.linkage_reminder", level=Notification.Level.REMINDER, key="reminder",
            title=Text(gettext_noop("低价联动申报即将到期：%(product)s（%(due)s）"), product=case.listing.product,
                       due=f"{case.due:%Y-%m-%d}"),
            body=Text(gettext_noop("请在 %(due)s 前申报不高于 %(price)s 元的价格；逾期将提交医保部门处理（PRC-1）。"),
                      due=f"{case.due:%Y-%m-%d}", price=case.national_lowest),
        ))
    return sent


def linkage_escalate_overdue(today: date, batch: int = 200) -> list[int]:
    """PRC-1: escalate open cases whose deadline has passed (due < today) to the provincial
    regulators, mark them overdue and — when `prc.overdue_suspends_listing` is on — suspend
    the listing (listing_suspend, rule PRC-1). Rows are claimed with
    SELECT … FOR UPDATE SKIP LOCKED and only OPEN rows match, so running twice, or on two
    workers at once, escalates each case once. Returns the ids escalated by this call."""
    escalated = []
    suspend = policy_get("prc.overdue_suspends_listing", at=today)
    while True:
        with transaction.atomic(), audit_context(reason="定时任务：PRC-1 低价联动逾期移交"):
            claimed = list(
                LinkageCase.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=LinkageStatus.OPEN, due__lt=today)
                .select_related("listing__product__manufacturer")
                .order_by("due", "id")[:batch]
            )
            for case in claimed:
                _escalate(case, suspend)
                escalated.append(case.pk)
        if len(claimed) < batch:
            return escalated


def _escalate(case: LinkageCase, suspend: bool):
    case.status = LinkageStatus.OVERDUE
    case.escalated_at = timezone.now()
    if suspend and case.listing.status == "active":
        try:
            with transaction.atomic():
                responses = signals.listing_suspension_decided.send(
                    sender=LinkageCase, listing=case.listing, rule="PRC-1",
                    reason=f"低价联动逾期未申报（案件 #{case.pk}，截止 {case.due:%Y-%m-%d}）", user=None,
                )
            case.listing_suspended = any(suspended for _receiver, suspended in responses)
        except DomainError as exc:
            log.warning("PRC-1 case %s: listing not suspended: %s", case.pk, exc)
    case.save()
    product = case.listing.product
    notify(
        province_regulators(), kind="pricing.linkage_overdue", level=Notification.Level.WARNING,
        title=Text(gettext_noop("低价联动逾期未申报：%(product)s（%(manufacturer)s）"), product=product,
                   manufacturer=product.manufacturer),
        body=Text(gettext_noop("%(province)s 自 %(date)s 执行 %(price)s 元；申报截止 %(due)s，企业未申报。已按参数暂停挂网。")
                  if case.listing_suspended else
                  gettext_noop("%(province)s 自 %(date)s 执行 %(price)s 元；申报截止 %(due)s，企业未申报。请依规处理（PRC-1）。"),
                  province=case.province, date=f"{case.price_effective_date:%Y-%m-%d}", price=case.national_lowest,
                  due=f"{case.due:%Y-%m-%d}"),
        target=case, url=_case_url(case), dedupe_key=f"pricing:linkage:{case.pk}:overdue",
    )
    _notify_enterprise(case, kind="pricing.linkage_overdue", level=Notification.Level.WARNING, key="overdue",
                       title=Text(gettext_noop("低价联动逾期未申报：%(product)s"), product=product),
                       body=gettext_lazy("已逾期，案件已提交医保部门处理；请尽快申报。"))


def linkage_daily(today: date | None = None) -> dict:
    """The daily PRC-1 job: reminders, then escalation of overdue cases."""
    today = today or timezone.localdate()
    return {"reminded": linkage_send_reminders(today), "escalated": len(linkage_escalate_overdue(today))}


# === PRC-2 yearly general linkage =============================================================


def _national_lowest(product, at):
    value = national_lowest_price(product, at=at)
    return getattr(value, "price", value)


def general_round_start(user, *, year: int, reference_date: date | None = None) -> GeneralLinkageRound:
    """PRC-2: start the year's round and compute every live listing's proposed price:
    min(listing price, national lowest [, in-province actual purchase price if
    `prc.general_use_actual_purchase`] [, consumables: the national lowest of similar products,
    002 §13]). Only reductions become items."""
    require(user, "pricing.manage", message=PROVINCE_ONLY % {"rule": "PRC-2"})
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidInput(_("请填写年度"), "year") from None
    if not 2020 <= year <= 2100:
        raise InvalidInput(_("年度须在 2020 至 2100 之间"), "year")
    reference_date = reference_date or timezone.localdate()
    use_actual = bool(policy_get("prc.general_use_actual_purchase", at=reference_date))
    with transaction.atomic(), audit_context(user, reason=f"PRC-2 发起 {year} 年度挂网价格联动"):
        if GeneralLinkageRound.objects.filter(year=year).exists():
            raise Conflict(_("%(year)s 年度联动已发起") % {"year": year}, "year", code="PRC-2")
        try:
            with transaction.atomic():
                rnd = GeneralLinkageRound.objects.create(
                    year=year, reference_date=reference_date, use_actual_purchase=use_actual, started_by=user
                )
        except IntegrityError:
            raise Conflict(_("%(year)s 年度联动已发起") % {"year": year}, "year", code="PRC-2") from None
        code_length = int(policy_get("prc.consumable_similar_code_length", at=reference_date))
        items = []
        for listing in hooks.live_listings():
            lowest = _national_lowest(listing.product, reference_date)
            actual = selectors.in_province_actual_price(listing.product, year) if use_actual else None
            similar = selectors.similar_lowest_price(listing.product, reference_date, code_length)
            # The basis is a published record read by everyone, so it is written in the
            # platform's language, not the language of the regulator who started the round.
            with translation.override(settings.LANGUAGE_CODE):
                proposal = rules.general_proposal(listing.price, lowest, actual, similar.price if similar else None)
            if proposal is None:
                continue
            price, basis = proposal
            if similar is not None and price == similar.price and "同类" in basis:
                basis = f"{basis}（{similar.product}，{similar.province}{similar.city}）"
            items.append(GeneralLinkageItem(
                round=rnd, listing=listing, current_price=listing.price, national_lowest=lowest,
                actual_purchase_price=actual, similar_lowest=similar.price if similar else None,
                similar_product=similar.product if similar else None, proposed_price=price, basis=basis[:200],
            ))
        GeneralLinkageItem.objects.bulk_create(items)
    return rnd


def general_round_publish(user, rnd: GeneralLinkageRound, *, on: date | None = None) -> GeneralLinkageRound:
    """PRC-2: publish the proposed adjustments (public page, PUB-1); enterprises may object
    within `prc.objection_days` calendar days."""
    require(user, "pricing.manage", message=PROVINCE_ONLY % {"rule": "PRC-2"})
    on = on or timezone.localdate()
    with transaction.atomic(), audit_context(user, reason=f"PRC-2 公布 {rnd.year} 年度挂网价格调整"):
        rnd = GeneralLinkageRound.objects.select_for_update().get(pk=rnd.pk)
        if rnd.status != RoundStatus.DRAFT:
            raise Conflict(_("该年度调整已公布"), code="PRC-2")
        rnd.status = RoundStatus.PUBLISHED
        rnd.published_at = timezone.now()
        rnd.published_on = on
        rnd.objection_deadline = on + timedelta(days=policy_get("prc.objection_days", at=on))
        rnd.save()
    for item in rnd.items.select_related("listing__product__manufacturer"):
        notify(users_of(item.listing.product.manufacturer), kind="pricing.general_published",
               title=Text(gettext_noop("%(year)s 年度挂网价格调整公布：%(product)s 拟调整为 %(price)s 元"), year=rnd.year,
                          product=item.listing.product, price=item.proposed_price),
               body=Text(gettext_noop("如有异议，请于 %(due)s 前提出申投诉（PRC-2）。"),
                         due=f"{rnd.objection_deadline:%Y-%m-%d}"),
               url=reverse("pricing:complaint_create") + f"?general_item={item.pk}",
               dedupe_key=f"pricing:general:{item.pk}:published")
    return rnd


def general_round_apply(user, rnd: GeneralLinkageRound, *, effective_date: date | None = None) -> GeneralLinkageRound:
    """PRC-2: after the objection window, apply every proposed adjustment except those with an
    upheld (or partly upheld) objection (listing_change_price, rule PRC-2). Idempotent: items
    already decided are skipped, and a round already applied is returned unchanged. Refused
    while an objection is still unanswered."""
    require(user, "pricing.manage", message=PROVINCE_ONLY % {"rule": "PRC-2"})
    today = timezone.localdate()
    with transaction.atomic(), audit_context(user, reason=f"PRC-2 执行 {rnd.year} 年度挂网价格调整"):
        rnd = GeneralLinkageRound.objects.select_for_update().get(pk=rnd.pk)
        if rnd.status == RoundStatus.APPLIED:
            return rnd
        if rnd.status != RoundStatus.PUBLISHED:
            raise RuleViolation("PRC-2", _("调整结果须先公布并经过申投诉期，才能执行"))
        if today <= rnd.objection_deadline:
            raise RuleViolation(
                "PRC-2", _("申投诉期至 %(deadline)s 止，期满后方可执行") % {
                    "deadline": f"{rnd.objection_deadline:%Y-%m-%d}"}, "effective_date"
            )
        pending = Complaint.objects.filter(general_item__round=rnd).exclude(status=ComplaintStatus.ANSWERED).count()
        if pending:
            raise Conflict(_("尚有 %(count)s 件申投诉未答复，请答复后再执行") % {"count": pending}, code="PRC-2")

        effective_date = effective_date or today
        upheld = set(
            Complaint.objects.filter(
                general_item__round=rnd, outcome__in=[ComplaintOutcome.UPHELD, ComplaintOutcome.PARTLY]
            ).values_list("general_item_id", flat=True)
        )
        items = rnd.items.select_for_update(of=("self",)).filter(status=ItemStatus.PROPOSED).select_related(
            "listing__product"
        )
        for item in items:
            if item.pk in upheld:
                item.status = ItemStatus.WITHHELD
            elif item.listing.status not in LIVE_LISTING_STATUSES or item.listing.price <= item.proposed_price:
                item.status = ItemStatus.SKIPPED
            else:
                signals.listing_price_decided.send(
                    sender=GeneralLinkageItem, listing=item.listing, new_price=item.proposed_price,
                    effective_date=effective_date, rule="PRC-2", reason=f"{rnd.year} 年度挂网价格联动：{item.basis}",
                    user=user,
                )
                item.status = ItemStatus.APPLIED
                item.applied_at = timezone.now()
            item.save(update_fields=["status", "applied_at"])
        rnd.status = RoundStatus.APPLIED
        rnd.applied_at = timezone.now()
        rnd.applied_by = user
        rnd.effective_date = effective_date
        rnd.save()
    return rnd


# === PRC-3 complaints =========================================================================


def complaint_file(user, *, subject: str, title: str, text: str, listing=None, linkage_case=None,
                   general_item=None, attachment=None) -> Complaint:
    """PRC-3: an enterprise or institution files a complaint (申投诉) against a listing
    decision or a price adjustment. PRC-2 objections must be filed within the round's window
    by the listing's manufacturer."""
    require(user, "pricing.file_complaint", message=_("申投诉由企业或医疗机构提交（PRC-3）"))
    if subject not in ComplaintSubject.values:
        raise InvalidInput(_("请选择申投诉事项"), "subject")
    title = clean_text(title, "title", 200, required=_("请填写标题"))
    text = clean_text(text, "text", 10000, required=_("请填写申投诉内容"))
    today = timezone.localdate()
    if subject == ComplaintSubject.GENERAL_ADJUSTMENT:
        if general_item is None:
            raise InvalidInput(_("请选择对应的年度调整项"), "general_item")
        rnd = general_item.round
        if rnd.status != RoundStatus.PUBLISHED or today > rnd.objection_deadline:
            raise RuleViolation("PRC-2", _("不在该年度价格调整的申投诉期内"), "general_item")
        if general_item.listing.product.manufacturer_id != user.organisation_id:
            raise Forbidden(_("只能对本企业产品的调整提出申投诉（PRC-2）"))
        listing = general_item.listing
    if subject == ComplaintSubject.LINKAGE:
        if linkage_case is None:
            raise InvalidInput(_("请选择对应的联动案件"), "linkage_case")
        if not LinkageCase.objects.visible_to(user).filter(pk=linkage_case.pk).exists():
            raise Forbidden(_("只能对本企业的联动案件提出申投诉"))
        listing = linkage_case.listing
    if attachment:
        check_upload(attachment, field="attachment")
    with transaction.atomic(), audit_context(user, reason=f"PRC-3 提交申投诉：{title}"):
        complaint = Complaint(
            complainant=user.organisation, filed_by=user, subject=subject, title=title, text=text,
            listing=listing, linkage_case=linkage_case if subject == ComplaintSubject.LINKAGE else None,
            general_item=general_item if subject == ComplaintSubject.GENERAL_ADJUSTMENT else None,
        )
        if attachment:
            complaint.attachment.save(attachment.name, attachment, save=False)
        complaint.save()
    notify(province_regulators(), kind="pricing.complaint_filed", title=Text(gettext_noop("新的申投诉：%(title)s"), title=title),
           body=Text(gettext_noop("%(organisation)s：%(subject)s"), organisation=user.organisation,
                     subject=ComplaintSubject(complaint.subject).label), target=complaint,
           url=reverse("pricing:complaint_detail", args=[complaint.pk]),
           dedupe_key=f"pricing:complaint:{complaint.pk}:filed")
    return complaint


def complaint_assign(user, complaint: Complaint, *, assignee) -> Complaint:
    """PRC-3: the province assigns the complaint to a regulator."""
    require(user, "pricing.manage", message=PROVINCE_ONLY % {"rule": "PRC-3"})
    if assignee is None or not assignee.is_regulator or not assignee.is_active:
        raise InvalidInput(_("承办人须为医保部门用户"), "assignee")
    with transaction.atomic(), audit_context(user, reason=f"PRC-3 分派申投诉给 {assignee}"):
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if complaint.status == ComplaintStatus.ANSWERED:
            raise Conflict(_("该申投诉已答复"))
        complaint.assigned_to = assignee
        complaint.assigned_at = timezone.now()
        complaint.status = ComplaintStatus.ASSIGNED
        complaint.save()
    notify([assignee], kind="pricing.complaint_assigned", title=Text(gettext_noop("申投诉待办理：%(title)s"), title=complaint.title),
           target=complaint, url=reverse("pricing:complaint_detail", args=[complaint.pk]),
           dedupe_key=f"pricing:complaint:{complaint.pk}:assigned:{assignee.pk}")
    return complaint


def complaint_answer(user, complaint: Complaint, *, answer: str, outcome: str, publish: bool = True) -> Complaint:
    """PRC-3: the assigned regulator (or the province) answers; the answer is published on
    the public page unless `publish` is off (the attachment never is)."""
    require(user, "pricing.answer_complaint", Complaint.objects.get(pk=complaint.pk),
            message=_("仅承办人或省医保局可以答复申投诉"))
    answer = clean_text(answer, "answer", 10000, required=_("请填写答复内容"))
    if outcome not in ComplaintOutcome.values:
        raise InvalidInput(_("请选择办理结果"), "outcome")
    with transaction.atomic(), audit_context(user, reason="PRC-3 答复申投诉"):
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        # Reassigned meanwhile?
        require(user, "pricing.answer_complaint", complaint, message=_("仅承办人或省医保局可以答复申投诉"))
        if complaint.status == ComplaintStatus.ANSWERED:
            raise Conflict(_("该申投诉已答复"))
        if complaint.general_item_id and complaint.general_item.round.status == RoundStatus.APPLIED:
            raise Conflict(_("该年度调整已执行，答复不再影响调整结果"), code="PRC-2")
        complaint.answer, complaint.outcome = answer, outcome
        complaint.answered_by, complaint.answered_at = user, timezone.now()
        complaint.status = ComplaintStatus.ANSWERED
        complaint.published = bool(publish)
        complaint.save()
    notify(users_of(complaint.complainant), kind="pricing.complaint_answered",
           title=Text(gettext_noop("申投诉已答复：%(title)s"), title=complaint.title),
           body=ComplaintOutcome(complaint.outcome).label if complaint.outcome else "", target=complaint,
           url=reverse("pricing:complaint_detail", args=[complaint.pk]),
           dedupe_key=f"pricing:complaint:{complaint.pk}:answered")
    return complaint
