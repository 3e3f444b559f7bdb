"""Writes of shortage and emergency purchasing (RULES §10).

Every service takes the acting user first, checks permission and the rules, then writes in
one transaction with the audit context; a refused request changes no row. Deadlines count
on the official working-day calendar (workcalendar), provisional in a year not yet known."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import load_workbook

from catalog.models import Product
from core.audit import audit_context
from core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from core.parsing import clean_date, clean_text
from core.permissions import require
from core.uploads import DOCUMENT_TYPES, XLSX_TYPES, check_upload
from listing.models import Listing
from notifications.models import Notification
from notifications.recipients import city_regulators, province_regulators, users_of
from notifications.services import notify
from notifications.text import Text, as_choice
from orders.services.ordering import offplatform_create
from parties.models import Organisation, Role
from policy.services import get as policy_get
from qualifications.selectors import blocking_qualifications
from workcalendar.services import add_working_days

from . import rules, selectors
from .models import (
    EMERGENCY_AWAITING,
    NEED_LIVE,
    EmergencyDocument,
    EmergencyKind,
    EmergencyMeasure,
    EmergencyPurchase,
    EmergencyStatus,
    ListKind,
    NeedDocument,
    NeedStatus,
    Scope,
    ShortageList,
    ShortageListEntry,
    ShortageNeed,
    ShortageNegotiation,
)

TEXT_LIMIT = 2000
MAX_LIST_ROWS = 5000
LIST_HEADERS = ("通用名", "剂型", "规格", "国家医保药品编码", "备注")


def _today() -> date:
    return timezone.localdate()


def _institution_of(user, rule):
    require(user, "shortage.declare", message=_("仅医疗机构可以办理（%(rule)s）") % {"rule": rule}, rule=rule)
    return user.organisation


def _source_of(user) -> str:
    return "api" if user.role == Role.HIS else "web"


def _check_document(upload, field):
    if upload is None:
        return None
    check_upload(upload, allowed=DOCUMENT_TYPES, max_bytes=policy_get("sys.upload_max_mb") * 1024 * 1024,
                 field=field)
    return upload


# === SHO-1 shortage lists ======================================================================


def _cell_text(value) -> str:
    return "" if value is None else str(value).strip()


def parse_list_rows(upload) -> list[dict]:
    """Read a shortage list .xlsx (first sheet; header row 通用名/剂型/规格/国家医保药品编码/备注).
    Every row's problems are collected; any problem refuses the whole file (all or nothing)."""
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a broken file; the user needs one message
        raise InvalidInput(_("无法读取该 Excel 文件，请确认是 .xlsx 格式"), "file") from None
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = [_cell_text(c) for c in next(rows, ())]
        missing = [h for h in LIST_HEADERS[:2] if h not in header]
        if missing:
            raise InvalidInput(_("表头缺少：%(missing)s（应为：%(headers)s）") % {
                "missing": "、".join(missing), "headers": "、".join(LIST_HEADERS)}, "file")
        col = {h: header.index(h) for h in LIST_HEADERS if h in header}
        out, errors, seen = [], [], {}
        for n, raw in enumerate(rows, start=2):
            if n - 1 > MAX_LIST_ROWS:
                raise InvalidInput(_("一次最多导入 %(rows)s 行") % {"rows": MAX_LIST_ROWS}, "file")
            values = {h: _cell_text(raw[i]) if i < len(raw) else "" for h, i in col.items()}
            if not any(values.values()):
                continue
            name, form = values.get("通用名", ""), values.get("剂型", "")
            spec, code = values.get("规格", ""), values.get("国家医保药品编码", "")

            def err(field, detail, n=n):
                errors.append({"line": n, "code": "SHO-1", "field": field, "detail": detail})

            if not name:
                err("通用名", _("通用名不能为空"))
            elif len(name) > 200:
                err("通用名", _("通用名过长（最多 200 字）"))
            if not form:
                err("剂型", _("剂型不能为空"))
            elif len(form) > 50:
                err("剂型", _("剂型过长（最多 50 字）"))
            if code and not (len(code) == 23 and code[0] in "XZ" and code.isalnum() and code.isupper()):
                err("国家医保药品编码", _("国家医保药品编码“%(code)s”格式不正确（23 位，以 X 或 Z 开头）") % {"code": code})
            key = (name, form, spec)
            if name and form and key in seen:
                err("通用名", _("与第 %(row)s 行重复") % {"row": seen[key]})
            seen.setdefault(key, n)
            out.append({"row": n, "generic_name": name, "dosage_form": form, "specification": spec[:200],
                        "national_code": code, "note": values.get("备注", "")[:200]})
    finally:
        wb.close()
    if errors:
        first = errors[0]
        raise InvalidInput(_("共 %(count)s 处错误，整个文件未导入。第 %(line)s 行（%(field)s）：%(detail)s") % {
            "count": len(errors), "line": first["line"], "field": first["field"], "detail": first["detail"]},
            "file", code="SHO-1", errors=errors)
    if not out:
        raise InvalidInput(_("文件中没有任何品种"), "file", code="SHO-1")
    return out


