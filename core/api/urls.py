"""The URL shape of an API resource, written once: `<prefix>/` lists (and creates),
`<prefix>/<pk>` is one row, `<prefix>/<pk>/<action>` acts on it; the route names are
`<name>-list`, `<name>-detail` and `<name>-<action>` (the names the clients and tests reverse)."""

from django.urls import path


def resource(prefix: str, name: str, list_view, detail_view, **actions) -> list:
    """The routes of one resource; `actions` maps an action's path segment to its view class."""
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}-list"),
        path(f"{prefix}/<int:pk>", detail_view.as_view(), name=f"{name}-detail"),
        *(path(f"{prefix}/<int:pk>/{action}", view.as_view(), name=f"{name}-{action}")
          for action, view in actions.items()),
    ]
