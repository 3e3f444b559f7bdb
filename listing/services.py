"""Every write of the listing app: applications (LST-0.1 … LST-C5), the monthly batch,
listing price changes, and status transitions (DEL-2, DEL-3, DEL-4, LST-5).

Each service takes the acting `user` (None for scheduled jobs), checks permission and
rules, runs in one transaction inside `core.audit.audit_context(user, reason=...)`, and
raises `core.errors` domain errors with Chinese messages."""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Product
from core.audit import audit_context
from core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from core.uploads import check_upload
from notifications import recipients
from notifications.services import notify
from policy import services as policy
from qualifications.services import bad_record_for_quality_event
from workcalendar.services import is_working_day

from . import evidence, rules, selectors
from .models import (
    ApplicationDocument,
    ApplicationEvent,
    ApplicationStatus,
    CityReview,
    DelistReason,
    DelistRequest,
    DelistStatus,
    Listing,
    ListingApplication,
    ListingPriceChange,
    ListingStatus,
    PriceRiseFlag,
    PriceRiseStatus,
    QualityEvent,
    Severity,
)

log = logging.getLogger(__name__)


def _today() -> date:
    return timezone.localdate()


def _is_province(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role == "province_regulator"))


def _require_province(user):
    if not _is_province(user):
        raise Forbidden(_("仅省医保局可执行此操作"))


def _require_reason(reason, field="reason"):
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写理由"), field)
    if len(reason) > 2000:
        raise InvalidInput(_("理由不能超过 %(max)s 字") % {"max": 2000}, field)
    return reason


def check_price(value, field="declared_price", at=None) -> Decimal:
    """A price typed by a person: > 0, at most 4 decimals, not absurd (sys.price_ceiling_yuan)."""
    ceiling = Decimal(str(policy.get("sys.price_ceiling_yuan", at=at)))
    problem = rules.declared_price_problem(value, ceiling)
    if problem:
        raise InvalidInput(problem, field)
    return Decimal(str(value).strip())


# ====================================================================== evaluation


@dataclass
class Evaluation:
    """What the "check" step shows and what is stored with the application. Its texts are in
    the language active when it was built: the copy stored on the application (`evaluation`)
    stays in the submitter's language."""

    results: list[rules.RuleResult] = field(default_factory=list)
    blockers: list[tuple[str, str, str | None]] = field(default_factory=list)  # (code, message, field)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (doc code, name)
    listing_price: Decimal | None = None
    needs_expert: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.blockers and all(r.passed for r in self.results)

    @property
    def category_result(self) -> rules.RuleResult | None:
        return self.results[-1] if self.results else None

    def as_json(self) -> dict:
        return {
            "passed": self.passed,
            "listing_price": str(self.listing_price) if self.listing_price is not None else None,
            "needs_expert": self.needs_expert,
            "results": [
                {"rule": r.rule, "passed": r.passed, "message": r.message, "lines": r.lines,
                 "cap": str(r.cap) if r.cap is not None else None,
                 "derivation": r.derivation.lines() if r.derivation else None}
                for r in self.results
            ],
            "blockers": [{"code": c, "message": m} for c, m, _ in self.blockers],
            "warnings": self.warnings,
        }

    def first_violation(self) -> RuleViolation | None:
        if self.blockers:
            code, message, fld = self.blockers[0]
            return RuleViolation(code, message, fld, errors=[{"code": c, "detail": m, "field": f} for c, m, f in self.blockers])
        for r in self.results:
            if not r.passed:
                return RuleViolation(r.rule, r.message, "declared_price" if r.rule != "LST-0.2" else "product")
        return None


def evaluate(
    *, enterprise, product, category, declared_price: Decimal, on: date | None = None, via_reference=False,
    reference_listing=None, set_price=None, previously_selected=False, filing_count=0, original_listing=None,
    exclude_application=None, provided_documents=None,
) -> Evaluation:
    """Run every check of an application without writing anything: duplicates, QUA-1
    qualifications, LST-0.2 quality record, and the category's rule with its numbers."""
    on = on or _today()
    ev = Evaluation()
    if not rules.category_fits_kind(category, product.kind):
        kind = _("医用耗材") if product.kind == "consumable" else _("药品")
        ev.blockers.append(("invalid", _("类别 %(category)s 不适用于%(kind)s") % {"category": category, "kind": kind},
                            "category"))
        return ev
    others = ListingApplication.objects.active().filter(product=product)
    if exclude_application is not None:
        others = others.exclude(pk=exclude_application.pk)
    other = others.first()
    if other is not None:
        ev.blockers.append(("LST-0.1", _("该产品已有进行中的挂网申请（编号 %(pk)s，%(status)s），不能重复申请")
                            % {"pk": other.pk, "status": other.get_status_display()}, "product"))
    if category in ("LST-2.1", "LST-2.2", "LST-2.3") and Listing.objects.filter(product=product).exclude(
            status=ListingStatus.DELISTED).exists():
        ev.blockers.append((category, _("该产品已在省平台挂网，不属于“省平台未挂网药品”，应按 LST-1 申报"), "category"))
    for q in selectors.blocking_qualifications(enterprise, on):
        text = selectors.qualification_name(q)
        if isinstance(q, str):
            ev.blockers.append(("QUA-1", _("%(text)s，不能提交新的挂网申请") % {"text": text}, None))
        else:
            ev.blockers.append(("QUA-1", _("企业资质“%(text)s”已过期或未经审核，不能提交新的挂网申请") % {"text": text},
                                None))
    from qualifications.selectors import bad_record_ban

    ban = bad_record_ban(enterprise, on)
    if ban.barred:
        ev.blockers.append(("BAD-2", _("%(text)s，不能提交新的挂网申请") % {"text": ban.message}, None))
    if product.kind == "drug":
        bar = rules.lst_5_application_barred(
            selectors.evaluated_makers(product), is_evaluated=product.is_consistency_evaluated,
            is_originator=product.is_originator, is_reference=product.is_reference,
            variety=f"{product.generic_name} {product.dosage_form}")
        if bar is not None:
            ev.blockers.append(("LST-5", bar.text, "product"))
    if category == "LST-8.2" and set_price not in (None, ""):
        ev.blockers.append(("LST-8.2", _("急抢救药品是否纳入年度谈判范围由省医保局确定，企业不能填写谈判价格；"
                                         "请按申报价申报（不高于全国最低价）"), "set_price"))
    lookback = int(policy.get("lst.quality_lookback_years", at=on))
    if product.kind == "drug":
        ev.results.append(rules.lst_0_2_quality(selectors.quality_facts(product, enterprise), on=on,
                                                lookback_years=lookback))
    if not product.national_code:
        ev.warnings.append(_("产品尚无国家医保编码：可先申报，须尽快补报（挂网后标记为待补报编码）"))

    result = _category_result(category, product=product, enterprise=enterprise, declared=declared_price, on=on,
                              via_reference=via_reference, reference_listing=reference_listing, set_price=set_price,
                              previously_selected=previously_selected, filing_count=filing_count,
                              original_listing=original_listing, provided_documents=provided_documents)
    current = selectors.own_current_price(product)
    if current is not None:
        # LST-0.4: checked before the category's rule so a refused rise names LST-0.4 and its numbers.
        ev.results.append(rules.lst_0_4_no_rise(category, declared=declared_price, current=current,
                                                listing_price=result.listing_price))
    ev.results.append(result)
    ev.listing_price = result.listing_price
    ev.needs_expert = result.needs_expert
    return ev


