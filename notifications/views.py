from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import Notification


@login_required
def inbox(request):
    qs = selectors.inbox(request.user)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "only_unread": request.GET.get("unread") == "1"})


@login_required
def open_notification(request, pk):
    """Mark one message read and follow its link to the object."""
    n = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(request.user, [n.pk])
    return redirect(n.url or "notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.mark_read(request.user)
    return redirect("notifications:inbox")
