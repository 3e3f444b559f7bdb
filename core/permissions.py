"""The one permission check of the services: `require(user, "app.action", obj)`.

Actions are `rules` permissions that each app declares in its own `permissions.py` with
role predicates from `parties.permissions`; this helper only asks Django's permission
backends (the `rules` backend among them), so core imports no app above it."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .errors import Forbidden


def allowed(user, perm: str, obj=None) -> bool:
    """May `user` do `perm` (on `obj`)? False for anonymous and missing users."""
    return bool(user is not None and user.has_perm(perm, obj))


def require(user, perm: str, obj=None, *, message=None, rule: str | None = None):
    """Refuse unless `user` holds `perm` (on `obj`).

    The refusal is `Forbidden(message)` (403); `rule` puts the rule ID that names who may act
    into its `code` (e.g. "MON-2"), otherwise the code is "forbidden"."""
    if allowed(user, perm, obj):
        return
    detail = _("无权执行此操作") if message is None else str(message)
    raise Forbidden(detail, code=rule or "forbidden")


def require_page(user, perm: str, obj=None):
    """The same check for a page: Django's `PermissionDenied` (the 403 page), no message."""
    if not allowed(user, perm, obj):
        raise PermissionDenied
