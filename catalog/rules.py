"""Pure rules of the catalogue (no database access; table-tested in tests/catalog/test_rules.py).

- CAT-1.1  national code formats
- CAT-3    product group keys
- LST-0.3  other-province price values (positive, at most 4 decimals, below the absurd-price ceiling),
           province names
- QUA-1    who confirms a product information change; what changed; stale requests
"""

import re
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypinyin import Style, lazy_pinyin, pinyin

from core import parsing
from core.text import excerpt

DRUG = "drug"
CONSUMABLE = "consumable"

DRUG_CODE_LENGTH = 23
CONSUMABLE_CODE_LENGTH = 27
_DRUG_CODE = re.compile(r"^[XZ][A-Z0-9]{22}$")
_CONSUMABLE_CODE = re.compile(r"^C[0-9A-Z]{26}$")

KIND_LABELS = {DRUG: gettext_lazy("药品"), CONSUMABLE: gettext_lazy("医用耗材")}


class RuleError(ValueError):
    """A pure rule refused a value; `str(exc)` is the Chinese message."""


def check_national_code(kind: str, code: str) -> str:
    """CAT-1.1: return the code (surrounding blanks removed) or raise RuleError with a Chinese
    message. Drug codes: 23 characters starting X (Western medicine) or Z (Chinese patent
    medicine), e.g. XA01ABD075A002010100483. Consumable codes: 27 characters starting C, e.g.
    C09100100000000211790000049. Codes are case-sensitive upper case: a lower-case code is
    refused rather than silently changed (what the enterprise typed is what it declared).
    Unknown-but-well-formed codes are accepted (the platform has no national code list)."""
    if code is None or not str(code).strip():
        raise RuleError(_("国家医保编码不能为空"))
    code = str(code).strip()
    if kind == DRUG:
        if code[0] not in "XZ":
            raise RuleError(_("药品国家医保编码须以 X（西药）或 Z（中成药）开头，实际为“%(first)s”") % {"first": code[0]})
        if len(code) != DRUG_CODE_LENGTH:
            raise RuleError(_("药品国家医保编码应为 %(expected)s 位，实际为 %(actual)s 位") % {
                "expected": DRUG_CODE_LENGTH, "actual": len(code)})
        if not _DRUG_CODE.match(code):
            raise RuleError(_("药品国家医保编码只能包含大写字母和数字"))
        return code
    if kind == CONSUMABLE:
        if code[0] != "C":
            raise RuleError(_("医用耗材国家医保分类编码须以 C 开头，实际为“%(first)s”") % {"first": code[0]})
        if len(code) != CONSUMABLE_CODE_LENGTH:
            raise RuleError(_("医用耗材国家医保分类编码应为 %(expected)s 位，实际为 %(actual)s 位") % {
                "expected": CONSUMABLE_CODE_LENGTH, "actual": len(code)})
        if not _CONSUMABLE_CODE.match(code):
            raise RuleError(_("医用耗材国家医保分类编码只能包含大写字母和数字"))
        return code
    raise RuleError(_("未知的产品类别"))


def consumable_classification_part(code: str) -> str:
    """CAT-1.1: the first 20 characters of a consumable code are its classification part."""
    return code[:20]


_CJK_RUN = re.compile(r"[\u3400-\u9fff]+|[^\u3400-\u9fff]+")
_CJK_RUN_START = re.compile(r"[\u3400-\u9fff]")


def name_initials(name: str) -> str:
    """Pinyin initials for search (阿莫西林胶囊 → amxljn), lower-case letters and digits.

    The phrase-aware reading comes first; readings that differ only in one polyphonic
    character follow, space-separated (重组人胰岛素 → "czryds zzryds"), so a user typing
    either reading finds the product. At most 100 characters."""

    options: list[list[str]] = []
    for run in _CJK_RUN.findall(name or ""):
        if _CJK_RUN_START.match(run):
            for char, default in zip(run, lazy_pinyin(run, style=Style.FIRST_LETTER), strict=True):
                readings = [r[:1].lower() for r in pinyin(char, style=Style.FIRST_LETTER, heteronym=True)[0]]
                options.append(list(dict.fromkeys([default[:1].lower(), *readings])))
        else:
            options.extend([c] for c in re.sub(r"[^0-9a-z]", "", run.lower()))
    default = [o[0] for o in options]
    variants = ["".join(default)]
    for i, choices in enumerate(options):
        for alt in choices[1:]:
            variants.append("".join(default[:i] + [alt] + default[i + 1:]))
    out = ""
    for v in dict.fromkeys(variants):
        candidate = f"{out} {v}" if out else v
        if len(candidate) > 100:
            break
        out = candidate
    return out


def product_group_key(generic_name: str, dosage_form: str, specification: str) -> tuple:
    """CAT-3: "same drug" = generic name + dosage form + specification (blanks ignored)."""
    return tuple(re.sub(r"\s+", "", s or "") for s in (generic_name, dosage_form, specification))


def same_product_key(generic_name, dosage_form, specification, manufacturer_id) -> tuple:
    """CAT-3: "same product" = the group key + manufacturer."""
    return (*product_group_key(generic_name, dosage_form, specification), manufacturer_id)


