"""Account pages: password change (self), password reset of a user in scope (regulators),
reset by e-mail link (where a mail server is configured), TOTP second factor (regulators)."""

from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import DomainError

from . import accounts


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            accounts.password_changed(form.user)
        messages.success(self.request, _("密码已修改。"))
        return response


class EmailResetMixin:
    """The e-mailed reset link exists only where a mail server is configured."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.PASSWORD_RESET_BY_EMAIL:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PasswordResetView(EmailResetMixin, auth_views.PasswordResetView):
    template_name = "registration/password_reset.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(EmailResetMixin, auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(EmailResetMixin, auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            accounts.password_changed(form.user)
        messages.success(self.request, _("密码已重置，请用新密码登录。"))
        return response


USERS_PAGE_SIZE = 50


@login_required
def user_list(request):
    """Regulators: the accounts in their scope, each with a reset button."""
    if not accounts.may_use_totp(request.user):
        raise PermissionDenied
    users = accounts.resettable_users(request.user).order_by("organisation__name", "username")
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        users = users.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
                             | Q(organisation__name__icontains=q))
    page = Paginator(users, USERS_PAGE_SIZE).get_page(request.GET.get("page"))
    otp_users = set(TOTPDevice.objects.filter(user__in=[u.pk for u in page], confirmed=True)
                    .values_list("user_id", flat=True))
    return render(request, "registration/user_list.html", {"page": page, "q": q, "otp_users": otp_users,
                                                           "email_reset": settings.PASSWORD_RESET_BY_EMAIL})


@login_required
def user_reset(request, pk):
    if request.method != "POST":
        return redirect("account_users")
    try:
        user, password = accounts.reset_password(request.user, user_id=pk, reason=request.POST.get("reason", ""),
                                                 remove_second_factor=request.POST.get("remove_otp") == "1")
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.detail) from exc
        if exc.status_code == 404:
            raise Http404(exc.detail) from exc
        messages.error(request, exc.detail)
        return redirect("account_users")
    response = render(request, "registration/user_reset_done.html", {"target": user, "password": password})
    response["Cache-Control"] = "no-store"  # the temporary password is shown once
    return response


@login_required
def otp_setup(request):
    """Regulators: enrol (or remove) an authenticator app."""
    if not accounts.may_use_totp(request.user):
        raise PermissionDenied
    enrolled = user_has_device(request.user, confirmed=True)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "disable":
                accounts.disable_totp(request.user, token=request.POST.get("token", ""))
                messages.success(request, _("已停用动态口令。"))
            else:
                device = accounts.confirm_totp(request.user, token=request.POST.get("token", ""))
                otp_login(request, device)
                messages.success(request, _("已启用动态口令：以后登录时须输入身份验证器上的 6 位数字。"))
            return redirect("otp_setup")
        except DomainError as exc:
            error = exc.detail
    device = None if enrolled else accounts.pending_totp_device(request.user)
    response = render(request, "registration/otp_setup.html", {
        "enrolled": enrolled, "device": device, "error": error,
        "secret": _base32(device.bin_key) if device else "",
    })
    response["Cache-Control"] = "no-store"
    return response


@login_required
def otp_verify(request):
    """After the password: the 6-digit code of the enrolled authenticator."""
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    if request.user.is_verified() or not accounts.needs_second_factor(request.user):
        return redirect(next_url)
    error = None
    if request.method == "POST":
        token = (request.POST.get("token") or "").strip()
        device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
        if device is not None and token.isdigit() and device.verify_token(token):
            otp_login(request, device)
            return redirect(next_url)
        error = _("动态口令不正确，请输入身份验证器当前显示的 6 位数字。")
    return render(request, "registration/otp_verify.html", {"error": error, "next": next_url})


def _base32(key: bytes) -> str:
    return b32encode(key).decode().rstrip("=")