def list_import(user, *, kind, source, effective_from, upload) -> ShortageList:
    """SHO-1: import an issue of the shortage list or the shortage-watch list published by the
    provincial health commission (source = the document number). The previous issue of the
    same list ends the day before this one takes effect; the history stays."""
    require(user, "shortage.import_lists", message=_("仅省医保局可以导入短缺药品清单（SHO-1）"), rule="SHO-1")
    if kind not in ListKind.values:
        raise InvalidInput(_("请选择清单类型（短缺药品清单或易短缺药品重点监测清单）"), "kind")
    source = clean_text(source, "source", 200, required=_("请填写发布来源（省卫生健康委文号）"))
    effective_from = clean_date(effective_from, "effective_from", required=_("请填写生效日期"))
    if upload is None:
        raise InvalidInput(_("请选择要导入的 .xlsx 文件"), "file")
    check_upload(upload, allowed=XLSX_TYPES, field="file")
    rows = parse_list_rows(upload)
    label = ListKind(kind).label
    with transaction.atomic(), audit_context(user, reason=f"SHO-1 导入{label}（{source}，{effective_from} 起）"):
        if ShortageList.objects.filter(kind=kind, effective_from=effective_from).exists():
            raise Conflict(_("%(list)s已有 %(date)s 生效的一期，请核对生效日期") % {"list": label, "date": effective_from},
                           "effective_from")
        previous = list(ShortageList.objects.select_for_update().filter(kind=kind, effective_from__lt=effective_from)
                        .exclude(effective_to__lt=effective_from))
        later = ShortageList.objects.filter(kind=kind, effective_from__gt=effective_from).order_by("effective_from").first()
        issue = ShortageList.objects.create(
            kind=kind, source=source, effective_from=effective_from,
            effective_to=(later.effective_from - timedelta(days=1)) if later else None,
            file_name=str(getattr(upload, "name", ""))[:200], entry_count=len(rows), imported_by=user,
        )
        for prev in previous:
            prev.effective_to = effective_from - timedelta(days=1)
            prev.save(update_fields=["effective_to"])
        ShortageListEntry.objects.bulk_create([ShortageListEntry(shortage_list=issue, **r) for r in rows])
    return issue


# === SHO-1 self-sourcing ========================================================================


def _need_recipients_enterprises(generic_name):
    makers = Organisation.objects.filter(products__generic_name=generic_name, kind="manufacturer").distinct()
    users = []
    for org in makers:
        users.extend(users_of(org))
    return users


def need_create(user, *, generic_name, dosage_form, specification="", quantity, note="") -> ShortageNeed:
    """SHO-1: an institution raises a purchasing need for a drug on the shortage list or the
    shortage-watch list that no enterprise has listed. The province and the manufacturers of
    that generic see it."""
    institution = _institution_of(user, "SHO-1")
    generic_name = clean_text(generic_name, "generic_name", 200, required=_("请填写通用名"))
    dosage_form = clean_text(dosage_form, "dosage_form", 50, required=_("请填写剂型"))
    specification = clean_text(specification, "specification", 200)
    try:
        quantity = int(str(quantity).strip())
    except (TypeError, ValueError):
        raise InvalidInput(_("需求数量须为正整数"), "quantity") from None
    if quantity <= 0 or quantity > 10_000_000:
        raise InvalidInput(_("需求数量须为 1 至 10000000 之间的整数"), "quantity")
    note = clean_text(note, "note", TEXT_LIMIT)
    today = _today()
    entries = selectors.lists_for_drug(generic_name, dosage_form, specification, today)
    kinds = {e.shortage_list.kind for e in entries}
    listed = selectors.drug_listed(generic_name, dosage_form, specification)
    ok, why = rules.sho1_eligible(kind="drug", on_shortage_list=ListKind.SHORTAGE in kinds,
                                  on_watch_list=ListKind.WATCH in kinds, listed=listed is not None)
    if not ok:
        raise RuleViolation("SHO-1", why, "generic_name")
    with transaction.atomic(), audit_context(user, reason=f"SHO-1 提出短缺药品采购需求：{generic_name}"):
        try:
            with transaction.atomic():
                need = ShortageNeed.objects.create(
                    institution=institution, list_entry=entries[0], generic_name=generic_name, dosage_form=dosage_form,
                    specification=specification, quantity=quantity, note=note, created_by=user,
                )
        except IntegrityError:
            raise Conflict(_("本机构已有该药品的采购需求在办理中"), "generic_name") from None
    title = Text(gettext_noop("短缺药品采购需求：%(need)s（%(institution)s）"), need=need, institution=institution)
    body = Text(gettext_noop("%(institution)s 提出 %(need)s 采购需求 %(quantity)s（%(list)s）。"), institution=institution,
                need=need, quantity=quantity, list=as_choice(entries[0].shortage_list, "kind"))
    notify(province_regulators(), kind="shortage.need_created", title=title, body=body, target=need,
           dedupe_key=f"shortage:need:{need.pk}:created")
    notify(_need_recipients_enterprises(generic_name), kind="shortage.need_created", title=title,
           body=Text(gettext_noop("%(body)s贵企业生产该通用名药品，可与该医疗机构联系供货。"), body=body), target=need,
           dedupe_key=f"shortage:need:{need.pk}:created")
    return need


