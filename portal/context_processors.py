"""The page shell's context: platform name, the user's menu (read from the navigation
registry), unread messages and, for regulators, the provisional-calendar banner."""

from django.conf import settings

from core import navigation
from notifications.selectors import unread_count
from workcalendar.selectors import provisional_banner


def shell(request):
    user = getattr(request, "user", None)
    ctx = {"platform_name": settings.PLATFORM_NAME, "nav": navigation.for_user(user) if user else []}
    if user is not None and user.is_authenticated:
        ctx["unread_count"] = unread_count(user)
        # Only the province can confirm a calendar year; a city or county user could do nothing
        # about the banner but worry (issue 15 item 7).
        if user.is_province:
            ctx["calendar_banner"] = provisional_banner()
    return ctx
