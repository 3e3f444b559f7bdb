"""Accounts: a regulator resets the password of a user in its scope (the self-service change
and the e-mailed reset link are Django's views, see parties/auth_urls.py), and the optional TOTP
second factor of regulator accounts.

Scope of a reset: the province any non-superuser account but its own; a city regulator the
accounts of its city's institutions and county regulators; a county regulator those of its
county's institutions. Enterprises are reset by the province (they are province-wide)."""

import secrets
import string

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import audit_context
from core.errors import Forbidden, InvalidInput, NotFound
from core.models import PasswordChangeRequired
from core.parsing import clean_text
from parties.models import Role, User

REGULATOR_ROLES = (Role.PROVINCE_REGULATOR, Role.CITY_REGULATOR, Role.COUNTY_REGULATOR)
TEMP_PASSWORD_LENGTH = 14
_ALPHABET = string.ascii_letters + string.digits + "#%+-=?@"


def resettable_users(actor):
    """The accounts `actor` may reset (queryset), empty for non-regulators."""
    users = User.objects.filter(is_superuser=False).exclude(pk=actor.pk).select_related("organisation")
    if not actor.is_authenticated:
        return users.none()
    if actor.is_superuser or actor.role == Role.PROVINCE_REGULATOR:
        return users
    org = actor.organisation
    if actor.role == Role.CITY_REGULATOR:
        return users.filter(Q(organisation__kind="institution", organisation__city_id=org.city_id)
                            | Q(organisation__kind="county_regulator", organisation__city_id=org.city_id))
    if actor.role == Role.COUNTY_REGULATOR:
        return users.filter(organisation__kind="institution", organisation__county_id=org.county_id)
    return users.none()


def temporary_password() -> str:
    """A random password that passes every validator (three character classes, no pattern)."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(TEMP_PASSWORD_LENGTH))
        try:
            validate_password(candidate)
        except ValidationError:
            continue
        return candidate


def reset_password(actor, *, user_id: int, reason: str, remove_second_factor: bool = False) -> tuple[User, str]:
    """Give the account a new random password (shown once to the regulator, who hands it
    over); with `remove_second_factor` also drop its TOTP device (a lost phone).
    Returns (user, password)."""
    if not (actor.is_authenticated and (actor.is_superuser or actor.role in REGULATOR_ROLES)):
        raise Forbidden(gettext("仅医保部门可以重置账号密码"))
    target = resettable_users(actor).filter(pk=user_id).first()
    if target is None:
        raise NotFound(gettext("账号不存在或不在本部门管理范围内"))
    reason = clean_text(reason, "reason", 200, required=gettext("请填写重置原因（如：本人电话申请，已核实身份）"),
                        too_long=gettext("重置原因不得超过 %(max)s 字"))
    password = temporary_password()
    with transaction.atomic(), audit_context(actor, reason=f"重置账号 {target.username} 的密码：{reason}"):
        locked = User.objects.select_for_update().get(pk=target.pk)
        locked.set_password(password)
        locked.save(update_fields=["password"])
        # The temporary password passed through the regulator's hands: the holder must replace it.
        PasswordChangeRequired.objects.update_or_create(user=locked, defaults={"set_by": actor})
        if remove_second_factor:
            TOTPDevice.objects.filter(user=locked).delete()
    return locked, password


def must_change_password(user) -> bool:
    return bool(user.is_authenticated and PasswordChangeRequired.objects.filter(user_id=user.pk).exists())


def password_changed(user) -> None:
    """The holder chose its own password: the reset's obligation is met."""
    PasswordChangeRequired.objects.filter(user_id=user.pk).delete()


# ----------------------------------------------------------------- TOTP (regulators)


def may_use_totp(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in REGULATOR_ROLES)


def needs_second_factor(user) -> bool:
    """A regulator with a confirmed TOTP device must verify a code after the password."""
    return may_use_totp(user) and user_has_device(user, confirmed=True)


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per user), created on first call."""
    if not may_use_totp(user):
        raise Forbidden(gettext("仅医保部门账号可以启用动态口令"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


def confirm_totp(user, *, token: str) -> TOTPDevice:
    device = pending_totp_device(user)
    if not (token or "").strip().isdigit() or not device.verify_token(token.strip()):
        raise InvalidInput(gettext("动态口令不正确（请核对手机时间，输入身份验证器当前显示的 6 位数字）"), "token")
    with transaction.atomic(), audit_context(user, reason="启用动态口令（第二重验证）"):
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def disable_totp(user, *, token: str) -> None:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise InvalidInput(gettext("本账号未启用动态口令"), "token")
    if not (token or "").strip().isdigit() or not device.verify_token(token.strip()):
        raise InvalidInput(gettext("动态口令不正确"), "token")
    with transaction.atomic(), audit_context(user, reason="停用动态口令"):
        TOTPDevice.objects.filter(user=user).delete()
