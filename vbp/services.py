"""Every write of the VBP channel (RULES §9). Each service takes the acting user, checks
permission and the rules first, then writes in one transaction inside an audit context,
and returns the object or raises a domain error naming the rule."""

from datetime import date
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from openpyxl import Workbook

from catalog.models import Product
from core import parsing
from core.audit import audit_context
from core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from core.permissions import require
from core.uploads import read_xlsx_rows
from listing.models import Listing, ListingPriceChange, ListingStatus
from listing.services import status
from notifications import recipients
from notifications.services import notify
from notifications.text import Text
from parties.models import Organisation, OrgKind, Region
from policy import services as policy
from workcalendar.services import working_days_between

from . import rules, selectors
from .models import (
    AllianceKind,
    BaseVolume,
    Bid,
    Contract,
    ContractAddition,
    ContractLine,
    ContractStatus,
    ExtensionStatus,
    MemberKind,
    MonthlyUseReport,
    NegotiationOutcome,
    NegotiationRound,
    PriorityCriterion,
    SelectedProduct,
    SelectionMode,
    SimilarExtension,
    Tender,
    TenderLevel,
    TenderMember,
    TenderStatus,
    Variety,
    VarietyProduct,
)

MAX_UPLOAD_ROWS = 5000


def _violation(problem, field=None):
    if problem:
        raise RuleViolation(problem[0], problem[1], field)


PROVINCE_ONLY = gettext_lazy("仅省医保局可执行此操作")


def _institution_of(user):
    require(user, "vbp.report", message=_("仅医疗机构（或其HIS接口）可执行此操作"))
    return user.organisation


def _decimal(raw, field, label):
    return parsing.clean_decimal(raw, field, label=label)


def _date(raw, field, label):
    message = _("%(label)s格式应为 YYYY-MM-DD") % {"label": label}
    return parsing.clean_date(raw, field, required=message, message=message)


# ====================================================================== tenders (VBP-1, VBP-5, VBP-9)


def _check_tender_fields(user, f: dict) -> dict:
    code = str(f.get("code") or "").strip()
    name = str(f.get("name") or "").strip()
    if not code or len(code) > 40:
        raise InvalidInput(_("请填写批次编号（不超过 40 字）"), "code")
    if not name:
        raise InvalidInput(_("请填写批次名称"), "name")
    level = f.get("level")
    if level not in TenderLevel.values:
        raise InvalidInput(_("层级取值无效"), "level")
    kind = f.get("product_kind")
    if kind not in ("drug", "consumable"):
        raise InvalidInput(_("产品类别取值无效"), "product_kind")
    alliance_kind = f.get("alliance_kind") or ""
    if alliance_kind not in AllianceKind.values:
        raise InvalidInput(_("联盟类型取值无效"), "alliance_kind")
    if level == TenderLevel.ALLIANCE and not alliance_kind:
        raise InvalidInput(_("联盟采购须选择联盟类型"), "alliance_kind")
    mode = f.get("selection_mode") or SelectionMode.PRICE_COMPETITION
    if mode not in SelectionMode.values:
        raise InvalidInput(_("遴选方式取值无效"), "selection_mode")
    if mode == SelectionMode.INSURANCE_ACCESS and alliance_kind != AllianceKind.HIGH_VALUE:
        raise RuleViolation("VBP-5", _("医保准入谈判仅适用于高值医用耗材联盟采购"), "selection_mode")
    ratio = _decimal(f.get("volume_ratio"), "volume_ratio", _("约定采购量比例"))
    if ratio <= 0 or ratio > 100:
        raise RuleViolation("VBP-2", _("约定采购量比例须大于 0 且不超过 100%"), "volume_ratio")
    start = _date(f.get("period_start"), "period_start", _("采购周期起"))
    end = _date(f.get("period_end"), "period_end", _("采购周期止"))
    if end <= start:
        raise InvalidInput(_("采购周期止须晚于采购周期起"), "period_end")
    cities = list(f.get("member_cities") or [])
    lead_city = f.get("lead_city")
    plan_filed_on = _date(f["plan_filed_on"], "plan_filed_on", _("备案日期")) if f.get("plan_filed_on") else None
    publish_on = _date(f["publish_on"], "publish_on", _("发布日期")) if f.get("publish_on") else None
    # Who organises: high-value alliances and provincial tenders by the province (002 §21);
    # a regional alliance by its lead city, which files the plan with the province (002 §22).
    is_province = user.has_perm("vbp.organise")
    if alliance_kind in (AllianceKind.REGIONAL_ORDINARY, AllianceKind.REGIONAL_IVD):
        require(user, "vbp.organise_regional", lead_city, message=_("区域联盟采购由牵头设区市医保局组织"))
        if lead_city is None:
            raise InvalidInput(_("请选择牵头设区市"), "lead_city")
        if lead_city not in cities:
            cities.append(lead_city)
        days = working_days_between(plan_filed_on, publish_on) if plan_filed_on and publish_on else None
        if publish_on is None:
            raise InvalidInput(_("请填写采购文件发布日期"), "publish_on")
        _violation(rules.vbp_9_alliance(
            alliance_kind, len(set(cities)), days, min_cities=policy.get("vbp.alliance_min_cities"),
            min_working_days=policy.get("vbp.alliance_filing_working_days"),
        ), "plan_filed_on" if len(set(cities)) >= policy.get("vbp.alliance_min_cities") else "member_cities")
    else:
        _violation(rules.vbp_9_high_value_organiser(alliance_kind, is_province), "alliance_kind")
        require(user, "vbp.organise", message=_("仅省医保局可组织此类带量采购"))
    if Tender.objects.filter(code=code).exists():
        raise Conflict(_("批次编号 %(code)s 已存在") % {"code": code}, "code")
    return {
        "code": code, "name": name, "level": level, "product_kind": kind, "alliance_kind": alliance_kind,
        "selection_mode": mode, "selection_rule": str(f.get("selection_rule") or "").strip(), "volume_ratio": ratio,
        "period_start": start, "period_end": end, "lead_city": lead_city, "plan_filed_on": plan_filed_on,
        "publish_on": publish_on, "bid_opens": f.get("bid_opens") or None, "bid_closes": f.get("bid_closes") or None,
        "member_cities": cities,
    }