def _own_need(user, need, rule="SHO-1") -> ShortageNeed:
    institution = _institution_of(user, rule)
    if need.institution_id != institution.pk:
        raise Forbidden(_("只能办理本机构的短缺药品采购需求（SHO-1）"), code=rule)
    return institution


def need_record_negotiation(user, need, *, enterprise, price, quantity, held_on, note="", evidence=None):
    """SHO-1: record an offline negotiation (enterprise, price, quantity, evidence)."""
    _own_need(user, need)
    price = rules.parse_money(price, rules.PRICE_PLACES)
    if price is None:
        raise RuleViolation("SHO-1", _("议价价格须为大于 0 的数值，最多 4 位小数"), "price")
    if price > policy_get("sys.price_ceiling_yuan"):
        raise InvalidInput(_("价格超过单价上限，请核对"), "price")
    try:
        quantity = int(str(quantity).strip())
    except (TypeError, ValueError):
        raise InvalidInput(_("数量须为正整数"), "quantity") from None
    if quantity <= 0:
        raise InvalidInput(_("数量须为正整数"), "quantity")
    held_on = clean_date(held_on, "held_on", required=_("请填写议价日期"))
    if held_on > _today():
        raise InvalidInput(_("议价日期不能晚于今天"), "held_on")
    if not isinstance(enterprise, Organisation) or enterprise.kind != "manufacturer":
        raise InvalidInput(_("请选择药品生产企业"), "enterprise")
    _check_document(evidence, "evidence")
    note = clean_text(note, "note", TEXT_LIMIT)
    with transaction.atomic(), audit_context(user, reason=f"SHO-1 记录线下议价：{enterprise} {price} 元"):
        need = ShortageNeed.objects.select_for_update().get(pk=need.pk)
        if need.status != NeedStatus.OPEN:
            raise Conflict(_("需求当前状态为“%(status)s”，不能再记录议价") % {"status": need.get_status_display()})
        return ShortageNegotiation.objects.create(need=need, enterprise=enterprise, price=price, quantity=quantity,
                                                  held_on=held_on, note=note, evidence=evidence or "",
                                                  recorded_by=user)


def need_report(user, need, *, product, price, supply_commitment=None, quality_commitment=None,
                other=None) -> ShortageNeed:
    """SHO-1: report the negotiated result with the documents the text names (A qualifications,
    B price + supply-and-price-stability commitment, C quality commitment, D national code).
    When the automatic checks pass, the drug is purchasable through the platform by this
    institution at the reported price at once (or after the province's confirmation, when
    `sho.pre_approval_required` is on); the province reviews afterwards."""
    institution = _own_need(user, need)
    today = _today()
    if not isinstance(product, Product) or product.kind != "drug":
        raise InvalidInput(_("请选择供应的药品（目录中的产品）"), "product")
    if (product.generic_name, product.dosage_form) != (need.generic_name, need.dosage_form) or (
            need.specification and product.specification != need.specification):
        raise RuleViolation("SHO-1", _("所选产品“%(product)s”与需求药品“%(need)s”不一致") % {"product": product, "need": need},
                            "product")
    price_value = rules.parse_money(price, rules.PRICE_PLACES)
    _check_document(supply_commitment, "supply_commitment")
    _check_document(quality_commitment, "quality_commitment")
    _check_document(other, "other")
    documents = {code for code, f in (("supply_commitment", supply_commitment),
                                      ("quality_commitment", quality_commitment)) if f is not None}
    kinds = selectors.list_kinds_for_drug(product.generic_name, product.dosage_form, product.specification, today)
    listed = selectors.drug_listed(product.generic_name, product.dosage_form, product.specification)
    problems = rules.sho1_report_problems(
        documents=documents, national_code=product.national_code,
        qualifications_ok=not blocking_qualifications(product.manufacturer, today),
        on_list=bool(kinds), listed=listed is not None, price=price_value,
    )
    if problems:
        field, detail = problems[0]
        raise RuleViolation("SHO-1", detail, field)
    if price_value > policy_get("sys.price_ceiling_yuan"):
        raise InvalidInput(_("价格超过单价上限，请核对"), "price")
    at_once = rules.sho1_purchasable_at_once(policy_get("sho.pre_approval_required", at=today))
    with transaction.atomic(), audit_context(user, reason=f"SHO-1 上报议价结果：{product} {price_value} 元"):
        need = ShortageNeed.objects.select_for_update().get(pk=need.pk)
        if need.status != NeedStatus.OPEN:
            raise Conflict(_("需求当前状态为“%(status)s”，不能上报") % {"status": need.get_status_display()})
        need.product, need.price = product, price_value
        need.reported_at, need.reported_by = timezone.now(), user
        need.status = NeedStatus.PURCHASABLE if at_once else NeedStatus.PENDING_APPROVAL
        need.purchasable_from = today if at_once else None
        need.save()
        for code, f in (("supply_commitment", supply_commitment), ("quality_commitment", quality_commitment),
                        ("other", other)):
            if f is not None:
                NeedDocument.objects.create(need=need, code=code, file=f, original_name=str(f.name)[:200],
                                            uploaded_by=user)
    notify(province_regulators(), kind="shortage.need_reported",
           title=Text(gettext_noop("短缺药品议价结果待审核：%(need)s（%(institution)s）"), need=need, institution=institution),
           body=Text(gettext_noop("%(institution)s 上报 %(product)s（%(manufacturer)s）议价 %(price)s 元。已通过自动校验，可在平台采购；请事后审核。")
                     if at_once else
                     gettext_noop("%(institution)s 上报 %(product)s（%(manufacturer)s）议价 %(price)s 元。须经省医保局确认后方可采购。"),
                     institution=institution, product=product, manufacturer=product.manufacturer, price=price_value),
           target=need, dedupe_key=f"shortage:need:{need.pk}:reported")
    return need


