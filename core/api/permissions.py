"""The API's one permission class: the view names the `rules` permission(s) its caller needs.

    class ContractListView(GenericAPIView):
        permission_classes = [HasRulesPermission]
        required_perms = ("vbp.report",)                    # every method
        # or per method: required_perms = {"GET": ("orders.view",), "POST": ("orders.place_order",)}
        permission_message = gettext_lazy("仅医疗机构（或其HIS接口）可调用此接口")

Object rows stay scoped by `visible_to(user)` in the view's queryset (404 outside the scope)."""

from rest_framework import permissions


class HasRulesPermission(permissions.BasePermission):
    """Grants the request when the user holds every permission in the view's `required_perms`
    (a tuple, or a dict keyed by HTTP method). The refusal carries the view's
    `permission_message` when it sets one (DRF reads `message` from the permission)."""

    def _perms(self, request, view):
        perms = getattr(view, "required_perms", ())
        if isinstance(perms, dict):
            perms = perms.get(request.method, perms.get("*", ()))
        if isinstance(perms, str):
            perms = (perms,)
        return perms

    def has_permission(self, request, view):
        message = getattr(view, "permission_message", None)
        if message is not None:
            self.message = message
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return all(user.has_perm(p) for p in self._perms(request, view))
