"""Every write of filing procurement (RULES §8). Each service takes the acting user, checks
permission and the FIL rules first, then writes in one transaction inside an audit context;
a refused request changes no row."""

from datetime import date
from decimal import Decimal
from zipfile import BadZipFile

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import load_workbook

from catalog import rules as catalog_rules
from catalog.models import Product, ProductKind
from catalog.selectors import national_lowest_price
from core.audit import audit_context
from core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from core.parsing import ParseError, cell_text, clean_text, date_or_none
from core.permissions import require
from core.uploads import XLSX_TYPES, check_upload
from experts import services as experts
from listing import rules as listing_rules
from listing import selectors as listing_selectors
from listing.models import Listing, ListingStatus
from listing.services import applications
from notifications.services import notify
from notifications.text import Text
from orders.models import ReceiptLine
from parties.models import Organisation, OrgKind, User
from policy import services as policy
from qualifications.selectors import bad_record_ban
from workcalendar.services import add_working_days, is_working_day

from . import rules
from .models import (
    OPEN_STATUSES,
    ConfirmingBody,
    FilingDocument,
    FilingEvent,
    FilingKind,
    FilingRequest,
    FilingStatus,
    PaymentStandard,
)
from .signals import filing_confirmed, filing_submitted

KIND_LABELS = dict(FilingKind.choices)


def _today(at=None) -> date:
    return at or timezone.localdate()


def _institution_of(user) -> Organisation:
    require(user, "filing.file", message=_("仅医疗机构可申请备案采购（ACT-3）"))
    return user.organisation


def price_ceiling(at=None) -> Decimal:
    """The absurd-price ceiling in force (policy sys.price_ceiling_yuan)."""
    return Decimal(str(policy.get("sys.price_ceiling_yuan", at=at)))


def _money(raw, field, at=None) -> Decimal:
    try:
        return catalog_rules.check_price(raw, price_ceiling(at))
    except catalog_rules.RuleError as exc:
        raise InvalidInput(str(exc), field) from None


def _quantity(raw, field="quantity") -> int:
    try:
        return rules.parse_quantity(raw)
    except ParseError as exc:
        raise InvalidInput(exc.message, field) from None


def filing_submit_allowed(user):
    """ACT-3: refuse (403) anyone but an institution. The API asks before it validates the
    body, so a refused caller learns that first, whatever it sent."""
    _institution_of(user)


def enterprise_respond_allowed(user, filing_id):
    """FIL-2 / FIL-C2: refuse anyone but the filed product's manufacturer (asked by the API first)."""
    require(user, "filing.act_as_enterprise", message=_("仅备案产品的生产企业可确认"))
    if not FilingRequest.objects.visible_to(user).filter(pk=getattr(filing_id, "pk", filing_id)).exists():
        raise NotFound()


def filing_decide_allowed(user, filing_id):
    """FIL-3 / FIL-C1: refuse anyone but the confirming body (asked by the API first)."""
    filing = FilingRequest.objects.filter(pk=getattr(filing_id, "pk", filing_id)).first()
    if filing is None:
        raise NotFound()
    _require_body(user, filing)


def _reason(raw, field="reason") -> str:
    return clean_text(raw, field, 2000, required=_("请填写理由"), too_long=_("理由不能超过 2000 字"))


def _check(problem, field=None):
    if problem:
        raise RuleViolation(problem[0], problem[1], field)


def _check_documents(documents: dict | None, allowed_codes) -> dict:
    """Content-checked uploads (a file that is not what its extension says is refused)."""
    checked = {}
    for code, upload in (documents or {}).items():
        if upload is None:
            continue
        if code not in allowed_codes:
            raise InvalidInput(_("未知的材料类型 %(code)s") % {"code": code}, f"documents.{code}")
        checked[code] = (upload, check_upload(upload, field=f"documents.{code}"))
    return checked


def _save_documents(filing, checked, user):
    for code, (upload, info) in checked.items():
        FilingDocument.objects.create(filing=filing, code=code, file=upload, original_name=(upload.name or "")[:200],
                                      mime=info.mime, size=info.size, uploaded_by=user)


def _event(filing, action, user=None, reason=""):
    FilingEvent.objects.create(filing=filing, action=action, user=user, reason=reason)


NUMBER_LOCK = 0x46494C31  # "FIL1": serialises the numbering of filings (advisory, per transaction)


def _next_number(today: date) -> str:
    """BA + year-month + sequence; called inside the writing transaction, which takes an
    advisory lock so that two concurrent submissions never compute the same number."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [NUMBER_LOCK])
    prefix = f"BA{today:%Y%m}"
    last = FilingRequest.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    n = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{n:05d}"


def live_listing_text(product) -> str | None:
    """FIL-1/FIL-C1: the live listing that makes filing unnecessary (drugs: same generic name +
    dosage form; consumables: the product itself)."""
    qs = Listing.objects.exclude(status=ListingStatus.DELISTED).select_related("product")
    if product.kind == ProductKind.DRUG:
        qs = qs.filter(product__kind="drug", product__generic_name=product.generic_name,
                       product__dosage_form=product.dosage_form)
    else:
        qs = qs.filter(product=product)
    listing = qs.order_by("price").first()
    if listing is None:
        return None
    return _("%(product)s，挂网价 %(price)s 元") % {"product": listing.product, "price": rules.fmt(listing.price)}


def _with_shop_link(message, product) -> str:
    """FIL-1/FIL-C1 refusals end with the ordering page's address (the form shows it as a link)."""
    return _("%(message)s：%(url)s") % {"message": message, "url": shop_url(product)}