def need_review(user, need, *, ok: bool, note="") -> ShortageNeed:
    """SHO-1: the province reviews a reported result (afterwards by default; as a blocking
    confirmation when the parameter is on). A failed review stops platform purchases."""
    require(user, "shortage.review_need", message=_("仅省医保局可以审核短缺药品议价结果（SHO-1）"), rule="SHO-1")
    note = clean_text(note, "note", TEXT_LIMIT, required=None if ok else _("审核不通过须填写理由"))
    with transaction.atomic(), audit_context(user, reason=f"SHO-1 审核议价结果：{'通过' if ok else '不通过'} {note}"):
        need = ShortageNeed.objects.select_for_update().get(pk=need.pk)
        if need.status not in (NeedStatus.PURCHASABLE, NeedStatus.PENDING_APPROVAL) or need.reviewed_at:
            raise Conflict(_("需求当前状态为“%(status)s”，不能审核") % {"status": need.get_status_display()})
        need.reviewed_at, need.reviewed_by, need.review_ok, need.review_note = timezone.now(), user, ok, note
        if not ok:
            need.status = NeedStatus.WITHDRAWN
        elif need.status == NeedStatus.PENDING_APPROVAL:
            need.status, need.purchasable_from = NeedStatus.PURCHASABLE, _today()
        need.save()
    notify(users_of(need.institution), kind="shortage.need_reviewed",
           level=Notification.Level.INFO if ok else Notification.Level.WARNING,
           title=Text(gettext_noop("短缺药品议价结果审核通过：%(need)s") if ok
                      else gettext_noop("短缺药品议价结果审核未通过：%(need)s"), need=need),
           body=note or "", target=need, dedupe_key=f"shortage:need:{need.pk}:reviewed")
    return need


def need_takeover(listing) -> list[ShortageNeed]:
    """SHO-1: a listing that appears later for the same drug takes over — live needs end
    (purchases go through the listing) and each institution is told. Idempotent."""
    if listing.status != "active":
        return []
    product = Product.objects.get(pk=listing.product_id)
    if product.kind != "drug":
        return []
    done = []
    with transaction.atomic(), audit_context(reason=f"SHO-1 已有企业挂网（挂网记录 #{listing.pk}），转挂网采购"):
        needs = (ShortageNeed.objects.select_for_update(skip_locked=True)
                 .filter(status__in=NEED_LIVE, generic_name=product.generic_name, dosage_form=product.dosage_form)
                 .filter(specification__in=["", product.specification]))
        for need in needs:
            need.status, need.superseded_at, need.superseded_by_listing = NeedStatus.SUPERSEDED, timezone.now(), listing
            need.save()
            done.append(need)
    for need in done:
        notify(users_of(need.institution), kind="shortage.need_superseded", level=Notification.Level.WARNING,
               title=Text(gettext_noop("%(need)s 已有企业挂网，请通过挂网采购"), need=need),
               body=Text(gettext_noop("%(product)s（%(manufacturer)s）已于 %(date)s 在省平台挂网，"
                                      "挂网价 %(price)s 元；本机构的短缺药品自主采购结果不再适用（SHO-1）。"),
                         product=product, manufacturer=product.manufacturer, date=f"{listing.effective_date:%Y-%m-%d}",
                         price=listing.price),
               target=need, dedupe_key=f"shortage:need:{need.pk}:superseded")
    return done


