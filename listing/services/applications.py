"""Listing applications (LST-0.1 … LST-C5): check, submit, resubmit, withdraw, the province's or the
review city's decision (ACT-5, LST-C3/C4), expert sessions (EXP-1/EXP-2).

Each service takes the acting `user`, checks permission and rules, runs in one transaction inside
`core.audit.audit_context(user, reason=...)`, and raises `core.errors` domain errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from catalog.models import Product
from core.audit import audit_context
from core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, RuleViolation
from core.parsing import ParseError, parse_text
from core.permissions import allowed, require
from core.uploads import check_upload
from experts.services import session_add_case
from notifications import recipients
from notifications.services import notify
from notifications.text import Text
from parties.permissions import is_city_regulator, is_province_regulator
from policy import services as policy
from qualifications.selectors import bad_record_ban

from .. import evidence, rules, selectors
from ..models import (
    ApplicationDocument,
    ApplicationEvent,
    ApplicationStatus,
    CityReview,
    Listing,
    ListingApplication,
    ListingStatus,
)
from ._shared import (
    PROVINCE_ONLY,
    _flag_rise,
    _notify_enterprise,
    _require_reason,
    _today,
    check_price,
)
from .batch import next_batch_date


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

    def violations(self) -> list[dict]:
        """Every refusal of this evaluation, as the items of a DomainError's `errors` list."""
        items = [{"code": c, "detail": m, "field": f} for c, m, f in self.blockers]
        items += [{"code": r.rule, "detail": r.message, "field": "declared_price" if r.rule != "LST-0.2" else "product"}
                  for r in self.results if not r.passed]
        return items

    def first_violation(self) -> RuleViolation | None:
        return refusal(self.violations())


def refusal(rule_items: list[dict], other_items: list[dict] = ()) -> DomainError | None:
    """One error carrying every refusal at once (issue 15 item 2): the form shows each next to its
    field, an API caller gets them all under `errors`; `code`/`detail`/`field` are the first's.
    A refusal by the rules makes it a RuleViolation, input problems alone an InvalidInput."""
    items = [*rule_items, *other_items]
    if not items:
        return None
    first = items[0]
    if rule_items:
        return RuleViolation(first["code"], first["detail"], first["field"], errors=items)
    return InvalidInput(first["detail"], first["field"], code=first["code"], errors=items)


def application_evaluate(
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
                           negotiated_price=set_price or selectors.negotiated_price(product))
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


def _check_documents(category, documents: dict, *, via_reference, has_records, existing=frozenset()):
    """Check every uploaded file by content and list required documents still missing: returns
    (checked files by code, error items) — the caller refuses with every error at once."""
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
    errors += missing_document_errors(category, provided=set(checked) | set(existing), via_reference=via_reference,
                                has_records=has_records)
    return checked, errors


def missing_document_errors(category, *, provided, via_reference, has_records) -> list[dict]:
    """LST-0.1: the required documents not among `provided`, as error items by field."""
    return [{"code": "LST-0.1", "detail": _("缺少必需材料：%(name)s") % {"name": name}, "field": f"doc_{code}"}
            for code, name in rules.required_documents(category, via_reference=via_reference,
                                                       has_other_records=has_records, provided=provided)
            if code not in provided]


def _note(note) -> str:
    return parse_text(note, max_length=rules.NOTE_MAX_LENGTH) if note else ""


def _check_everything(user, product, category, declared_price, documents, note, extra, today,
                      existing=frozenset()):
    """Every check of a submission at once — the price as typed, the rules, the documents, the
    note — refused together in one error (issue 15 item 2). Returns (price, evaluation, files)."""
    problems = []
    try:
        declared = check_price(declared_price)
    except InvalidInput as exc:
        declared = None
        problems.append({"code": exc.code, "detail": exc.detail, "field": exc.field})
    ev = Evaluation() if declared is None else application_evaluate(
        enterprise=user.organisation, product=product, category=category, declared_price=declared, on=today,
        provided_documents=set(existing) | {c for c, f in (documents or {}).items() if f}, **extra)
    checked, doc_errors = _check_documents(category, documents, via_reference=extra["via_reference"],
                                           has_records=selectors.has_other_records(product, today), existing=existing)
    note_problem = _note_problem(note)
    error = refusal(ev.violations(), problems + doc_errors + ([note_problem] if note_problem else []))
    if error is not None:
        raise error
    return declared, ev, checked