def shop_url(product) -> str:
    return f"{reverse('orders:shop')}?q={product.national_code or product.generic_name}"


def lowest_record(kind: str, product, at: date) -> Decimal | None:
    """The records that count (FIL-2 / FIL-C2: provincial only; FIL-C3: provincial or city)."""
    if product.pk is None:
        return None
    row = national_lowest_price(product, at=at, include_city=(kind == FilingKind.ORDINARY))
    return row.price if row is not None else None


def _resolve_product(*, kind, product, national_code, new_product, enterprise):
    if product is not None:
        return product, False
    code = (national_code or "").strip()
    product_kind = ProductKind.DRUG if kind == FilingKind.DRUG else ProductKind.CONSUMABLE
    if code:
        try:
            code = catalog_rules.check_national_code(product_kind, code)
        except catalog_rules.RuleError as exc:
            raise RuleViolation("CAT-1.1", str(exc), "national_code") from None
        found = Product.objects.filter(national_code=code).first()
        if found is not None:
            return found, False
    if not new_product or not (new_product.get("generic_name") or "").strip():
        raise InvalidInput(_("产品不在平台目录中：请填写产品名称、规格等信息（提交后待审核）"), "generic_name")
    if enterprise is None:
        raise InvalidInput(_("请选择生产企业"), "enterprise")
    consumable_class = ""
    if product_kind == ProductKind.CONSUMABLE:
        consumable_class = new_product.get("consumable_class") or ("hv6" if kind == FilingKind.HIGH_VALUE else "ordinary")
        if consumable_class not in ("hv6", "hv5", "ordinary", "ivd"):
            raise InvalidInput(_("耗材类别不正确"), "consumable_class")
    # CAT-1: created pending review — the filing's confirmation is that review; not in the
    # sunshine catalogue (CAT-4) until then.
    return Product(
        kind=product_kind, national_code=code or None, generic_name=new_product["generic_name"].strip()[:200],
        dosage_form=(new_product.get("dosage_form") or "").strip()[:50],
        specification=(new_product.get("specification") or "").strip()[:200],
        pack_unit=(new_product.get("pack_unit") or "").strip()[:20], manufacturer=enterprise,
        consumable_class=consumable_class, in_sunshine_catalogue=False,
    ), True


def evaluate(*, institution, kind, product, enterprise, price, at, emergency=False):
    """Every FIL check before anything is written. Returns (lowest, has_records, needs_expert,
    evaluation lines) or raises the first RuleViolation naming its rule and numbers."""
    lines = []
    _check(rules.kind_fits_product(kind, product.kind, product.consumable_class), "kind")
    if emergency:
        lines.append("应急采购补办备案（002 §19）：不因已采购或机构级别不予受理")
    else:
        _check(rules.institution_check(kind, institution.level, institution.ownership), "institution")
        lines.append("机构级别与举办性质符合要求")
    if kind == FilingKind.DRUG:
        _check(rules.fil_1_scope(product.is_large_infusion), "product")
    if product.pk is not None:
        listed = live_listing_text(product)
        problem = rules.fil_1_not_listed(kind, listed)
        if problem:
            raise RuleViolation(problem[0], _with_shop_link(problem[1], product), "product")
    ban = bad_record_ban(enterprise, at)
    if ban.barred:
        raise RuleViolation("BAD-2", ban.message, "enterprise")
    lowest = lowest_record(kind, product, at)
    has_records = lowest is not None
    needs_expert = False
    if kind == FilingKind.DRUG:
        _check(rules.fil_2_price(price, lowest), "price")
        lines.append(f"备案价格 {rules.fmt(price)} 元不高于省级最低挂网价 {rules.fmt(lowest)} 元" if has_records
                     else "无省级挂网记录，本条豁免（FIL-2）")
        if product.pk is not None:
            years = int(policy.get("lst.quality_lookback_years", at=at))
            quality = listing_rules.lst_0_2_quality(listing_selectors.quality_facts(product, enterprise), on=at,
                                                    lookback_years=years)
            if not quality.passed:
                raise RuleViolation("FIL-2", _("质量承诺（同 LST-0.2）不成立：%(reason)s") % {"reason": quality.message},
                                    "product")
            lines.append(quality.message)
    else:
        check = (rules.fil_c2_price if kind == FilingKind.HIGH_VALUE else rules.fil_c3_price)(price, lowest)
        _check(check.problem, "price")
        needs_expert = check.needs_expert
        lines.append(check.text)
    return lowest, has_records, needs_expert, lines


def _evaluate_for_record(**kw):
    """`evaluate` with refusals in the reader's language, but the evaluation lines stored on the
    filing (read later by the enterprise and the regulator) in the platform's language."""
    result = evaluate(**kw)
    if translation.get_language() != settings.LANGUAGE_CODE:
        with translation.override(settings.LANGUAGE_CODE):
            result = evaluate(**kw)
    return result


