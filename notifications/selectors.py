from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .models import Notification


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox(user, *, only_unread: bool = False):
    """The user's own messages, newest first. Nobody reads another user's inbox."""
    qs = Notification.objects.filter(recipient=user).select_related("target_type")
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    return qs


def notification_for(user, pk) -> Notification:
    """One of the user's own messages; 404 for anyone else's (no hint that it exists)."""
    return get_object_or_404(Notification, pk=pk, recipient=user)


def link_of(n: Notification) -> str:
    """Where a message leads: its url, else its target's page, else the inbox. Only
    same-site links are followed (never an open redirect)."""
    url = n.url
    if not url and n.target_type_id and n.target_id:
        try:
            target = n.target
        except Exception:  # noqa: BLE001 - a target whose model is gone: fall back to the inbox
            target = None
        if target is not None and hasattr(target, "get_absolute_url"):
            url = target.get_absolute_url()
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return reverse("notifications:inbox")
