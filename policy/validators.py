"""Validators for structured (json) policy parameters.

Each takes the parsed JSON value and returns the value to store (normalised), or raises
ParameterTypeError with a Chinese message. Pure functions, no DB access."""

from decimal import Decimal, InvalidOperation

from .registry import ParameterTypeError


def _decimal(raw, what):
    if isinstance(raw, bool) or raw is None:
        raise ParameterTypeError(f"{what}须为数值")
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ParameterTypeError(f"{what}须为数值") from exc
    if not value.is_finite():
        raise ParameterTypeError(f"{what}须为数值")
    return value


def coefficient_map(value):
    """LST-2.2.1 dosage-form coefficients: {"剂型": "系数"}, each coefficient > 0."""
    if not isinstance(value, dict) or not value:
        raise ParameterTypeError("须为非空的 JSON 对象，如 {\"普通片\": \"1.0\"}")
    out = {}
    for name, raw in value.items():
        name = str(name).strip()
        if not name:
            raise ParameterTypeError("剂型名称不能为空")
        coef = _decimal(raw, f"“{name}”的系数")
        if coef <= 0 or coef > 10:
            raise ParameterTypeError(f"“{name}”的系数须大于 0 且不大于 10")
        out[name] = str(coef)
    return out


ZONES = ("blue", "yellow", "red")


def ratio_grades(value):
    """ZON-2 listing-ratio grades: {"blue_max": x, "grades": [{"below": y|null, "zone", "label"}, …]}
    with `below` strictly ascending, only the last one open (null)."""
    if not isinstance(value, dict) or not isinstance(value.get("grades"), list) or not value["grades"]:
        raise ParameterTypeError("须为 JSON 对象，含 blue_max 与非空的 grades 列表")
    blue_max = _decimal(value.get("blue_max"), "blue_max")
    if blue_max < 1:
        raise ParameterTypeError("blue_max 不得小于 1")
    grades, previous = [], blue_max
    for i, grade in enumerate(value["grades"]):
        if not isinstance(grade, dict):
            raise ParameterTypeError(f"第 {i + 1} 级须为 JSON 对象")
        zone = grade.get("zone")
        if zone not in ZONES:
            raise ParameterTypeError(f"第 {i + 1} 级的 zone 须为 blue、yellow 或 red")
        label = str(grade.get("label") or "").strip()
        if not label:
            raise ParameterTypeError(f"第 {i + 1} 级须有名称（label）")
        below = grade.get("below")
        last = i == len(value["grades"]) - 1
        if below is None:
            if not last:
                raise ParameterTypeError("只有最后一级的 below 可以为空（无上限）")
            grades.append({"below": None, "zone": zone, "label": label})
            continue
        below = _decimal(below, f"第 {i + 1} 级的 below")
        if below <= previous:
            raise ParameterTypeError(f"第 {i + 1} 级的 below 须大于上一级（{previous}）")
        previous = below
        grades.append({"below": str(below), "zone": zone, "label": label})
    if grades[-1]["below"] is not None:
        raise ParameterTypeError("最后一级的 below 须为空（null），以覆盖所有更高的比值")
    return {"blue_max": str(blue_max), "grades": grades}


PREPAYMENT_PARTS = ("start", "midterm", "final")


def prepayment_shares(value):
    """VBP-7: {"start", "midterm", "final"} percentages, each 0–100, summing to 100."""
    if not isinstance(value, dict) or set(value) != set(PREPAYMENT_PARTS):
        raise ParameterTypeError("须为 JSON 对象，且只含 start、midterm、final 三项")
    out = {}
    for part in PREPAYMENT_PARTS:
        share = _decimal(value[part], part)
        if share < 0 or share > 100:
            raise ParameterTypeError(f"{part} 须在 0 到 100 之间")
        out[part] = int(share) if share == share.to_integral_value() else str(share)
    if sum(Decimal(str(s)) for s in out.values()) != 100:
        raise ParameterTypeError("三项预付比例之和须为 100")
    return out


KINDS = ("drug", "consumable")


def monitoring_targets(value):
    """MON-4: {"<from year>": {"drug": pct, "consumable": pct}, …}."""
    if not isinstance(value, dict) or not value:
        raise ParameterTypeError("须为非空的 JSON 对象，如 {\"2022\": {\"drug\": \"85\", \"consumable\": \"75\"}}")
    out = {}
    for year, targets in value.items():
        year = str(year).strip()
        if not (year.isdigit() and 2000 <= int(year) <= 2100):
            raise ParameterTypeError(f"年度“{year}”须为 2000–2100 之间的四位年份")
        if not isinstance(targets, dict) or set(targets) != set(KINDS):
            raise ParameterTypeError(f"{year} 年须且只须包含 drug 与 consumable 两项")
        row = {}
        for kind in KINDS:
            pct = _decimal(targets[kind], f"{year} 年 {kind}")
            if pct < 0 or pct > 100:
                raise ParameterTypeError(f"{year} 年 {kind} 目标须在 0 到 100 之间")
            row[kind] = str(pct)
        out[year] = row
    return dict(sorted(out.items()))