def filing_submit(user, *, kind, price, quantity, product=None, national_code="", new_product=None,
                  enterprise=None, reason="", documents=None, emergency_case_ref="", at=None) -> FilingRequest:
    """An institution files a product (FIL-1, FIL-2, FIL-C2, FIL-C3). Drugs and consumables go
    to the enterprise first (its records, lowest price and — consumables — agreed volume and
    price), then to the confirming body."""
    institution = _institution_of(user)
    at = _today(at)
    if kind not in KIND_LABELS:
        raise InvalidInput(_("备案类别须为 药品 / 高值医用耗材 / 普通医用耗材（检验检测试剂）"), "kind")
    price = _money(price, "price", at)
    quantity = _quantity(quantity)
    emergency_case_ref = str(emergency_case_ref or "").strip()[:40]
    if enterprise is not None and enterprise.kind != OrgKind.MANUFACTURER:
        raise InvalidInput(_("生产企业须为平台登记的生产企业/上市许可持有人"), "enterprise")
    product, is_new = _resolve_product(kind=kind, product=product, national_code=national_code,
                                       new_product=new_product, enterprise=enterprise)
    enterprise = product.manufacturer
    checked = _check_documents(documents, rules.INSTITUTION_DOCUMENTS)
    if kind == FilingKind.DRUG and not emergency_case_ref and "A" not in checked:
        raise RuleViolation("FIL-2", _("请上传 A. %(document)s") % {"document": rules.DRUG_DOCUMENTS["A"]},
                            "documents.A")
    lowest, has_records, needs_expert, lines = _evaluate_for_record(
        institution=institution, kind=kind, product=product, enterprise=enterprise, price=price, at=at,
        emergency=bool(emergency_case_ref))
    if product.pk is not None:
        dup = FilingRequest.objects.filter(institution=institution, product=product,
                                           status__in=OPEN_STATUSES).first()
        if dup is not None:
            raise Conflict(_("本机构已有该产品的备案 %(number)s（%(status)s），不能重复申请（FIL-3）") % {
                "number": dup.number, "status": dup.get_status_display()}, "product", code="FIL-3")
    body = ConfirmingBody.CITY if kind == FilingKind.ORDINARY else ConfirmingBody.PROVINCE
    try:
        with transaction.atomic(), audit_context(user, reason=f"申请{KIND_LABELS[kind]}备案采购"):
            if is_new:
                product.save()
            filing = FilingRequest.objects.create(
                number=_next_number(at), kind=kind, institution=institution, product=product, enterprise=enterprise,
                price=price, quantity=quantity, reason=(reason or "").strip()[:2000], lowest_record_price=lowest,
                has_records=has_records, needs_expert=needs_expert, evaluation=lines, confirming_body=body,
                confirming_city=institution.city if body == ConfirmingBody.CITY else None,
                emergency_case_ref=emergency_case_ref, submitted_by=user,
            )
            _save_documents(filing, checked, user)
            _event(filing, "submitted", user, "；".join(lines))
            notify(User.objects.filter(organisation=enterprise, is_active=True), kind="filing",
                   title=Text(gettext_noop("%(institution)s 申请备案采购 %(product)s"), institution=institution.name,
                              product=product),
                   body=Text(gettext_noop("请提供产品挂网记录和对该机构的最低价，并确认约定的采购数量和价格")
                             if filing.is_consumable else gettext_noop("请提供产品挂网记录和对该机构的最低价")),
                   target=filing, url=filing.get_absolute_url(), dedupe_key=f"filing-submitted-{filing.pk}")
    except IntegrityError:
        raise Conflict(_("本机构已有该产品的备案，不能重复申请（FIL-3）"), "product", code="FIL-3") from None
    filing_submitted.send(sender=FilingRequest, filing=filing)
    return filing


def _lock(filing_id) -> FilingRequest:
    filing = FilingRequest.objects.select_for_update().filter(pk=getattr(filing_id, "pk", filing_id)).first()
    if filing is None:
        raise NotFound()
    return filing


def _require_status(filing, *statuses):
    if filing.status not in statuses:
        raise Conflict(_("备案当前状态为“%(status)s”，不能进行此操作") % {"status": filing.get_status_display()}, "status")


def enterprise_respond(user, filing_id, *, lowest_price=None, agreed_price=None, agreed_quantity=None,
                       documents=None, decline=False, reason="") -> FilingRequest:
    """The enterprise's part (FIL-2 correction, FIL-C2): its lowest price to the institution,
    documents C/D for drugs, and for consumables the volume and price agreed with the
    institution. Declining returns the request to the institution with the reason."""
    enterprise_respond_allowed(user, filing_id)
    with transaction.atomic():
        filing = _lock(filing_id)
        _require_status(filing, FilingStatus.AWAITING_ENTERPRISE)
        if decline:
            text = _reason(reason)
            with audit_context(user, reason=f"企业不同意备案：{text}"):
                filing.status = FilingStatus.RETURNED
                filing.decision_reason = text
                filing.save(update_fields=["status", "decision_reason", "updated_at"])
                _event(filing, "enterprise_declined", user, text)
                _notify_institution(filing, Text(gettext_noop("生产企业未同意备案 %(number)s"), number=filing.number), text)
            return filing
        lowest = _money(lowest_price, "lowest_price") if lowest_price not in (None, "") else None
        checked = _check_documents(documents, rules.ENTERPRISE_DOCUMENTS)
        price = filing.price
        if filing.kind == FilingKind.DRUG:
            provided = set(checked) | set(filing.documents.values_list("code", flat=True))
            if filing.has_records:
                provided.add("B")  # the records are the platform's own LST-0.3 rows, shown on the page
            _check(rules.fil_2_documents(provided, has_records=filing.has_records,
                                         has_national_code=bool(filing.product.national_code)), "documents")
            if lowest is None:
                raise InvalidInput(_("请填写对备案机构的最低价"), "lowest_price")
        else:
            ap = _money(agreed_price, "agreed_price") if agreed_price not in (None, "") else None
            aq = _quantity(agreed_quantity, "agreed_quantity") if agreed_quantity not in (None, "") else None
            _check(rules.fil_c2_agreement(filing.kind, ap, aq, filing.price), "agreed_price")
            price = ap
        with audit_context(user, reason="企业提供挂网记录、最低价" + ("并确认约定量价" if filing.is_consumable else "")):
            filing.enterprise_lowest_price = lowest
            if filing.is_consumable:
                filing.agreed_price, filing.agreed_quantity = price, aq
            filing.enterprise_confirmed_by = user
            filing.enterprise_confirmed_at = timezone.now()
            filing.status = FilingStatus.SUBMITTED
            filing.save()
            _save_documents(filing, checked, user)
            _event(filing, "enterprise_confirmed", user,
                   f"最低价 {rules.fmt(lowest)} 元" + (f"；约定价格 {rules.fmt(price)} 元、数量 {aq}" if filing.is_consumable else ""))
            _notify_body(filing, Text(gettext_noop("备案采购待审核：%(number)s %(product)s"), number=filing.number,
                                      product=filing.product))
    return filing


