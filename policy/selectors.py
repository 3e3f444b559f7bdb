"""Reads for the policy UI and exports: parameters with their value in force, and history.

Policy parameters are not row-scoped: every signed-in user may read them (they are the
published rules of the platform); only the provincial regulator may change them."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .clauses import clause_of
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
    def html(self):
        return value_html(self.definition, self.value)

    @property
    def clause(self):
        return clause_of(self.definition.rule)

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


# Chinese names of the keys inside structured (JSON) values, so that a value reads as a table.
VALUE_KEY_LABELS = {
    "drug": gettext_lazy("药品"), "consumable": gettext_lazy("医用耗材"),
    "start": gettext_lazy("首期预付"), "midterm": gettext_lazy("中期"), "final": gettext_lazy("期末清算"),
    "blue_max": gettext_lazy("蓝色区上限（倍）"), "grades": gettext_lazy("分级"),
    "below": gettext_lazy("低于（倍）"), "zone": gettext_lazy("分区"), "label": gettext_lazy("名称"),
    "yellow": gettext_lazy("黄色"), "red": gettext_lazy("红色"), "blue": gettext_lazy("蓝色"),
    # the default grade names of zon.ratio_grades (values, shown in the reader's language)
    "黄色": gettext_lazy("黄色"), "红色一级": gettext_lazy("红色一级"), "红色二级": gettext_lazy("红色二级"),
    "红色三级": gettext_lazy("红色三级"),
}


class _DataKey(str):
    """A key shown as the value spells it (a dosage form as products spell it): Chinese data, not a
    label to translate — marked lang="zh-Hans" on the page."""


def _key_label(key) -> str:
    key = str(key)
    if key.isdigit() and len(key) == 4:
        return _("%(year)s年") % {"year": key}
    if key in VALUE_KEY_LABELS:
        return str(VALUE_KEY_LABELS[key])
    return _DataKey(key) if any("\u4e00" <= ch <= "\u9fff" for ch in key) else key


def _row_label_html(label) -> str:
    return '<th lang="zh-Hans">{}</th>' if isinstance(label, _DataKey) else "<th>{}</th>"


def _scalar(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    return str(VALUE_KEY_LABELS.get(value, value)) if isinstance(value, str) else str(value)


def _is_scalar(value) -> bool:
    return not isinstance(value, dict | list)


def _text(value) -> str:
    """A structured value as one line of plain text (exports, pending changes, history)."""
    if _is_scalar(value):
        return _scalar(value)
    if isinstance(value, dict):
        return "；".join(f"{_key_label(k)}：{_text(v)}" for k, v in value.items())
    return "、".join(f"（{_text(v)}）" if isinstance(v, dict) else _text(v) for v in value)


def display_value(definition: Parameter, value) -> str:
    if definition.type == "bool":
        return _("是") if value else _("否")
    if definition.type == "choice" and value in CHOICE_LABELS:
        return str(CHOICE_LABELS[value])
    if definition.type == "json":
        return _text(value)
    return str(value)


def _table(headers, rows, *, row_labels: bool) -> str:
    head = format_html("<thead><tr>{}</tr></thead>", format_html_join("", "<th>{}</th>", ((h,) for h in headers))) \
        if headers else ""
    body = format_html_join("", "<tr>{}</tr>", (
        (format_html_join("", "{}", ((format_html(_row_label_html(c) if i == 0 and row_labels else "<td>{}</td>", c),)
                                     for i, c in enumerate(r))),) for r in rows))
    return format_html('<table class="table compact value-table">{}<tbody>{}</tbody></table>', head, body)


def value_html(definition: Parameter, value) -> str:
    """The value as people read it (issue 15 item 5): scalars as text, structured values as a
    table — a mapping of mappings as a matrix (years × kinds), a list of records with a header
    row, a flat mapping as name/value rows — never as JSON."""
    if definition.type != "json" or _is_scalar(value):
        return display_value(definition, value)
    return _html(value)


def _html(value):
    if _is_scalar(value):
        return _scalar(value)
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            keys = list(dict.fromkeys(k for v in value for k in v))
            return _table([_key_label(k) for k in keys], [[_html(v.get(k, "")) for k in keys] for v in value],
                          row_labels=False)
        return "、".join(_text(v) for v in value)
    inner = list(value.values())
    if inner and all(isinstance(v, dict) for v in inner):
        keys = list(dict.fromkeys(k for v in inner for k in v))
        return _table(["", *[_key_label(k) for k in keys]],
                      [[_key_label(k), *[_html(v.get(c, "")) for c in keys]] for k, v in value.items()],
                      row_labels=True)
    return _table(None, [[_key_label(k), _html(v)] for k, v in value.items()], row_labels=True)


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
        out.append({"version": v, "display": display_value(p, p.from_json(v.value)),
                    "html": value_html(p, p.from_json(v.value)), "status": status,
                    # The seed's reason pointed at the engineers' digest; readers get the plain words.
                    "reason": v.reason.replace("（见 RULES.md）", "")})
    return out
