"""Realistic demo data for `make run`: every city, ~60 institutions across levels and
ownerships, 20 manufacturers, 5 distributors, regulators, experts, one user per role per
organisation, and one HIS client. Idempotent: rows are found by their unique names."""

from dataclasses import dataclass

from django.db import transaction

from core.audit import audit_context

from .models import ApiClient, Organisation, OrgKind, Region, Role, User, _hash_key

DEMO_PASSWORD = "Demo@2026"
# A fixed demo HIS token so docs/api.md can show real curl calls against `make run`.
DEMO_HIS_TOKEN = "sp_demo00000001_DemoHisSecretForLocalUseOnly-2026"

MANUFACTURERS = [
    "江苏康宁制药有限公司", "南京华泰生物制药股份有限公司", "苏州瑞恩医药科技有限公司", "无锡长江药业有限公司",
    "常州金坛制药厂有限公司", "徐州汉华药业股份有限公司", "连云港恒远医药集团有限公司", "扬州中和制药有限公司",
    "泰州医药城生物科技有限公司", "南通海晨药业有限公司", "盐城东方医疗器械有限公司", "淮安清源药业有限公司",
    "镇江百草堂中药饮片有限公司", "宿迁仁和制药有限公司", "上海浦江医药进出口有限公司（进口总代理）",
    "浙江钱塘药业股份有限公司", "山东齐鲁华信制药有限公司", "北京京泰医疗科技有限公司",
    "江苏微创医学器械有限公司", "苏州康泰体外诊断试剂有限公司",
]
DISTRIBUTORS = [
    "江苏省医药有限公司", "国药控股江苏医药有限公司", "南京医药股份有限公司", "苏州礼安医药有限公司",
    "华润江苏医药有限公司",
]

CITY_SHORT = {
    "南京市": "nj", "无锡市": "wx", "徐州市": "xz", "常州市": "cz", "苏州市": "sz", "南通市": "nt", "连云港市": "lyg",
    "淮安市": "ha", "盐城市": "yc", "扬州市": "yz", "镇江市": "zj", "泰州市": "tz", "宿迁市": "sq",
}


@dataclass
class DemoAccount:
    role: str
    username: str
    organisation: str


def _org(name, kind, **fields):
    org, created = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, **fields})
    return org


def _user(username, org, role, full_name):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username, password=DEMO_PASSWORD, organisation=org, role=role, full_name=full_name
        )
    return user


def _institutions(cities):
    """About 60 institutions: per city a tertiary general and TCM hospital, secondary county
    hospitals, a primary health centre; plus military, insured private and pharmacies."""
    rows = []
    for city in cities:
        counties = list(city.children.order_by("code"))
        short = city.name.removesuffix("市")
        rows.append((f"{short}市第一人民医院", city, counties[0], 3, "public"))
        rows.append((f"{short}市中医院", city, counties[1], 3, "public"))
        rows.append((f"{counties[-1].name}人民医院", city, counties[-1], 2, "public"))
        rows.append((f"{counties[2].name}社区卫生服务中心", city, counties[2], 1, "public"))
    nanjing = cities[0]
    nj_counties = list(nanjing.children.order_by("code"))
    rows += [
        ("东部战区总医院（军队驻苏）", nanjing, nj_counties[0], 3, "military"),
        ("南京明仁医院（医保定点社会办）", nanjing, nj_counties[7], 2, "private_insured"),
        ("苏州康和医院（医保定点社会办）", cities[4], cities[4].children.order_by("code")[0], 2, "private_insured"),
        ("老百姓大药房（南京新街口店）", nanjing, nj_counties[3], None, "retail_pharmacy"),
        ("益丰大药房（无锡梁溪店）", cities[1], cities[1].children.order_by("code")[3], None, "retail_pharmacy"),
        ("徐州市传染病医院", cities[2], cities[2].children.order_by("code")[3], 2, "public"),
    ]
    return rows


PRINTED_ACCOUNTS = ["sheng_ybj", "nj_ybj", "county_320102", "hosp_jsph", "mfr_01", "dist_01", "expert_01"]


