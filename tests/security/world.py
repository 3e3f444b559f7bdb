"""One small world with an object in every state a state-changing route acts on, and one
signed-in principal per role (ACT-1…ACT-7) plus the HIS token and anonymous.

Everything belongs to the same parties so that the role allowed to act on an object really
can (the manufacturer owns the products, the institution the orders, the regulators' city
and county are the institution's), which makes a refusal a matter of role only."""

import datetime as dt
from decimal import Decimal as D
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalog.models import OtherProvincePrice
from listing.services import applications
from listing.services import status as status_services
from parties.models import ApiClient, Organisation, OrgKind, Region, Role, User
from tests import factories as f
from tests.pdf import MINIMAL_PDF
from tests.xlsx import xlsx_bytes

PDF = MINIMAL_PDF  # uploads must parse as PDF (core.uploads)
DOCS = ("qualification", "province_records", "lowest_price_commitment", "quality_commitment")
PROVINCES = ["江西省", "河北省", "山西省", "辽宁省", "吉林省", "浙江省", "安徽省", "福建省", "山东省", "河南省"]
PASSWORD = "Pw-123456!"

# The principals of the matrix: the 7 roles of RULES §1, the HIS token and anonymous.
ROLES = ("manufacturer", "distributor", "institution", "county_regulator", "city_regulator",
         "province_regulator", "expert", "his", "anonymous")