def tender_create(user, **fields) -> Tender:
    """A provincial or alliance tender run on the platform (VBP-5, VBP-9); the selection mode
    and its rule are recorded per tender."""
    require(user, "vbp.create_tender", message=_("仅医保部门可组织带量采购"))
    data = _check_tender_fields(user, fields)
    cities = data.pop("member_cities")
    with transaction.atomic(), audit_context(user, reason=f"组织带量采购 {data['code']}（VBP-5）"):
        tender = Tender.objects.create(created_by=user, status=TenderStatus.DRAFT, **data)
        if cities:
            tender.member_cities.set(cities)
    return tender


def variety_add(user, tender, *, name, priority, spec_note="") -> Variety:
    """VBP-5: experts select the varieties; the priority criterion behind each is recorded."""
    require(user, "vbp.organise", message=PROVINCE_ONLY)
    name = str(name or "").strip()
    if not name:
        raise InvalidInput(_("请填写品种名称"), "name")
    if priority not in PriorityCriterion.values:
        raise RuleViolation("VBP-5", _("请选择遴选依据（基本药物、用量大、金额高、价差大、竞争充分）"), "priority")
    if tender.status != TenderStatus.DRAFT:
        raise Conflict(_("仅筹备中的批次可增加品种"))
    if tender.level != TenderLevel.NATIONAL and tender.expert_session_id is None:
        raise RuleViolation("VBP-5", _("省级/联盟带量采购的品种须由抽取的专家遴选：请先关联专家场次（EXP-1）"),
                            "expert_session")
    with transaction.atomic(), audit_context(user, reason=f"专家遴选品种 {name}（VBP-5）"):
        if Variety.objects.filter(tender=tender, name=name).exists():
            raise Conflict(_("品种 %(name)s 已在本批次中") % {"name": name}, "name")
        return Variety.objects.create(tender=tender, name=name, priority=priority, spec_note=spec_note)


def tender_attach_experts(user, tender, session) -> Tender:
    """EXP-1: the expert session (drawn from the pool, seed generated by the platform) that
    selects the varieties of a provincial/alliance tender."""
    require(user, "vbp.organise", message=PROVINCE_ONLY)
    if not session.draws.exists():
        raise RuleViolation("EXP-1", _("该专家场次尚未抽取专家"), "expert_session")
    with transaction.atomic(), audit_context(user, reason="关联遴选品种专家场次（EXP-1）"):
        tender.expert_session = session
        tender.save(update_fields=["expert_session"])
    return tender


def tender_open_bidding(user, tender, *, opens, closes) -> Tender:
    require(user, "vbp.organise", message=PROVINCE_ONLY)
    opens, closes = _date(opens, "bid_opens", _("报价开始")), _date(closes, "bid_closes", _("报价截止"))
    if closes < opens:
        raise InvalidInput(_("报价截止须不早于报价开始"), "bid_closes")
    if not tender.varieties.exists():
        raise Conflict(_("请先遴选品种"))
    if tender.publish_on and (tender.plan_filed_on or tender.alliance_kind.startswith("regional")):
        # VBP-9 is checked again on the calendar in force now (a regulator may have changed it).
        days = working_days_between(tender.plan_filed_on, tender.publish_on) if tender.plan_filed_on else None
        _violation(rules.vbp_9_alliance(tender.alliance_kind, tender.member_cities.count(), days,
                                        min_cities=policy.get("vbp.alliance_min_cities"),
                                        min_working_days=policy.get("vbp.alliance_filing_working_days")))
    with transaction.atomic(), audit_context(user, reason="开始报价（VBP-5）"):
        tender.status = TenderStatus.BIDDING
        tender.bid_opens, tender.bid_closes = opens, closes
        tender.save(update_fields=["status", "bid_opens", "bid_closes"])
    return tender


def bid_submit(user, variety, *, product, price, today=None) -> Bid:
    """An enterprise bids for a variety of its own product within the bid window."""
    today = today or timezone.localdate()
    require(user, "vbp.bid", message=_("仅生产企业可报价"))
    tender = variety.tender
    if tender.status != TenderStatus.BIDDING or not (tender.bid_opens <= today <= tender.bid_closes):
        raise RuleViolation("VBP-5", _("不在报价时间内"), "price")
    if product.manufacturer_id != user.organisation_id:
        raise Forbidden(_("只能为本企业产品报价"))
    _violation(rules.vbp_1_import_price(price), "price")
    value = Decimal(str(price))
    with transaction.atomic(), audit_context(user, reason="带量采购报价（VBP-5）"):
        bid, _created = Bid.objects.update_or_create(variety=variety, product=product, defaults={
            "enterprise": user.organisation, "price": value, "submitted_by": user})
    return bid


