"""The page shell's own pages: the signed-in user's home (工作台) and the AUD-1 history page of
any tracked object. They read every lower app, so they live in the top app, not in `core`."""

import pghistory.models
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parties.models import Organisation, User
from parties.permissions import can_see

from .search import MAX_LENGTH, search_page
from .selectors import home_context


@login_required
def home(request):
    """The signed-in user's workspace (工作台), by role."""
    return render(request, "home.html", home_context(request.user))


HISTORY_PAGE_SIZE = 50
# "修改" is also the Edit button: the history's past-tense label has its own context.
_LABELS = {"insert": _("创建"), "update": pgettext_lazy("history", "修改"), "snapshot": _("快照")}


def _related_org(obj):
    """The organisation an untracked-scope object belongs to (User → organisation, ApiClient →
    institution), used to scope its history when its model has no `visible_to`."""
    for attr in ("organisation", "institution"):
        org = getattr(obj, attr, None)
        if isinstance(org, Organisation):
            return org
    return None


def may_view_history(user, obj) -> bool:
    """AUD-1 history is visible to whoever may see the object: the province everything; a
    city/county regulator the objects in its scope; an enterprise or institution only its own."""
    if not user.is_authenticated:
        return False
    if user.is_province:
        return True
    manager = type(obj)._default_manager
    if hasattr(manager, "visible_to"):
        return can_see(user, obj)
    org = _related_org(obj)
    if org is not None:
        return can_see(user, org)
    return user.has_perm("core.view_history")


def _field_label(model_cls, name):
    try:
        return str(model_cls._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _history_rows(model_cls, events):
    """Turn pghistory events into rows a person reads: who (name and username), which
    organisation (by name), when, what changed (field label, before, after) and why."""
    events = list(events)
    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context and e.pgh_context.get("user")}
    org_ids = {e.pgh_context.get("organisation") for e in events if e.pgh_context and e.pgh_context.get("organisation")}
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    orgs = dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "name"))
    rows = []
    for e in events:
        ctx = e.pgh_context or {}
        who = users.get(ctx.get("user"))
        changes = []
        if e.pgh_label == "update" and e.pgh_diff:
            changes = [
                {"field": _field_label(model_cls, f), "before": v[0], "after": v[1]}
                for f, v in sorted(e.pgh_diff.items())
                if f not in ("updated_at",)
            ]
        rows.append({
            "at": e.pgh_created_at,
            "label": _LABELS.get(e.pgh_label, e.pgh_label),
            "is_insert": e.pgh_label == "insert",
            "who": str(who) if who else ctx.get("user_display") or ctx.get("username") or "",
            "username": ctx.get("username") or (who.get_username() if who else ""),
            "organisation": orgs.get(ctx.get("organisation")) or ctx.get("organisation_name") or "",
            "reason": ctx.get("reason", ""),
            "request_id": ctx.get("request_id", ""),
            "changes": changes,
            "system": not ctx.get("user"),
        })
    return rows


@login_required
def object_history(request, app_label, model, pk):
    """Who changed what, when and why, for one decision-bearing object (AUD-1)."""
    try:
        model_cls = apps.get_model(app_label, model)
    except LookupError:
        raise Http404 from None
    if not _is_tracked(model_cls):
        raise Http404
    try:
        obj = model_cls._default_manager.filter(pk=pk).first()
    except (ValueError, ValidationError):
        raise Http404 from None
    if obj is None:
        raise Http404
    if not may_view_history(request.user, obj):
        # Same answer as for a missing object: do not confirm that it exists.
        raise Http404
    events = pghistory.models.Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")
    page = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/history.html", {
        "obj": obj,
        "model_name": model_cls._meta.verbose_name,
        "rows": _history_rows(model_cls, page.object_list),
        "page": page,
    })


def _is_tracked(model_cls) -> bool:
    """True when pghistory tracks the model (it has at least one event model)."""
    return any(
        getattr(m, "pgh_tracked_model", None) is model_cls for m in apps.get_models()
    )


@login_required
def search(request):
    """The header search (issue 15 item 10): every list the user may see, grouped by kind."""
    page = search_page(request.user, request.GET.get("q", ""))
    return render(request, "portal/search.html", {"search": page, "raw_q": request.GET.get("q", "")[:MAX_LENGTH],
                                                  "max_length": MAX_LENGTH})