# ------------------------------------------------------------------ LST-0.3 price records

PRICE_MAX_DECIMALS = 4
FALLBACK_PRICE_CEILING = parsing.PRICE_CEILING  # used only if policy key sys.price_ceiling_yuan is absent


def check_price(raw, ceiling: Decimal | None = None) -> Decimal:
    """LST-0.3: an other-province price is a number > 0 with at most 4 decimals and not above
    the absurd-price ceiling (policy parameter sys.price_ceiling_yuan). Returns the Decimal.
    The one price parser is `core.parsing.parse_price`; this keeps the catalogue's RuleError."""
    try:
        return parsing.parse_price(raw, ceiling=FALLBACK_PRICE_CEILING if ceiling is None else ceiling,
                                   places=PRICE_MAX_DECIMALS)
    except parsing.ParseError as exc:
        raise RuleError(exc.message) from None


_DATE_PATTERN = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def check_effective_date(raw, today: date, max_future_days: int = 366) -> date:
    """LST-0.3: the effective date of another province's price: a real date, not before 2000,
    and not more than a year ahead (a typo, not a plan)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RuleError(_("执行日期不能为空"))
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    else:
        text = str(raw).strip()
        m = _DATE_PATTERN.fullmatch(text)
        try:
            value = date(int(m[1]), int(m[2]), int(m[3])) if m else None
        except ValueError:
            value = None
        if value is None:
            raise RuleError(_("执行日期格式错误：“%(raw)s”，应为 YYYY-MM-DD") % {"raw": excerpt(raw)})
    if value.year < 2000:
        raise RuleError(_("执行日期 %(value)s 早于 2000 年，疑为录入错误") % {"value": value})
    if (value - today).days > max_future_days:
        raise RuleError(_("执行日期 %(value)s 晚于一年以后，疑为录入错误") % {"value": value})
    return value


# Provincial-level divisions of the PRC (the platforms whose prices count, LST-0.3).
PROVINCES = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
    "宁夏回族自治区", "新疆维吾尔自治区", "新疆生产建设兵团",
]
HOME_PROVINCE = "江苏省"
_PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市")
_XPCC = "新疆生产建设兵团"
_XPCC_SHORT = "兵团"


def _short(name):
    for suffix in _PROVINCE_SUFFIXES:
        if name.endswith(suffix) and name != _XPCC:
            return name[: -len(suffix)]
    return name


_PROVINCE_ALIASES = {**{p: p for p in PROVINCES}, **{_short(p): p for p in PROVINCES}, _XPCC_SHORT: _XPCC}


def normalise_province(raw: str, *, city: str = "") -> str:
    """LST-0.3: the full name of a province from its full or short name (广东/广东省 → 广东省).
    Jiangsu's own provincial price is not another province's price; Jiangsu cities' prices are
    accepted for consumables (002 §7: 含各设区市现挂网价)."""
    name = re.sub(r"\s+", "", str(raw or ""))
    if not name:
        raise RuleError(_("省份不能为空"))
    full = _PROVINCE_ALIASES.get(name)
    if full is None:
        raise RuleError(_("未知的省份：“%(raw)s”") % {"raw": raw})
    if full == HOME_PROVINCE and not city:
        raise RuleError(_("本省挂网价不属于外省价格，请勿作为外省价格录入"))
    return full


def check_city_for_kind(kind: str, city: str) -> str:
    """RULES §0: drugs count provincial platforms only; consumables also count city platforms."""
    city = re.sub(r"\s+", "", str(city or ""))
    if city and kind == DRUG:
        raise RuleError(_("药品只录入省级平台挂网价，城市应为空"))
    if len(city) > 30:
        raise RuleError(_("城市名称过长"))
    return city


# ------------------------------------------------------------------ QUA-1 product information changes

CITY_REVIEWED_CLASSES = frozenset({"ordinary", "ivd"})


def qua_1_reviewer(kind: str, current_class: str, proposed_class: str, *, city_review: bool) -> str:
    """QUA-1 (002 §37): who confirms a change of a product's information — "province", or
    "city" for ordinary consumables and IVD reagents while the consumable catalogue is not
    unified (`city_review`, the LST-C4 parameter). A change that moves a consumable into or out
    of those classes touches a provincial class, so the province decides it."""
    if (city_review and kind == CONSUMABLE and current_class in CITY_REVIEWED_CLASSES
            and proposed_class in CITY_REVIEWED_CLASSES):
        return "city"
    return "province"


def qua_1_changes(current: dict, proposed: dict) -> dict:
    """QUA-1: the attributes whose proposed value differs from the value in force ({field:
    proposed}). Values are compared in their stored (JSON) form."""
    return {name: value for name, value in proposed.items() if current.get(name) != value}


def qua_1_stale_fields(previous: dict, current: dict) -> list[str]:
    """QUA-1: fields changed on the product since the request was made (their value in force
    no longer equals the one the request was based on) — confirming would overwrite a newer
    confirmed value, so the request must be refused and made again."""
    return sorted(name for name, value in previous.items() if current.get(name) != value)