def tender_select_by_price(user, tender, *, winners_per_variety=1, today=None) -> list[SelectedProduct]:
    """Price competition after the window: the lowest bids of each variety are selected,
    allocation split evenly (the rule recorded on the tender)."""
    require(user, "vbp.organise", message=PROVINCE_ONLY)
    today = today or timezone.localdate()
    if tender.selection_mode != SelectionMode.PRICE_COMPETITION:
        raise RuleViolation("VBP-5", _("本批次的遴选方式为%(mode)s，须按谈判结果确定中选")
                            % {"mode": tender.get_selection_mode_display()}, "selection_mode")
    if tender.status != TenderStatus.BIDDING or today <= tender.bid_closes:
        raise Conflict(_("报价截止后方可确定中选结果"))
    created = []
    with transaction.atomic(), audit_context(user, reason="价格竞争确定中选（VBP-5）"):
        for variety in tender.varieties.all():
            bids = list(variety.bids.order_by("price", "submitted_at")[:winners_per_variety])
            shares = rules.vbp_2_allocate(10000, [1] * len(bids)) if bids else []
            for bid, share in zip(bids, shares, strict=True):
                created.append(SelectedProduct.objects.create(
                    variety=variety, product=bid.product, enterprise=bid.enterprise, price=bid.price,
                    allocation_share=Decimal(share) / 100))
        if not tender.selection_rule:
            tender.selection_rule = f"每个品种报价最低的 {winners_per_variety} 家中选，约定量平均分配"
            tender.save(update_fields=["selection_rule"])
    return created


def _optional_price(raw, field, label):
    if raw in (None, ""):
        return None
    value = _decimal(raw, field, label)
    if value <= 0 or value >= Decimal("1e10"):
        raise InvalidInput(_("%(label)s须大于 0 且在合理范围内") % {"label": label}, field)
    return value


def negotiation_record(user, bid: Bid, *, offer, counter_offer=None, outcome, agreed_price=None, note="",
                       today=None) -> NegotiationRound:
    """VBP-5: the organiser records one negotiation round with a bidder after the bid window
    (offer, counter-offer, and continue / agreed price / failure). A concluded bid takes no
    further round; rounds are numbered per bid under a row lock."""
    require(user, "vbp.organise", message=PROVINCE_ONLY)
    today = today or timezone.localdate()
    tender = bid.variety.tender
    if outcome not in NegotiationOutcome.values:
        raise InvalidInput(_("谈判结果取值无效"), "outcome")
    offer_value = _optional_price(offer, "offer", _("企业报价"))
    if offer_value is None:
        raise InvalidInput(_("请填写企业报价"), "offer")
    counter = _optional_price(counter_offer, "counter_offer", _("还价"))
    agreed = _optional_price(agreed_price, "agreed_price", _("谈判价"))
    if tender.selection_mode not in rules.NEGOTIATED_MODES:
        _violation(rules.vbp_5_negotiation_round(tender.selection_mode, bid.price, offer_value, counter, outcome,
                                                 agreed), "offer")
    if tender.status != TenderStatus.BIDDING or today <= tender.bid_closes:
        raise Conflict(_("报价截止后、公布结果前方可谈判"))
    with transaction.atomic(), audit_context(user, reason=f"带量采购谈判记录（VBP-5）：{tender.code}"):
        locked = Bid.objects.select_for_update().get(pk=bid.pk)
        rounds = list(NegotiationRound.objects.filter(bid=locked).order_by("number"))
        if rounds and rounds[-1].outcome != NegotiationOutcome.OPEN:
            raise Conflict(_("与该企业的谈判已结束（%(outcome)s）") % {"outcome": rounds[-1].get_outcome_display()},
                           "outcome")
        if tender.selected_exists():
            raise Conflict(_("中选结果已确定，不能再谈判"))
        previous = rounds[-1].offer if rounds else None
        field = "agreed_price" if outcome == NegotiationOutcome.AGREED else "offer"
        _violation(rules.vbp_5_negotiation_round(tender.selection_mode, locked.price, offer_value, counter, outcome,
                                                 agreed, previous_offer=previous), field)
        return NegotiationRound.objects.create(
            bid=locked, number=len(rounds) + 1, offer=offer_value, counter_offer=counter, outcome=outcome,
            agreed_price=agreed if outcome == NegotiationOutcome.AGREED else None, note=str(note or "").strip(),
            recorded_by=user)


