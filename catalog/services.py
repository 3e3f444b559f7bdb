"""Writes of the catalogue. Every function takes the acting user, checks permission and the
rules, runs in one transaction inside an audit context, and returns the object or raises a
core.errors domain error (Chinese message, field)."""

from copy import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Font

from core.audit import audit_context
from core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from core.permissions import require
from core.text import excerpt
from core.uploads import read_xlsx_rows
from notifications import recipients
from notifications.services import notify
from notifications.text import Text
from parties.models import Organisation, OrgKind, Region
from parties.permissions import is_manufacturer, is_province_regulator
from policy import services as policy
from policy.registry import PARAMETERS

from . import rules
from .models import (
    CatalogueAction,
    CatalogueChange,
    ChangeReviewer,
    ChangeStatus,
    ConsumableClass,
    OtherProvincePrice,
    PriceLevel,
    Product,
    ProductChangeRequest,
    ProductKind,
)
from .selectors import national_lowest_price
from .signals import lower_national_price_recorded, product_information_confirmed

PRICE_CEILING_KEY = "sys.price_ceiling_yuan"

# Fields an enterprise or regulator may write through product_create / product_update.
# `in_sunshine_catalogue` is changed only by catalogue_add / catalogue_retire (CAT-4).
PRODUCT_FIELDS = (
    "kind", "national_code", "generic_name", "dosage_form", "specification", "pack_unit", "min_unit", "conversion",
    "mah", "approval_number", "approval_date",
    "is_national_negotiated", "nn_payment_standard", "nn_agreement_start", "nn_agreement_end",
    "generic_of_negotiated", "is_innovative", "innovative_class", "is_originator", "is_reference",
    "is_consistency_evaluated", "is_designated_production", "is_provincial_reserve", "is_shortage",
    "is_shortage_watch", "is_emergency", "is_narcotic_psychotropic", "is_large_infusion", "is_essential",
    "consumable_class",
)


# ------------------------------------------------------------------ products (CAT-1 … CAT-3)

def _validate_product(product: Product):
    """CAT-1 / CAT-1.1 / CAT-2 checks on an unsaved product; raise a domain error."""
    if product.kind not in ProductKind.values:
        raise InvalidInput(gettext("请选择产品类别（药品或医用耗材）"), "kind")
    if not (product.generic_name or "").strip():
        raise InvalidInput(gettext("名称不能为空"), "generic_name")
    product.generic_name = product.generic_name.strip()
    if product.national_code in ("", None):
        product.national_code = None
    else:
        try:
            product.national_code = rules.check_national_code(product.kind, product.national_code)
        except rules.RuleError as exc:
            raise RuleViolation("CAT-1.1", str(exc), "national_code") from None
        clash = Product.objects.filter(national_code=product.national_code).exclude(pk=product.pk).first()
        if clash is not None:
            raise Conflict(gettext("国家医保编码 %(national_code)s 已被产品“%(clash)s”使用") % {
                "national_code": product.national_code, "clash": clash}, "national_code")
    if product.kind == ProductKind.CONSUMABLE:
        if product.consumable_class not in ConsumableClass.values:
            raise RuleViolation("CAT-2", gettext("医用耗材须选择耗材类别（六大类/五大类高值、普通耗材或检验检测试剂）"),
                                "consumable_class")
        drug_flags = [f for f in Product.FLAG_FIELDS if getattr(product, f)]
        if drug_flags or product.generic_of_negotiated_id:
            raise RuleViolation("CAT-2", gettext("药品标识（国谈、短缺、基本药物等）不适用于医用耗材"), drug_flags[0]
                                if drug_flags else "generic_of_negotiated")
    else:
        if product.consumable_class:
            raise RuleViolation("CAT-1", gettext("药品不设耗材类别"), "consumable_class")
    if not product.conversion or product.conversion < 1:
        raise InvalidInput(gettext("转换比须为不小于 1 的整数"), "conversion")
    if product.nn_payment_standard is not None and product.nn_payment_standard <= 0:
        raise RuleViolation("CAT-1", gettext("国谈支付标准须大于 0"), "nn_payment_standard")
    if (product.nn_agreement_start and product.nn_agreement_end
            and product.nn_agreement_end < product.nn_agreement_start):
        raise RuleViolation("CAT-1", gettext("国谈协议期止不得早于协议期起"), "nn_agreement_end")
    if not product.is_national_negotiated and (
            product.nn_payment_standard is not None or product.nn_agreement_start or product.nn_agreement_end):
        raise RuleViolation("CAT-1", gettext("仅国家谈判药品填写国谈支付标准和协议期"), "nn_payment_standard")
    if product.generic_of_negotiated_id:
        original = product.generic_of_negotiated
        if original.pk == product.pk or not original.is_national_negotiated:
            raise RuleViolation("CAT-1", gettext("“对应国谈药品”须为国家谈判药品"), "generic_of_negotiated")
    if product.is_innovative and not (product.innovative_class or "").strip():
        raise RuleViolation("CAT-1", gettext("创新药须填写注册分类"), "innovative_class")


