"""Account middleware: the TOTP second factor of regulators and the forced change of a
password a regulator has reset (parties/accounts.py). Here, not in `core`, because both
ask questions about the platform's users (roles, devices, reset obligations)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .accounts import must_change_password, needs_second_factor

PASSWORD_CHANGE_REQUIRED = _("您的密码已由医保部门重置，请先设置新密码再继续使用平台")


class SecondFactorMiddleware:
    """A regulator with a confirmed TOTP device has signed in with the password only until it
    enters a code: pages redirect to the code form, the session API answers 403."""

    EXEMPT = ("/accounts/otp/verify/", "/accounts/logout/", "/static/", "/jsi18n/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not request.path.startswith(self.EXEMPT)
                and not user.is_verified() and needs_second_factor(user)):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "otp_required", "detail": translation.gettext("请先完成动态口令验证"), "field": None},
                                    status=403)
            return redirect_to_login(request.get_full_path(), reverse("otp_verify"), "next")
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """After a regulator's reset the account signs in with a temporary password that someone
    else has seen: until its holder changes it, pages redirect to the change form and the
    session API answers 403 (HIS tokens do not use passwords and are not affected)."""

    EXEMPT = ("/accounts/password/", "/accounts/logout/", "/accounts/otp/verify/", "/static/", "/jsi18n/", "/i18n/",
              "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not request.path.startswith(self.EXEMPT)
                and must_change_password(user)):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "password_change_required", "detail": str(PASSWORD_CHANGE_REQUIRED),
                                     "field": None}, status=403)
            messages.warning(request, str(PASSWORD_CHANGE_REQUIRED))
            return redirect(f"{reverse('password_change')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
