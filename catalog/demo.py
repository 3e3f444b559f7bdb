"""Demo catalogue for `manage.py load_demo` (runs after parties.demo): ~40 products of the demo
manufacturers with well-formed national codes (CAT-1.1), other provinces' prices (LST-0.3),
enterprise qualifications (QUA-1) and distribution relationships covering every city for every
demo manufacturer (QUA-2; the first delivers itself in the last city), and product information
change requests in every state (QUA-1). Idempotent: rows are found by their natural keys."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core.audit import audit_context
from core.pdfs import blank_pdf
from parties.demo import DISTRIBUTORS, MANUFACTURERS
from parties.models import Organisation, Region, Role, User

from .models import CatalogueChange, OtherProvincePrice, PriceLevel, Product, ProductChangeRequest

# (generic name, dosage form, specification, pack unit, conversion, ATC5, base price, flags)
DRUGS = [
    ("阿莫西林胶囊", "胶囊剂", "0.25g", "盒", 24, "J01CA", "6.80", {"is_essential": True, "is_consistency_evaluated": True}),
    ("阿莫西林胶囊", "胶囊剂", "0.5g", "盒", 24, "J01CA", "11.50", {"is_essential": True}),
    ("盐酸二甲双胍片", "片剂", "0.5g", "盒", 48, "A10BA", "9.60", {"is_essential": True, "is_consistency_evaluated": True}),
    ("盐酸二甲双胍缓释片", "缓释片", "0.5g", "盒", 30, "A10BA", "18.20", {"is_consistency_evaluated": True}),
    ("阿托伐他汀钙片", "片剂", "20mg", "盒", 7, "C10AA", "12.35", {"is_consistency_evaluated": True}),
    ("阿托伐他汀钙片", "片剂", "10mg", "盒", 7, "C10AA", "7.90", {"is_originator": True}),
    ("头孢呋辛酯片", "片剂", "0.25g", "盒", 12, "J01DC", "15.60", {"is_essential": True}),
    ("注射用头孢曲松钠", "注射剂", "1.0g", "支", 1, "J01DD", "4.85", {"is_essential": True, "is_emergency": True}),
    ("氯化钠注射液", "注射剂", "0.9% 250ml", "袋", 1, "B05XA", "2.95", {"is_essential": True, "is_large_infusion": True}),
    ("葡萄糖注射液", "注射剂", "5% 500ml", "瓶", 1, "B05BA", "3.40", {"is_essential": True, "is_large_infusion": True}),
    ("苯磺酸氨氯地平片", "片剂", "5mg", "盒", 28, "C08CA", "8.75", {"is_essential": True, "is_consistency_evaluated": True}),
    ("硫酸氢氯吡格雷片", "片剂", "75mg", "盒", 7, "B01AC", "21.40", {"is_reference": True}),
    ("奥美拉唑肠溶胶囊", "肠溶胶囊", "20mg", "盒", 14, "A02BC", "10.20", {"is_essential": True}),
    ("盐酸左氧氟沙星片", "片剂", "0.5g", "盒", 4, "J01MA", "9.30", {"is_consistency_evaluated": True}),
    ("甲硝唑片", "片剂", "0.2g", "瓶", 100, "P01AB", "5.10", {"is_essential": True}),
    ("布洛芬缓释胶囊", "缓释胶囊", "0.3g", "盒", 20, "M01AE", "13.80", {}),
    ("对乙酰氨基酚片", "片剂", "0.5g", "盒", 20, "N02BE", "3.60", {"is_essential": True, "is_shortage_watch": True}),
    ("硝苯地平控释片", "控释片", "30mg", "盒", 7, "C08CA", "32.50", {"is_originator": True}),
    ("缬沙坦胶囊", "胶囊剂", "80mg", "盒", 14, "C09CA", "16.90", {"is_consistency_evaluated": True}),
    ("厄贝沙坦片", "片剂", "0.15g", "盒", 14, "C09CA", "14.70", {"is_consistency_evaluated": True}),
    ("瑞舒伐他汀钙片", "片剂", "10mg", "盒", 7, "C10AA", "11.20", {"is_consistency_evaluated": True}),
    ("盐酸肾上腺素注射液", "注射剂", "1ml:1mg", "支", 1, "C01CA", "1.95", {"is_emergency": True, "is_shortage": True}),
    ("硫酸阿托品注射液", "注射剂", "1ml:0.5mg", "支", 1, "A03BA", "1.20", {"is_emergency": True, "is_shortage_watch": True}),
    ("盐酸吗啡注射液", "注射剂", "1ml:10mg", "支", 1, "N02AA", "3.75", {"is_narcotic_psychotropic": True}),
    ("地西泮片", "片剂", "2.5mg", "瓶", 100, "N05BA", "6.40", {"is_narcotic_psychotropic": True}),
    ("胰岛素注射液", "注射剂", "10ml:400单位", "支", 1, "A10AB", "46.80", {"is_essential": True}),
    ("利伐沙班片", "片剂", "10mg", "盒", 10, "B01AF", "58.60", {"is_consistency_evaluated": True}),
    ("替格瑞洛片", "片剂", "90mg", "盒", 14, "B01AC", "78.40", {"is_national_negotiated": True}),
    ("恩格列净片", "片剂", "10mg", "盒", 10, "A10BK", "45.30", {"is_national_negotiated": True}),
    ("注射用紫杉醇（白蛋白结合型）", "注射剂", "100mg", "瓶", 1, "L01CD", "780.00", {"is_innovative": True}),
    ("复方丹参滴丸", "滴丸剂", "27mg", "瓶", 180, "ZA12B", "26.50", {"is_essential": True}),
    ("连花清瘟胶囊", "胶囊剂", "0.35g", "盒", 36, "ZA01A", "14.80", {}),
    ("银杏叶片", "片剂", "9.6mg", "盒", 24, "ZA12C", "19.90", {}),
]

# (name, specification, pack unit, consumable class, classification part (19 digits), base price)
CONSUMABLES = [
    ("冠脉支架", "药物洗脱 3.0×18mm", "个", "hv6", "0302010100000002117", "598.00"),
    ("冠脉球囊扩张导管", "2.5×15mm", "根", "hv6", "0302020100000001045", "265.00"),
    ("人工髋关节", "生物型 全髋 组配式", "套", "hv6", "0401010200000003320", "7250.00"),
    ("人工膝关节", "后稳定型 全膝", "套", "hv6", "0401020100000002871", "6980.00"),
    ("一次性使用输液器", "带针 0.7mm", "支", "ordinary", "1401010100000000116", "1.35"),
    ("一次性使用无菌注射器", "5ml 带针", "支", "ordinary", "1402010100000000209", "0.42"),
    ("血糖试纸", "50 片/盒（葡萄糖氧化酶法）", "盒", "ivd", "2201030100000001534", "58.00"),
    ("心肌肌钙蛋白I检测试剂盒", "化学发光法 100 人份", "盒", "ivd", "2202040100000000876", "1280.00"),
    ("可吸收缝合线", "3-0 带针 75cm", "根", "hv5", "0901010100000000435", "38.50"),
]

DRUG_MAKERS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16]
CONSUMABLE_MAKERS = [10, 18, 17, 19]  # 盐城东方医疗器械、江苏微创、北京京泰、苏州康泰体外诊断

PROVINCES = ["浙江省", "安徽省", "山东省", "广东省", "福建省", "湖北省", "四川省", "河南省", "上海市", "北京市"]
CONSUMABLE_CITIES = [("浙江省", "杭州市"), ("山东省", "青岛市"), ("广东省", "深圳市")]

# A one-page PDF used as the demo certificate scan.
DEMO_PDF = blank_pdf()


def drug_code(prefix: str, atc: str, index: int) -> str:
    """A well-formed 23-character drug code (CAT-1.1): X/Z + ATC-like part + sequence."""
    code = f"{prefix}{atc[:5]}A{index:03d}E{index % 7:03d}0101{index * 37 % 100000:05d}"
    return code[:23]


def consumable_code(classification: str, index: int) -> str:
    """A well-formed 27-character consumable code (CAT-1.1): C + 19-digit class part + 7 digits."""
    return f"C{classification}{index:07d}"


def _variation(i: int, j: int) -> Decimal:
    # Deterministic spread of ±8 % between provinces.
    return Decimal(100 + ((i * 7 + j * 13) % 17) - 8) / Decimal(100)


def _products(makers, entered_by, today):
    products = []
    for i, (name, form, spec, pack, conv, atc, base, flags) in enumerate(DRUGS, start=1):
        prefix = "Z" if atc.startswith("Z") else "X"
        atc_code = atc[1:].ljust(5, "A") if prefix == "Z" else atc
        code = drug_code(prefix, atc_code, i)
        maker = makers[DRUG_MAKERS[(i - 1) % len(DRUG_MAKERS)]]
        defaults = dict(
            kind="drug", generic_name=name, dosage_form=form, specification=spec, pack_unit=pack, min_unit="",
            conversion=conv, manufacturer=maker, mah=maker.name, approval_number=f"国药准字H{20200000 + i * 131}"
            if prefix == "X" else f"国药准字Z{20200000 + i * 97}", approval_date=date(2018 + i % 6, 1 + i % 12, 10),
            **flags,
        )
        if flags.get("is_innovative"):
            defaults["innovative_class"] = "化学药品1类"
        if flags.get("is_national_negotiated"):
            defaults.update(nn_payment_standard=Decimal(base), nn_agreement_start=date(2025, 1, 1),
                            nn_agreement_end=date(2026, 12, 31))
        product, _ = Product.objects.get_or_create(national_code=code, defaults=defaults)
        products.append((product, Decimal(base)))
    for i, (name, spec, pack, cls, classification, base) in enumerate(CONSUMABLES, start=1):
        code = consumable_code(classification, i)
        maker = makers[CONSUMABLE_MAKERS[(i - 1) % len(CONSUMABLE_MAKERS)]]
        product, created = Product.objects.get_or_create(national_code=code, defaults=dict(
            kind="consumable", generic_name=name, specification=spec, pack_unit=pack, manufacturer=maker,
            mah=maker.name, approval_number=f"国械注准2021{3 if cls.startswith('hv') else 2}{i:02d}0{i * 41:04d}",
            approval_date=date(2021, i % 12 + 1, 1), consumable_class=cls, in_sunshine_catalogue=True,
        ))
        if created:
            CatalogueChange.objects.create(product=product, action="add", reason="纳入省阳光采购目录（演示数据）",
                                           by=entered_by)
        products.append((product, Decimal(base)))
    # One product still waiting for its national code (CAT-1: listing flagged until supplied).
    Product.objects.get_or_create(
        kind="drug", generic_name="盐酸氨溴索口服溶液", dosage_form="口服溶液剂", specification="100ml:0.6g",
        manufacturer=makers[13], defaults=dict(pack_unit="瓶", mah=makers[13].name, approval_number="国药准字H20263001",
                                             approval_date=date(2026, 3, 1)),
    )
    return products


def _prices(products, today):
    for i, (product, base) in enumerate(products):
        if product.other_prices.exists():
            continue
        entered_by = User.objects.filter(organisation=product.manufacturer, role=Role.MANUFACTURER).first()
        if entered_by is None:
            continue
        for j in range(4):
            province = PROVINCES[(i + j * 3) % len(PROVINCES)]
            OtherProvincePrice.objects.create(
                product=product, province=province, level=PriceLevel.PROVINCE,
                price=(base * _variation(i, j)).quantize(Decimal("0.01")),
                effective_date=today - timedelta(days=30 + 45 * j + i), source=f"{province}医药集中采购平台挂网公告",
                entered_by=entered_by,
            )
        if product.kind == "consumable":
            province, city = CONSUMABLE_CITIES[i % len(CONSUMABLE_CITIES)]
            OtherProvincePrice.objects.create(
                product=product, province=province, city=city, level=PriceLevel.CITY,
                price=(base * Decimal("0.95")).quantize(Decimal("0.01")),
                effective_date=today - timedelta(days=60), source=f"{city}医用耗材采购平台", entered_by=entered_by,
            )


def _qualification(org, kind, number, valid_from, valid_until, status, reviewer, today):
    from qualifications.models import Qualification

    q = Qualification.objects.filter(enterprise=org, kind=kind, number=number).first()
    if q is not None:
        return q
    submitter = User.objects.filter(organisation=org).exclude(role=Role.HIS).first()
    q = Qualification(
        enterprise=org, kind=kind, number=number, valid_from=valid_from, valid_until=valid_until, status=status,
        submitted_by=submitter, submitted_at=timezone.now(),
    )
    if status != "pending":
        q.reviewed_by = reviewer
        q.reviewed_at = timezone.now()
        q.review_reason = "" if status == "approved" else "扫描件不清晰"
    q.file.save(f"{kind}-{number}.pdf", ContentFile(DEMO_PDF), save=False)
    q.save()
    return q


def _qualifications(makers, distributors, reviewer, today):
    for i, org in enumerate(makers, start=1):
        _qualification(org, "business_licence", f"91320000MA{i:08d}", date(2015, 1, 1), None, "approved", reviewer, today)
        is_device = i - 1 in CONSUMABLE_MAKERS
        kind = "device_manufacturing" if is_device else "drug_manufacturing"
        number = f"苏食药监械生产许{20160000 + i}" if is_device else f"苏{20160000 + i}"
        if i == 7:  # expires within 30 days: the daily job reminds this manufacturer
            until, status = today + timedelta(days=20), "approved"
        elif i == 12:  # a change waiting for the regulator's review
            until, status = date(2030, 6, 30), "pending"
        else:
            until, status = date(2030, 12, 31), "approved"
        _qualification(org, kind, number, date(2021, 1, 1), until, status, reviewer, today)
        if i == 1:  # the README's mfr_01 sees an expiring certificate among its home-page to-dos
            _qualification(org, "drug_registration", "国药准字H20063001（注册证书）", date(2021, 1, 1),
                           today + timedelta(days=25), "approved", reviewer, today)
    for i, org in enumerate(distributors, start=1):
        _qualification(org, "business_licence", f"91320000DS{i:08d}", date(2012, 1, 1), None, "approved", reviewer, today)
        _qualification(org, "drug_trading", f"苏AA{i:07d}", date(2021, 6, 1), date(2031, 5, 31), "approved", reviewer, today)
        _qualification(org, "gsp", f"A-JS-21-{i:04d}", date(2021, 6, 1), date(2026, 5, 31) if i == 5 else date(2031, 5, 31),
                       "approved", reviewer, today)
        if i == 1:  # dist_01 too (issue 15 item 6: items on every demo role's home page)
            _qualification(org, "device_trading", f"苏食药监械经营许{20210000 + i}", date(2021, 6, 1),
                           today + timedelta(days=15), "approved", reviewer, today)


def _distribution(makers, distributors):
    from qualifications.models import DistributionRelationship, DistributionStatus

    cities = list(Region.objects.filter(level="city").order_by("code"))
    now = timezone.now()
    for i, maker in enumerate(makers):
        proposer = User.objects.filter(organisation=maker, role=Role.MANUFACTURER).first()
        for j, city in enumerate(cities):
            if DistributionRelationship.objects.filter(
                    manufacturer=maker, city=city, status=DistributionStatus.ACTIVE).exists():
                continue
            if i == 0 and j == len(cities) - 1:  # QUA-2: the first maker delivers itself in the last city
                DistributionRelationship.objects.create(
                    manufacturer=maker, distributor=maker, city=city, status=DistributionStatus.ACTIVE,
                    proposed_by=proposer, answered_at=now, answered_by=proposer, note="演示数据：自行配送",
                )
                continue
            distributor = distributors[(i + j) % len(distributors)]
            answerer = User.objects.filter(organisation=distributor, role=Role.DISTRIBUTOR).first()
            DistributionRelationship.objects.create(
                manufacturer=maker, distributor=distributor, city=city, status=DistributionStatus.ACTIVE,
                proposed_by=proposer, answered_at=now, answered_by=answerer, note="演示数据：全市配送",
            )


def _change_requests(reviewer):
    """QUA-1: a few product information changes in every state (found again by product + reason)."""
    from . import services

    nanjing = Region.objects.filter(level="city").order_by("code").first()
    rows = [  # (generic name, specification, changes, reason, review city, decision)
        ("阿莫西林胶囊", "0.5g", {"is_shortage_watch": True}, "已列入江苏省易短缺药品重点监测清单（演示）", None, None),
        ("一次性使用输液器", "带针 0.7mm", {"specification": "带针 0.7mm（含精密过滤器）"},
         "注册证变更：增加精密过滤器（演示）", nanjing, None),
        ("头孢呋辛酯片", "0.25g", {"approval_number": "国药准字H20263999"}, "药品再注册，批准文号变更（演示）", None,
         "confirm"),
        ("阿托伐他汀钙片", "20mg", {"is_originator": True}, "申请认定为原研药（演示）", None, "refuse"),
    ]
    for name, spec, changes, reason, city, decision in rows:
        product = Product.objects.filter(generic_name=name, specification=spec).order_by("pk").first()
        if product is None or ProductChangeRequest.objects.filter(product=product, reason=reason).exists():
            continue
        if ProductChangeRequest.objects.pending().filter(product=product).exists():
            continue
        maker_user = User.objects.filter(organisation=product.manufacturer, role=Role.MANUFACTURER).first()
        if maker_user is None:
            continue
        cr = services.product_change_propose(maker_user, product, changes=changes, reason=reason, review_city=city)
        if decision == "confirm":
            services.product_change_confirm(reviewer, cr, reason="核对再注册批件无误")
        elif decision == "refuse":
            services.product_change_refuse(reviewer, cr, reason="未提供原研药认定材料，请补充后重新申请")


@transaction.atomic
def load_demo():
    makers = list(Organisation.objects.filter(name__in=MANUFACTURERS))
    makers.sort(key=lambda o: MANUFACTURERS.index(o.name))
    distributors = list(Organisation.objects.filter(name__in=DISTRIBUTORS))
    distributors.sort(key=lambda o: DISTRIBUTORS.index(o.name))
    reviewer = User.objects.filter(username="sheng_ybj").first()
    if len(makers) != len(MANUFACTURERS) or not distributors or reviewer is None:
        raise RuntimeError("catalog demo needs parties.demo.load_demo() first")
    today = timezone.localdate()
    with audit_context(reason="加载演示数据"):
        products = _products(makers, reviewer, today)
        _prices(products, today)
        _qualifications(makers, distributors, reviewer, today)
        _distribution(makers, distributors)
        _change_requests(reviewer)
    return products