def price_in_force(filing) -> Decimal:
    return filing.price_in_force


def _body_users(filing):
    if filing.confirming_body == ConfirmingBody.PROVINCE:
        return User.objects.filter(role="province_regulator", is_active=True)
    return User.objects.filter(role="city_regulator", organisation__city=filing.confirming_city, is_active=True)


def _notify_body(filing, title, body="", key=None):
    notify(_body_users(filing), kind="filing", title=title, body=body, target=filing,
           url=filing.get_absolute_url(), dedupe_key=key)


def _notify_institution(filing, title, body="", key=None, level="info"):
    notify(User.objects.filter(organisation=filing.institution, is_active=True), kind="filing", title=title,
           body=body, target=filing, url=filing.get_absolute_url(), dedupe_key=key, level=level)


def _require_body(user, filing):
    if not FilingRequest.objects.visible_to(user).filter(pk=filing.pk).exists():
        raise NotFound()
    if not user.has_perm("filing.decide", filing):
        who = _("省医保局") if filing.confirming_body == ConfirmingBody.PROVINCE else _("备案机构所在设区市医保局")
        rule = "FIL-3" if filing.kind == FilingKind.DRUG else "FIL-C3" if filing.kind == FilingKind.ORDINARY else "FIL-C2"
        raise Forbidden(_("该备案由%(who)s审核确认（%(rule)s）") % {"who": who, "rule": rule})


def _expert_passed(filing) -> bool:
    case = filing.expert_case
    session = case.session if case is not None else None
    return bool(session is not None and session.status == "closed" and session.current_draw() is not None
                and case.outcome != "failed")


def filing_decide(user, filing_id, *, action: str, reason: str = "", at=None) -> FilingRequest:
    """The confirming body approves (drugs: into the next monthly batch, FIL-3; consumables:
    into the next 公示, FIL-C1), refuses, or returns a request with reasons (AUD-1)."""
    at = _today(at)
    if action not in ("approve", "refuse", "return"):
        raise InvalidInput(_("操作须为 approve / refuse / return"), "action")
    with transaction.atomic():
        filing = _lock(filing_id)
        _require_body(user, filing)
        _require_status(filing, FilingStatus.SUBMITTED)
        if action == "approve":
            # FIL-1/FIL-C1 again at the decision: a listing may have appeared since submission.
            problem = rules.fil_1_not_listed(filing.kind, live_listing_text(filing.product))
            if problem:
                raise RuleViolation(problem[0], _with_shop_link(problem[1], filing.product), "product")
            if filing.needs_expert and not _expert_passed(filing):
                rule = "FIL-C2" if filing.kind == FilingKind.HIGH_VALUE else "FIL-C3"
                raise RuleViolation(rule, _("无挂网记录的耗材备案须经专家评审（EXP-1）：请先提交评审场次并完成评审"),
                                    "expert_session")
            text = (reason or "").strip()[:2000] or "审核通过"
            if filing.kind == FilingKind.DRUG:
                filing.batch_date = _working_day_on_or_after(rules.fil_3_batch_date(at, policy.get("fil.batch_day", at=at)))
                when = f"于 {filing.batch_date:%Y-%m-%d} 集中确认生效"
                notice = Text(gettext_noop("备案 %(number)s：审核通过，于 %(batch)s 集中确认生效"),
                              number=filing.number, batch=f"{filing.batch_date:%Y-%m-%d}")
            else:
                filing.announce_on = _working_day_on_or_after(rules.fil_c1_announce_date(
                    at, policy.get("fil.c_publication_day", at=at), policy.get("fil.c_publication_months", at=at)))
                filing.publish_on = add_working_days(filing.announce_on, policy.get("fil.c_announce_working_days", at=at))
                when = f"于 {filing.announce_on:%Y-%m-%d} 起公示，{filing.publish_on:%Y-%m-%d} 公布生效"
                notice = Text(gettext_noop("备案 %(number)s：审核通过，于 %(announce)s 起公示，%(publish)s 公布生效"),
                              number=filing.number, announce=f"{filing.announce_on:%Y-%m-%d}",
                              publish=f"{filing.publish_on:%Y-%m-%d}")
            status, label = FilingStatus.APPROVED, f"审核通过，{when}"
        else:
            text = _reason(reason)
            status = FilingStatus.REFUSED if action == "refuse" else FilingStatus.RETURNED
            label = "不予备案" if action == "refuse" else "退回修改"
            notice = Text(gettext_noop("备案 %(number)s：不予备案") if action == "refuse"
                          else gettext_noop("备案 %(number)s：退回修改"), number=filing.number)
        with audit_context(user, reason=f"备案 {filing.number} {label}：{text}"):
            filing.status = status
            filing.decided_by, filing.decided_at, filing.decision_reason = user, timezone.now(), text
            filing.save()
            _event(filing, action, user, f"{label}：{text}")
            _notify_institution(filing, notice, text)
    return filing