def _category_result(category, *, product, enterprise, declared, on, via_reference, reference_listing, set_price,
                     previously_selected, filing_count, original_listing, provided_documents=None) -> rules.RuleResult:
    min_prov = int(policy.get("lst.min_provinces", at=on))
    lowest = selectors.national_lowest(product, on)
    count = selectors.province_count(product, on)
    if category == "LST-1":
        return rules.lst_1(declared, lowest)
    if category == "LST-2.1":
        # The cap is the platform's lowest listed price of the same drug, whichever listing the
        # enterprise names as its reference (a dearer reference does not raise the cap).
        same = selectors.same_drug_lowest(product)
        return rules.lst_2_1(declared, lowest, province_count=count, min_provinces=min_prov, same_drug_lowest=same)
    if category == "LST-2.2":
        # The representative product is chosen by the rule (LST-2.2.1), not by the applicant.
        derivation, own, problem = selectors.ratio_derivation(product, enterprise, on)
        return rules.lst_2_2(declared, lowest, province_count=count, min_provinces=min_prov, derivation=derivation,
                             own_product=own, no_representative=problem)
    if category == "LST-2.3":
        return rules.lst_2_3(declared, lowest, province_count=count, min_provinces=min_prov)
    if category == "LST-3.1":
        return rules.lst_3_1(declared, product.nn_payment_standard if product.is_national_negotiated else None)
    if category == "LST-3.2":
        nn = product.generic_of_negotiated
        return rules.lst_3_2(declared, payment_standard=nn.nn_payment_standard if nn else None, lowest=lowest,
                             listed_generics=selectors.listed_generics(product),
                             agreement_end=nn.nn_agreement_end if nn else None, on=on)
    if category == "LST-4":
        return rules.lst_4(declared, is_innovative=product.is_innovative, registration_class=product.innovative_class)
    if category == "LST-5":
        return rules.lst_5(declared, originator=selectors.originator_price(product), lowest=lowest,
                           is_reference_or_evaluated=product.is_reference or product.is_consistency_evaluated)
    if category == "LST-6":
        return rules.lst_6(approval_date=product.approval_date, applied_on=on,
                           negotiated_price=set_price or negotiated_price(product))
    if category == "LST-7":
        return rules.lst_7(is_designated=product.is_designated_production, is_reserve=product.is_provincial_reserve,
                           set_price=set_price)
    if category == "LST-8.1":
        # The check step runs before files are attached (None): the document list names the letter.
        supply = provided_documents is None or "supply_commitment" in provided_documents
        return rules.lst_8_1(declared, is_shortage=product.is_shortage, supply_commitment=supply)
    if category == "LST-8.2":
        # The yearly rescue-drug negotiation scope is the province's choice (attaching the
        # application to a rescue-drug session, `needs_expert`), never the enterprise's input.
        return rules.lst_8_2(declared, in_scope=product.is_emergency, lowest=lowest)
    if category == "LST-8.3":
        return rules.lst_8_3(declared, is_narcotic_psychotropic=product.is_narcotic_psychotropic,
                             no_price_test=bool(policy.get("lst.narcotic_no_price_test", at=on)), lowest=lowest)
    if category == "LST-C1":
        return rules.lst_c1(declared, selectors.national_lowest(product, on, jiangsu_cities=True),
                            previously_selected=previously_selected)
    if category == "LST-C2":
        return rules.lst_c2(declared, lowest, province_count=selectors.province_count(product, on, include_cities=True),
                            tertiary_filings=evidence.filing_count(product, min_level=3, at=on, typed=filing_count),
                            min_provinces=int(policy.get("lst.c2_min_provinces", at=on)),
                            min_filings=int(policy.get("lst.c2_min_tertiary_filings", at=on)))
    both = selectors.national_lowest(product, on, levels=("province", "city"))
    if category == "LST-C3":
        return rules.lst_c3(declared, both, previously_selected=previously_selected)
    if category == "LST-C4":
        return rules.lst_c4(declared, both, filings=evidence.filing_count(product, min_level=2, at=on, typed=filing_count),
                            min_filings=int(policy.get("lst.c4_min_filings", at=on)))
    if category == "LST-C5":
        # The "original listing price" is that of the product the supplement extends, named on
        # the form (never picked by the platform), under the same registration certificate.
        original = original_listing
        rec = rules.PriceRecord(original.price, label=_("原挂网 %(product)s，挂网记录 #%(pk)s") % {
            "product": original.product, "pk": original.pk}) \
            if original else None
        same_reg = bool(original and product.approval_number
                        and original.product.approval_number == product.approval_number
                        and original.status != ListingStatus.DELISTED)
        return rules.lst_c5(declared, original=rec, same_registration=same_reg)
    raise InvalidInput(_("未知的挂网类别：%(category)s") % {"category": category}, "category")