def _apply(product: Product, data: dict):
    unknown = set(data) - set(PRODUCT_FIELDS)
    if unknown:
        raise InvalidInput(gettext("不可修改的字段：%(fields)s") % {
            "fields": '、'.join(sorted(unknown))}, sorted(unknown)[0])
    for name, value in data.items():
        if name == "generic_of_negotiated" and value is not None and not isinstance(value, Product):
            value = Product.objects.filter(pk=value).first()
            if value is None:
                raise InvalidInput(gettext("对应国谈药品不存在"), "generic_of_negotiated")
        elif name != "generic_of_negotiated":
            if isinstance(value, str) and name != "national_code":
                value = value.strip()
            field = Product._meta.get_field(name)
            if value in ("", None) and field.null:
                value = None
            elif value is None and isinstance(field, models.CharField):
                value = ""
            try:
                value = field.to_python(value)
            except ValidationError:
                raise InvalidInput(gettext("“%(field)s”格式错误") % {"field": field.verbose_name}, name) from None
        setattr(product, name, value)


def _save_product(product):
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:
        raise Conflict(gettext("产品数据与已有记录冲突：%(cause)s") % {"cause": exc.__cause__ or exc}, None) from None


def product_create(user, data: dict, manufacturer: Organisation | None = None) -> Product:
    """CAT-1/CAT-2: a manufacturer registers its own product; the province registers a product
    for any manufacturer."""
    if not (user and user.is_authenticated):
        raise Forbidden(gettext("请先登录"))
    if is_manufacturer(user):
        if manufacturer is not None and manufacturer.pk != user.organisation_id:
            raise Forbidden(gettext("生产企业只能登记本企业的产品"))
        manufacturer = user.organisation
    elif is_province_regulator(user):
        if manufacturer is None:
            raise InvalidInput(gettext("请选择生产企业"), "manufacturer")
    else:
        raise Forbidden(gettext("仅生产企业或省医保局可登记产品"))
    if manufacturer.kind != OrgKind.MANUFACTURER:
        raise InvalidInput(gettext("所选企业不是生产企业"), "manufacturer")
    product = Product(manufacturer=manufacturer)
    _apply(product, data)
    _validate_product(product)
    with transaction.atomic(), audit_context(user, reason="登记产品"):
        _save_product(product)
    return product


def product_update(user, product: Product, data: dict, reason: str = "") -> Product:
    """CAT-1/CAT-2: the province changes a product's attributes directly (it is the authority
    that confirms product information, QUA-1). A manufacturer's change is a change request
    (product_change_propose): here it is refused naming QUA-1, and another manufacturer's
    product → Forbidden; nothing changed."""
    with transaction.atomic():
        product = Product.objects.select_for_update().filter(pk=product.pk).first()
        if product is None:
            raise NotFound(gettext("产品不存在"))
        require(user, "catalog.change_product", product, message=gettext("只能维护本企业的产品"))
        if not user.has_perm("catalog.change_product_directly"):
            raise RuleViolation("QUA-1", gettext("产品信息变更须提交变更申请，经医保部门确认后生效"), None)
        if "kind" in data and data["kind"] != product.kind and product.other_prices.exists():
            raise RuleViolation("CAT-3", gettext("已有外省价格记录的产品不能更改类别"), "kind")
        _apply(product, data)
        _validate_product(product)
        with audit_context(user, reason=reason or "修改产品信息"):
            _save_product(product)
    return product