def _note_problem(note) -> dict | None:
    try:
        _note(note)
    except ParseError as exc:
        return {"code": "invalid", "detail": exc.message, "field": "note"}
    return None


def _save_documents(application, checked, user):
    now = timezone.now()
    for code, (upload, info) in checked.items():
        application.documents.filter(code=code, superseded_at__isnull=True).update(superseded_at=now)
        ApplicationDocument.objects.create(
            application=application, code=code, file=upload, original_name=(upload.name or "")[:200],
            mime=info.mime, size=info.size, uploaded_by=user,
        )


def _require_own_product(user, product):
    require(user, "listing.apply", message=_("仅生产企业可申报挂网"))
    if not user.has_perm("listing.apply_for_product", product) or product.manufacturer_id != user.organisation_id:
        raise NotFound(_("产品不存在或不属于本企业"))


def _fields(kw):
    return {k: kw.get(k) for k in ("via_reference", "reference_listing", "set_price", "previously_selected",
                                   "filing_count", "original_listing")}


def application_check(*, user, product, category, declared_price, **kw) -> Evaluation:
    """The "check" step: validate the price input and evaluate the rules (no write)."""
    _require_own_product(user, product=product)
    declared = check_price(declared_price)
    return application_evaluate(enterprise=user.organisation, product=product, category=category, declared_price=declared,
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


def application_submit(*, user, product, category, declared_price, documents=None, note="", review_city=None,
                       **kw) -> ListingApplication:
    """LST-0.1: a manufacturer submits a listing application for its own product with the
    documents its category requires; refused when a rule fails (with the numbers)."""
    _require_own_product(user, product=product)
    extra = _clean_extra(kw)
    today = _today()
    city_fields = _city_review_fields(category, review_city, today)
    with transaction.atomic(), audit_context(user, reason=f"提交挂网申请（{category}）"):
        Product.objects.select_for_update().get(pk=product.pk)  # serialise concurrent applications per product
        declared, ev, checked = _check_everything(user, product, category, declared_price, documents, note, extra,
                                                  today)
        try:
            with transaction.atomic():
                app = ListingApplication.objects.create(
                    enterprise=user.organisation, product=product, category=category, declared_price=declared,
                    # The stored evaluation's texts are in the submitter's language (see Evaluation).
                    note=_note(note), status=ApplicationStatus.SUBMITTED, evaluation=ev.as_json(),
                    listing_price=ev.listing_price, submitted_by=user, submitted_at=timezone.now(),
                    **{k: v for k, v in extra.items() if k != "exclude_application"}, **city_fields,
                )
        except IntegrityError:
            raise Conflict(_("该产品已有进行中的挂网申请，不能重复申请"), "product", code="LST-0.1") from None
        _save_documents(app, checked, user)
        ApplicationEvent.objects.create(application=app, action="submitted", user=user)
        _notify_regulators(app, Text(gettext_noop("新的挂网申请待审核")),
                           Text(gettext_noop("%(enterprise)s：%(product)s（%(category)s），申报价 %(price)s 元"),
                                enterprise=app.enterprise, product=product, category=category, price=rules.fmt(declared)))
        _notify_city(app)
    return app


def application_resubmit(*, user, application, declared_price, documents=None, note="", review_city=None,
                         **kw) -> ListingApplication:
    """After a return for supplement, the enterprise edits and resubmits (documents already
    uploaded stay unless replaced)."""
    _require_own_product(user, product=application.product)
    if application.enterprise_id != user.organisation_id:
        raise NotFound()
    extra = _clean_extra({**kw, "exclude_application": application})
    today = _today()
    with transaction.atomic(), audit_context(user, reason="补充材料后重新提交挂网申请"):
        app = ListingApplication.objects.select_for_update().get(pk=application.pk)
        if app.status != ApplicationStatus.RETURNED:
            raise Conflict(_("申请当前状态为“%(status)s”，不能重新提交") % {"status": app.get_status_display()})
        existing = set(app.documents.filter(superseded_at__isnull=True).values_list("code", flat=True))
        declared, ev, checked = _check_everything(user, app.product, app.category, declared_price, documents, note,
                                                  extra, today, existing=existing)
        for k, v in extra.items():
            if k != "exclude_application":
                setattr(app, k, v)
        app.declared_price = declared
        app.note = _note(note) if note else app.note
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
        _notify_regulators(app, Text(gettext_noop("挂网申请已补充并重新提交")),
                           Text(gettext_noop("%(enterprise)s：%(product)s（%(category)s）"), enterprise=app.enterprise,
                                product=app.product, category=app.category))
    return app


def application_withdraw(*, user, application, reason="") -> ListingApplication:
    if not allowed(user, "listing.withdraw_application", application) \
            or application.enterprise_id != getattr(user, "organisation_id", None):
        raise NotFound()
    with transaction.atomic(), audit_context(user, reason=reason or "企业撤回挂网申请"):
        app = ListingApplication.objects.select_for_update().get(pk=application.pk)
        if app.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED):
            raise Conflict(_("申请当前状态为“%(status)s”，不能撤回") % {"status": app.get_status_display()})
        app.status = ApplicationStatus.WITHDRAWN
        app.save(update_fields=["status", "updated_at"])
        ApplicationEvent.objects.create(application=app, action="withdrawn", reason=reason or "", user=user)
    return app