def needs_takeover_sweep() -> int:
    """Safety net of the daily job: live needs whose drug has meanwhile been listed."""
    count = 0
    for need in ShortageNeed.objects.live().order_by("pk"):
        listing = (Listing.objects.orderable().filter(product__kind="drug", product__generic_name=need.generic_name,
                                                      product__dosage_form=need.dosage_form)
                   .filter(**({"product__specification": need.specification} if need.specification else {}))
                   .order_by("effective_date", "id").first())
        if listing is not None:
            count += len(need_takeover(listing))
    return count


# === EMG-1 emergency purchases ==================================================================


def _scope_on(kind, product, purchase_date) -> tuple[bool, str]:
    """EMG-2: (listed or in the catalogue on the purchase date, automatic scope)."""
    if product is None:
        return False, Scope.IN
    listed = selectors.listed_on(product.pk, purchase_date)
    in_catalogue = kind == "consumable" and selectors.in_sunshine_catalogue_on(product.pk, purchase_date)
    in_scope = rules.emg2_in_scope(kind, listed_on_date=listed, in_catalogue_on_date=in_catalogue)
    return listed or in_catalogue, Scope.IN if in_scope else Scope.OUT


def _emergency_number(case) -> str:
    return f"YJ{case.purchase_date:%Y}{case.pk:07d}"


def _notify_institution(case, *, kind, title, body, level=Notification.Level.REMINDER, key):
    return notify(users_of(case.institution), kind=kind, title=title, body=body, level=level, target=case,
                  dedupe_key=f"shortage:emergency:{case.pk}:{key}")


def _regulators_of(case):
    return [*city_regulators(case.institution.city), *province_regulators()]


def emergency_declare(user, *, kind, item_name="", product=None, national_code="", supplier, emergency_kind,
                      emergency_note, clinical_necessity="", approved_by, approval_date, purchase_date, quantity,
                      amount, insurance_paid="0", approval_document=None) -> EmergencyPurchase:
    """EMG-1: an institution declares an offline purchase made first in an emergency (browser
    or HIS API). The formalities fall due `emg.formalities_working_days` (20) working days
    after the purchase date; the institution is reminded at once. A product that was listed
    (drugs) or in the sunshine catalogue (consumables) on the purchase date is accepted and
    marked out of scope (EMG-2), never refused. The purchase also enters the institution's
    off-platform purchases (MON-1 denominator)."""
    institution = _institution_of(user, "EMG-1")
    today = _today()
    if kind not in ("drug", "consumable"):
        raise RuleViolation("EMG-1", _("类别须为药品（drug）或医用耗材（consumable）"), "kind")
    national_code = clean_text(national_code, "national_code", 27)
    if product is None and national_code:
        product = Product.objects.filter(national_code=national_code).first()
    if product is not None and product.kind != kind:
        raise InvalidInput(_("产品“%(product)s”的类别与申报类别不一致") % {"product": product}, "product")
    item_name = clean_text(item_name, "item_name", 200) or (str(product) if product else "")
    if not item_name:
        raise InvalidInput(_("请填写品名规格（或选择目录中的产品）"), "item_name")
    supplier = clean_text(supplier, "supplier", 200, required=_("请填写供应企业"))
    if emergency_kind not in EmergencyKind.values:
        raise InvalidInput(_("请选择紧急情况（疫情防控、急抢救或其他）"), "emergency_kind")
    emergency_note = clean_text(emergency_note, "emergency_note", TEXT_LIMIT)
    clinical_necessity = clean_text(clinical_necessity, "clinical_necessity", TEXT_LIMIT)
    approved_by = clean_text(approved_by, "approved_by", 50)
    purchase_date = clean_date(purchase_date, "purchase_date", required=_("请填写采购日期"))
    approval_date = clean_date(approval_date, "approval_date", required=None)
    problems = rules.emg1_problems(rules.Declaration(
        kind=kind, purchase_date=purchase_date, today=today, approved_by=approved_by, approval_date=approval_date,
        clinical_necessity=clinical_necessity, emergency=emergency_note,
    ))
    if problems:
        field, detail = problems[0]
        raise RuleViolation("EMG-1", detail, field)
    amount_value = _emg1_value(rules.emg1_amount, amount, "amount")
    quantity_value = _emg1_value(rules.emg1_quantity, quantity, "quantity")
    paid = _emg1_value(lambda raw: rules.emg1_insurance_paid(raw, amount_value), insurance_paid, "insurance_paid")
    _check_document(approval_document, "approval_document")
    listed, scope_auto = _scope_on(kind, product, purchase_date)
    days = policy_get("emg.formalities_working_days", at=purchase_date)
    formalities = rules.emg1_formalities_kind(kind, policy_get("emg.drug_formalities_kind", at=purchase_date))
    with transaction.atomic(), audit_context(user, reason=f"EMG-1 申报应急采购：{item_name}"):
        off = offplatform_create(user, items=[{
            "national_code": product.national_code if product and product.national_code else "",
            "item_name": item_name, "kind": kind, "amount": str(amount_value), "quantity": str(quantity_value),
            "received_on": purchase_date.isoformat(), "reason": "emergency",
            "note": f"应急采购申报（{EmergencyKind(emergency_kind).label}）",
        }])[0]
        case = EmergencyPurchase(
            number=uuid.uuid4().hex[:20], institution=institution, kind=kind, product=product, item_name=item_name,
            national_code=national_code or (product.national_code or "" if product else ""), supplier=supplier,
            emergency_kind=emergency_kind, emergency_note=emergency_note, clinical_necessity=clinical_necessity,
            approved_by=approved_by, approval_date=approval_date, purchase_date=purchase_date,
            quantity=quantity_value, amount=amount_value, insurance_paid=paid, source=_source_of(user),
            offplatform=off, formalities_kind=formalities, listed_on_purchase_date=listed, scope_auto=scope_auto,
            created_by=user,
        )
        case.set_deadline(rules.emg1_due_start(purchase_date), days)
        case.save()
        case.number = _emergency_number(case)
        case.save(update_fields=["number"])
        if approval_document is not None:
            EmergencyDocument.objects.create(case=case, code=EmergencyDocument.Code.APPROVAL, file=approval_document,
                                             original_name=str(approval_document.name)[:200], uploaded_by=user)
    provisional = Text(gettext_noop("（暂定：该年度工作日历尚未确认，确认后自动重算）")) if case.due_provisional else ""
    out = Text(gettext_noop("系统判定：该产品采购当日已在省平台挂网或在阳光采购目录内，标记为超范围应急采购，待医保部门认定。"))
    _notify_institution(
        case, kind="shortage.emergency_declared", key="declared",
        title=Text(gettext_noop("应急采购 %(number)s：请于 %(due)s 前补办备案采购手续%(provisional)s") if formalities == "filing"
                   else gettext_noop("应急采购 %(number)s：请于 %(due)s 前补办有关手续%(provisional)s"), number=case.number,
                   due=f"{case.due:%Y-%m-%d}", provisional=provisional),
        body=Text(gettext_noop("%(item)s（采购日期 %(date)s）须在 %(days)s 个工作日内（%(due)s 前）在平台补办备案采购手续"
                               "%(provisional)s。%(scope)s") if formalities == "filing"
                  else gettext_noop("%(item)s（采购日期 %(date)s）须在 %(days)s 个工作日内（%(due)s 前）在平台补办有关手续"
                                    "%(provisional)s。%(scope)s"), item=item_name, date=f"{purchase_date:%Y-%m-%d}", days=days,
                  due=f"{case.due:%Y-%m-%d}", provisional=provisional,
                  scope=out if scope_auto == Scope.OUT else ""),
    )
    return case


