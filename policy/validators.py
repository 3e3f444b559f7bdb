"""Validators for structured (json) policy parameters.

Each takes the parsed JSON value and returns the value to store (normalised), or raises
ParameterTypeError with a Chinese message. Pure functions, no DB access."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .registry import ParameterTypeError


def _decimal(raw, what):
    if isinstance(raw, bool) or raw is None:
        raise ParameterTypeError(_("%(what)s须为数值") % {"what": what})
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ParameterTypeError(_("%(what)s须为数值") % {"what": what}) from exc
    if not value.is_finite():
        raise ParameterTypeError(_("%(what)s须为数值") % {"what": what})
    return value


def coefficient_map(value):
    """LST-2.2.1 dosage-form coefficients: {"剂型": "系数"}, each coefficient > 0."""
    if not isinstance(value, dict) or not value:
        raise ParameterTypeError(_("须为非空的 JSON 对象，如 {\"普通片\": \"1.0\"}"))
    out = {}
    for name, raw in value.items():
        name = str(name).strip()
        if not name:
            raise ParameterTypeError(_("剂型名称不能为空"))
        coef = _decimal(raw, _("“%(name)s”的系数") % {"name": name})
        if coef <= 0 or coef > 10:
            raise ParameterTypeError(_("“%(name)s”的系数须大于 0 且不大于 10") % {"name": name})
        out[name] = str(coef)
    return out


ZONES = ("blue", "yellow", "red")


def ratio_grades(value):
    """ZON-2 listing-ratio grades: {"blue_max": x, "grades": [{"below": y|null, "zone", "label"}, …]}
    with `below` strictly ascending, only the last one open (null)."""
    if not isinstance(value, dict) or not isinstance(value.get("grades"), list) or not value["grades"]:
        raise ParameterTypeError(_("须为 JSON 对象，含 blue_max 与非空的 grades 列表"))
    blue_max = _decimal(value.get("blue_max"), "blue_max")
    if blue_max < 1:
        raise ParameterTypeError(_("blue_max 不得小于 1"))
    grades, previous = [], blue_max
    for i, grade in enumerate(value["grades"]):
        if not isinstance(grade, dict):
            raise ParameterTypeError(_("第 %(level)s 级须为 JSON 对象") % {"level": i + 1})
        zone = grade.get("zone")
        if zone not in ZONES:
            raise ParameterTypeError(_("第 %(level)s 级的 zone 须为 blue、yellow 或 red") % {"level": i + 1})
        label = str(grade.get("label") or "").strip()
        if not label:
            raise ParameterTypeError(_("第 %(level)s 级须有名称（label）") % {"level": i + 1})
        below = grade.get("below")
        last = i == len(value["grades"]) - 1
        if below is None:
            if not last:
                raise ParameterTypeError(_("只有最后一级的 below 可以为空（无上限）"))
            grades.append({"below": None, "zone": zone, "label": label})
            continue
        below = _decimal(below, _("第 %(level)s 级的 below") % {"level": i + 1})
        if below <= previous:
            raise ParameterTypeError(_("第 %(level)s 级的 below 须大于上一级（%(previous)s）") % {
                "level": i + 1, "previous": previous})
        previous = below
        grades.append({"below": str(below), "zone": zone, "label": label})
    if grades[-1]["below"] is not None:
        raise ParameterTypeError(_("最后一级的 below 须为空（null），以覆盖所有更高的比值"))
    return {"blue_max": str(blue_max), "grades": grades}


PREPAYMENT_PARTS = ("start", "midterm", "final")


def prepayment_shares(value):
    """VBP-7: {"start", "midterm", "final"} percentages, each 0–100, summing to 100."""
    if not isinstance(value, dict) or set(value) != set(PREPAYMENT_PARTS):
        raise ParameterTypeError(_("须为 JSON 对象，且只含 start、midterm、final 三项"))
    out = {}
    for part in PREPAYMENT_PARTS:
        share = _decimal(value[part], part)
        if share < 0 or share > 100:
            raise ParameterTypeError(_("%(part)s 须在 0 到 100 之间") % {"part": part})
        out[part] = int(share) if share == share.to_integral_value() else str(share)
    if sum(Decimal(str(s)) for s in out.values()) != 100:
        raise ParameterTypeError(_("三项预付比例之和须为 100"))
    return out


KINDS = ("drug", "consumable")


def monitoring_targets(value):
    """MON-4: {"<from year>": {"drug": pct, "consumable": pct}, …}."""
    if not isinstance(value, dict) or not value:
        raise ParameterTypeError(_("须为非空的 JSON 对象，如 {\"2022\": {\"drug\": \"85\", \"consumable\": \"75\"}}"))
    out = {}
    for year, targets in value.items():
        year = str(year).strip()
        if not (year.isdigit() and 2000 <= int(year) <= 2100):
            raise ParameterTypeError(_("年度“%(year)s”须为 2000–2100 之间的四位年份") % {"year": year})
        if not isinstance(targets, dict) or set(targets) != set(KINDS):
            raise ParameterTypeError(_("%(year)s 年须且只须包含 drug 与 consumable 两项") % {"year": year})
        row = {}
        for kind in KINDS:
            pct = _decimal(targets[kind], _("%(year)s 年 %(kind)s") % {"year": year, "kind": kind})
            if pct < 0 or pct > 100:
                raise ParameterTypeError(_("%(year)s 年 %(kind)s 目标须在 0 到 100 之间") % {"year": year, "kind": kind})
            row[kind] = str(pct)
        out[year] = row
    return dict(sorted(out.items()))