# ====================================================================== documents


def _check_documents(category, documents: dict, *, via_reference, has_records, existing=frozenset()):
    """Check every uploaded file by content; list required documents still missing."""
    max_bytes = int(policy.get("sys.upload_max_mb")) * 1024 * 1024
    checked = {}
    errors = []
    for code, upload in (documents or {}).items():
        if upload is None:
            continue
        if code not in rules.DOCUMENTS:
            raise InvalidInput(_("未知的材料类型：%(code)s") % {"code": code}, f"doc_{code}")
        try:
            checked[code] = (upload, check_upload(upload, max_bytes=max_bytes, field=f"doc_{code}"))
        except InvalidInput as exc:
            errors.append({"code": exc.code, "detail": _("%(document)s：%(detail)s") % {
                "document": rules.DOCUMENTS[code], "detail": exc.detail}, "field": f"doc_{code}"})
    provided = set(checked) | set(existing)
    for code, name in rules.required_documents(category, via_reference=via_reference, has_other_records=has_records,
                                               provided=provided):
        if code not in provided:
            errors.append({"code": "LST-0.1", "detail": _("缺少必需材料：%(name)s") % {"name": name},
                           "field": f"doc_{code}"})
    if errors:
        first = errors[0]
        raise InvalidInput(first["detail"], first["field"], code=first["code"], errors=errors)
    return checked


def _save_documents(application, checked, user):
    now = timezone.now()
    for code, (upload, info) in checked.items():
        application.documents.filter(code=code, superseded_at__isnull=True).update(superseded_at=now)
        ApplicationDocument.objects.create(
            application=application, code=code, file=upload, original_name=(upload.name or "")[:200],
            mime=info.mime, size=info.size, uploaded_by=user,
        )


# ====================================================================== applications


def _require_own_product(user, product):
    if not user or not user.is_authenticated or user.role != "manufacturer":
        raise Forbidden(_("仅生产企业可申报挂网"))
    if product.manufacturer_id != user.organisation_id:
        raise NotFound(_("产品不存在或不属于本企业"))


def _fields(kw):
    return {k: kw.get(k) for k in ("via_reference", "reference_listing", "set_price", "previously_selected",
                                   "filing_count", "original_listing")}


def check_application(*, user, product, category, declared_price, **kw) -> Evaluation:
    """The "check" step: validate the price input and evaluate the rules (no write)."""
    _require_own_product(user, product)
    declared = check_price(declared_price)
    return evaluate(enterprise=user.organisation, product=product, category=category, declared_price=declared,
                    **_clean_extra(kw))


def _clean_extra(kw):
    out = _fields(kw)
    out["via_reference"] = bool(out["via_reference"])
    out["previously_selected"] = bool(out["previously_selected"])
    out["filing_count"] = int(out["filing_count"] or 0)
    if out["set_price"] not in (None, ""):
        out["set_price"] = check_price(out["set_price"], field="set_price")
    else:
        out["set_price"] = None
    if kw.get("exclude_application") is not None:
        out["exclude_application"] = kw["exclude_application"]
    return out


def submit_application(*, user, product, category, declared_price, documents=None, note="", review_city=None,
                       **kw) -> ListingApplication:
    """LST-0.1: a manufacturer submits a listing application for its own product with the
    documents its category requires; refused when a rule fails (with the numbers)."""
    _require_own_product(user, product)
    declared = check_price(declared_price)
    extra = _clean_extra(kw)
    today = _today()
    city_fields = _city_review_fields(category, review_city, today)
    with transaction.atomic(), audit_context(user, reason=f"提交挂网申请（{category}）"):
        Product.objects.select_for_update().get(pk=product.pk)  # serialise concurrent applications per product
        ev = evaluate(enterprise=user.organisation, product=product, category=category, declared_price=declared,
                      on=today, provided_documents={c for c, f in (documents or {}).items() if f}, **extra)
        violation = ev.first_violation()
        if violation:
            raise violation
        checked = _check_documents(category, documents, via_reference=extra["via_reference"],
                                   has_records=selectors.has_other_records(product, today))
        try:
            with transaction.atomic():
                app = ListingApplication.objects.create(
                    enterprise=user.organisation, product=product, category=category, declared_price=declared,
                    # The stored evaluation's texts are in the submitter's language (see Evaluation).
                    note=(note or "").strip(), status=ApplicationStatus.SUBMITTED, evaluation=ev.as_json(),
                    listing_price=ev.listing_price, submitted_by=user, submitted_at=timezone.now(),
                    **{k: v for k, v in extra.items() if k != "exclude_application"}, **city_fields,
                )
        except IntegrityError:
            raise Conflict(_("该产品已有进行中的挂网申请，不能重复申请"), "product", code="LST-0.1") from None
        _save_documents(app, checked, user)
        ApplicationEvent.objects.create(application=app, action="submitted", user=user)
        _notify_regulators(app, "新的挂网申请待审核", f"{app.enterprise}：{product}（{category}），申报价 {rules.fmt(declared)} 元")
        _notify_city(app)
    return app