def _emg1_value(check, raw, field):
    try:
        return check(raw)
    except ValueError as exc:
        raise RuleViolation("EMG-1", str(exc), field) from None


def emergency_declare_allowed(user):
    """EMG-1: refuse (403) anyone but an institution. The API asks before it validates the body,
    so a refused caller learns that first, whatever it sent."""
    _institution_of(user, "EMG-1")


def formalities_allowed(user, case):
    """EMG-1: refuse (403) anyone but the case's own institution (asked by the API first)."""
    _case_for_institution(user, case)


def _case_for_institution(user, case) -> EmergencyPurchase:
    institution = _institution_of(user, "EMG-1")
    if case.institution_id != institution.pk:
        raise Forbidden(_("只能为本机构的应急采购补办手续（EMG-1）"), code="EMG-1")
    return case


def _complete(case, *, ref, note_user, reason, documents=(), uploader=None) -> EmergencyPurchase:
    with transaction.atomic(), audit_context(note_user, reason=reason):
        case = EmergencyPurchase.objects.select_for_update().get(pk=case.pk)
        if case.status not in EMERGENCY_AWAITING:
            raise Conflict(_("应急采购当前状态为“%(status)s”，不能补办手续") % {"status": case.get_status_display()})
        case.formalities_ref = ref
        case.formalities_at = timezone.now()
        case.formalities_late = rules.emg1_formalities_late(_today(), case.due)
        case.status = EmergencyStatus.COMPLETED
        case.save()
        for f in documents:
            EmergencyDocument.objects.create(case=case, code=EmergencyDocument.Code.FORMALITIES, file=f,
                                             original_name=str(f.name)[:200], uploaded_by=uploader or note_user)
    notify(_regulators_of(case), kind="shortage.emergency_completed",
           title=Text(gettext_noop("应急采购 %(number)s 已补办手续，待审核（逾期补办）") if case.formalities_late
                      else gettext_noop("应急采购 %(number)s 已补办手续，待审核"), number=case.number),
           body=Text(gettext_noop("%(institution)s：%(item)s，%(amount)s 元；手续：%(ref)s。"), institution=case.institution,
                     item=case.item_name, amount=case.amount, ref=ref), target=case,
           dedupe_key=f"shortage:emergency:{case.pk}:completed")
    return case