def pdf(name="doc.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _user(org, role, username):
    return User.objects.create_user(username=username, password=PASSWORD, organisation=org, role=role,
                                    full_name=username)


def _product(maker, n, kind="drug", **kw):
    kw.setdefault("national_code", f"C{n:026d}" if kind == "consumable" else f"XM01AAA{n:016d}")
    kw.setdefault("generic_name", f"矩阵药品{n}")
    return f.ProductFactory(consumable=kind == "consumable", dosage_form="片剂", specification=f"{n}mg", conversion=10,
                            manufacturer=maker, **kw)


def _spread(product, province_user, lowest):
    for i, prov in enumerate(PROVINCES[:8]):
        OtherProvincePrice.objects.create(
            product=product, province=prov, level="province", price=D(lowest) + i, source="矩阵",
            effective_date=dt.date(2026, 5, 1), entered_by=province_user)


def build_world():  # noqa: PLR0915 - one linear story of the world, easier to read than split
    from experts import services as expert_services
    from monitoring.models import Flag
    from negotiation import services as neg_services
    from negotiation.models import Interview
    from notifications.services import notify
    from orders.models import NoSalesCase, RestorationRequest
    from orders.services import fulfilment, ordering, settlement
    from pricing import services as pricing_services
    from qualifications.models import BadRecord, DistributionRelationship
    from workcalendar import services as calendar_services

    w = SimpleNamespace()
    nanjing = Region.objects.get(code="320100")
    county = nanjing.children.order_by("code").first()
    w.nanjing, w.county = nanjing, county

    # ---------------------------------------------------------------- parties and principals
    w.maker = Organisation.objects.create(kind=OrgKind.MANUFACTURER, name="矩阵制药")
    w.distributor = Organisation.objects.create(kind=OrgKind.DISTRIBUTOR, name="矩阵配送")
    w.institution = Organisation.objects.create(kind=OrgKind.INSTITUTION, name="矩阵人民医院", city=nanjing,
                                                county=county, level=3, ownership="public")
    w.other_institution = Organisation.objects.create(kind=OrgKind.INSTITUTION, name="矩阵第二医院", city=nanjing,
                                                      county=county, level=2, ownership="public")
    w.county_org = Organisation.objects.create(kind=OrgKind.COUNTY_REGULATOR, name="矩阵县医保局", city=nanjing,
                                               county=county)
    w.city_org = Organisation.objects.create(kind=OrgKind.CITY_REGULATOR, name="矩阵市医保局", city=nanjing)
    w.province_org = Organisation.objects.create(kind=OrgKind.PROVINCE_REGULATOR, name="矩阵省医保局")
    w.pool_org = Organisation.objects.create(kind=OrgKind.EXPERT_POOL, name="矩阵专家库")

    users = {
        "manufacturer": _user(w.maker, Role.MANUFACTURER, "mx_maker"),
        "distributor": _user(w.distributor, Role.DISTRIBUTOR, "mx_dist"),
        "institution": _user(w.institution, Role.INSTITUTION, "mx_inst"),
        "county_regulator": _user(w.county_org, Role.COUNTY_REGULATOR, "mx_county"),
        "city_regulator": _user(w.city_org, Role.CITY_REGULATOR, "mx_city"),
        "province_regulator": _user(w.province_org, Role.PROVINCE_REGULATOR, "mx_province"),
        "expert": _user(w.pool_org, Role.EXPERT, "mx_expert"),
    }
    w.users = users
    w.other_inst_user = _user(w.other_institution, Role.INSTITUTION, "mx_inst2")
    province = users["province_regulator"]
    maker_user, inst_user, dist_user = users["manufacturer"], users["institution"], users["distributor"]

    token, key_id, key_hash = ApiClient.new_key()
    his_user = User.objects.create_user(username="mx_his", password=None, organisation=w.institution, role=Role.HIS)
    w.api_client = ApiClient.objects.create(institution=w.institution, name="矩阵HIS", user=his_user, key_id=key_id,
                                            key_hash=key_hash, created_by=inst_user)
    w.his_token = token
    w.users["his"] = his_user
    _t2, k2, h2 = ApiClient.new_key()
    his2 = User.objects.create_user(username="mx_his2", password=None, organisation=w.institution, role=Role.HIS)
    w.api_client_to_revoke = ApiClient.objects.create(institution=w.institution, name="矩阵HIS备用", user=his2,
                                                      key_id=k2, key_hash=h2, created_by=inst_user)

    # ---------------------------------------------------------------- catalogue and listings
    w.product = _product(w.maker, 1)                       # listed, ordered, negotiated
    w.listing = f.ListingFactory(product=w.product, price=D("20.00"), status="active", category="LST-1",
                                       effective_date=dt.date(2026, 1, 1))
    w.product_b = _product(w.maker, 2)                     # listed, no-sales case
    w.listing_b = f.ListingFactory(product=w.product_b, price=D("8.00"), status="suspended", category="LST-1",
                                         effective_date=dt.date(2025, 1, 1))
    w.consumable = _product(w.maker, 3, kind="consumable", generic_name="矩阵导管")
    w.applied = _product(w.maker, 4)                       # a submitted application
    w.returned_product = _product(w.maker, 5)              # an application returned for supplement
    w.unlisted = _product(w.maker, 6)                      # free for a new application
    w.product_c = _product(w.maker, 7)                     # listed, not yet negotiated, no-sales pending
    w.listing_c = f.ListingFactory(product=w.product_c, price=D("30.00"), status="active", category="LST-1",
                                         effective_date=dt.date(2025, 1, 1))
    for p in (w.applied, w.returned_product, w.unlisted):
        _spread(p, province, "18.90")

    from qualifications import services as qual_services

    licence = qual_services.qualification_submit(
        maker_user, kind="business_licence", number="MX-0001", valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2030, 1, 1), file=pdf("licence.pdf"), name="营业执照")
    qual_services.qualification_review(province, licence, approve=True, reason="齐全")
    docs = {c: pdf(f"{c}.pdf") for c in DOCS}
    w.application = applications.application_submit(
        user=maker_user, product=w.applied, category="LST-2.3", declared_price="18.90", documents=docs)
    returned = applications.application_submit(
        user=maker_user, product=w.returned_product, category="LST-2.3", declared_price="18.90",
        documents={c: pdf(f"{c}.pdf") for c in DOCS})
    w.returned = applications.application_return(user=province, application=returned, reason="补充材料")
    w.delist_request = status_services.delist_request_create(user=maker_user, listing=w.listing_b,
                                                       reason_kind=_delist_reason(w.listing_b), note="停产")

    # ---------------------------------------------------------------- distribution and orders
    w.relationship = DistributionRelationship.objects.create(
        manufacturer=w.maker, distributor=w.distributor, city=nanjing, status="active", proposed_by=maker_user,
        answered_at=timezone.now())
    w.other_distributor = Organisation.objects.create(kind=OrgKind.DISTRIBUTOR, name="矩阵配送二")
    w.pending_relationship = DistributionRelationship.objects.create(
        manufacturer=w.maker, distributor=w.distributor, city=Region.objects.get(code="320500"), status="proposed",
        proposed_by=maker_user)

    w.order = ordering.order_create(inst_user, lines=[{"product_id": w.product.pk, "quantity": 5}],
                                          external_ref="MX-1")
    w.line = w.order.lines.get()
    shipped = ordering.order_create(inst_user, lines=[{"product_id": w.product.pk, "quantity": 4}])
    w.shipped_line = shipped.lines.get()
    ordering.order_lines_confirm(dist_user, order_line_ids=[w.shipped_line.pk])
    w.delivery = fulfilment.delivery_create(
        dist_user, order_id=shipped.pk, note_number="MXD-1", shipped_on=dt.date(2026, 11, 20),
        lines=[{"order_line": w.shipped_line.pk, "quantity": 4, "batch_number": "B1", "expiry_date": "2028-01-01"}])
    w.delivery_line = w.delivery.lines.get()
    received = ordering.order_create(inst_user, lines=[{"product_id": w.product.pk, "quantity": 3}])
    w.received_line = received.lines.get()
    ordering.order_lines_confirm(dist_user, order_line_ids=[w.received_line.pk])
    delivered = fulfilment.delivery_create(
        dist_user, order_id=received.pk, note_number="MXD-2", shipped_on=dt.date(2026, 11, 18),
        lines=[{"order_line": w.received_line.pk, "quantity": 3, "batch_number": "B2", "expiry_date": "2028-01-01"}])
    fulfilment.receipt_create(inst_user, delivery_id=delivered.pk, received_on=dt.date(2026, 11, 19))
    w.received_delivery = delivered
    settlement.account_set(inst_user, bank_name="矩阵银行", account_name="矩阵人民医院",
                               account_number="6222000011110000")
    w.invoice = settlement.invoice_create(dist_user, delivery_id=delivered.pk, number="MXI-1", amount="30.00",
                                              issued_on=dt.date(2026, 11, 20))
    w.nosales = NoSalesCase.objects.create(listing=w.listing_c, detected_on=dt.date(2026, 11, 1), no_sales_days=365)
    w.nosales_suspended = NoSalesCase.objects.create(listing=w.listing_b, detected_on=dt.date(2026, 10, 1),
                                                     no_sales_days=365, status="suspended",
                                                     suspended_on=dt.date(2026, 10, 10))
    w.restoration = RestorationRequest.objects.create(case=w.nosales_suspended, institution=w.institution, reason="临床需要",
                                                      created_by=inst_user)

    # ---------------------------------------------------------------- negotiation
    w.proposal = neg_services.proposal_submit(user=inst_user, listing_id=w.listing.pk, unit_price="19.00",
                                              quantity="100")
    confirmed = neg_services.proposal_submit(user=w.other_inst_user, listing_id=w.listing.pk, unit_price="19.50",
                                             quantity="100")
    neg_services.proposal_confirm(user=maker_user, proposal_id=confirmed.pk)
    from negotiation.models import PurchaseAgreement

    w.agreement = PurchaseAgreement.objects.filter(manufacturer=w.maker).order_by("-id").first()
    w.group = neg_services.group_create(user=w.other_inst_user, name="矩阵组团", institution_ids=[w.institution.pk])
    w.interview = Interview.objects.create(institution=w.institution, period_end=dt.date(2026, 9, 30),
                                           reasons=["red"])

    # ---------------------------------------------------------------- experts
    experts = [users["expert"]] + [_user(w.pool_org, Role.EXPERT, f"mx_expert{i}") for i in range(2, 4)]
    w.profiles = [expert_services.expert_profile_save(province, expert_user=u, category="clinical",
                                                      employer="矩阵医院") for u in experts]
    w.profile = w.profiles[0]
    w.session = expert_services.session_create(province, purpose="new_drug", title="矩阵新药谈判",
                                               date=dt.date(2026, 12, 1))
    w.case = expert_services.session_add_case(province, w.session, product=w.unlisted, description="矩阵案件")
    w.planned_session = expert_services.session_create(province, purpose="new_drug", title="矩阵新药谈判二",
                                                       date=dt.date(2026, 12, 15))
    w.draw = expert_services.session_draw(province, w.session, {"clinical": 3}, reason="矩阵抽取")
    expert_services.round_record(province, w.case, enterprise_offer="16.00", expert_counter_offer="14.00")
    w.conflict = expert_services.conflict_declare(users["expert"], w.profile, enterprise=w.distributor,
                                                  description="亲属任职")

    # ---------------------------------------------------------------- pricing
    w.trigger = OtherProvincePrice.objects.create(
        product=w.product, province="浙江省", level="province", price=D("12.00"), source="矩阵",
        effective_date=dt.date(2026, 11, 2), entered_by=province)
    opened = pricing_services.linkage_open_for_record(w.trigger)
    w.linkage = opened[0] if opened else None
    w.round = pricing_services.general_round_start(province, year=2026)
    w.complaint = pricing_services.complaint_file(maker_user, subject="other", title="矩阵申诉", text="价格有误",
                                                  listing=w.listing)

    # ---------------------------------------------------------------- qualifications
    # A pending qualification blocks new listing applications (QUA-1): the distributor's, not the maker's.
    w.qualification = qual_services.qualification_submit(
        dist_user, kind="drug_trading", number="MX-0002", valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2030, 1, 1), file=pdf("licence.pdf"), name="药品经营许可证")
    w.bad_record = BadRecord.objects.create(enterprise=w.maker, kind="untrue_price", severity="warning",
                                            recorded_on=dt.date(2026, 10, 1), description="矩阵不良记录",
                                            recorded_by=province)

    # ---------------------------------------------------------------- monitoring, notices, calendar
    w.flag = Flag.objects.create(institution=w.institution, month=dt.date(2026, 9, 1), category="low_rate",
                                 kind="drug", rule="MON-4", detail="矩阵督查")
    for user in users.values():
        notify([user], kind="matrix", title="矩阵消息", body="", url="/")
    w.notifications = {role: u.notifications.order_by("id").first() for role, u in users.items()
                       if hasattr(u, "notifications")}
    from monitoring import services as monitoring_services

    monitoring_services.report_submit(user=inst_user, month="2026-10", figures={
        "drug_total": "1000", "drug_platform": "800", "drug_emergency": "0", "consumable_total": "500",
        "consumable_platform": "400", "consumable_emergency": "0"})
    w.calendar_day = calendar_services.set_calendar_day(province, dt.date(2027, 3, 8), "holiday", "矩阵假日")
    return w