def _working_day_on_or_after(d: date) -> date:
    while not is_working_day(d):
        d = add_working_days(d, 1)
    return d


def attach_expert_session(user, filing_id, *, session) -> FilingRequest:
    """EXP-1: a consumable filing without records goes to a provincial (high-value) or city
    (ordinary/IVD) expert review session; the session gets a case for the product."""
    with transaction.atomic():
        filing = _lock(filing_id)
        _require_body(user, filing)
        _require_status(filing, FilingStatus.SUBMITTED)
        if not filing.needs_expert:
            raise RuleViolation("EXP-1", _("该备案有挂网记录，由医保部门直接审核，无需专家评审"), "expert_session")
        if filing.expert_case_id:
            raise Conflict(_("该备案已提交专家评审场次"), "expert_session")
        if session.purpose != "consumable_review":
            raise RuleViolation("EXP-1", _("耗材备案须提交“医用耗材评审”场次"), "expert_session")
        with audit_context(user, reason=f"备案 {filing.number} 提交专家评审"):
            filing.expert_case = experts.session_add_case(user, session, product=filing.product,
                                                          description=f"备案采购 {filing.number}")
            filing.save(update_fields=["expert_case", "updated_at"])
            _event(filing, "expert_attached", user, str(session))
    return filing


def filing_withdraw(user, filing_id, *, reason="") -> FilingRequest:
    """The filing institution withdraws its own open request (not once confirmed)."""
    institution = _institution_of(user)
    with transaction.atomic():
        filing = _lock(filing_id)
        if filing.institution_id != institution.pk:
            raise NotFound()
        _require_status(filing, FilingStatus.AWAITING_ENTERPRISE, FilingStatus.SUBMITTED, FilingStatus.RETURNED)
        with audit_context(user, reason=f"撤回备案 {filing.number}"):
            filing.status = FilingStatus.WITHDRAWN
            filing.save(update_fields=["status", "updated_at"])
            _event(filing, "withdrawn", user, (reason or "").strip()[:2000])
    return filing


def filing_resubmit(user, filing_id, *, price=None, quantity=None, reason="", documents=None, at=None) -> FilingRequest:
    """A returned request, corrected by its institution, goes back to the enterprise; every
    check runs again on the new values."""
    institution = _institution_of(user)
    at = _today(at)
    with transaction.atomic():
        filing = _lock(filing_id)
        if filing.institution_id != institution.pk:
            raise NotFound()
        _require_status(filing, FilingStatus.RETURNED)
        new_price = _money(price, "price", at) if price not in (None, "") else filing.price
        new_qty = _quantity(quantity) if quantity not in (None, "") else filing.quantity
        checked = _check_documents(documents, rules.INSTITUTION_DOCUMENTS)
        lowest, has_records, needs_expert, lines = _evaluate_for_record(
            institution=institution, kind=filing.kind, product=filing.product, enterprise=filing.enterprise,
            price=new_price, at=at, emergency=bool(filing.emergency_case_ref))
        with audit_context(user, reason=f"修改后重新提交备案 {filing.number}"):
            filing.price, filing.quantity = new_price, new_qty
            filing.lowest_record_price, filing.has_records, filing.needs_expert = lowest, has_records, needs_expert
            filing.evaluation = lines
            filing.agreed_price = filing.agreed_quantity = None
            filing.status = FilingStatus.AWAITING_ENTERPRISE
            if reason:
                filing.reason = reason.strip()[:2000]
            filing.save()
            _save_documents(filing, checked, user)
            _event(filing, "resubmitted", user, "；".join(lines))
    return filing


# ------------------------------------------------------------------ batches and publication