def tender_select_by_negotiation(user, tender, *, winners_per_variety=1, today=None) -> list[SelectedProduct]:
    """VBP-5: selection by price negotiation or insurance-access negotiation follows the
    agreed prices: every bid's negotiation must be concluded; per variety the lowest agreed
    prices are selected at the agreed price, the agreed volume split evenly; a variety with
    no agreement has no selected product. For insurance-access negotiation the agreed price
    is also the price the insurance pays on (INS-4 reads the selected price)."""
    require(user, "vbp.organise", message=PROVINCE_ONLY)
    today = today or timezone.localdate()
    if tender.selection_mode not in rules.NEGOTIATED_MODES:
        raise RuleViolation("VBP-5", _("本批次的遴选方式为价格竞争，不进行谈判"), "selection_mode")
    if tender.status != TenderStatus.BIDDING or today <= tender.bid_closes:
        raise Conflict(_("报价截止后方可确定中选结果"))
    created = []
    with transaction.atomic(), audit_context(user, reason="按谈判结果确定中选（VBP-5）"):
        tender = Tender.objects.select_for_update().get(pk=tender.pk)
        if tender.selected_exists():
            raise Conflict(_("中选结果已确定"))
        bids = list(Bid.objects.filter(variety__tender=tender).select_related("variety", "enterprise", "product")
                    .order_by("variety_id", "submitted_at", "id"))
        last = {}
        for r in NegotiationRound.objects.filter(bid__variety__tender=tender).order_by("bid_id", "number"):
            last[r.bid_id] = r
        pending = [b for b in bids if b.pk not in last or last[b.pk].outcome == NegotiationOutcome.OPEN]
        if pending:
            raise RuleViolation("VBP-5", _("仍有 %(count)s 家报价未完成谈判（如：%(variety)s，%(enterprise)s）")
                                % {"count": len(pending), "variety": pending[0].variety.name,
                                   "enterprise": pending[0].enterprise.name}, "negotiation")
        by_variety: dict[int, list] = {}
        for order, b in enumerate(bids):
            r = last[b.pk]
            if r.outcome == NegotiationOutcome.AGREED:
                by_variety.setdefault(b.variety_id, []).append(((b, r), r.agreed_price, order))
        for items in by_variety.values():
            winners = rules.vbp_5_negotiated_winners(items, winners_per_variety)
            shares = rules.vbp_2_allocate(10000, [1] * len(winners))
            for (b, r), share in zip(winners, shares, strict=True):
                created.append(SelectedProduct.objects.create(
                    variety=b.variety, product=b.product, enterprise=b.enterprise, price=r.agreed_price,
                    allocation_share=Decimal(share) / 100, negotiation=r))
        if not tender.selection_rule:
            tender.selection_rule = (f"{tender.get_selection_mode_display()}：每个品种谈判价最低的 {winners_per_variety} 家"
                                     f"中选，按谈判价挂网，约定量平均分配；未达成一致的品种不产生中选产品")
            tender.save(update_fields=["selection_rule"])
    return created


def _list_selected(user, tender, selected: SelectedProduct, when: date):
    """VBP-1: the selected product is listed directly at the selected price."""
    listing = (Listing.objects.select_for_update().filter(product=selected.product)
               .exclude(status=ListingStatus.DELISTED).first())
    reason = f"带量采购 {tender.code} 中选，按中选价直接挂网"
    if listing is None:
        listing = Listing.objects.create(product=selected.product, price=selected.price, status=ListingStatus.ACTIVE,
                                         category="VBP-1", effective_date=when)
        ListingPriceChange.objects.create(listing=listing, old_price=None, new_price=selected.price,
                                          effective_date=when, rule="VBP-1", reason=reason, changed_by=user)
    elif listing.price != selected.price and tender.level != TenderLevel.ALLIANCE:
        # An alliance's price binds its members only: they get it from the VBP price
        # provider, the province-wide listing price stays for everyone else.
        listing = status.listing_change_price(user=user, listing=listing, new_price=selected.price,
                                                        effective_date=when, rule="VBP-1", reason=reason)
    selected.listing = listing
    selected.save(update_fields=["listing"])


def tender_publish(user, tender) -> Tender:
    """Publish the results: selected products listed at the selected price (VBP-1), the
    variety's catalogue members recorded for the VBP-4 cap, institutions told to report."""
    require(user, "vbp.organise", message=PROVINCE_ONLY)
    if tender.status == TenderStatus.PUBLISHED:
        raise Conflict(_("结果已公布"))
    varieties = list(tender.varieties.prefetch_related("selected"))
    for v in varieties:
        shares = [s.allocation_share for s in v.selected.all()]
        if not shares and tender.selection_mode in rules.NEGOTIATED_MODES:
            continue  # no agreement reached for this variety (流标): it has no result to publish
        _violation(rules.vbp_2_shares_valid(shares), "allocation_share")
    with transaction.atomic(), audit_context(user, reason=f"公布带量采购结果 {tender.code}（VBP-1）"):
        for v in varieties:
            selected_ids = set()
            for s in v.selected.all():
                _list_selected(user, tender, s, tender.period_start)
                selected_ids.add(s.product_id)
            members = set(Product.objects.filter(generic_name=v.name, kind=tender.product_kind)
                          .values_list("pk", flat=True)) | selected_ids
            VarietyProduct.objects.bulk_create(
                [VarietyProduct(variety=v, product_id=pid, selected=pid in selected_ids) for pid in members],
                ignore_conflicts=True)
        tender.status = TenderStatus.PUBLISHED
        tender.published_at = timezone.now()
        tender.save(update_fields=["status", "published_at"])
        enterprises = Organisation.objects.filter(pk__in=[s.enterprise_id for v in varieties for s in v.selected.all()])
        for org in enterprises:
            notify(recipients.users_of(org), kind="vbp.published", title=gettext_lazy("带量采购中选结果已公布"),
                   body=Text(gettext_noop("%(tender)s：贵企业产品中选，采购周期 %(start)s 至 %(end)s。"), tender=tender.name,
                             start=f"{tender.period_start:%Y-%m-%d}", end=f"{tender.period_end:%Y-%m-%d}"), target=tender, dedupe_key=f"vbp-pub-{tender.pk}-{org.pk}")
    return tender


# ---------------------------------------------------------------------- national result import

