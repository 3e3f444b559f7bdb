"""Every [policy parameter] of RULES.md, declared in code with its type and seeded default.

The database holds the versions (PolicyValue); this registry says which keys exist, what
type their values have, and the default that a data migration seeds (effective from
DEFAULT_EFFECTIVE_FROM). Channel apps declare their keys here, next to the rule they serve."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DEFAULT_EFFECTIVE_FROM = date(2020, 5, 1)  # 苏医保发〔2020〕35号 in force


class ParameterTypeError(ValueError):
    pass


@dataclass(frozen=True)
class Parameter:
    key: str
    type: str  # "int" | "decimal" | "bool" | "str" | "choice" | "json"
    default: object
    rule: str
    label: str
    help: str = ""
    choices: tuple = ()
    min: object = None
    max: object = None
    validate: Callable | None = None  # extra check/normaliser for structured values

    @property
    def section(self) -> str:
        return section_of(self.key)

    def parse(self, raw):
        """Turn a submitted value (string from a form, or JSON) into the stored value;
        raise ParameterTypeError with a Chinese message when it does not fit."""
        try:
            if self.type == "int":
                if isinstance(raw, bool):
                    raise ValueError
                value = int(str(raw).strip())
            elif self.type == "decimal":
                value = Decimal(str(raw).strip())
                if not value.is_finite():
                    raise ValueError
            elif self.type == "bool":
                s = str(raw).strip().lower()
                if s in ("1", "true", "yes", "on", "是"):
                    value = True
                elif s in ("0", "false", "no", "off", "否"):
                    value = False
                else:
                    raise ValueError
            elif self.type == "choice":
                value = str(raw).strip()
                if value not in self.choices:
                    raise ParameterTypeError(gettext("取值须为以下之一：%(choices)s") % {"choices": '、'.join(self.choices)})
            elif self.type == "json":
                value = json.loads(raw) if isinstance(raw, str) else raw
                if not isinstance(value, dict | list):
                    raise ValueError
            else:
                value = str(raw).strip()
                if not value:
                    raise ValueError
        except ParameterTypeError:
            raise
        except (ValueError, TypeError, InvalidOperation) as exc:
            raise ParameterTypeError(gettext("取值类型错误：应为%(type)s") % {"type": TYPE_LABELS[self.type]}) from exc
        if self.min is not None and value < self.min:
            raise ParameterTypeError(gettext("取值不得小于 %(min)s") % {"min": self.min})
        if self.max is not None and value > self.max:
            raise ParameterTypeError(gettext("取值不得大于 %(max)s") % {"max": self.max})
        if self.validate is not None:
            value = self.validate(value)
        return value

    def to_json(self, value):
        return str(value) if self.type == "decimal" else value

    def from_json(self, stored):
        return Decimal(str(stored)) if self.type == "decimal" else stored


# Sections of RULES.md, by key prefix (the UI groups parameters by these).
SECTIONS = {
    "sys": _("§0 总则与系统"),
    "calendar": _("§0 总则与系统"),
    "lst": _("§3 阳光挂网"),
    "prc": _("§4 挂网价格动态调整"),
    "del": _("§5 暂停与撤网"),
    "neg": _("§6 议价"),
    "zon": _("§7 红黄蓝分区"),
    "fil": _("§8 备案采购"),
    "vbp": _("§9 集中带量采购"),
    "emg": _("§10 短缺与应急采购"),
    "ins": _("§11 医保支付"),
    "mon": _("§12 网上采购率监测"),
    "ord": _("§13 订单、入库与结算"),
    "qua": _("§14 资质、配送与不良记录"),
    "bad": _("§14 资质、配送与不良记录"),
    "exp": _("§15 专家"),
    "sho": _("§10 短缺与应急采购"),
    "risk": _("§14 资质、配送与不良记录"),
    "pub": _("§16 集成、公开与审计"),
}


def section_of(key: str) -> str:
    return SECTIONS.get(key.split(".", 1)[0], _("其他"))


# Type names for the UI and for error messages (in the user's language).
TYPE_LABELS = {
    "int": _("整数"), "decimal": _("数值"), "bool": _("是/否"), "str": _("文本"), "choice": _("选项"), "json": _("JSON"),
}

PARAMETERS: dict[str, Parameter] = {}


def define(key, type, default, rule, label, **kw) -> Parameter:
    p = Parameter(key=key, type=type, default=default, rule=rule, label=label, **kw)
    PARAMETERS[key] = p
    return p


def get_definition(key) -> Parameter:
    try:
        return PARAMETERS[key]
    except KeyError:
        raise KeyError(f"unknown policy parameter {key!r}") from None