def run_publication(today: date | None = None) -> dict:
    """Daily job (FIL-3, FIL-C1): drug filings approved for a batch date that has come are
    confirmed; consumable filings whose 公示 date has come are announced; announced ones whose
    公布 date has come are published (confirmed). Rows are claimed with SKIP LOCKED and moved by
    their status, so a second run (or a second worker) changes nothing more."""
    today = _today(today)
    counts = {"confirmed": 0, "announced": 0, "published": 0}
    confirmed = []
    with transaction.atomic(), audit_context(None, reason="备案采购集中确认/公示/公布（FIL-3、FIL-C1）"):
        due = list(FilingRequest.objects.select_for_update(skip_locked=True).filter(
            status=FilingStatus.APPROVED, kind=FilingKind.DRUG, batch_date__lte=today))
        for f in due:
            f.status, f.confirmed_on = FilingStatus.CONFIRMED, f.batch_date
            f.save(update_fields=["status", "confirmed_on", "updated_at"])
            _event(f, "confirmed", None, f"{f.batch_date:%Y-%m-%d} 集中确认")
            confirmed.append(f)
        counts["confirmed"] = len(due)
        announce = list(FilingRequest.objects.select_for_update(skip_locked=True).filter(
            status=FilingStatus.APPROVED, announce_on__lte=today).exclude(kind=FilingKind.DRUG))
        for f in announce:
            f.status = FilingStatus.ANNOUNCED
            f.save(update_fields=["status", "updated_at"])
            _event(f, "announced", None, f"{f.announce_on:%Y-%m-%d} 起公示至 {f.publish_on:%Y-%m-%d}")
        counts["announced"] = len(announce)
        publish = list(FilingRequest.objects.select_for_update(skip_locked=True).filter(
            status=FilingStatus.ANNOUNCED, publish_on__lte=today))
        for f in publish:
            f.status, f.confirmed_on = FilingStatus.CONFIRMED, f.publish_on
            f.save(update_fields=["status", "confirmed_on", "updated_at"])
            _event(f, "published", None, f"{f.publish_on:%Y-%m-%d} 公示期满公布")
            confirmed.append(f)
        counts["published"] = len(publish)
        for f in confirmed:
            _notify_institution(f, Text(gettext_noop("备案 %(number)s 已生效，可网上采购"), number=f.number),
                                Text(gettext_noop("%(product)s，备案价格 %(price)s 元"), product=f.product,
                                     price=rules.fmt(price_in_force(f))),
                                key=f"filing-confirmed-{f.pk}")
    for f in confirmed:
        filing_confirmed.send(sender=FilingRequest, filing=f)
    return counts


# ------------------------------------------------------------------ 凡备案必采购 (FIL-3)


def must_buy_daily(today: date | None = None) -> dict:
    """FIL-3: confirmed filings with no receipt `fil.must_buy_months` after confirmation remind
    their institution once; still unpurchased `fil.must_buy_escalate_days` after the reminder,
    they are listed once for the confirming body. Idempotent: flags are set once, claimed with
    SKIP LOCKED, and notifications are deduplicated per filing."""
    today = _today(today)
    months = policy.get("fil.must_buy_months", at=today)
    days = policy.get("fil.must_buy_escalate_days", at=today)
    last_receipt = (ReceiptLine.objects.filter(institution_id=OuterRef("institution_id"),
                                               order_line__product_id=OuterRef("product_id"))
                    .order_by("-received_on").values("received_on")[:1])
    reminded, escalated, cleared = 0, 0, 0
    with transaction.atomic(), audit_context(None, reason="凡备案必采购检查（FIL-3）"):
        rows = (FilingRequest.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=FilingStatus.CONFIRMED, escalated_on__isnull=True)
                .annotate(last_receipt=Subquery(last_receipt)).select_related("product", "institution"))
        for f in rows:
            unpurchased = rules.fil_3_must_buy(f.confirmed_on, f.last_receipt, today, months)
            if not unpurchased:
                if f.unpurchased_since is not None and f.last_receipt:
                    f.unpurchased_since = None
                    f.save(update_fields=["unpurchased_since", "updated_at"])
                    cleared += 1
                continue
            if f.unpurchased_since is None:
                f.unpurchased_since = today
                f.save(update_fields=["unpurchased_since", "updated_at"])
                _event(f, "must_buy_reminded", None, f"备案确认 {months} 个月内无入库记录")
                _notify_institution(f, Text(gettext_noop("备案产品尚未采购：%(product)s"), product=f.product),
                                    Text(gettext_noop("备案 %(number)s 于 %(date)s 确认，%(months)s 个月内无入库记录（凡备案必采购）"),
                                         number=f.number, date=f"{f.confirmed_on:%Y-%m-%d}", months=months),
                                    key=f"filing-must-buy-{f.pk}", level="warning")
                reminded += 1
            elif rules.fil_3_escalate(f.unpurchased_since, today, days):
                f.escalated_on = today
                f.save(update_fields=["escalated_on", "updated_at"])
                _event(f, "must_buy_escalated", None, f"提醒后 {days} 天仍无入库记录，列入未采购名单")
                _notify_body(f, Text(gettext_noop("备案未采购：%(institution)s %(product)s"), institution=f.institution,
                                     product=f.product),
                             Text(gettext_noop("备案 %(number)s 提醒后仍未采购"), number=f.number), key=f"filing-must-buy-escalated-{f.pk}")
                escalated += 1
    return {"reminded": reminded, "escalated": escalated, "cleared": cleared}


# ------------------------------------------------------------------ FIL-C5 payment standard


def payment_standard_set(user, *, product, amount, comparable_standard=None, first_sale_in_province=False,
                         effective_from=None, reason="") -> PaymentStandard:
    """FIL-C5: the insurance regulator (province) sets the payment standard of a filed
    consumable — never the filer; ≤ comparable listed products; a first sale in China in this
    province gets a transition of `fil.c5_transition_years` (≥ 1) years."""
    require(user, "filing.set_payment_standard", message=_("备案耗材的医保支付标准由省医保局确定（FIL-C5）"))
    if product.kind != ProductKind.CONSUMABLE or not FilingRequest.objects.filter(
            product=product, status=FilingStatus.CONFIRMED).exists():
        raise RuleViolation("FIL-C5", _("仅已确认备案的医用耗材可设定备案支付标准"), "product")
    at = _today(effective_from)
    amount = _money(amount, "amount", at)
    comparable = _money(comparable_standard, "comparable_standard", at) if comparable_standard not in (None, "") else None
    _check(rules.fil_c5_standard(amount, comparable), "amount")
    text = _reason(reason)
    until = rules.fil_c5_transition_until(at, bool(first_sale_in_province), policy.get("fil.c5_transition_years", at=at))
    with transaction.atomic(), audit_context(user, reason=f"设定备案耗材医保支付标准：{text}"):
        PaymentStandard.objects.select_for_update().filter(product=product, superseded_at__isnull=True).update(
            superseded_at=timezone.now())
        return PaymentStandard.objects.create(
            product=product, amount=amount, comparable_standard=comparable,
            first_sale_in_province=bool(first_sale_in_province), effective_from=at, transition_until=until,
            set_by=user, reason=text)


