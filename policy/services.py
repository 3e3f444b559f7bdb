"""Policy parameters: the value in force on a date, and changing it with a reason (AUD-1).

Versions are never edited or deleted (database triggers refuse it): a change is a new
version in force from its `effective_from`. For one date, the version with the latest
effective_from on or before it wins; among versions with the same effective_from, the
latest entered wins. So a decision taken on a date can always be explained with
`get(key, at=that date)`."""

import copy
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_context
from core.errors import InvalidInput
from core.permissions import require

from . import parameters  # noqa: F401  (declares every key)
from .models import PolicyValue
from .registry import PARAMETERS, ParameterTypeError, get_definition


def _definition_or_invalid(key):
    try:
        return get_definition(key)
    except KeyError:
        raise InvalidInput(_("未知的政策参数：%(key)s") % {"key": key}, "key") from None


def _in_force_row(key: str, at: date):
    return (
        PolicyValue.objects.filter(key=key, effective_from__lte=at)
        .order_by("-effective_from", "-created_at", "-id")
        .values_list("value", flat=True)
        .first()
    )


def get(key: str, at: date | None = None):
    """The value of `key` in force on `at` (today by default).

    Raises KeyError for an undeclared key (a programming error in the caller)."""
    definition = get_definition(key)
    if isinstance(at, datetime):
        at = timezone.localdate(at) if timezone.is_aware(at) else at.date()
    at = at or timezone.localdate()
    row = _in_force_row(key, at)
    if row is None:  # only before the defaults are seeded
        return copy.deepcopy(definition.default)
    return definition.from_json(row)


def get_many(keys, at: date | None = None) -> dict:
    return {key: get(key, at=at) for key in keys}


def monitoring_target(kind: str, year: int, at: date | None = None) -> Decimal | None:
    """MON-4: the online-procurement-rate target (percent) for `kind` ("drug"/"consumable")
    in `year`, from `mon.targets` in force on `at` (default: 31 December of `year`).
    None when no target applies to that year yet."""
    targets = get("mon.targets", at=at or date(year, 12, 31))
    applicable = [int(y) for y in targets if int(y) <= year]
    if not applicable:
        return None
    return Decimal(str(targets[str(max(applicable))][kind]))


# Checks across keys: (keys, predicate on {key: value}, Chinese message). A change is refused
# when, with the new value, the predicate fails on its effective date or on any later date
# where one of the related keys already has a version scheduled.
CROSS_CHECKS = [
    (
        ("zon.blue_percentile", "zon.yellow_percentile"),
        lambda v: v["zon.blue_percentile"] < v["zon.yellow_percentile"],
        gettext_lazy("蓝区分位数须小于黄区分位数"),
    ),
    (
        ("zon.fallback_blue_factor", "zon.fallback_yellow_factor"),
        lambda v: v["zon.fallback_blue_factor"] <= v["zon.fallback_yellow_factor"],
        gettext_lazy("蓝区倍数不得大于黄区倍数"),
    ),
    (
        ("prc.reminder_working_days_before", "prc.linkage_working_days"),
        lambda v: v["prc.reminder_working_days_before"] < v["prc.linkage_working_days"],
        gettext_lazy("提醒提前的工作日数须小于联动申报时限"),
    ),
    (
        ("mon.reminder_day", "mon.report_day", "mon.institution_escalation_day"),
        lambda v: v["mon.reminder_day"] <= v["mon.report_day"] < v["mon.institution_escalation_day"],
        gettext_lazy("须满足：月报提醒日 ≤ 月报截止日 < 医疗机构逾期提示日"),
    ),
    (
        ("mon.report_day", "mon.city_forward_day", "mon.city_escalation_day"),
        lambda v: v["mon.report_day"] <= v["mon.city_forward_day"] < v["mon.city_escalation_day"],
        gettext_lazy("须满足：月报截止日 ≤ 设区市汇总上报截止日 < 设区市逾期提示日"),
    ),
]


def _check_related(key: str, value, effective_from: date):
    for keys, ok, message in CROSS_CHECKS:
        if key not in keys:
            continue
        others = [k for k in keys if k != key]
        dates = {effective_from} | set(
            PolicyValue.objects.filter(key__in=others, effective_from__gt=effective_from)
            .values_list("effective_from", flat=True)
        )
        # A later version of this key itself supersedes the new value from its date on.
        own_next = (
            PolicyValue.objects.filter(key=key, effective_from__gt=effective_from)
            .order_by("effective_from").values_list("effective_from", flat=True).first()
        )
        for d in sorted(dates):
            if own_next is not None and d >= own_next:
                break
            values = {k: get(k, at=d) for k in others}
            values[key] = value
            if not ok(values):
                labels = "、".join(f"{PARAMETERS[k].label}={values[k]}" for k in others)
                raise InvalidInput(_("%(message)s（%(date)s 起：%(labels)s）") % {
                    "message": message, "date": format(d, "%Y-%m-%d"), "labels": labels}, "value")


def _related_keys(key: str) -> set[str]:
    related = {key}
    for keys, _ok, _message in CROSS_CHECKS:
        if key in keys:
            related.update(keys)
    return related


def _lock(key: str):
    """Serialise concurrent changes of `key` and of the keys cross-checked with it
    (transaction-scoped advisory locks, taken in a fixed order so two changes cannot deadlock):
    two regulators changing related parameters at once cannot both pass the cross-check."""
    with connection.cursor() as cursor:
        for k in sorted(_related_keys(key)):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('policy.PolicyValue'), hashtext(%s))", [k])


@transaction.atomic
def set_value(*, user, key: str, raw_value, effective_from: date, reason: str) -> PolicyValue:
    """Enter a new version of `key`, in force from `effective_from`.

    Only the provincial regulator (perm "policy.manage"); the reason is mandatory; the value
    is type- and range-checked; an effective date in the past is refused (past decisions
    keep the parameters that were in force when they were taken)."""
    require(user, "policy.manage", message=_("仅省医保局可调整政策参数"))
    definition = _definition_or_invalid(key)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("调整政策参数必须填写理由"), "reason")
    if raw_value is None or (isinstance(raw_value, str) and not raw_value.strip()):
        raise InvalidInput(_("请填写取值"), "value")
    try:
        value = definition.parse(raw_value)
    except ParameterTypeError as exc:
        raise InvalidInput(str(exc), "value") from exc
    if not isinstance(effective_from, date) or isinstance(effective_from, datetime):
        raise InvalidInput(_("请填写有效的生效日期"), "effective_from")
    today = timezone.localdate()
    if effective_from < today:
        raise InvalidInput(
            _("生效日期不得早于今天（%(today)s）：政策参数不可追溯调整") % {"today": format(today, "%Y-%m-%d")}, "effective_from"
        )
    _lock(key)
    _check_related(key, value, effective_from)
    with audit_context(user, reason=reason):
        return PolicyValue.objects.create(
            key=key, value=definition.to_json(value), effective_from=effective_from, set_by=user, reason=reason
        )