# ------------------------------------------------------------------ QUA-1 product information changes

CITY_REVIEW_KEY = "lst.consumable_city_review"
# Every attribute of the product form is information some rule reads (flags: NEG-2, LST-3 … LST-8;
# names/forms/specifications: CAT-3 groups, LST-2.x, LST-5; codes: CAT-1.1, INT-2; approval
# date: LST-6; class: LST-C*), and 002 §37 puts every 信息变更 under confirmation.
REVIEWED_FIELDS = PRODUCT_FIELDS


def _stored(product: Product, name: str):
    """The JSON form of a product attribute, as kept in a change request."""
    if name == "generic_of_negotiated":
        return product.generic_of_negotiated_id
    value = getattr(product, name)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def _stored_values(product: Product, names) -> dict:
    return {name: _stored(product, name) for name in names}


def city_review_on(at: date | None = None) -> bool:
    """Until the consumable catalogue is unified the cities confirm ordinary consumables and IVD
    reagents (002 §37 second paragraph; the same switch as LST-C4's city review)."""
    return bool(policy.get(CITY_REVIEW_KEY, at=at))


def _notify_change_reviewers(cr: ProductChangeRequest):
    who = (recipients.city_regulators(cr.review_city) if cr.reviewer == ChangeReviewer.CITY
           else recipients.province_regulators())
    notify(who, kind="catalog.change_request", title=Text(gettext_noop("产品信息变更待确认：%(product)s"), product=cr.product),
           body=Text(gettext_noop("%(enterprise)s：%(reason)s"), enterprise=cr.enterprise, reason=cr.reason), url=reverse("catalog:change_detail", args=[cr.pk]),
           dedupe_key=f"catalog.change.{cr.pk}")


def product_change_propose(user, product: Product, *, changes: dict, reason: str,
                           review_city: Region | None = None) -> ProductChangeRequest:
    """QUA-1: the manufacturer proposes new values for its product's information. Nothing on
    the product changes: the values stay in force until the reviewer confirms. Refused (nothing
    written): another enterprise's product (QUA-1), no change, values breaking CAT-1/CAT-2, a
    request already open for the product, no reason."""
    require(user, "catalog.propose_product_change", product,
            message=gettext("只能为本企业的产品申请信息变更（QUA-1）"), rule="QUA-1")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(gettext("请填写变更说明及依据（如药监部门批件、国谈结果文件）"), "reason")
    today = timezone.localdate()
    with transaction.atomic():
        product = Product.objects.select_for_update().filter(pk=product.pk).first()
        if product is None:
            raise NotFound(gettext("产品不存在"))
        proposed = copy(product)
        _apply(proposed, changes)
        _validate_product(proposed)
        names = [n for n in REVIEWED_FIELDS if n in changes]
        diff = rules.qua_1_changes(_stored_values(product, names), _stored_values(proposed, names))
        if not diff:
            raise InvalidInput(gettext("没有需要变更的信息：所填内容与现行信息相同"), None)
        open_request = ProductChangeRequest.objects.pending().filter(product=product).first()
        if open_request is not None:
            raise Conflict(gettext("该产品已有待审核的信息变更申请（编号 %(number)s），请待其处理或撤回后再申请") % {
                "number": open_request.pk}, None)
        reviewer = rules.qua_1_reviewer(product.kind, product.consumable_class, proposed.consumable_class,
                                        city_review=city_review_on(today))
        if reviewer == ChangeReviewer.CITY:
            review_city = review_city or user.organisation.city
            if review_city is None or review_city.level != Region.Level.CITY:
                raise InvalidInput(gettext("普通医用耗材、检验检测试剂的信息变更由设区市医保部门确认，请选择设区市"), "review_city")
        else:
            review_city = None
        with audit_context(user, reason=f"QUA-1 申请产品信息变更：{reason}"):
            cr = ProductChangeRequest.objects.create(
                product=product, enterprise=user.organisation, changes=diff,
                previous=_stored_values(product, diff), reason=reason, reviewer=reviewer,
                review_city=review_city, proposed_by=user,
            )
            _notify_change_reviewers(cr)
    return cr