# ------------------------------------------------------------------ FIL-4 legacy filings


LEGACY_HEADERS = ["备案类别", "医疗机构名称", "国家医保编码", "备案价格", "采购数量", "备案日期", "原备案平台", "已实际采购"]
LEGACY_FIELDS = ["kind", "institution", "national_code", "price", "quantity", "filed_on", "platform", "purchased"]
LEGACY_KINDS = {"药品": FilingKind.DRUG, "高值医用耗材": FilingKind.HIGH_VALUE, "普通医用耗材": FilingKind.ORDINARY,
                "检验检测试剂": FilingKind.ORDINARY}
MAX_LEGACY_ROWS = 5000


class ImportRefused(InvalidInput):
    """The whole file refused; `errors` lists every offending row (all-or-nothing)."""


def _cell_date(value):
    if isinstance(value, date):
        return value.date() if hasattr(value, "date") and callable(value.date) else value
    return date_or_none(cell_text(value)[:10])


def _read_xlsx(upload):
    if upload is None:
        raise InvalidInput(_("请选择 .xlsx 文件"), "file")
    check_upload(upload, allowed=XLSX_TYPES, field="file")
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InvalidInput(_("无法读取 Excel 文件：%(error)s，请按模板填写") % {"error": exc.__class__.__name__},
                           "file") from None
    rows = list(wb.worksheets[0].iter_rows(values_only=True, max_row=MAX_LEGACY_ROWS + 2))
    wb.close()
    return rows


def legacy_import(user, upload) -> list[FilingRequest]:
    """FIL-4: legacy filings from an .xlsx. Drug rows need a provincial filing before
    `fil.legacy_cutoff` and an actual purchase; consumable rows (former provincial and city
    filings) need neither. Every bad row is reported; nothing is imported unless all are valid.
    They become confirmed filings of their institutions (purchasable under the filing rules)."""
    require(user, "filing.import_legacy", message=_("存量备案由省医保局导入"))
    rows = _read_xlsx(upload)
    header = [cell_text(v) for v in (rows[0] if rows else ())]
    while header and not header[-1]:
        header.pop()
    if header != LEGACY_HEADERS:
        raise InvalidInput(_("表头不符，应为：%(headers)s") % {"headers": "、".join(LEGACY_HEADERS)}, "file")
    if len(rows) > MAX_LEGACY_ROWS + 1:
        raise InvalidInput(_("单个文件最多 %(rows)s 行") % {"rows": MAX_LEGACY_ROWS}, "file")
    today = timezone.localdate()
    cutoff = date.fromisoformat(str(policy.get("fil.legacy_cutoff", at=today)))
    data = [list(r or ()) + [None] * (len(LEGACY_FIELDS) - len(r or ())) for r in rows[1:]]
    names = {cell_text(r[1]) for r in data}
    codes = {cell_text(r[2]) for r in data}
    institutions = {o.name: o for o in Organisation.objects.filter(kind="institution", name__in=names)}
    products = {p.national_code: p for p in Product.objects.filter(national_code__in=codes - {""})}
    open_pairs = set(FilingRequest.objects.filter(product__in=products.values(), status__in=OPEN_STATUSES)
                     .values_list("institution_id", "product_id"))
    errors, valid, seen = [], [], {}
    for number, cells in enumerate(data, start=2):
        if all(cell_text(c) == "" for c in cells[:len(LEGACY_FIELDS)]):
            continue

        def bad(field, detail, number=number):
            errors.append({"row": number, "field": field, "detail": detail})

        kind = LEGACY_KINDS.get(cell_text(cells[0]))
        if kind is None:
            bad("kind", _("备案类别须为 %(kinds)s，实际为“%(value)s”") % {"kinds": "/".join(LEGACY_KINDS),
                                                                     "value": cell_text(cells[0])})
            continue
        institution = institutions.get(cell_text(cells[1]))
        if institution is None:
            bad("institution", _("医疗机构“%(name)s”不在平台") % {"name": cell_text(cells[1])})
            continue
        product = products.get(cell_text(cells[2]))
        if product is None:
            bad("national_code", _("国家医保编码 %(code)s 不在平台目录中") % {"code": cell_text(cells[2]) or _("（空）")})
            continue
        problem = rules.kind_fits_product(kind, product.kind, product.consumable_class)
        if problem:
            bad("kind", problem[1])
            continue
        try:
            price = catalog_rules.check_price(cells[3])
        except catalog_rules.RuleError as exc:
            bad("price", str(exc))
            continue
        quantity_text = cell_text(cells[4]) or "1"
        if not quantity_text.isdigit() or int(quantity_text) <= 0:
            bad("quantity", _("采购数量须为正整数"))
            continue
        filed_on = _cell_date(cells[5])
        if filed_on is None or filed_on > today:
            bad("filed_on", _("备案日期须为不晚于今天的日期（YYYY-MM-DD）"))
            continue
        platform = cell_text(cells[6])
        if platform not in ("省级", "市级"):
            bad("platform", _("原备案平台须为 省级 或 市级"))
            continue
        if kind == FilingKind.DRUG and platform != "省级":
            bad("platform", _("存量药品备案须为在省平台申请的备案（FIL-4）"))
            continue
        purchased = cell_text(cells[7]) in ("是", "Y", "y", "1", "TRUE", "True", "true")
        problem = rules.fil_4_legacy_row(kind, filed_on=filed_on, cutoff=cutoff, purchased=purchased)
        if problem:
            # FIL-4 checks the date before the purchase, so a date within the cut-off means the purchase failed.
            date_problem = filed_on >= cutoff
            bad("filed_on" if date_problem else "purchased", f"{problem[1]}（{problem[0]}）")
            continue
        key = (institution.pk, product.pk)
        if key in open_pairs:
            bad("national_code", _("该机构已有该产品的有效备案"))
            continue
        if key in seen:
            bad("national_code", _("与第 %(row)s 行重复（同一机构、同一产品）") % {"row": seen[key]})
            continue
        seen[key] = number
        valid.append((kind, institution, product, price, int(quantity_text), filed_on, platform))
    if errors:
        raise ImportRefused(_("共 %(count)s 行有误，整份文件未导入。第 %(row)s 行：%(detail)s") % {
            "count": len(errors), "row": errors[0]["row"], "detail": errors[0]["detail"]}, "file", errors=errors)
    if not valid:
        raise InvalidInput(_("文件中没有数据行"), "file")
    created = []
    with transaction.atomic(), audit_context(user, reason=f"导入存量备案 {len(valid)} 条（FIL-4）"):
        for kind, institution, product, price, quantity, filed_on, platform in valid:
            body = ConfirmingBody.CITY if kind == FilingKind.ORDINARY else ConfirmingBody.PROVINCE
            f = FilingRequest.objects.create(
                number=_next_number(today), kind=kind, institution=institution, product=product,
                enterprise=product.manufacturer, price=price, quantity=quantity, status=FilingStatus.CONFIRMED,
                confirmed_on=filed_on, legacy=True, legacy_source=f"{platform}平台存量备案",
                confirming_body=body, confirming_city=institution.city if body == ConfirmingBody.CITY else None,
                evaluation=[f"存量备案（FIL-4），{platform}平台 {filed_on:%Y-%m-%d} 备案"], submitted_by=user)
            _event(f, "legacy_imported", user, f.legacy_source)
            created.append(f)
    return created