def resubmit_application(*, user, application, declared_price, documents=None, note="", review_city=None,
                         **kw) -> ListingApplication:
    """After a return for supplement, the enterprise edits and resubmits (documents already
    uploaded stay unless replaced)."""
    _require_own_product(user, application.product)
    if application.enterprise_id != user.organisation_id:
        raise NotFound()
    declared = check_price(declared_price)
    extra = _clean_extra({**kw, "exclude_application": application})
    today = _today()
    with transaction.atomic(), audit_context(user, reason="补充材料后重新提交挂网申请"):
        app = ListingApplication.objects.select_for_update().get(pk=application.pk)
        if app.status != ApplicationStatus.RETURNED:
            raise Conflict(_("申请当前状态为“%(status)s”，不能重新提交") % {"status": app.get_status_display()})
        existing = set(app.documents.filter(superseded_at__isnull=True).values_list("code", flat=True))
        ev = evaluate(enterprise=user.organisation, product=app.product, category=app.category,
                      declared_price=declared, on=today,
                      provided_documents=existing | {c for c, f in (documents or {}).items() if f}, **extra)
        violation = ev.first_violation()
        if violation:
            raise violation
        checked = _check_documents(app.category, documents, via_reference=extra["via_reference"],
                                   has_records=selectors.has_other_records(app.product, today), existing=existing)
        for k, v in extra.items():
            if k != "exclude_application":
                setattr(app, k, v)
        app.declared_price = declared
        app.note = (note or app.note).strip()
        app.evaluation = ev.as_json()  # in the resubmitter's language (see Evaluation)
        app.listing_price = ev.listing_price
        app.status = ApplicationStatus.SUBMITTED
        app.submitted_at = timezone.now()
        # LST-C4: a resubmitted consumable application goes through the city pre-review again.
        for k, v in _city_review_fields(app.category, review_city or app.review_city, today).items():
            setattr(app, k, v)
        app.save()
        _save_documents(app, checked, user)
        ApplicationEvent.objects.create(application=app, action="resubmitted", user=user)
        _notify_city(app)
        _notify_regulators(app, "挂网申请已补充并重新提交", f"{app.enterprise}：{app.product}（{app.category}）")
    return app


def withdraw_application(*, user, application, reason="") -> ListingApplication:
    if application.enterprise_id != getattr(user, "organisation_id", None) or user.role != "manufacturer":
        raise NotFound()
    with transaction.atomic(), audit_context(user, reason=reason or "企业撤回挂网申请"):
        app = ListingApplication.objects.select_for_update().get(pk=application.pk)
        if app.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED):
            raise Conflict(_("申请当前状态为“%(status)s”，不能撤回") % {"status": app.get_status_display()})
        app.status = ApplicationStatus.WITHDRAWN
        app.save(update_fields=["status", "updated_at"])
        ApplicationEvent.objects.create(application=app, action="withdrawn", reason=reason or "", user=user)
    return app


def next_batch_date(d: date) -> date:
    """LST-0.1: the monthly batch date on or after `d` — day `lst.batch_day` of the month,
    moved to the next working day when it is not one."""
    for months in range(0, 3):
        y, m = d.year + (d.month - 1 + months) // 12, (d.month - 1 + months) % 12 + 1
        day = min(int(policy.get("lst.batch_day", at=date(y, m, 1))), calendar.monthrange(y, m)[1])
        candidate = date(y, m, day)
        while not is_working_day(candidate):
            candidate += timedelta(days=1)
        if candidate >= d:
            return candidate
    raise AssertionError("unreachable")


def _decide(user, application, *, to_status, action, reason, allowed_from=(ApplicationStatus.SUBMITTED,),
            prepare=None):
    """ACT-5: the province decides an application. Permission first, then — in one transaction
    with the row locked — the state check, `prepare(app)` (the decision's own rules, which may
    set fields on the locked row) and the write. A refusal anywhere changes no row."""
    _require_decider(user, application)
    with transaction.atomic(), audit_context(user, reason=reason):
        app = ListingApplication.objects.select_for_update().get(pk=application.pk)
        if app.status not in allowed_from:
            raise Conflict(_("申请当前状态为“%(status)s”，不能执行此操作") % {"status": app.get_status_display()})
        if prepare is not None:
            prepare(app)
        app.status = to_status
        app.decided_by = user
        app.decided_at = timezone.now()
        app.decision_reason = reason
        if app.city_review and to_status in CITY_DECISION:
            # LST-C3 / LST-C4: the city's decision is recorded on its own fields too.
            app.city_review = CITY_DECISION[to_status]
            app.city_reviewed_by = user
            app.city_reviewed_at = app.decided_at
            app.city_review_reason = reason
        if to_status == ApplicationStatus.CONFIRMED:
            app.effective_date = next_batch_date(_today())
        app.save()
        ApplicationEvent.objects.create(application=app, action=action, reason=reason, user=user)
    return app


def _require_decider(user, app):
    """ACT-5 / LST-C4: the province decides applications — except ordinary consumables and IVD
    reagents under the city review (lst.consumable_city_review, until the catalogue is
    unified): their review city's regulator organises the review and decides."""
    if not app.city_review:
        _require_province(user)
        return
    if can_city_review(user, app):
        return
    if _is_province(user):
        raise RuleViolation("LST-C4", _("%(category)s 在耗材目录统一前由%(city)s医保部门组织专家评审并确认"
                                        "（政策参数 lst.consumable_city_review），省医保局不直接审核")
                            % {"category": app.category, "city": app.review_city}, "city_review")
    raise Forbidden(_("仅申请所选设区市的医保部门可以审核此申请（LST-C4）"))


def _confirmed_price(app, typed_price) -> Decimal:
    """The price the province confirms (LST-0.1, LST-0.4). It is never free: the rule-derived
    price of the application, the experts' price (EXP-2), or a typed price for a set-price
    category (LST-6/7/8.2) — and a typed price is run through the category's rule again and may
    never exceed what the enterprise declared."""
    typed = None if typed_price in (None, "") else check_price(typed_price, field="listing_price")
    if needs_expert(app):
        fresh = ListingApplication.objects.select_related("expert_case__session").get(pk=app.pk)
        expert = _expert_listing_price(fresh, typed)
        if expert is not None:
            return expert
        # LST-C2 / LST-C4: the experts review, the price stays the rule's (the national lowest).
        typed = None
    if typed is None:
        if app.listing_price is not None:
            return app.listing_price
        agreed = negotiated_price(app.product)  # LST-6 / LST-8.2: the EXP-2 result
        if agreed is None:
            raise InvalidInput(_("本类别按谈判价格/议定价格挂网，请填写挂网价"), "listing_price")
        typed = agreed
    if app.listing_price is not None and typed == app.listing_price:
        return typed
    if typed > app.declared_price:
        raise RuleViolation(app.category, _("确认的挂网价 %(price)s 元高于企业申报价 %(declared)s 元，不能确认")
                            % {"price": rules.fmt(typed), "declared": rules.fmt(app.declared_price)}, "listing_price")
    ev = evaluate(enterprise=app.enterprise, product=app.product, category=app.category, declared_price=typed,
                  via_reference=app.via_reference, reference_listing=app.reference_listing,
                  set_price=typed if app.set_price is not None or app.listing_price is None else None,
                  previously_selected=app.previously_selected, filing_count=app.filing_count,
                  original_listing=app.original_listing, exclude_application=app,
                  provided_documents=set(app.documents.filter(superseded_at__isnull=True).values_list("code", flat=True)))
    result = ev.category_result
    if result is None or not result.passed:
        message = result.message if result is not None else _("类别规则校验未通过")
        raise RuleViolation(app.category, _("确认的挂网价 %(price)s 元不符合 %(category)s：%(message)s")
                            % {"price": rules.fmt(typed), "category": app.category, "message": message}, "listing_price")
    return typed