def _locked_request(request) -> ProductChangeRequest:
    cr = ProductChangeRequest.objects.select_for_update().filter(pk=request.pk).first()
    if cr is None:
        raise NotFound(gettext("变更申请不存在"))
    return cr


def _decided(cr, user, status, reason):
    cr.status, cr.decided_by, cr.decided_at, cr.decision_reason = status, user, timezone.now(), reason
    cr.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])


def _notify_enterprise(cr, title):
    notify(recipients.users_of(cr.enterprise), kind="catalog.change_decided", title=title,
           body=cr.decision_reason, target=cr, dedupe_key=f"catalog.change.{cr.pk}.{cr.status}",
           level="info" if cr.status == ChangeStatus.CONFIRMED else "warning")


def product_change_confirm(user, request: ProductChangeRequest, *, reason: str = "") -> ProductChangeRequest:
    """QUA-1: the reviewer confirms; the new values are written to the product (audited) and
    take effect from now. A request whose fields were changed since (stale) cannot be confirmed."""
    with transaction.atomic():
        cr = _locked_request(request)
        require(user, "catalog.review_product_change", cr, message=gettext("无权确认该产品信息变更"), rule="QUA-1")
        if cr.status != ChangeStatus.PENDING:
            raise Conflict(gettext("该申请当前状态为“%(status)s”，不能再确认") % {"status": cr.get_status_display()}, None)
        product = Product.objects.select_for_update().get(pk=cr.product_id)
        stale = rules.qua_1_stale_fields(cr.previous, _stored_values(product, cr.previous))
        if stale:
            labels = "、".join(str(Product._meta.get_field(n).verbose_name) for n in stale)
            raise Conflict(gettext("申请后产品的“%(labels)s”已变更，请驳回本申请，由企业按现行信息重新申请") % {"labels": labels}, None)
        _apply(product, cr.changes)
        _validate_product(product)
        reason = (reason or "").strip() or "同意变更"
        with audit_context(user, reason=f"QUA-1 确认产品信息变更（申请 {cr.pk}）：{reason}"):
            _save_product(product)
            _decided(cr, user, ChangeStatus.CONFIRMED, reason)
            product_information_confirmed.send(sender=Product, product=product, fields=sorted(cr.changes),
                                               request=cr)
            _notify_enterprise(cr, Text(gettext_noop("产品信息变更已确认：%(product)s"), product=product))
    return cr


def product_change_refuse(user, request: ProductChangeRequest, *, reason: str) -> ProductChangeRequest:
    """QUA-1: the reviewer refuses, with its reason; the product keeps its values."""
    reason = (reason or "").strip()
    with transaction.atomic():
        cr = _locked_request(request)
        require(user, "catalog.review_product_change", cr, message=gettext("无权审核该产品信息变更"), rule="QUA-1")
        if cr.status != ChangeStatus.PENDING:
            raise Conflict(gettext("该申请当前状态为“%(status)s”，不能再审核") % {"status": cr.get_status_display()}, None)
        if not reason:
            raise InvalidInput(gettext("不予确认须填写理由"), "reason")
        with audit_context(user, reason=f"QUA-1 不予确认产品信息变更（申请 {cr.pk}）：{reason}"):
            _decided(cr, user, ChangeStatus.REFUSED, reason)
            _notify_enterprise(cr, Text(gettext_noop("产品信息变更未予确认：%(product)s"), product=cr.product))
    return cr


def product_change_withdraw(user, request: ProductChangeRequest, *, reason: str = "") -> ProductChangeRequest:
    """QUA-1: the manufacturer withdraws its own pending request."""
    with transaction.atomic():
        cr = _locked_request(request)
        require(user, "catalog.withdraw_product_change", cr, message=gettext("只能撤回本企业的变更申请"), rule="QUA-1")
        if cr.status != ChangeStatus.PENDING:
            raise Conflict(gettext("该申请当前状态为“%(status)s”，不能撤回") % {"status": cr.get_status_display()}, None)
        reason = (reason or "").strip() or "企业撤回"
        with audit_context(user, reason=f"QUA-1 撤回产品信息变更（申请 {cr.pk}）：{reason}"):
            _decided(cr, user, ChangeStatus.WITHDRAWN, reason)
    return cr