# ------------------------------------------------------------------ FIL-C4 into listing


def listing_category(filing) -> str:
    """A filed consumable was not selected before: high-value → LST-C2, ordinary/IVD → LST-C4."""
    return "LST-C2" if filing.kind == FilingKind.HIGH_VALUE else "LST-C4"


def filing_to_listing(user, filing_id, *, documents=None):
    """FIL-C4: the enterprise turns a confirmed consumable filing into a listing application in
    one step, pre-filled from the filing (product, category, the filed price as declared price;
    review city = the filing institution's city for LST-C4). The listing rules decide whether
    the conditions are met. The filing stays valid until the listing takes effect (a platform
    choice: the listing price then becomes the price in force)."""
    require(user, "filing.act_as_enterprise", message=_("仅备案产品的生产企业可申请挂网"))
    filing = FilingRequest.objects.visible_to(user).select_related("product", "institution__city").filter(
        pk=getattr(filing_id, "pk", filing_id)).first()
    if filing is None:
        raise NotFound()
    _check(rules.fil_c4_consumable_only(filing.kind), "kind")
    if filing.status != FilingStatus.CONFIRMED:
        raise Conflict(_("仅已确认的备案可转为挂网申请"), "status", code="FIL-C4")
    category = listing_category(filing)
    with transaction.atomic(), audit_context(user, reason=f"备案 {filing.number} 转挂网申请（FIL-C4）"):
        app = applications.application_submit(
            user=user, product=filing.product, category=category, declared_price=price_in_force(filing),
            documents=documents, note=f"由备案采购 {filing.number} 转入（FIL-C4）",
            review_city=filing.institution.city if category == "LST-C4" else None)
        _event(filing, "listing_application", user, f"挂网申请 #{app.pk}（{category}）")
    return app


def transition_ends_daily(today: date | None = None) -> int:
    """FIL-C5: when a first-sale product's transition ends, a provincial expert access and
    price-negotiation case opens — recorded once on the standard, and the province is told once."""
    today = _today(today)
    opened = 0
    with transaction.atomic(), audit_context(None, reason="备案耗材医保支付过渡期届满（FIL-C5）"):
        rows = (PaymentStandard.objects.select_for_update(skip_locked=True)
                .filter(superseded_at__isnull=True, transition_until__lte=today, negotiation_opened_on__isnull=True)
                .select_related("product"))
        for std in rows:
            std.negotiation_opened_on = today
            std.save(update_fields=["negotiation_opened_on"])
            notify(User.objects.filter(role="province_regulator", is_active=True), kind="filing",
                   title=Text(gettext_noop("医保支付过渡期届满：%(product)s"), product=std.product),
                   body=Text(gettext_noop("过渡期至 %(date)s，请启动省级专家准入和价格谈判（FIL-C5）"),
                             date=f"{std.transition_until:%Y-%m-%d}"),
                   dedupe_key=f"filing-c5-transition-{std.pk}")
            opened += 1
    return opened