def _no_rise(app, price) -> None:
    """LST-0.4 at confirmation: the confirmed price, against the product's current listing price
    *now* (a linkage may have lowered it since the application was submitted)."""
    res = rules.lst_0_4_no_rise(app.category, declared=price, current=selectors.own_current_price(app.product),
                                what=_("确认的挂网价"))
    if not res.passed:
        raise RuleViolation("LST-0.4", res.message, "listing_price")


def _flag_rise(*, listing, old_price, new_price, rule, reason, user=None, application=None):
    """LST-0.4 / BAD-1: record a listing-price rise for the regulator as a possible abnormal
    price rise and tell the province. One flag per application (idempotent)."""
    if not rules.is_rise(old_price, new_price):
        return None
    if application is not None:
        existing = PriceRiseFlag.objects.filter(application=application).first()
        if existing is not None:
            return existing
    flag = PriceRiseFlag.objects.create(listing=listing, application=application, old_price=old_price,
                                        new_price=new_price, rule=rule, reason=reason, created_by=user)
    notify(recipients.province_regulators(), kind="listing.price_rise", title="挂网价格上涨（可能的异常涨价）",
           body=f"{listing.product}（{listing.product.manufacturer}）：{rules.fmt(old_price)} → {rules.fmt(new_price)} 元，"
                f"上涨 {rules.fmt(new_price - old_price)} 元（{rule}）。{reason}",
           level="warning", target=flag, url=reverse("listing:price_rise_list"),
           dedupe_key=f"listing.price_rise.{flag.pk}")
    return flag


def review_price_rise(*, user, flag, note) -> PriceRiseFlag:
    """BAD-1: the province records what it found about a flagged rise (reason required). Whether
    it is an abnormal rise worth a bad record is a separate decision (qualifications)."""
    _require_province(user)
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


def confirm_application(*, user, application, reason="", listing_price=None) -> ListingApplication:
    """The provincial regulator confirms the enterprise's and product's qualifications; the
    listing takes effect on the next monthly batch date (LST-0.1). For expert-priced
    categories (LST-6, LST-7, LST-8.2 negotiation) the regulator records the price.

    Security (ACT-5, AUD-1): permission is checked before anything is read for writing, and the
    price is written in the same transaction as the decision — a refused confirmation (wrong
    role, wrong state, rule) leaves the application exactly as it was."""
    reason = (reason or "").strip() or "资质审核通过，确认挂网"

    def prepare(app):
        app.listing_price = _confirmed_price(app, listing_price)
        _no_rise(app, app.listing_price)
        current = selectors.current_listing(app.product)
        if current is not None and rules.is_rise(current.price, app.listing_price):
            # LST-8.1 is the one way up (LST-0.4): the province's confirmation of the rise is
            # flagged for the regulator as a possible abnormal price rise (BAD-1).
            _flag_rise(listing=current, old_price=current.price, new_price=app.listing_price, rule=app.category,
                       application=app, user=user,
                       reason=f"挂网申请 {app.pk}（{app.category}）经省医保局确认涨价，"
                              f"{app.effective_date or next_batch_date(_today()):%Y-%m-%d} 集中挂网生效")

    app = _decide(user, application, to_status=ApplicationStatus.CONFIRMED, action="confirmed", reason=reason,
                  prepare=prepare)
    _notify_enterprise(app, "挂网申请已确认",
                       f"{app.product}（{app.category}）已确认，挂网价 {rules.fmt(app.listing_price)} 元，"
                       f"将于 {app.effective_date:%Y-%m-%d} 集中挂网。")
    return app


def refuse_application(*, user, application, reason) -> ListingApplication:
    reason = _require_reason(reason)
    app = _decide(user, application, to_status=ApplicationStatus.REFUSED, action="refused", reason=reason)
    _notify_enterprise(app, "挂网申请不予通过", f"{app.product}（{app.category}）：{reason}", level="warning")
    return app


def return_application(*, user, application, reason) -> ListingApplication:
    reason = _require_reason(reason)
    app = _decide(user, application, to_status=ApplicationStatus.RETURNED, action="returned", reason=reason)
    _notify_enterprise(app, "挂网申请退回补充", f"{app.product}（{app.category}）：{reason}", level="warning")
    return app


# ---------------------------------------------------------------------- city review (LST-C3 / LST-C4, ACT-4)

CITY_REVIEW_CATEGORIES = frozenset({"LST-C3", "LST-C4"})
# The city's decision on its own fields, by the application status it decided.
CITY_DECISION = {ApplicationStatus.CONFIRMED: CityReview.RECOMMENDED, ApplicationStatus.REFUSED: CityReview.NOT_RECOMMENDED}


def city_review_required(category, on) -> bool:
    """LST-C3 / LST-C4 (lst.consumable_city_review): until the consumable catalogue is unified,
    city regulators review and confirm ordinary consumables / IVD reagents (002 §5, §10)."""
    return category in CITY_REVIEW_CATEGORIES and bool(policy.get("lst.consumable_city_review", at=on))


def _city_review_fields(category, review_city, on) -> dict:
    if not city_review_required(category, on):
        return {"review_city": review_city if category in CITY_REVIEW_CATEGORIES else None,
                "city_review": CityReview.NONE}
    if review_city is None or getattr(review_city, "level", None) != "city":
        raise RuleViolation("LST-C4", _("普通医用耗材、检验检测试剂须选择负责评审确认的设区市（挂网后仅供该市医疗机构采购）"),
                            "review_city")
    return {"review_city": review_city, "city_review": CityReview.PENDING, "city_reviewed_by": None,
            "city_reviewed_at": None, "city_review_reason": ""}