def _catalogue_change(user, product, action, reason):
    require(user, "catalog.maintain_catalogue", message=gettext("仅省医保局可维护阳光采购目录"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(gettext("请填写理由"), "reason")
    with transaction.atomic():
        product = Product.objects.select_for_update().filter(pk=product.pk).first()
        if product is None:
            raise NotFound(gettext("产品不存在"))
        if product.kind != ProductKind.CONSUMABLE:
            raise RuleViolation("CAT-4", gettext("阳光采购目录（CAT-4）只收录医用耗材"), "product")
        wanted = action == CatalogueAction.ADD
        if product.in_sunshine_catalogue == wanted:
            raise Conflict(gettext("该产品已在阳光采购目录中") if wanted else gettext("该产品不在阳光采购目录中"), "product")
        with audit_context(user, reason=reason):
            product.in_sunshine_catalogue = wanted
            product.save(update_fields=["in_sunshine_catalogue", "updated_at"])
            CatalogueChange.objects.create(product=product, action=action, reason=reason, by=user)
    return product


def catalogue_add(user, product, reason) -> Product:
    """CAT-4: the province adds a consumable (new technology …) to the sunshine catalogue."""
    return _catalogue_change(user, product, CatalogueAction.ADD, reason)


def catalogue_retire(user, product, reason) -> Product:
    """CAT-4: the province retires a consumable no longer suitable; the row and its history stay."""
    return _catalogue_change(user, product, CatalogueAction.RETIRE, reason)


# ------------------------------------------------------------------ other provinces' prices (LST-0.3)

def price_ceiling(at: date | None = None) -> Decimal:
    """The absurd-price ceiling (policy parameter sys.price_ceiling_yuan; a fallback constant
    if the key is not declared)."""

    if PRICE_CEILING_KEY in PARAMETERS:
        return Decimal(policy.get(PRICE_CEILING_KEY, at=at))
    return rules.FALLBACK_PRICE_CEILING


@dataclass
class PriceInput:
    province: str
    city: str
    price: Decimal
    effective_date: date
    source: str


def _check_price_fields(product, province, city, price, effective_date, source, *, today, ceiling,
                        price_problem=None):
    """Validate one record's values; return PriceInput or raise RuleViolation/InvalidInput naming
    the first problem, with every problem of the record under `errors` (issue 15 item 2: an
    import row lists all its errors). `price_problem` is a price already found unreadable."""
    errors = []

    def check(fn, field, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except rules.RuleError as exc:
            errors.append({"code": "LST-0.3", "field": field, "detail": str(exc)})
        return None

    checked_city = check(rules.check_city_for_kind, "city", product.kind, city)
    province = check(rules.normalise_province, "province", province, city=checked_city or "")
    if price_problem:
        errors.append({"code": "invalid", "field": "price", "detail": price_problem})
    else:
        price = check(rules.check_price, "price", price, ceiling)
    effective_date = check(rules.check_effective_date, "effective_date", effective_date, today)
    source = str(source or "").strip()
    if not source:
        errors.append({"code": "invalid", "field": "source", "detail": gettext("请填写价格来源（如某省平台公告或网址）")})
    elif len(source) > 200:
        errors.append({"code": "invalid", "field": "source", "detail": gettext("来源不得超过 200 字")})
    if errors:
        first = errors[0]
        if first["code"] == "invalid":
            raise InvalidInput(first["detail"], first["field"], errors=errors)
        raise RuleViolation(first["code"], first["detail"], first["field"], errors=errors)
    return PriceInput(province, checked_city, price, effective_date, source)


def _record(user, product, p: PriceInput, *, today) -> OtherProvincePrice:
    """Insert one record, superseding the current one for the same product+province(+city),
    and send lower_national_price_recorded when it becomes the new national lowest. Caller
    holds the transaction and the product lock."""
    at = max(today, p.effective_date)
    previous_lowest = national_lowest_price(product, at=at)
    now = timezone.now()
    current = (
        OtherProvincePrice.objects.select_for_update()
        .filter(product=product, province=p.province, city=p.city, superseded_at__isnull=True)
        .first()
    )
    if current is not None:
        current.superseded_at = now
        current.save(update_fields=["superseded_at"])
    record = OtherProvincePrice.objects.create(
        product=product, province=p.province, city=p.city,
        level=PriceLevel.CITY if p.city else PriceLevel.PROVINCE,
        price=p.price, effective_date=p.effective_date, source=p.source, entered_by=user,
    )
    if current is not None:
        current.superseded_by = record
        current.save(update_fields=["superseded_by"])
    new_lowest = national_lowest_price(product, at=at)
    if new_lowest is not None and new_lowest.pk == record.pk and (
            previous_lowest is None or record.price < previous_lowest.price):
        lower_national_price_recorded.send(sender=OtherProvincePrice, record=record, previous_lowest=previous_lowest)
    return record


def price_record(user, product, *, province, city="", price, effective_date, source) -> OtherProvincePrice:
    """LST-0.3: record another province's (or, for consumables, a city's) current listing
    price of a product. A new record supersedes the one in force for the same place."""
    require(user, "catalog.record_price", product, message=gettext("只能录入本企业产品的外省价格"))
    today = timezone.localdate()
    values = _check_price_fields(product, province, city, price, effective_date, source,
                                 today=today, ceiling=price_ceiling(today))
    with transaction.atomic(), audit_context(user, reason=f"录入外省挂网价：{values.province}{values.city}"):
        locked = Product.objects.select_for_update().get(pk=product.pk)
        return _record(user, locked, values, today=today)


# ------------------------------------------------------------------ .xlsx upload (LST-0.3)

UPLOAD_HEADERS = ["国家医保编码", "省份", "城市（耗材市级平台，可空）", "挂网价（元）", "执行日期", "来源"]
UPLOAD_FIELDS = ["national_code", "province", "city", "price", "effective_date", "source"]
MAX_UPLOAD_ROWS = 5000


def price_template() -> bytes:
    """The downloadable .xlsx template for price uploads (headers, one example row, notes)."""


    wb = Workbook()
    ws = wb.active
    ws.title = "外省挂网价格"
    ws.append(UPLOAD_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(["XA01ABD075A002010100483", "浙江省", "", 12.5, date(2026, 1, 1), "浙江省药械采购平台"])
    ws["E2"].number_format = "yyyy-mm-dd"
    for column, width in zip("ABCDEF", (30, 14, 24, 14, 14, 40), strict=True):
        ws.column_dimensions[column].width = width
    notes = wb.create_sheet("填写说明")
    for line in (
        "1. 第一行表头不得修改；从第二行起每行一条记录，示例行请删除。",
        "2. 国家医保编码：药品 23 位（X/Z 开头），医用耗材 27 位（C 开头），须为平台目录中已有产品。",
        "3. 省份：省级行政区全称或简称（如 浙江省 / 浙江）；本省（江苏）价格仅限耗材设区市平台。",
        "4. 城市：仅医用耗材的市级平台价格填写，药品留空。",
        "5. 挂网价：大于 0，最多 4 位小数，以元为单位的数字。",
        "6. 执行日期：日期格式 YYYY-MM-DD。",
        "7. 任一行有误时整份文件不导入，请按提示逐行改正后重新上传。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 90
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def price_upload(user, upload, *, progress=None) -> list[OtherProvincePrice]:
    """LST-0.3: import other-province prices from an .xlsx (checked by content, row cap
    checked while streaming). Every bad row is reported with its row number and reason
    (InvalidInput with `errors`); NOTHING is imported unless every row is valid. Runs on a
    worker (jobs.imports); `progress(done, total)` is told as rows are checked and written."""
    require(user, "catalog.upload_prices", message=gettext("仅生产企业或医保部门可上传外省价格"))
    rows = read_xlsx_rows(upload, max_rows=MAX_UPLOAD_ROWS)
    if progress:
        progress(0, max(len(rows) - 1, 0))
    if not rows:
        raise InvalidInput(gettext("文件为空：未找到表头"), "file")
    header = [_cell_text(v) for v in rows[0]]
    while header and not header[-1]:
        header.pop()
    if header != UPLOAD_HEADERS:
        for i, expected in enumerate(UPLOAD_HEADERS):
            actual = header[i] if i < len(header) else ""
            if actual != expected:
                raise InvalidInput(
                    gettext("表头不符：第 %(column)s 列应为“%(expected)s”，实际为“%(actual)s”。请使用平台提供的模板") % {
                        "column": i + 1, "expected": expected, "actual": excerpt(actual) or gettext('（空）')},
                    "file", errors=[{"row": 1, "field": UPLOAD_FIELDS[i], "detail": gettext("表头应为“%(expected)s”") % {
                        "expected": expected}}],
                )
        raise InvalidInput(gettext("表头不符：应只有 %(count)s 列，请使用平台提供的模板") % {"count": len(UPLOAD_HEADERS)}, "file")

    today = timezone.localdate()
    ceiling = price_ceiling(today)
    errors: list[dict] = []
    valid: list[tuple[int, Product, PriceInput]] = []
    seen: dict[tuple, int] = {}
    codes = {_cell_text(r[0]) for r in rows[1:] if r and len(r) > 0}
    products = {p.national_code: p for p in Product.objects.filter(national_code__in=codes - {""})}
    for number, raw in enumerate(rows[1:], start=2):
        if progress and number % 100 == 0:
            progress(number - 1, len(rows) - 1)
        cells = list(raw or ()) + [None] * (len(UPLOAD_FIELDS) - len(raw or ()))
        if all(_cell_text(c) == "" for c in cells[: len(UPLOAD_FIELDS)]):
            continue
        code, province, city, price, effective, source = cells[: len(UPLOAD_FIELDS)]
        code = _cell_text(code)
        product = products.get(code)
        if not code:
            errors.append({"row": number, "field": "national_code", "detail": gettext("国家医保编码不能为空")})
            continue
        if product is None:
            kind = ProductKind.CONSUMABLE if code.startswith("C") else ProductKind.DRUG
            try:
                rules.check_national_code(kind, code)
                detail = gettext("未知的国家医保编码 %(code)s：平台目录中没有该产品") % {"code": excerpt(code, 30)}
            except rules.RuleError as exc:
                detail = gettext("编码格式错误（%(error)s）") % {"error": exc}
            errors.append({"row": number, "field": "national_code", "detail": detail})
            continue
        if not user.has_perm("catalog.record_price", product):
            errors.append({"row": number, "field": "national_code", "detail": gettext("产品 %(code)s 不属于本企业") % {
                "code": code}})
            continue
        price_problem = None
        if isinstance(price, str):
            try:
                float(price.strip().replace(",", ""))
            except ValueError:
                price_problem = gettext("挂网价单元格应为数字，实际为文字“%(text)s”") % {"text": excerpt(price)}
        try:
            values = _check_price_fields(product, _cell_text(province), _cell_text(city), price, effective,
                                         _cell_text(source), today=today, ceiling=ceiling, price_problem=price_problem)
        except (RuleViolation, InvalidInput) as exc:
            errors += [{"row": number, "field": e["field"], "detail": e["detail"]} for e in exc.errors]
            continue
        key = (product.pk, values.province, values.city)
        if key in seen:
            errors.append({"row": number, "field": "province",
                           "detail": gettext("与第 %(row)s 行重复（同一产品、省份、城市）") % {"row": seen[key]}})
            continue
        seen[key] = number
        valid.append((number, product, values))
    if errors:
        columns = dict(zip(UPLOAD_FIELDS, UPLOAD_HEADERS, strict=True))
        for e in errors:
            e["column"] = columns.get(e["field"], "")
            e["detail"] = excerpt(e["detail"], 200)
        raise InvalidInput(gettext("共 %(count)s 行有误，未导入任何记录。请改正后重新上传。") % {
            "count": len({e["row"] for e in errors})}, "file", errors=errors)
    if not valid:
        raise InvalidInput(gettext("文件中没有数据行"), "file")
    created = []
    with transaction.atomic(), audit_context(user, reason=f"上传外省挂网价格（{len(valid)} 条）"):
        locked = {p.pk: p for p in Product.objects.select_for_update().filter(
            pk__in=sorted({p.pk for _, p, _ in valid})).order_by("pk")}
        for i, (_number, product, values) in enumerate(valid, start=1):
            created.append(_record(user, locked[product.pk], values, today=today))
            if progress and i % 100 == 0:
                progress(i, len(valid))
    return created


def price_import_job(user, upload, progress) -> str:
    """jobs.imports handler for the price upload page."""
    return gettext("已导入 %(count)s 条外省价格") % {"count": len(price_upload(user, upload, progress=progress))}