def demo_accounts() -> list[DemoAccount]:
    """One demo login per role, as printed by `make run`."""
    users = {u.username: u for u in User.objects.filter(username__in=PRINTED_ACCOUNTS).select_related("organisation")}
    return [
        DemoAccount(users[n].get_role_display(), n, users[n].organisation.name) for n in PRINTED_ACCOUNTS if n in users
    ]


@transaction.atomic
def load_demo() -> list[DemoAccount]:
    accounts: list[DemoAccount] = []
    with audit_context(reason="加载演示数据"):
        cities = list(Region.objects.filter(level="city").order_by("code"))
        nanjing = cities[0]

        province = _org("江苏省医疗保障局", OrgKind.PROVINCE_REGULATOR)
        u = _user("sheng_ybj", province, Role.PROVINCE_REGULATOR, "王建国")
        accounts.append(DemoAccount(Role.PROVINCE_REGULATOR.label, u.username, province.name))

        for city in cities:
            reg = _org(f"{city.name}医疗保障局", OrgKind.CITY_REGULATOR, city=city)
            u = _user(f"{CITY_SHORT[city.name]}_ybj", reg, Role.CITY_REGULATOR, f"{city.name[0]}主任")
            if city == nanjing:
                accounts.append(DemoAccount(Role.CITY_REGULATOR.label, u.username, reg.name))

        for code in ("320102", "320281", "320583"):
            county = Region.objects.get(code=code)
            reg = _org(f"{county.parent.name}{county.name}医疗保障局", OrgKind.COUNTY_REGULATOR,
                       city=county.parent, county=county)
            u = _user(f"county_{code}", reg, Role.COUNTY_REGULATOR, "赵科长")
            if code == "320102":
                accounts.append(DemoAccount(Role.COUNTY_REGULATOR.label, u.username, reg.name))

        provincial = _org("江苏省人民医院", OrgKind.INSTITUTION, city=nanjing,
                          county=Region.objects.get(code="320106"), level=3, ownership="public",
                          reports_to_province=True)
        u = _user("hosp_jsph", provincial, Role.INSTITUTION, "李采购")
        accounts.append(DemoAccount(Role.INSTITUTION.label, u.username, provincial.name))
        for i, (name, city, county, level, ownership) in enumerate(_institutions(cities), start=1):
            org = _org(name, OrgKind.INSTITUTION, city=city, county=county, level=level, ownership=ownership)
            _user(f"hosp_{i:03d}", org, Role.INSTITUTION, "采购员")

        for i, name in enumerate(MANUFACTURERS, start=1):
            org = _org(name, OrgKind.MANUFACTURER, credit_code=f"91320000MA{i:08d}")
            u = _user(f"mfr_{i:02d}", org, Role.MANUFACTURER, "申报专员")
            if i == 1:
                accounts.append(DemoAccount(Role.MANUFACTURER.label, u.username, org.name))
        for i, name in enumerate(DISTRIBUTORS, start=1):
            org = _org(name, OrgKind.DISTRIBUTOR, credit_code=f"91320000DS{i:08d}")
            u = _user(f"dist_{i:02d}", org, Role.DISTRIBUTOR, "配送专员")
            if i == 1:
                accounts.append(DemoAccount(Role.DISTRIBUTOR.label, u.username, org.name))

        pool = _org("江苏省医药价格评审专家库", OrgKind.EXPERT_POOL)
        for i, (full_name, _cat) in enumerate(
            [("陈明", "医保"), ("刘芳", "临床"), ("张伟", "药学"), ("孙丽", "管理"),
             ("周强", "临床"), ("吴敏", "药学"), ("郑华", "医保"), ("黄静", "管理")], start=1
        ):
            u = _user(f"expert_{i:02d}", pool, Role.EXPERT, full_name)
            if i == 1:
                accounts.append(DemoAccount(Role.EXPERT.label, u.username, pool.name))

        key_id, secret = ApiClient.split_token(DEMO_HIS_TOKEN)
        if not ApiClient.objects.filter(key_id=key_id).exists():
            his_user = User.objects.create_user(
                username="his_jsph", password=None, organisation=provincial, role=Role.HIS, full_name="HIS 接口"
            )
            ApiClient.objects.create(
                institution=provincial, name="演示 HIS", user=his_user, key_id=key_id, key_hash=_hash_key(secret)
            )
    return accounts