def can_city_review(user, app) -> bool:
    return bool(user and user.is_authenticated and user.role == "city_regulator" and app.review_city_id
                and user.organisation.city_id == app.review_city_id)


def can_decide(user, app) -> bool:
    """Whether `user` decides `app` (the page shows the review panel)."""
    return can_city_review(user, app) if app.city_review else _is_province(user)


def _notify_city(app):
    if app.city_review == CityReview.PENDING:
        notify(recipients.city_regulators(app.review_city), kind="listing.review", title="挂网申请待设区市评审确认",
               body=f"{app.enterprise}：{app.product}（{app.category}），请组织评审并确认", target=app,
               url=reverse("listing:application_detail", args=[app.pk]),
               dedupe_key=f"listing.city_pending.{app.pk}.{app.submitted_at:%Y%m%d%H%M%S%f}")


# ---------------------------------------------------------------------- expert review (EXP-1 / EXP-2)

# Categories whose price is set by an expert negotiation (EXP-2) and those reviewed by experts
# (EXP-1) before the province confirms; the session purpose each needs.
EXPERT_NEGOTIATION_CATEGORIES = frozenset({"LST-6", "LST-8.2"})
EXPERT_REVIEW_CATEGORIES = frozenset({"LST-C2", "LST-C4"})
EXPERT_SESSION_PURPOSE = {"LST-6": "new_drug", "LST-8.2": "rescue_drug", "LST-C2": "consumable_review",
                          "LST-C4": "consumable_review"}


def needs_expert(app) -> bool:
    """LST-6, LST-C2, LST-C4 always; LST-8.2 only when the province put it in the yearly
    rescue-drug negotiation (attached it to a rescue-drug session), never because of anything
    the enterprise typed."""
    if app.category == "LST-8.2":
        return app.expert_case_id is not None
    return app.category in rules.EXPERT_CATEGORIES


def may_enter_expert(app) -> bool:
    """Categories whose application can be attached to an expert session (LST-8.2: the
    province's choice to put it in the rescue-drug negotiation)."""
    return app.category in EXPERT_SESSION_PURPOSE


def expert_price(app):
    """EXP-2: the agreed price of the attached case, else the product's latest agreed expert
    negotiation price (experts.selectors.negotiated_price); None while there is none."""
    case = app.expert_case
    if case is not None and case.outcome == "agreed":
        return case.final_price
    return negotiated_price(app.product)


def _expert_listing_price(app, typed_price):
    """The listing price of an expert category at confirmation (None: the rule's own price, after
    the review), or a refusal naming the rule."""
    if app.category in EXPERT_REVIEW_CATEGORIES or app.category == "LST-6":
        _require_passed_review(app)
    if app.category in EXPERT_REVIEW_CATEGORIES:
        # LST-C2 / LST-C4: listed at the national lowest price, after a passed review (EXP-1).
        return None
    price = expert_price(app)
    if price is None:
        raise RuleViolation(app.category, _("%(category)s 按专家谈判价格挂网（EXP-2）：尚无谈判成功的价格，不能确认挂网")
                            % {"category": app.category}, "listing_price")
    if typed_price is not None and typed_price != price:
        raise RuleViolation("EXP-2", _("挂网价须为专家谈判价格 %(price)s 元") % {"price": rules.fmt(price)}, "listing_price")
    return price


def _require_passed_review(app):
    """EXP-1: LST-C2 / LST-C4 / LST-6 are confirmed only after the attached case has a passed
    review (the drawn experts' verdicts and the session's conclusion); a failed review is
    refused with its reasons."""
    case = app.expert_case
    if case is None:
        raise RuleViolation("EXP-1", _("%(category)s 须经专家评审：请先将申请提交评审场次，抽取专家、"
                                       "专家提交评审意见并作出评审结论后再确认挂网") % {"category": app.category},
                            "expert_session")
    if case.review_outcome == "failed":
        raise RuleViolation("EXP-1", _("专家评审未通过，不能确认挂网：%(reason)s") % {"reason": case.review_reason},
                            "expert_session")
    if case.review_outcome != "passed":
        raise RuleViolation("EXP-1", _("%(category)s 专家评审尚未作出结论（场次“%(session)s”），评审通过后方可确认挂网")
                            % {"category": app.category, "session": case.session.title}, "expert_session")


def attach_expert_session(*, user, application, session) -> ListingApplication:
    """EXP-1 / EXP-2: the province attaches an application of an expert category to an expert
    session of the matching purpose; the session gets a case for the product (experts app)."""
    from experts import services as experts

    if application.city_review:
        # LST-C4: the review city organises the review in one of its own sessions.
        _require_decider(user, application)
        if session.city_id != application.review_city_id:
            raise RuleViolation("LST-C4", _("须提交%(city)s医保部门组织的评审场次") % {"city": application.review_city},
                                "expert_session")
    else:
        _require_province(user)
    purpose = EXPERT_SESSION_PURPOSE.get(application.category)
    if purpose is None:
        raise RuleViolation("EXP-1", _("%(category)s 类别无需专家评审/谈判") % {"category": application.category},
                            "expert_session")
    if session.purpose != purpose:
        raise RuleViolation("EXP-1", _("%(category)s 须提交“%(needed)s”场次，所选场次为“%(chosen)s”") % {
            "category": application.category, "needed": EXPERT_SESSION_PURPOSE_LABELS[purpose],
            "chosen": session.get_purpose_display()}, "expert_session")
    with transaction.atomic(), audit_context(user, reason=f"挂网申请 {application.pk} 提交专家场次“{session.title}”"):
        app = ListingApplication.objects.select_for_update().get(pk=application.pk)
        if app.status != ApplicationStatus.SUBMITTED:
            raise Conflict(_("申请当前状态为“%(status)s”，不能提交专家评审") % {"status": app.get_status_display()})
        if app.expert_case_id is not None:
            raise Conflict(_("该申请已提交专家场次"), "expert_session")
        app.expert_case = experts.session_add_case(
            user, session, product=app.product, description=f"挂网申请 {app.pk}（{app.category}）")
        app.save(update_fields=["expert_case", "updated_at"])
        ApplicationEvent.objects.create(application=app, action="expert_attached", user=user,
                                        reason=f"{session.date:%Y-%m-%d} {session.title}"
                                        + ("（省医保局纳入急抢救药品谈判范围，LST-8.2）" if app.category == "LST-8.2" else ""))
    return app


