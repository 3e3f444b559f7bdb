from django.conf import settings

from . import navigation


def shell(request):
    user = getattr(request, "user", None)
    ctx = {"platform_name": settings.PLATFORM_NAME, "nav": navigation.for_user(user) if user else []}
    if user is not None and user.is_authenticated:
        from notifications.selectors import unread_count
        from workcalendar.selectors import provisional_banner

        ctx["unread_count"] = unread_count(user)
        if user.is_regulator:
            ctx["calendar_banner"] = provisional_banner()
    return ctx