RESULT_HEADERS = ["品种名称", "国家医保编码", "中选价（元）", "分配比例（%）"]
RESULT_FIELDS = ["variety", "national_code", "price", "allocation_share"]


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_xlsx(upload, headers: list[str], fields: list[str]) -> list[tuple[int, list]]:
    """Rows of an import through the platform's one reader (core.uploads.read_xlsx_rows): type
    by content, no macros, zip parts size-checked before openpyxl opens anything, rows counted
    while streaming and refused past MAX_UPLOAD_ROWS. Returns [(row number, cells)]."""
    rows = read_xlsx_rows(upload, max_rows=MAX_UPLOAD_ROWS, field="file")
    if not rows:
        raise InvalidInput(_("文件为空：未找到表头"), "file")
    header = [_cell(v) for v in rows[0]][: len(headers)]
    if header != headers:
        raise InvalidInput(_("表头不符：应为“%(headers)s”，请使用平台提供的模板") % {"headers": "、".join(headers)}, "file")
    out = []
    for number, raw in enumerate(rows[1:], start=2):
        cells = (list(raw or ()) + [None] * len(fields))[: len(fields)]
        if all(_cell(c) == "" for c in cells):
            continue
        out.append((number, cells))
    if not out:
        raise InvalidInput(_("文件中没有数据行"), "file")
    return out


def xlsx_template(headers: list[str], example: list) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    ws.append(example)
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def national_result_import(user, upload, **tender_fields) -> Tender:
    """VBP-1: a national batch's published result (.xlsx) becomes a published tender: every
    row is checked (known national code, price > 0, shares of a variety summing to 100);
    one bad row refuses the whole file, listing each bad row; nothing is written."""
    require(user, "vbp.organise", message=PROVINCE_ONLY)
    tender_fields["level"] = TenderLevel.NATIONAL
    tender_fields.setdefault("selection_mode", SelectionMode.PRICE_COMPETITION)
    data = _check_tender_fields(user, tender_fields)
    data.pop("member_cities")
    rows = _read_xlsx(upload, RESULT_HEADERS, RESULT_FIELDS)
    codes = {_cell(c[1]) for _n, c in rows}
    products = {p.national_code: p for p in Product.objects.filter(national_code__in=codes - {""})
                .select_related("manufacturer")}
    errors, parsed, seen = [], [], {}
    for number, (variety, code, price, share) in rows:
        variety, code = _cell(variety), _cell(code)
        if not variety:
            errors.append({"row": number, "field": "variety", "code": "invalid", "detail": _("品种名称不能为空")})
            continue
        product = products.get(code)
        if product is None:
            errors.append({"row": number, "field": "national_code", "code": "INT-2",
                           "detail": _("国家医保编码“%(code)s”不在平台目录中") % {"code": code}})
            continue
        if product.kind != data["product_kind"]:
            errors.append({"row": number, "field": "national_code", "code": "invalid",
                           "detail": _("产品 %(code)s 的类别与批次不符") % {"code": code}})
            continue
        problem = rules.vbp_1_import_price(price)
        if problem:
            errors.append({"row": number, "field": "price", "code": problem[0], "detail": problem[1]})
            continue
        share = _cell(share) or "100"
        try:
            share_value = Decimal(share)
            if not share_value.is_finite() or share_value <= 0 or share_value > 100:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append({"row": number, "field": "allocation_share", "code": "VBP-2",
                           "detail": _("分配比例须为大于 0 且不超过 100 的数，实际为“%(share)s”") % {"share": share}})
            continue
        key = (variety, product.pk)
        if key in seen:
            errors.append({"row": number, "field": "national_code", "code": "invalid",
                           "detail": _("与第 %(row)s 行重复（同一品种、同一产品）") % {"row": seen[key]}})
            continue
        seen[key] = number
        parsed.append((number, variety, product, Decimal(str(price).strip()), share_value))
    by_variety: dict[str, list] = {}
    for row in parsed:
        by_variety.setdefault(row[1], []).append(row)
    for name, items in by_variety.items():
        problem = rules.vbp_2_shares_valid([i[4] for i in items])
        if problem:
            errors.append({"row": items[0][0], "field": "allocation_share", "code": problem[0],
                           "detail": _("品种“%(name)s”：%(problem)s") % {"name": name, "problem": problem[1]}})
    if errors:
        errors.sort(key=lambda e: e["row"])
        first = errors[0]
        raise RuleViolation(first["code"] if first["code"] != "invalid" else "VBP-1",
                            _("共 %(count)s 行有误，整个文件未导入。第 %(row)s 行：%(detail)s")
                            % {"count": len(errors), "row": first["row"], "detail": first["detail"]},
                            "file", errors=errors)
    with transaction.atomic(), audit_context(user, reason=f"导入国家集采中选结果 {data['code']}（VBP-1）"):
        tender = Tender.objects.create(created_by=user, status=TenderStatus.DRAFT, **data)
        for name, items in by_variety.items():
            variety = Variety.objects.create(tender=tender, name=name, priority=PriorityCriterion.NATIONAL)
            for _n, _v, product, price, share in items:
                SelectedProduct.objects.create(variety=variety, product=product, enterprise=product.manufacturer,
                                               price=price, allocation_share=share)
        tender_publish(user, tender)
    return tender


# ====================================================================== base volumes (VBP-2)


def base_year_receipts(tender, institution_ids=None) -> dict[tuple[int, int], int]:
    """{(variety_id, institution_id): quantity received on the platform} in the base year
    (the calendar year before the period starts) for every catalogue product of the variety."""
    year = tender.period_start.year - 1
    sql = """
        SELECT v.id, rl.institution_id, SUM(rl.quantity)
        FROM vbp_variety v
        JOIN catalog_product p ON p.generic_name = v.name AND p.kind = %s
        JOIN listing_listing li ON li.product_id = p.id
        JOIN orders_receiptline rl ON rl.listing_id = li.id
        WHERE v.tender_id = %s AND rl.received_on BETWEEN %s AND %s
    """
    params = [tender.product_kind, tender.pk, date(year, 1, 1), date(year, 12, 31)]
    if institution_ids is not None:
        sql += " AND rl.institution_id = ANY(%s)"
        params.append(list(institution_ids))
    sql += " GROUP BY v.id, rl.institution_id"
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return {(v, i): int(q) for v, i, q in cur.fetchall()}