def emergency_complete_formalities(user, case, *, ref, documents=()) -> EmergencyPurchase:
    """EMG-1: the institution completes the formalities on the platform (for a consumable the
    after-the-fact filing, referenced by its filing number; for a drug the formalities of
    `emg.drug_formalities_kind`), with the documents. Late completion is kept as such."""
    _case_for_institution(user, case)
    ref = clean_text(ref, "ref", 200, required=_("请填写手续编号或说明（如备案编号）"))
    documents = [d for d in documents if d is not None]
    if not documents:
        raise RuleViolation("EMG-1", _("请上传补办手续材料（采购凭证、审批材料等）"), "documents")
    for d in documents:
        _check_document(d, "documents")
    return _complete(case, ref=ref, note_user=user, reason=f"EMG-1 补办应急采购手续：{ref}", documents=documents)


def emergency_formalities_completed(case, ref) -> EmergencyPurchase | None:
    """EMG-1, receiver-ready: the filing channel reports that the after-the-fact filing for
    this emergency case was confirmed (see shortage.receivers). Idempotent: a case already
    completed or closed is left alone (returns None)."""
    case = EmergencyPurchase.objects.filter(pk=getattr(case, "pk", case)).first()
    if case is None or case.status not in EMERGENCY_AWAITING:
        return None
    try:
        return _complete(case, ref=clean_text(ref, "ref", 200) or "备案采购", note_user=None,
                         reason=f"EMG-1 补办备案采购手续已确认：{ref}")
    except Conflict:
        return None


def emergency_review(user, case, *, scope, note="", close=True) -> EmergencyPurchase:
    """EMG-2: the regulator confirms the case in or out of scope and (by default) closes it.
    Out of scope: insurance-paid part × `emg.deduction_ratio_percent` (in force on the purchase date)
    is recorded, to be deducted at settlement of the purchase year (INS-5, EMG-2)."""
    require(user, "shortage.decide_emergency", message=_("仅医保部门可以认定应急采购（%(rule)s）") % {"rule": "EMG-2"},
            rule="EMG-2")
    require(user, "shortage.view_emergency", case,
            message=_("该医疗机构不在本部门管辖范围内（%(rule)s）") % {"rule": "EMG-2"}, rule="EMG-2")
    if scope not in Scope.values:
        raise InvalidInput(_("请认定是否符合应急采购范围"), "scope")
    note = clean_text(note, "note", TEXT_LIMIT, required=_("超范围认定须填写意见") if scope == Scope.OUT else None)
    with transaction.atomic(), audit_context(user, reason=f"EMG-2 认定应急采购{Scope(scope).label}：{note}"):
        case = EmergencyPurchase.objects.select_for_update().get(pk=case.pk)
        if case.status == EmergencyStatus.CLOSED:
            raise Conflict(_("该应急采购已办结"))
        if close and case.status != EmergencyStatus.COMPLETED:
            raise RuleViolation("EMG-1", _("尚未补办手续，不能办结；可先认定范围"), "scope")
        case.scope, case.scope_note = scope, note
        case.scope_decided_by, case.scope_decided_at = user, timezone.now()
        if scope == Scope.OUT:
            # One EMG-2 ratio for the platform (percent), shared with monitoring and insurance.
            ratio = Decimal(policy_get("emg.deduction_ratio_percent", at=case.purchase_date)) / 100
            case.deduction_ratio = ratio
            case.deduction_amount = rules.emg2_deduction(case.insurance_paid, ratio, in_scope=False)
            case.deduction_year = case.purchase_date.year
        else:
            case.deduction_ratio = case.deduction_amount = case.deduction_year = None
        if close:
            case.status, case.closed_at, case.closed_by = EmergencyStatus.CLOSED, timezone.now(), user
        case.save()
    _notify_institution(
        case, kind="shortage.emergency_reviewed", key=f"reviewed:{case.scope_decided_at:%Y%m%d%H%M%S}",
        level=Notification.Level.WARNING if scope == Scope.OUT else Notification.Level.INFO,
        title=Text(gettext_noop("应急采购 %(number)s：%(scope)s，已办结") if close
                   else gettext_noop("应急采购 %(number)s：%(scope)s"), number=case.number, scope=Scope(scope).label),
        body=(Text(gettext_noop("按规定比例 %(ratio)s 在医保总额结算时扣除 %(amount)s 元（EMG-2）。%(note)s"),
                   ratio=case.deduction_ratio, amount=case.deduction_amount, note=note)
              if scope == Scope.OUT else note),
    )
    return case