def _decide(user, application, *, to_status, action, reason, allowed_from=(ApplicationStatus.SUBMITTED,),
            prepare=None):
    """ACT-5: the province decides an application. Permission first, then — in one transaction
    with the row locked — the state check, `prepare(app)` (the decision's own rules, which may
    set fields on the locked row) and the write. A refusal anywhere changes no row."""
    _require_decider(user, app=application)
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
        require(user, "listing.review", message=PROVINCE_ONLY)
        return
    if can_city_review(user, app=app):
        return
    if is_province_regulator(user):
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
    if selectors.needs_expert(app):
        fresh = ListingApplication.objects.select_related("expert_case__session").get(pk=app.pk)
        expert = _expert_listing_price(fresh, typed)
        if expert is not None:
            return expert
        # LST-C2 / LST-C4: the experts review, the price stays the rule's (the national lowest).
        typed = None
    if typed is None:
        if app.listing_price is not None:
            return app.listing_price
        agreed = selectors.negotiated_price(app.product)  # LST-6 / LST-8.2: the EXP-2 result
        if agreed is None:
            raise InvalidInput(_("本类别按谈判价格/议定价格挂网，请填写挂网价"), "listing_price")
        typed = agreed
    if app.listing_price is not None and typed == app.listing_price:
        return typed
    if typed > app.declared_price:
        raise RuleViolation(app.category, _("确认的挂网价 %(price)s 元高于企业申报价 %(declared)s 元，不能确认")
                            % {"price": rules.fmt(typed), "declared": rules.fmt(app.declared_price)}, "listing_price")
    ev = application_evaluate(enterprise=app.enterprise, product=app.product, category=app.category, declared_price=typed,
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


def application_confirm(*, user, application, reason="", listing_price=None) -> ListingApplication:
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

    app = _decide(user, application=application, to_status=ApplicationStatus.CONFIRMED, action="confirmed", reason=reason,
                  prepare=prepare)
    _notify_enterprise(app, Text(gettext_noop("挂网申请已确认")),
                       Text(gettext_noop("%(product)s（%(category)s）已确认，挂网价 %(price)s 元，将于 %(date)s 集中挂网。"),
                            product=app.product, category=app.category, price=rules.fmt(app.listing_price),
                            date=f"{app.effective_date:%Y-%m-%d}"))
    return app


def application_refuse(*, user, application, reason) -> ListingApplication:
    reason = _require_reason(reason)
    app = _decide(user, application=application, to_status=ApplicationStatus.REFUSED, action="refused", reason=reason)
    _notify_enterprise(app, Text(gettext_noop("挂网申请不予通过")),
                       Text(gettext_noop("%(product)s（%(category)s）：%(reason)s"), product=app.product,
                            category=app.category, reason=reason), level="warning")
    return app


def application_return(*, user, application, reason) -> ListingApplication:
    reason = _require_reason(reason)
    app = _decide(user, application=application, to_status=ApplicationStatus.RETURNED, action="returned", reason=reason)
    _notify_enterprise(app, Text(gettext_noop("挂网申请退回补充")),
                       Text(gettext_noop("%(product)s（%(category)s）：%(reason)s"), product=app.product,
                            category=app.category, reason=reason), level="warning")
    return app


# The city's decision on its own fields, by the application status it decided.
CITY_DECISION = {ApplicationStatus.CONFIRMED: CityReview.RECOMMENDED, ApplicationStatus.REFUSED: CityReview.NOT_RECOMMENDED}


def _city_review_fields(category, review_city, on) -> dict:
    if not selectors.city_review_required(category, on):
        return {"review_city": review_city if category in selectors.CITY_REVIEW_CATEGORIES else None,
                "city_review": CityReview.NONE}
    if review_city is None or getattr(review_city, "level", None) != "city":
        raise RuleViolation("LST-C4", _("普通医用耗材、检验检测试剂须选择负责评审确认的设区市（挂网后仅供该市医疗机构采购）"),
                            "review_city")
    return {"review_city": review_city, "city_review": CityReview.PENDING, "city_reviewed_by": None,
            "city_reviewed_at": None, "city_review_reason": ""}


def can_city_review(user, app) -> bool:
    return bool(user and user.is_authenticated and is_city_regulator(user) and allowed(user, "listing.city_review", app))


def can_decide(user, app) -> bool:
    """Whether `user` decides `app` (the page shows the review panel)."""
    return can_city_review(user, app=app) if app.city_review else is_province_regulator(user)


def _notify_city(app):
    if app.city_review == CityReview.PENDING:
        notify(recipients.city_regulators(app.review_city), kind="listing.review", title=gettext_lazy("挂网申请待设区市评审确认"),
               body=Text(gettext_noop("%(enterprise)s：%(product)s（%(category)s），请组织评审并确认"),
                         enterprise=app.enterprise, product=app.product, category=app.category), target=app,
               url=reverse("listing:application_detail", args=[app.pk]),
               dedupe_key=f"listing.city_pending.{app.pk}.{app.submitted_at:%Y%m%d%H%M%S%f}")


def _expert_listing_price(app, typed_price):
    """The listing price of an expert category at confirmation (None: the rule's own price, after
    the review), or a refusal naming the rule."""
    if app.category in selectors.EXPERT_REVIEW_CATEGORIES or app.category == "LST-6":
        _require_passed_review(app)
    if app.category in selectors.EXPERT_REVIEW_CATEGORIES:
        # LST-C2 / LST-C4: listed at the national lowest price, after a passed review (EXP-1).
        return None
    price = selectors.expert_price(app)
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


def application_attach_expert_session(*, user, application, session) -> ListingApplication:
    """EXP-1 / EXP-2: the province attaches an application of an expert category to an expert
    session of the matching purpose; the session gets a case for the product (experts app)."""
    if application.city_review:
        # LST-C4: the review city organises the review in one of its own sessions.
        _require_decider(user, app=application)
        if session.city_id != application.review_city_id:
            raise RuleViolation("LST-C4", _("须提交%(city)s医保部门组织的评审场次") % {"city": application.review_city},
                                "expert_session")
    else:
        require(user, "listing.review", message=PROVINCE_ONLY)
    purpose = selectors.EXPERT_SESSION_PURPOSE.get(application.category)
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
        app.expert_case = session_add_case(
            user, session, product=app.product, description=f"挂网申请 {app.pk}（{app.category}）")
        app.save(update_fields=["expert_case", "updated_at"])
        ApplicationEvent.objects.create(application=app, action="expert_attached", user=user,
                                        reason=f"{session.date:%Y-%m-%d} {session.title}"
                                        + ("（省医保局纳入急抢救药品谈判范围，LST-8.2）" if app.category == "LST-8.2" else ""))
    return app


EXPERT_SESSION_PURPOSE_LABELS = {"new_drug": gettext_lazy("新药价格谈判"), "rescue_drug": gettext_lazy("急抢救药品谈判"),
                                 "consumable_review": gettext_lazy("医用耗材评审")}


def _notify_regulators(app, title, body):
    notify(recipients.province_regulators(), kind="listing.review", title=title, body=body, target=app,
           url=reverse("listing:application_detail", args=[app.pk]),
           dedupe_key=f"listing.review.{app.pk}.{app.submitted_at:%Y%m%d%H%M%S%f}")