def _variety_of(tender, variety) -> Variety:
    if isinstance(variety, Variety):
        if variety.tender_id != tender.pk:
            raise RuleViolation("VBP-2", _("品种“%(variety)s”不属于批次 %(tender)s") % {"variety": variety.name, "tender": tender.code},
                                "variety")
        return variety
    found = Variety.objects.filter(tender=tender).filter(
        Q(name=str(variety).strip()) | Q(pk=int(variety) if str(variety).isdigit() else None)).first()
    if found is None:
        raise RuleViolation("VBP-2", _("品种“%(variety)s”不在批次 %(tender)s 的采购品种中") % {"variety": variety, "tender": tender.code},
                            "variety")
    return found


def _check_base_reportable(tender):
    if tender.status != TenderStatus.PUBLISHED:
        raise Conflict(_("批次结果尚未公布，不能填报基期采购量"))
    if tender.is_locked:
        raise RuleViolation("VBP-2", _("省医保局已锁定约定采购量分配，不能再修改基期采购量"), "quantity")


def base_volume_report(user, tender, *, variety, quantity, reason="") -> BaseVolume:
    """VBP-2: the institution's base-year volume of a variety, pre-filled from the platform's
    receipts; a different figure needs the reason for the correction."""
    institution = _institution_of(user)
    _check_base_reportable(tender)
    v = _variety_of(tender, variety)
    prefilled = base_year_receipts(tender, [institution.pk]).get((v.pk, institution.pk), 0)
    _violation(rules.vbp_2_base_volume(quantity, prefilled, reason), "quantity")
    qty = int(Decimal(str(quantity).strip()))
    reason = (reason or "").strip() if qty != prefilled else ""
    with transaction.atomic(), audit_context(user, reason=reason or "填报基期采购量（VBP-2）"):
        _check_base_reportable(Tender.objects.select_for_update().get(pk=tender.pk))  # the lock may have won
        row, _created = BaseVolume.objects.update_or_create(variety=v, institution=institution, defaults={
            "prefilled": prefilled, "quantity": qty, "correction_reason": reason, "reported_by": user})
    return row


BASE_HEADERS = ["品种名称", "基期采购量", "更正理由"]
BASE_FIELDS = ["variety", "quantity", "reason"]


def base_volume_upload(user, tender, upload) -> list[BaseVolume]:
    """The .xlsx variant of base_volume_report: all rows valid or nothing written."""
    institution = _institution_of(user)
    _check_base_reportable(tender)
    rows = _read_xlsx(upload, BASE_HEADERS, BASE_FIELDS)
    varieties = {v.name: v for v in tender.varieties.all()}
    prefilled = base_year_receipts(tender, [institution.pk])
    errors, good, seen = [], [], {}
    for number, (name, qty, reason) in rows:
        name = _cell(name)
        v = varieties.get(name)
        if v is None:
            errors.append({"row": number, "field": "variety", "code": "VBP-2",
                           "detail": _("品种“%(variety)s”不在批次 %(tender)s 的采购品种中") % {"variety": name, "tender": tender.code}})
            continue
        if name in seen:
            errors.append({"row": number, "field": "variety", "code": "invalid", "detail": _("与第 %(row)s 行重复") % {"row": seen[name]}})
            continue
        seen[name] = number
        pre = prefilled.get((v.pk, institution.pk), 0)
        problem = rules.vbp_2_base_volume(_cell(qty), pre, _cell(reason))
        if problem:
            errors.append({"row": number, "field": "quantity", "code": problem[0], "detail": problem[1]})
            continue
        good.append((v, pre, int(Decimal(_cell(qty))), _cell(reason)))
    if errors:
        first = errors[0]
        raise RuleViolation("VBP-2", _("共 %(count)s 行有误，整个文件未导入。第 %(row)s 行：%(detail)s")
                            % {"count": len(errors), "row": first["row"], "detail": first["detail"]},
                            "file", errors=errors)
    out = []
    with transaction.atomic(), audit_context(user, reason="上传基期采购量（VBP-2）"):
        _check_base_reportable(Tender.objects.select_for_update().get(pk=tender.pk))
        for v, pre, qty, reason in good:
            row, _created = BaseVolume.objects.update_or_create(variety=v, institution=institution, defaults={
                "prefilled": pre, "quantity": qty, "correction_reason": reason if qty != pre else "",
                "reported_by": user})
            out.append(row)
    return out


