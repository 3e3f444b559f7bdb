from datetime import timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from core.forms import LoginForm

from . import account_views


def _cooloff_minutes() -> int:
    cooloff = settings.AXES_COOLOFF_TIME
    if isinstance(cooloff, timedelta):
        return int(cooloff.total_seconds() // 60)
    if isinstance(cooloff, int | float):
        return int(cooloff * 60)  # axes reads a number as hours
    return 30


class LoginView(auth_views.LoginView):
    """Username/password login; django-axes locks (username, IP) out after
    AXES_FAILURE_LIMIT failures and renders registration/locked_out.html."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            failure_limit=settings.AXES_FAILURE_LIMIT, cooloff_minutes=_cooloff_minutes(),
            password_reset_by_email=settings.PASSWORD_RESET_BY_EMAIL, **kwargs
        )


urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", account_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", account_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("users/", account_views.user_list, name="account_users"),
    path("users/<int:pk>/reset/", account_views.user_reset, name="account_user_reset"),
    path("otp/", account_views.otp_setup, name="otp_setup"),
    path("otp/verify/", account_views.otp_verify, name="otp_verify"),
]
