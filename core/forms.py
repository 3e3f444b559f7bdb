from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .errors import DomainError, Forbidden, NotFound


class LoginForm(AuthenticationForm):
    """Standard login; errors are shown in Chinese. django-axes locks out repeated failures."""

    username = forms.CharField(label=_("用户名"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续多次输入错误，账号将被暂时锁定。"),
        "inactive": _("该账号已停用。"),
    }


def call_service(form, fn, *args, **kwargs):
    """Run a service for a form view: a refused request's message goes next to its field (or on
    the form, with the rule ID); Forbidden becomes a 403. Returns None when refused."""
    try:
        return fn(*args, **kwargs)
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    except DomainError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, f"{exc.detail}" + (f"（{exc.code}）" if "-" in exc.code else ""))
        return None


def refuse_if_forbidden(exc):
    """In a view that shows a refused request as a message: a refusal for lack of permission
    (ACT-*) answers 403 and an object outside the user's scope 404, never a redirect that
    looks like any other outcome (the access-matrix test relies on it)."""
    if isinstance(exc, Forbidden):
        raise PermissionDenied(exc.detail) from exc
    if isinstance(exc, NotFound):
        raise Http404(exc.detail) from exc
