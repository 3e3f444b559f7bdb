"""Demo filings (idempotent: skipped once any filing exists): unlisted products filed by demo
hospitals in every state — awaiting the enterprise, awaiting the regulator, approved for the
batch or 公示, in force for the filing hospitals, returned — plus one emergency after-the-fact
filing. Needs parties, catalog and listing demos."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from catalog.models import OtherProvincePrice, Product
from core.pdfs import blank_pdf
from parties.models import Organisation, User

from . import services
from .models import FilingRequest

DEMO_PDF = blank_pdf()

PRODUCTS = [
    # kind, code, name, dosage form, spec, class, maker, provincial/city record
    ("high_value", "C02030100000000211790000101", "经导管主动脉瓣膜系统", "", "23mm", "hv6", "盐城东方医疗器械有限公司",
     ("浙江省", "", "province", "128000")),
    ("high_value", "C02030100000000211790000102", "可降解冠脉雷帕霉素洗脱支架", "", "3.0×18mm", "hv6",
     "盐城东方医疗器械有限公司", None),
    ("ordinary", "C14010100000000211790000103", "一次性使用负压引流护创材料", "", "10cm×15cm", "ordinary",
     "盐城东方医疗器械有限公司", ("浙江省", "杭州市", "city", "486")),
    ("drug", "XL01XED075A002010100901", "依维莫司片（测试罕见病用药）", "片剂", "5mg×30片", "",
     "江苏康宁制药有限公司", ("上海市", "", "province", "1680")),
]


def _pdf(name):
    return ContentFile(DEMO_PDF, name=name)


def _product(row, reviewer):
    kind, code, name, form, spec, cclass, maker_name, record = row
    maker = Organisation.objects.filter(name=maker_name).first()
    product = Product.objects.filter(national_code=code).first()
    if product is None:
        product = Product.objects.create(kind="drug" if kind == "drug" else "consumable", national_code=code,
                                         generic_name=name, dosage_form=form, specification=spec,
                                         consumable_class=cclass, manufacturer=maker)
    if record and not product.other_prices.exists():
        province, city, level, price = record
        OtherProvincePrice.objects.create(product=product, province=province, city=city, level=level,
                                          price=Decimal(price), effective_date=timezone.localdate() - timedelta(days=400),
                                          source=f"{province}{city}药械采购平台", entered_by=reviewer)
    return product


def _user(org_name, role="institution"):
    return User.objects.filter(organisation__name=org_name, role=role, is_active=True).order_by("id").first()


@transaction.atomic
def load_demo():
    if FilingRequest.objects.exists():
        return
    province = User.objects.filter(username="sheng_ybj").first()
    jsph, njfirst, szfirst = _user("江苏省人民医院"), _user("南京市第一人民医院"), _user("苏州市第一人民医院")
    county = _user("高淳区人民医院") or _user("溧水区人民医院")
    if not (province and jsph and njfirst and szfirst):
        return
    tavi, stent, dressing, drug = (_product(row, province) for row in PRODUCTS)
    device_maker = _user("盐城东方医疗器械有限公司", "manufacturer")
    drug_maker = _user("江苏康宁制药有限公司", "manufacturer")
    nanjing_city = User.objects.filter(role="city_regulator", organisation__city__code="320100").first()
    if not (device_maker and drug_maker):
        return
    today = timezone.localdate()
    past = today - timedelta(days=150)

    # In force since months ago: the TAVI valve filed by two tertiary hospitals, ordered by one.
    in_force = []
    for hospital, qty in ((jsph, 30), (njfirst, 12)):
        f = services.filing_submit(hospital, kind="high_value", product=tavi, price="126000", quantity=qty,
                                   reason="主动脉瓣重度狭窄高龄患者，外科手术高风险", at=past)
        services.enterprise_respond(device_maker, f.pk, lowest_price="125000", agreed_price="125000", agreed_quantity=qty)
        services.filing_decide(province, f.pk, action="approve", reason="有省级挂网记录，约定价格不高于省级最低价", at=past)
        in_force.append(f)
    for f in in_force:
        f.refresh_from_db()
        services.run_publication(f.announce_on)
        services.run_publication(f.publish_on)

    # A drug through the monthly batch, in force.
    d = services.filing_submit(jsph, kind="drug", product=drug, price="1650", quantity=200,
                               documents={"A": _pdf("申请材料.pdf")}, reason="器官移植术后免疫抑制，无同通用名剂型挂网", at=past)
    services.enterprise_respond(drug_maker, d.pk, lowest_price="1650",
                                documents={"C": _pdf("最低价承诺书.pdf"), "D": _pdf("质量承诺书.pdf")})
    services.filing_decide(province, d.pk, action="approve", reason="材料齐全，价格不高于省级最低价", at=past)
    d.refresh_from_db()
    services.run_publication(d.batch_date)

    # Waiting: a stent without records (expert review) at the province; the dressing at the city.
    s = services.filing_submit(szfirst, kind="high_value", product=stent, price="5800", quantity=50,
                               reason="新型可降解支架，无省级挂网记录", at=today)
    services.enterprise_respond(device_maker, s.pk, lowest_price="5800", agreed_price="5600", agreed_quantity=50)
    if county:
        o = services.filing_submit(county, kind="ordinary", product=dressing, price="480", quantity=300, at=today)
        services.enterprise_respond(device_maker, o.pk, lowest_price="470", agreed_price="470", agreed_quantity=300)
        if nanjing_city:
            services.filing_decide(nanjing_city, o.pk, action="return", reason="请补充科室使用量测算依据", at=today)
    # Awaiting the enterprise: the dressing filed by the provincial hospital too (joint filing).
    services.filing_submit(jsph, kind="ordinary", product=dressing, price="486", quantity=500, at=today)
    # An emergency purchase completing its formalities (002 §19).
    services.filing_submit(szfirst, kind="ordinary", product=dressing, price="470", quantity=40,
                           emergency_case_ref="YJ-2026-0012", reason="批量伤员救治应急采购补办", at=today)
