"""Policy parameters: the value in force on a date, and changing it with a reason."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from core.audit import audit_context
from core.errors import Forbidden, InvalidInput

from . import parameters  # noqa: F401  (declares every key)
from .models import PolicyValue
from .registry import ParameterTypeError, get_definition


def get(key: str, at: date | None = None):
    """The value of `key` in force on `at` (today by default)."""
    definition = get_definition(key)
    at = at or timezone.localdate()
    row = (
        PolicyValue.objects.filter(key=key, effective_from__lte=at)
        .order_by("-effective_from", "-created_at")
        .values_list("value", flat=True)
        .first()
    )
    if row is None:
        return definition.default
    return definition.from_json(row)


@transaction.atomic
def set_value(*, user, key: str, raw_value, effective_from: date, reason: str) -> PolicyValue:
    if not user.has_perm("policy.manage"):
        raise Forbidden("仅省医保局可调整政策参数")
    definition = get_definition(key)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("调整政策参数必须填写理由", "reason")
    try:
        value = definition.parse(raw_value)
    except ParameterTypeError as exc:
        raise InvalidInput(str(exc), "value") from exc
    with audit_context(user, reason=reason):
        return PolicyValue.objects.create(
            key=key, value=definition.to_json(value), effective_from=effective_from, set_by=user, reason=reason
        )
