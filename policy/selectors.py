"""Reads for the policy UI and exports: parameters with their value in force, and history.

Policy parameters are not row-scoped: every signed-in user may read them (they are the
published rules of the platform); only the provincial regulator may change them."""

import json
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import PolicyValue
from .registry import PARAMETERS, SECTIONS, Parameter


@dataclass
class ParameterRow:
    definition: Parameter
    value: object
    effective_from: date | None
    pending: list  # versions entered with a future effective date

    @property
    def key(self):
        return self.definition.key

    @property
    def display(self):
        return display_value(self.definition, self.value)

    @property
    def pending_display(self):
        return [
            (v.effective_from, display_value(self.definition, self.definition.from_json(v.value))) for v in self.pending
        ]


# Chinese names of the methods a "choice" parameter selects (the stored value stays the code).
CHOICE_LABELS = {
    "quantile": gettext_lazy("量价加权分位数分区"),
    "listing_ratio": gettext_lazy("按与最低价之比分级"),
    "weighted_mean_capped": gettext_lazy("量价加权平均（不高于挂网价）"),
    "listing_price": gettext_lazy("按挂网价"),
    "lowest_negotiated": gettext_lazy("按最低议价价格"),
}


def display_value(definition: Parameter, value) -> str:
    if definition.type == "bool":
        return _("是") if value else _("否")
    if definition.type == "choice" and value in CHOICE_LABELS:
        return f"{CHOICE_LABELS[value]}（{value}）"
    if definition.type == "json":
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def sections() -> list[str]:
    return list(dict.fromkeys(SECTIONS.values()))


def rules() -> list[str]:
    return sorted({p.rule for p in PARAMETERS.values()}, key=_rule_sort_key)


def _rule_sort_key(rule: str):
    return (not rule[0].isalpha(), rule)


def _matches(p: Parameter, q: str) -> bool:
    q = q.lower()
    return any(q in str(text).lower() for text in (p.key, p.rule, p.label, p.help, p.section))


def parameter_rows(
    *, q: str = "", rule: str = "", section: str = "", key: str = "", at: date | None = None
) -> list[ParameterRow]:
    """Every declared parameter (filtered), in declaration order, with the value in force on `at`."""
    at = at or timezone.localdate()
    defs = [
        p for p in PARAMETERS.values()
        if (not key or p.key == key) and (not rule or p.rule == rule) and (not section or p.section == section) and (not q or _matches(p, q.strip()))
    ]
    versions: dict[str, list[PolicyValue]] = {}
    for v in PolicyValue.objects.filter(key__in=[p.key for p in defs]).order_by("key", "-effective_from", "-created_at", "-id"):
        versions.setdefault(v.key, []).append(v)
    rows = []
    for p in defs:
        vs = versions.get(p.key, [])
        current = next((v for v in vs if v.effective_from <= at), None)
        pending = sorted((v for v in vs if v.effective_from > at), key=lambda v: (v.effective_from, v.created_at))
        rows.append(ParameterRow(
            definition=p,
            value=p.from_json(current.value) if current else p.default,
            effective_from=current.effective_from if current else None,
            pending=pending,
        ))
    order = {s: i for i, s in enumerate(sections())}
    rows.sort(key=lambda r: order.get(r.definition.section, len(order)))  # stable: declaration order within
    return rows


def grouped(rows: list[ParameterRow]) -> list[tuple[str, list[ParameterRow]]]:
    out: dict[str, list[ParameterRow]] = {}
    for r in rows:
        out.setdefault(r.definition.section, []).append(r)
    return list(out.items())


def history(key: str, at: date | None = None) -> list[dict]:
    """All versions of `key`, newest effective date first, each marked in force / pending / superseded."""
    at = at or timezone.localdate()
    p = PARAMETERS[key]
    versions = list(
        PolicyValue.objects.filter(key=key).select_related("set_by", "set_by__organisation")
        .order_by("-effective_from", "-created_at", "-id")
    )
    current = next((v for v in versions if v.effective_from <= at), None)
    out = []
    for v in versions:
        if v.effective_from > at:
            status = "pending"
        elif current is not None and v.pk == current.pk:
            status = "current"
        else:
            status = "superseded"
        out.append({"version": v, "display": display_value(p, p.from_json(v.value)), "status": status})
    return out