def allocation_lock(user, tender) -> list[Contract]:
    """VBP-2/VBP-3: the province locks the allocation: agreed volume = base × ratio, split
    across the variety's selected products by share; one contract per institution ×
    selected enterprise, waiting for both signatures."""
    require(user, "vbp.organise", message=PROVINCE_ONLY)
    with transaction.atomic(), audit_context(user, reason=f"锁定约定采购量分配 {tender.code}（VBP-2）"):
        tender = Tender.objects.select_for_update().get(pk=tender.pk)
        if tender.status != TenderStatus.PUBLISHED:
            raise Conflict(_("批次结果尚未公布"))
        if tender.is_locked:
            raise Conflict(_("约定采购量分配已锁定"))
        selected = {}
        for s in SelectedProduct.objects.filter(variety__tender=tender).order_by("variety_id", "id"):
            selected.setdefault(s.variety_id, []).append(s)
        plan: dict[tuple[int, int], list] = {}
        for bv in BaseVolume.objects.filter(variety__tender=tender).order_by("variety_id", "institution_id"):
            items = selected.get(bv.variety_id, [])
            agreed = rules.vbp_2_agreed_volume(bv.quantity, tender.volume_ratio)
            for s, qty in zip(items, rules.vbp_2_allocate(agreed, [s.allocation_share for s in items]), strict=True):
                if qty > 0:
                    plan.setdefault((bv.institution_id, s.enterprise_id), []).append((s, qty))
        contracts = []
        for (inst_id, ent_id), lines in sorted(plan.items()):
            contract = Contract.objects.create(tender=tender, institution_id=inst_id, enterprise_id=ent_id,
                                               number=f"VBP{tender.pk:04d}-{inst_id}-{ent_id}")
            ContractLine.objects.bulk_create([ContractLine(contract=contract, selected=s, agreed_qty=q, price=s.price)
                                              for s, q in lines])
            contracts.append(contract)
        tender.allocation_locked_at = timezone.now()
        tender.save(update_fields=["allocation_locked_at"])
        for inst in Organisation.objects.filter(pk__in={k[0] for k in plan}):
            notify(recipients.users_of(inst), kind="vbp.contract", title=gettext_lazy("带量采购合同待签订"),
                   body=Text(gettext_noop("%(tender)s：约定采购量已锁定，请签订带量采购合同。"), tender=tender.name), target=tender,
                   dedupe_key=f"vbp-lock-{tender.pk}-{inst.pk}")
    return contracts


# ====================================================================== contracts (VBP-3)


def contract_sign(user, contract) -> Contract:
    """Signed by both sides: the institution, and the selected enterprise named in the contract."""
    require(user, "vbp.sign_contract", message=_("仅合同双方可签订"))
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        now = timezone.now()
        if user.has_perm("vbp.sign_as_institution"):
            if locked.institution_id != user.organisation_id:
                raise NotFound()
            if locked.institution_signed_at:
                raise Conflict(_("医疗机构已签订本合同"))
            locked.institution_signed_at, locked.institution_signed_by = now, user
        elif user.has_perm("vbp.sign_as_enterprise"):
            _violation(rules.vbp_3_may_sign_as_enterprise(locked.enterprise_id, user.organisation_id), "enterprise")
            if locked.enterprise_signed_at:
                raise Conflict(_("企业已签订本合同"))
            locked.enterprise_signed_at, locked.enterprise_signed_by = now, user
        else:
            raise Forbidden(_("仅合同双方可签订"))
        if locked.institution_signed_at and locked.enterprise_signed_at:
            locked.status = ContractStatus.SIGNED
        elif locked.institution_signed_at:
            locked.status = ContractStatus.INSTITUTION_SIGNED
        with audit_context(user, reason="签订带量采购合同（VBP-3）"):
            locked.save(update_fields=["status", "institution_signed_at", "institution_signed_by",
                                       "enterprise_signed_at", "enterprise_signed_by"])
    return locked


def contract_add_volume(user, line: ContractLine, *, quantity, reason, today=None) -> ContractAddition:
    """VBP-3 (Jilin 003 §三(四); Jiangsu's texts are silent): after completing the agreed
    volume the institution may add volume to the contract at the selected price."""
    institution = _institution_of(user)
    today = today or timezone.localdate()
    contract = line.contract
    if contract.institution_id != institution.pk:
        raise NotFound()
    if contract.status != ContractStatus.SIGNED:
        raise Conflict(_("合同尚未由双方签订"))
    try:
        qty = int(str(quantity).strip())
        if qty <= 0:
            raise ValueError
    except ValueError:
        raise InvalidInput(_("追加数量须为正整数"), "quantity") from None
    if not (reason or "").strip():
        raise InvalidInput(_("请填写追加说明"), "reason")
    completed = selectors.line_completed(line, today)
    _violation(rules.vbp_3_may_add(completed, line.agreed_qty, today, contract.tender.period_end), "quantity")
    with transaction.atomic(), audit_context(user, reason=f"完成约定量后追加采购量（VBP-3，吉林文件）：{reason}"):
        locked = ContractLine.objects.select_for_update().get(pk=line.pk)
        locked.added_qty += qty
        locked.save(update_fields=["added_qty"])
        return ContractAddition.objects.create(line=locked, quantity=qty, reason=reason.strip(), added_by=user)


def institution_cities(tender) -> list[Region]:
    return list(tender.member_cities.all())



# ====================================================================== members and monthly reports (VBP-9)


def tender_add_members(user, tender, *, institutions, kind) -> list:
    """The province joins institutions to an alliance (insured private institutions and
    pharmacies may join, VBP-5) or extends a result to further institutions (跟标扩围, VBP-9)."""
    require(user, "vbp.organise", message=PROVINCE_ONLY)
    if kind not in MemberKind.values:
        raise InvalidInput(_("方式取值无效"), "kind")
    if tender.status != TenderStatus.PUBLISHED and kind == MemberKind.FOLLOW_ON:
        raise Conflict(_("结果公布后方可跟标扩围"))
    orgs = list(institutions)
    if not orgs or any(o.kind != OrgKind.INSTITUTION for o in orgs):
        raise InvalidInput(_("请选择医疗机构（含医保定点社会办医疗机构和定点零售药店）"), "institutions")
    with transaction.atomic(), audit_context(user, reason=f"{MemberKind(kind).label}：{tender.code}（VBP-9）"):
        rows = TenderMember.objects.bulk_create(
            [TenderMember(tender=tender, institution=o, kind=kind, added_by=user) for o in orgs],
            ignore_conflicts=True)
    return rows


