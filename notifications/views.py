from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services

PAGE_SIZE = 20


@login_required
def inbox(request):
    only_unread = request.GET.get("unread") == "1"
    qs = selectors.inbox(request.user, only_unread=only_unread)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "only_unread": only_unread})


@login_required
def open_notification(request, pk):
    """Mark one of my messages read and follow its link to the object."""
    n = selectors.notification_for(request.user, pk)
    services.mark_read(request.user, [n.pk])
    return redirect(selectors.link_of(n))


@login_required
@require_POST
def mark_all_read(request):
    n = services.mark_read(request.user)
    messages.success(request, _("已将 %(n)s 条消息标为已读。") % {"n": n})
    return redirect("notifications:inbox")