EXPERT_SESSION_PURPOSE_LABELS = {"new_drug": gettext_lazy("新药价格谈判"), "rescue_drug": gettext_lazy("急抢救药品谈判"),
                                 "consumable_review": gettext_lazy("医用耗材评审")}


def negotiated_price(product):
    """EXP-2: the agreed expert-negotiation price of the product (experts app), if any."""
    try:
        from experts.selectors import negotiated_price as agreed
    except ImportError:
        return None
    return agreed(product)


def _notify_enterprise(app, title, body, level="info"):
    notify(recipients.users_of(app.enterprise), kind="listing.application", title=title, body=body, level=level,
           target=app, url=reverse("listing:application_detail", args=[app.pk]),
           dedupe_key=f"listing.app.{app.pk}.{app.status}.{app.updated_at:%Y%m%d%H%M%S%f}")


def _notify_regulators(app, title, body):
    notify(recipients.province_regulators(), kind="listing.review", title=title, body=body, target=app,
           url=reverse("listing:application_detail", args=[app.pk]),
           dedupe_key=f"listing.review.{app.pk}.{app.submitted_at:%Y%m%d%H%M%S%f}")


# ====================================================================== the monthly batch


def run_batch(today: date | None = None) -> int:
    """LST-0.1: on (or after) the batch date, confirmed applications take effect: the Listing
    is created (or its price updated, LST-1) and a ListingPriceChange recorded. Idempotent and
    safe with two workers: rows are claimed with select_for_update(skip_locked=True) and
    move to "effective" in the same transaction."""
    today = today or _today()
    done = 0
    while True:
        with transaction.atomic(), audit_context(None, reason=f"每月集中挂网（{today:%Y-%m-%d}，LST-0.1）"):
            app = (ListingApplication.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(status=ApplicationStatus.CONFIRMED, effective_date__lte=today)
                   .order_by("effective_date", "id").first())
            if app is None:
                break
            _apply_application(app)
            done += 1
    return done


def _apply_application(app: ListingApplication):
    listing = (Listing.objects.select_for_update().filter(product=app.product)
               .exclude(status=ListingStatus.DELISTED).first())
    # DEL-1: a drug suspended (or delisted) for no sales whose restoration the province
    # approved comes back as the SAME listing once its re-application takes effect.
    resumed = Listing.objects.select_for_update().filter(
        product=app.product, status__in=[ListingStatus.SUSPENDED, ListingStatus.DELISTED],
        no_sales_cases__status="restoration_approved").order_by("-pk").first()
    if resumed is not None and (listing is None or listing.pk == resumed.pk):
        listing = resumed
        listing.status, listing.status_rule = ListingStatus.ACTIVE, "DEL-1"
        listing.status_reason = f"恢复采购申请获批，挂网申请 {app.pk} 重新申报生效，恢复挂网"
        listing.status_changed_at = timezone.now()
        listing.no_sales_cases.filter(status="restoration_approved").update(status="restored")
    reason = f"挂网申请 {app.pk}（{app.category}）集中挂网生效"
    if listing is None:
        listing = Listing.objects.create(product=app.product, price=app.listing_price, status=ListingStatus.ACTIVE,
                                         category=app.category, effective_date=app.effective_date)
        if app.city_review:
            # LST-C3 / LST-C4: a city's confirmation lists for that city's institutions only.
            listing.scope_cities.add(app.review_city_id)
        ListingPriceChange.objects.create(listing=listing, old_price=None, new_price=app.listing_price,
                                          effective_date=app.effective_date, rule=app.category, reason=reason,
                                          changed_by=app.decided_by)
    else:
        if app.city_review and listing.scope_cities.exists():
            listing.scope_cities.add(app.review_city_id)  # another city confirms the same product
        old = listing.price
        listing.category = app.category
        listing.effective_date = app.effective_date
        if rules.is_rise(old, app.listing_price) and app.category != rules.RISE_CATEGORY:
            # LST-0.4: the price was lowered (e.g. a PRC-1 linkage) after the confirmation; a
            # re-application never raises it, so the listing keeps its current, lower price.
            app.listing_price = old
            reason += f"（LST-0.4：确认后本省挂网价已降至 {rules.fmt(old)} 元，按现行价挂网，不涨价）"
        if old != app.listing_price:
            listing.price = app.listing_price
            ListingPriceChange.objects.create(listing=listing, old_price=old, new_price=app.listing_price,
                                              effective_date=app.effective_date, rule=app.category, reason=reason,
                                              changed_by=app.decided_by)
        listing.save()
    app.status = ApplicationStatus.EFFECTIVE
    app.listing = listing
    app.save(update_fields=["status", "listing", "listing_price", "updated_at"])
    ApplicationEvent.objects.create(application=app, action="effective", reason=reason)
    _notify_enterprise(app, "产品已挂网", f"{app.product} 于 {app.effective_date:%Y-%m-%d} 起挂网，挂网价 "
                                           f"{rules.fmt(app.listing_price)} 元。")


# ====================================================================== price changes


def listing_change_price(*, user, listing, new_price, effective_date, rule, reason) -> Listing:
    """Change a listing price (PRC-1 linkage, PRC-2 general adjustment, EXP-2 negotiation):
    ListingPriceChange and the new price in one transaction, audited with the rule and reason.
    `user` is the regulator who decided it, or None for a scheduled job."""
    if user is not None and not _is_province(user):
        raise Forbidden(_("仅省医保局可调整挂网价格"))
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
        notify(recipients.users_of(locked.product.manufacturer), kind="listing.price", title="挂网价格已调整",
               body=f"{locked.product}：{rules.fmt(old)} → {rules.fmt(price)} 元（{rule}，{effective_date:%Y-%m-%d} 起）。{reason}",
               target=locked, url=reverse("listing:listing_detail", args=[locked.pk]))
    return locked