def emergency_add_measure(user, case, *, kind, note, rectification_failed=False) -> EmergencyMeasure:
    """EMG-2 / MON-5 (004 §三): a consequence of an out-of-scope case — reminder, interview,
    rectification order; failed rectification → referral to the supervisory body at the
    same level; inspection results published (通报)."""
    require(user, "shortage.decide_emergency", message=_("仅医保部门可以认定应急采购（%(rule)s）") % {"rule": "MON-5"},
            rule="MON-5")
    require(user, "shortage.view_emergency", case,
            message=_("该医疗机构不在本部门管辖范围内（%(rule)s）") % {"rule": "MON-5"}, rule="MON-5")
    note = clean_text(note, "note", TEXT_LIMIT, required=_("请填写处理内容"))
    with transaction.atomic(), audit_context(user, reason=f"MON-5 超范围应急采购处理：{kind}"):
        case = EmergencyPurchase.objects.select_for_update().get(pk=case.pk)
        previous = list(case.measures.values_list("kind", flat=True))
        failed = bool(rectification_failed) or case.measures.filter(rectification_failed=True).exists()
        ok, why = rules.emg2_measure_allowed(kind, out_of_scope=case.out_of_scope, previous=previous,
                                             rectification_failed=failed)
        if not ok:
            raise RuleViolation("MON-5", why, "kind")
        measure = EmergencyMeasure.objects.create(case=case, kind=kind, note=note,
                                                  rectification_failed=bool(rectification_failed), decided_by=user)
    _notify_institution(case, kind="shortage.emergency_measure", level=Notification.Level.WARNING,
                        key=f"measure:{measure.pk}",
                        title=Text(gettext_noop("超范围应急采购 %(number)s：%(measure)s"), number=case.number,
                                   measure=as_choice(measure, "kind")),
                        body=note)
    return measure


# --- the daily job -------------------------------------------------------------------------------


def emergency_send_reminders(today: date) -> int:
    """EMG-1: remind the institution `emg.reminder_working_days_before` (5) working days
    before the due date (once per case: dedupe key)."""
    n = policy_get("emg.reminder_working_days_before", at=today)
    horizon = add_working_days(today, n)
    sent = 0
    for case in EmergencyPurchase.objects.filter(status=EmergencyStatus.OPEN, due__gte=today, due__lte=horizon) \
            .select_related("institution"):
        delivered = _notify_institution(
            case, kind="shortage.emergency_reminder", key="reminder",
            title=Text(gettext_noop("应急采购 %(number)s 补办手续即将到期（%(due)s）"), number=case.number,
                       due=f"{case.due:%Y-%m-%d}"),
            body=Text(gettext_noop("%(item)s：请在 %(due)s 前补办手续；逾期将提示医保部门（EMG-1）。"), item=case.item_name,
                      due=f"{case.due:%Y-%m-%d}"),
        )
        sent += bool(delivered)
        if delivered and case.reminded_at is None:
            EmergencyPurchase.objects.filter(pk=case.pk, reminded_at__isnull=True).update(reminded_at=timezone.now())
    return sent


def emergency_mark_overdue(today: date, batch: int = 200) -> list[int]:
    """EMG-1: open cases whose due date has passed become overdue and the city and province
    regulators are told, once per case. Rows are claimed with SELECT … FOR UPDATE SKIP
    LOCKED and only OPEN rows match, so a second run, or a second worker, changes nothing."""
    marked = []
    while True:
        with transaction.atomic(), audit_context(reason="定时任务：EMG-1 应急采购逾期未补办手续"):
            claimed = list(EmergencyPurchase.objects.select_for_update(skip_locked=True, of=("self",))
                           .filter(status=EmergencyStatus.OPEN, due__lt=today)
                           .select_related("institution__city").order_by("due", "id")[:batch])
            for case in claimed:
                case.status, case.overdue_at = EmergencyStatus.OVERDUE, timezone.now()
                case.save(update_fields=["status", "overdue_at"])
                notify(_regulators_of(case), kind="shortage.emergency_overdue", level=Notification.Level.WARNING,
                       title=Text(gettext_noop("应急采购逾期未补办手续：%(institution)s %(number)s"),
                                  institution=case.institution, number=case.number),
                       body=Text(gettext_noop("%(item)s，采购日期 %(date)s，金额 %(amount)s 元；"
                                              "补办手续截止 %(due)s，医疗机构未补办（EMG-1）。"), item=case.item_name,
                                 date=f"{case.purchase_date:%Y-%m-%d}", amount=case.amount, due=f"{case.due:%Y-%m-%d}"),
                       target=case, dedupe_key=f"shortage:emergency:{case.pk}:overdue")
                _notify_institution(case, kind="shortage.emergency_overdue", level=Notification.Level.WARNING,
                                    key="overdue",
                                    title=Text(gettext_noop("应急采购 %(number)s 已逾期，已提示医保部门"), number=case.number),
                                    body=Text(gettext_noop("请尽快补办手续。")))
                marked.append(case.pk)
        if len(claimed) < batch:
            return marked


def shortage_daily(today: date | None = None) -> dict:
    """The daily job: EMG-1 reminders and overdue marking; SHO-1 takeover by new listings."""
    today = today or _today()
    return {"reminded": emergency_send_reminders(today), "overdue": len(emergency_mark_overdue(today)),
            "superseded": needs_takeover_sweep()}