def monthly_use_report(user, tender, *, month, rows, today=None):
    """VBP-9: an alliance or follow-on member reports each variety's purchases and use for a
    past month; the same month again is refused (a correction is a new regulator decision)."""
    institution = _institution_of(user)
    today = today or timezone.localdate()
    month = _date(f"{month}-01" if len(str(month)) == 7 else month, "month", _("月份")).replace(day=1)
    if month >= today.replace(day=1):
        raise RuleViolation("VBP-9", _("只能报送已结束月份的采购和使用数据"), "month")
    member = (TenderMember.objects.filter(tender=tender, institution=institution).exists()
              or (tender.level == TenderLevel.ALLIANCE and tender.member_cities.filter(pk=institution.city_id).exists()))
    if not member:
        raise RuleViolation("VBP-9", _("本机构不是该联盟或跟标扩围的成员"), "tender")
    if not isinstance(rows, list) or not rows:
        raise InvalidInput(_("请至少报送一个品种"), "rows")
    varieties = {v.name: v for v in tender.varieties.all()}
    parsed = []
    for i, row in enumerate(rows):
        v = varieties.get(str(row.get("variety", "")).strip())
        if v is None:
            raise RuleViolation("VBP-9", _("第 %(row)s 行：品种“%(variety)s”不在批次 %(tender)s 中")
                                % {"row": i + 1, "variety": row.get("variety"), "tender": tender.code},
                                f"rows[{i}].variety")
        try:
            purchased, used = int(row.get("purchased")), int(row.get("used"))
            if purchased < 0 or used < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise InvalidInput(_("第 %(row)s 行：采购量、使用量须为不小于 0 的整数") % {"row": i + 1},
                               f"rows[{i}].purchased") from None
        parsed.append((v, purchased, used))
    with transaction.atomic(), audit_context(user, reason=f"报送 {month:%Y-%m} 带量采购采购使用数据（VBP-9）"):
        if MonthlyUseReport.objects.filter(variety__tender=tender, institution=institution, month=month).exists():
            raise Conflict(_("%(month)s 的数据已报送") % {"month": f"{month:%Y-%m}"}, "month")
        return MonthlyUseReport.objects.bulk_create([
            MonthlyUseReport(variety=v, institution=institution, month=month, purchased_qty=p, used_qty=u,
                             reported_by=user) for v, p, u in parsed])


# ====================================================================== extension to similar products (VBP-9, 002 §24)


def similar_extend(user, variety: Variety, *, product, price, reason, today=None) -> SimilarExtension:
    """The province extends a published variety's result to a similar product at a price not
    above the selected price; the product's enterprise is asked to accept."""
    require(user, "vbp.organise", message=PROVINCE_ONLY)
    today = today or timezone.localdate()
    tender = variety.tender
    if tender.status != TenderStatus.PUBLISHED:
        raise Conflict(_("结果公布后方可跟标扩围"))
    if product is None:
        raise InvalidInput(_("国家医保编码不在平台目录中（INT-2）"), "national_code")
    value = _optional_price(price, "price", _("扩围价格"))
    if value is None:
        raise InvalidInput(_("请填写扩围价格"), "price")
    reason = str(reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写扩围理由"), "reason")
    same_variety = (product.generic_name == variety.name
                    or VarietyProduct.objects.filter(variety=variety, product=product).exists())
    selected = list(variety.selected.values_list("price", flat=True))
    _violation(rules.vbp_9_similar_extension(tender.product_kind, product.kind, same_variety, value, selected,
                                             today, tender.period_end), "price" if selected else "variety")
    with transaction.atomic(), audit_context(user, reason=f"同类产品跟标扩围（VBP-9）：{reason}"):
        if SimilarExtension.objects.filter(variety=variety, product=product).exists():
            raise Conflict(_("该产品已扩围至本品种"), "national_code")
        ext = SimilarExtension.objects.create(variety=variety, product=product, enterprise=product.manufacturer,
                                              price=value, reason=reason, extended_by=user)
        notify(recipients.users_of(product.manufacturer), kind="vbp.extension", title=gettext_lazy("带量采购同类产品扩围待确认"),
               body=Text(gettext_noop("%(tender)s：%(variety)s 的结果拟扩围至贵企业产品 %(product)s，扩围价格 %(price)s 元，请确认。"),
                         tender=tender.name, variety=variety.name, product=product.generic_name, price=f"{value:.2f}"), target=tender, dedupe_key=f"vbp-ext-{ext.pk}")
    return ext


def similar_respond(user, extension: SimilarExtension, *, accept: bool) -> SimilarExtension:
    """The similar product's enterprise accepts (the price applies from then on) or declines."""
    require(user, "vbp.respond_extension", message=_("仅生产企业可确认扩围"))
    if extension.enterprise_id != user.organisation_id:
        raise NotFound()
    with transaction.atomic(), audit_context(user, reason="确认同类产品扩围（VBP-9）" if accept else "不接受同类产品扩围（VBP-9）"):
        locked = SimilarExtension.objects.select_for_update().get(pk=extension.pk)
        if locked.status != ExtensionStatus.PROPOSED:
            raise Conflict(_("该扩围已确认或已拒绝"))
        locked.status = ExtensionStatus.ACCEPTED if accept else ExtensionStatus.DECLINED
        locked.responded_by, locked.responded_at = user, timezone.now()
        locked.save(update_fields=["status", "responded_by", "responded_at"])
    return locked