# ====================================================================== status transitions (DEL-*)


# The listing life cycle, declared as data: action → (allowed from, to).
TRANSITIONS = {
    "propose_suspension": ({ListingStatus.ACTIVE}, ListingStatus.PENDING_SUSPENSION),
    "suspend": ({ListingStatus.ACTIVE, ListingStatus.PENDING_SUSPENSION}, ListingStatus.SUSPENDED),
    "restore": ({ListingStatus.SUSPENDED, ListingStatus.PENDING_SUSPENSION}, ListingStatus.ACTIVE),
    "delist": ({ListingStatus.ACTIVE, ListingStatus.PENDING_SUSPENSION, ListingStatus.SUSPENDED}, ListingStatus.DELISTED),
}
ACTION_LABELS = {"propose_suspension": gettext_lazy("拟暂停"), "suspend": gettext_lazy("暂停挂网"),
                 "restore": gettext_lazy("恢复挂网"), "delist": gettext_lazy("撤网")}


def set_status(user, listing, action, *, rule, reason) -> Listing:
    """The one place a listing's status changes (DEL-1 … DEL-4, LST-5). `user` is the acting
    provincial regulator, or None for a scheduled job."""
    if user is not None and not _is_province(user):
        raise Forbidden(_("仅省医保局可变更挂网状态"))
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
        with translation.override(None):  # notifications are stored in the source language (Chinese)
            title = f"挂网产品{ACTION_LABELS[action]}"
        notify(recipients.users_of(locked.product.manufacturer), kind="listing.status",
               title=title, body=f"{locked.product}：{reason}（{rule}）",
               level="warning" if action != "restore" else "info", target=locked,
               url=reverse("listing:listing_detail", args=[locked.pk]),
               dedupe_key=f"listing.status.{locked.pk}.{action}.{locked.status_changed_at:%Y%m%d%H%M%S%f}")
    return locked


def listing_suspend(user, listing, rule, reason) -> Listing:
    return set_status(user, listing, "suspend", rule=rule, reason=reason)


def listing_restore(user, listing, rule, reason) -> Listing:
    return set_status(user, listing, "restore", rule=rule, reason=reason)


def listing_delist(user, listing, rule, reason) -> Listing:
    return set_status(user, listing, "delist", rule=rule, reason=reason)


def listing_propose_suspension(user, listing, rule, reason) -> Listing:
    return set_status(user, listing, "propose_suspension", rule=rule, reason=reason)


# ---------------------------------------------------------------------- DEL-2 quality events


def record_quality_event(*, user, product, kind, event_date, authority_level, severity, description) -> QualityEvent:
    """DEL-2: a regulator records a quality-test failure or quality penalty. A provincial-or-
    higher event suspends (一般) or revokes (严重) the product's live listing; within the
    lookback it also refuses new applications (LST-0.2)."""
    _require_province(user)
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
                    set_status(user, listing, "delist", rule="DEL-2", reason=f"撤销挂网：{text}")
                elif listing.status in TRANSITIONS["suspend"][0]:
                    set_status(user, listing, "suspend", rule="DEL-2", reason=f"暂停挂网：{text}")
    return event


# ---------------------------------------------------------------------- DEL-3 delisting requests


DRUG_DELIST_REASONS = {DelistReason.STOPPED_PRODUCTION, DelistReason.NO_SALES}
CONSUMABLE_DELIST_REASONS = {DelistReason.STOPPED_PRODUCTION, DelistReason.STOPPED_SELLING,
                             DelistReason.REGISTRATION_CHANGED, DelistReason.NO_SALES}


def request_delist(*, user, listing, reason_kind, note="") -> DelistRequest:
    """DEL-3: a manufacturer applies to delist its own product (stopped production, no sales
    for over a year; consumables also stopped selling / registration changed)."""
    if not user or user.role != "manufacturer" or listing.product.manufacturer_id != user.organisation_id:
        raise NotFound()
    allowed = CONSUMABLE_DELIST_REASONS if listing.product.kind == "consumable" else DRUG_DELIST_REASONS
    if reason_kind not in allowed:
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
        notify(recipients.province_regulators(), kind="listing.delist", title="撤网申请待审核",
               body=f"{user.organisation}：{listing.product}（{req.get_reason_kind_display()}）",
               url=reverse("listing:delist_queue"), dedupe_key=f"listing.delist.{req.pk}")
    return req


def decide_delist(*, user, request, approve: bool, reason) -> DelistRequest:
    _require_province(user)
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
            set_status(user, req.listing, "delist", rule="DEL-3",
                       reason=f"企业申请撤网（{req.get_reason_kind_display()}）：{reason}")
        else:
            notify(recipients.users_of(req.enterprise), kind="listing.delist", title="撤网申请未获同意",
                   body=f"{req.listing.product}：{reason}", level="warning",
                   url=reverse("listing:listing_detail", args=[req.listing_id]))
    return req


# ---------------------------------------------------------------------- LST-5 automatic suspension


def lst5_suspensions(today: date | None = None, *, generic_name: str | None = None, dosage_form: str | None = None) -> int:
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
                set_status(None, listing, "suspend", rule="LST-5",
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
        lst5_suspensions(generic_name=product.generic_name, dosage_form=product.dosage_form)


def product_for_enterprise(user, pk):
    try:
        return Product.objects.editable_by(user).get(pk=pk)
    except (Product.DoesNotExist, ValueError):
        raise NotFound(_("产品不存在或不属于本企业")) from None


__all__ = [
    "check_application", "submit_application", "resubmit_application", "withdraw_application",
    "confirm_application", "attach_expert_session", "can_decide",
    "refuse_application", "return_application", "run_batch", "next_batch_date",
    "listing_change_price", "set_status", "listing_suspend", "listing_restore", "listing_delist",
    "listing_propose_suspension", "record_quality_event", "request_delist", "decide_delist", "lst5_suspensions",
    "review_price_rise",
]