def _delist_reason(listing):
    from listing.models import DelistReason

    return DelistReason.STOPPED_PRODUCTION


# ------------------------------------------------------------------------------------------
# The channels merged after the matrix was built (filing, insurance, oversight, shortage, VBP,
# accounts, QUA-1 change requests, NEG-4 evidence): one object in the state each of their
# state-changing routes acts on, owned by the same parties as above.

OTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238 test key: one token fits every device


def _consumable(maker, n, klass="hv6", name=None):
    return f.ProductFactory(kind="consumable", generic_name=name or f"矩阵耗材{n}", specification=f"{n}号",
                            pack_unit="个", conversion=1, manufacturer=maker, consumable_class=klass,
                            national_code=f"C{n:026d}", dosage_form="")


def xlsx_file(rows, name="upload.xlsx"):
    return SimpleUploadedFile(name, xlsx_bytes(rows),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def build_channels(w):  # noqa: PLR0915 - one linear story, like build_world
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from catalog import services as catalog_services
    from filing.models import FilingRequest
    from insurance.models import PaymentStandard as InsuranceStandard
    from insurance.models import StandardRun
    from negotiation import services as neg_services
    from orders.services import fulfilment, ordering
    from oversight.models import RiskSignal
    from shortage import services as shortage_services
    from shortage.models import NeedStatus, ShortageList, ShortageListEntry, ShortageNeed
    from vbp import services as vbp_services

    users = w.users
    province, inst_user, maker_user = users["province_regulator"], users["institution"], users["manufacturer"]

    # ---------------------------------------------------------------- filing (FIL-*)
    w.filing_free = _consumable(w.maker, 21)            # no filing yet: filing:new
    w.filing_products = [_consumable(w.maker, n) for n in (22, 23, 24)]

    def filing(product, status, n, **kw):
        return FilingRequest.objects.create(
            number=f"MXBA{n:04d}", kind="high_value", institution=w.institution, product=product, enterprise=w.maker,
            price=D("100.00"), quantity=10, status=status, confirming_body="province", submitted_by=inst_user, **kw)

    w.filing_awaiting = filing(w.filing_products[0], "awaiting_enterprise", 1)
    w.filing_submitted = filing(w.filing_products[1], "submitted", 2, agreed_price=D("100.00"), agreed_quantity=10,
                                has_records=True)
    w.filing_confirmed = filing(w.filing_products[2], "confirmed", 3, confirmed_on=dt.date(2026, 10, 1))
    # LST-C2 (filing → listing, FIL-C4): listed in at least 15 provinces.
    for i, prov in enumerate(PROVINCES + ["湖北省", "湖南省", "广东省", "四川省", "云南省", "陕西省"]):
        OtherProvincePrice.objects.create(
            product=w.filing_confirmed.product, province=prov, level="province", price=D("100.00") + i, source="矩阵",
            effective_date=dt.date(2026, 5, 1), entered_by=province)
    w.legacy_product = _consumable(w.maker, 25)          # FIL-4 import target

    # ---------------------------------------------------------------- insurance (INS-1)
    w.run = StandardRun.objects.create(year=2026, version=1, status="done", total=1, done=1, started_by=province,
                                       finished_at=timezone.now())
    w.standard = InsuranceStandard.objects.create(run=w.run, year=2026, product=w.product, rule="INS-1",
                                                  method="矩阵", computed_amount=D("18.0000"), amount=D("18.0000"))

    # ---------------------------------------------------------------- oversight (BAD-1)
    w.signal = RiskSignal.objects.create(kind="price_rise", key="mx-signal-1", enterprise=w.maker, product=w.product,
                                         summary="矩阵涨价信号", detected_on=dt.date(2026, 11, 1))

    # ---------------------------------------------------------------- QUA-1 product change request
    w.change_request = catalog_services.product_change_propose(maker_user, w.product_c, changes={"pack_unit": "瓶"},
                                                               reason="包装单位变更")

    # ---------------------------------------------------------------- NEG-4 evidenced proposal
    w.neg_consumable = _consumable(w.maker, 26, klass="ordinary")
    w.neg_listing = f.ListingFactory(product=w.neg_consumable, price=D("100.00"), status="active",
                                           category="LST-C1", effective_date=dt.date(2026, 1, 1))
    w.evidenced = neg_services.proposal_submit(user=inst_user, listing_id=w.neg_listing.pk, unit_price="90.00",
                                               quantity="100", evidence_price="90.00", evidence_note="浙江某医院成交发票")

    # ---------------------------------------------------------------- shortage and emergency (SHO-1, EMG-*)
    issue = ShortageList.objects.create(kind="shortage", effective_from=dt.date(2026, 1, 1), source="矩阵卫药〔2026〕1号",
                                        file_name="list.xlsx", imported_by=province)
    entries = [ShortageListEntry.objects.create(shortage_list=issue, row=row, generic_name=name, dosage_form="注射剂")
               for row, name in enumerate(("矩阵短缺药甲", "矩阵短缺药乙", "矩阵短缺药丙"), start=2)]
    w.need = shortage_services.need_create(inst_user, generic_name="矩阵短缺药甲", dosage_form="注射剂", quantity=100)
    w.shortage_product = f.ProductFactory(kind="drug", generic_name="矩阵短缺药乙", dosage_form="注射剂",
                                             specification="1支", pack_unit="支", conversion=1, manufacturer=w.maker,
                                             national_code=f"XM01AAA{27:016d}")
    w.need_reported = ShortageNeed.objects.create(
        institution=w.institution, list_entry=entries[1], generic_name="矩阵短缺药乙", dosage_form="注射剂", quantity=50,
        status=NeedStatus.PURCHASABLE, product=w.shortage_product, price=D("30.00"), created_by=inst_user,
        reported_at=timezone.now(), reported_by=inst_user, purchasable_from=dt.date(2026, 11, 1))
    w.emergency = shortage_services.emergency_declare(
        inst_user, kind="drug", item_name="矩阵急救药 10mg", supplier="某制药有限公司", emergency_kind="rescue",
        emergency_note="急诊抢救", clinical_necessity="无替代品种", approved_by="张院长",
        approval_date=dt.date(2026, 11, 20), purchase_date=dt.date(2026, 11, 20), quantity="20", amount="3600.00",
        insurance_paid="2520.00")
    w.emergency_completed = shortage_services.emergency_declare(    # formalities done: awaiting review (EMG-2)
        inst_user, kind="drug", item_name="矩阵急救药 20mg", supplier="某制药有限公司", emergency_kind="rescue",
        emergency_note="急诊抢救", clinical_necessity="无替代品种", approved_by="张院长",
        approval_date=dt.date(2026, 11, 19), purchase_date=dt.date(2026, 11, 19), quantity="10", amount="1800.00",
        insurance_paid="1260.00")
    shortage_services.emergency_complete_formalities(inst_user, w.emergency_completed, ref="补办审批 MX-0",
                                                     documents=[pdf("formalities.pdf")])

    # ---------------------------------------------------------------- VBP (VBP-1…VBP-3, VBP-5)
    w.vbp_products = [_product(w.maker, n, generic_name=f"矩阵集采药{n}") for n in (31, 32, 33)]
    for p in w.vbp_products:
        f.ListingFactory(product=p, price=D("10.00"), status="active", category="LST-1",
                               effective_date=dt.date(2025, 1, 1))

    def tender(code, product):
        t = vbp_services.national_result_import(
            province, xlsx_file([vbp_services.RESULT_HEADERS, [product.generic_name, product.national_code, "6.50", "100"]]),
            code=code, name=f"矩阵国家集采{code}", product_kind="drug", volume_ratio="100",
            period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31))
        vbp_services.base_volume_report(inst_user, t, variety=product.generic_name, quantity=2, reason="院内统计")
        return t

    w.tender_open = tender("MX-VBP-1", w.vbp_products[0])          # base volume reported, not locked
    w.tender_unsigned = tender("MX-VBP-2", w.vbp_products[1])
    w.contract_unsigned = vbp_services.allocation_lock(province, w.tender_unsigned)[0]
    w.tender_signed = tender("MX-VBP-3", w.vbp_products[2])
    w.contract_signed = vbp_services.allocation_lock(province, w.tender_signed)[0]
    vbp_services.contract_sign(inst_user, w.contract_signed)
    vbp_services.contract_sign(maker_user, w.contract_signed)
    w.contract_line = w.contract_signed.lines.get()
    # The agreed volume (2) completed: received at the selected price (VBP-3 allows adding then).
    order = ordering.order_create(inst_user, lines=[{"product_id": w.vbp_products[2].pk, "quantity": 2}])
    line = order.lines.get()
    ordering.order_lines_confirm(users["distributor"], order_line_ids=[line.pk])
    delivery = fulfilment.delivery_create(
        users["distributor"], order_id=order.pk, note_number="MXD-VBP", shipped_on=dt.date(2026, 11, 20),
        lines=[{"order_line": line.pk, "quantity": 2, "batch_number": "BV", "expiry_date": "2028-01-01"}])
    fulfilment.receipt_create(inst_user, delivery_id=delivery.pk, received_on=dt.date(2026, 11, 21))
    w.draft_tender = vbp_services.tender_create(
        province, code="MX-PROV-1", name="矩阵省级集采", level="provincial", alliance_kind="", product_kind="drug",
        selection_mode="price_competition", selection_rule="", volume_ratio="60", period_start=dt.date(2027, 1, 1),
        period_end=dt.date(2027, 12, 31), lead_city=None, member_cities=[])
    vbp_services.tender_attach_experts(province, w.draft_tender, w.session)  # EXP-1: experts pick varieties
    # VBP-9: two similar products (another generic, same kind) for the open tender's variety; one extended.
    w.similar = [f.ProductFactory(kind="drug", generic_name=f"矩阵同类药{n}", dosage_form="片剂", specification=f"{n}mg",
                                  pack_unit="盒", conversion=10, manufacturer=w.maker,
                                  national_code=f"XM01AAA{n:016d}") for n in (34, 35)]
    w.variety_open = w.tender_open.varieties.get()
    w.extension = vbp_services.similar_extend(province, w.variety_open, product=w.similar[1], price="6.00",
                                              reason="同类产品跟标")

    # ---------------------------------------------------------------- accounts (TOTP enrolment pending)
    for role in ("county_regulator", "city_regulator", "province_regulator"):
        TOTPDevice.objects.create(user=users[role], name="身份验证器", confirmed=False, key=OTP_KEY)
    w.reset_target = w.other_inst_user
    w.reset_target.email = "mx_inst2@example.org"
    w.reset_target.save(update_fields=["email"])
    return w


def otp_token():
    """The current TOTP token of the world's pending devices (time is frozen by the matrix)."""
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(OTP_KEY)):06d}"
