"""To-do lists on the home page (工作台待办, issue 15 item 6).

Same shape as the price-provider registry in `orders/pricing.py`: every app that owns a task
registers a *provider* from its own `AppConfig.ready()` (in that app's `todos.py`):

    todos.register_todo("orders.receiving", receiving_todos)

A provider is `fn(user, today) -> list[TodoItem]`. It decides by itself whether the user's
role has anything to do (an empty list otherwise) and counts through the same selector the
list page behind its `url` uses, so the number on the home page is the number of rows the user
finds after the click. Providers answer with aggregate queries (a count and the earliest due
date), never one query per row, so the home page costs the same whatever the number of items.

`core` imports no other app: it only keeps the registry and renders what comes back."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone


@dataclass(frozen=True)
class TodoItem:
    label: str  # what to do, in the user's language ("待入库配送单")
    count: int  # how many rows the linked list shows
    url: str  # the page where the task is done (with the filters that select these rows)
    due: date | None = None  # the earliest deadline among those rows, when the task has one
    overdue: bool = False  # some rows are past their deadline already
    note: str = ""  # how the deadline is set (e.g. "每月 15 日前报送上月数据")
    order: int = 100  # position on the page (lower first)

    def days_left(self, today: date) -> int | None:
        return None if self.due is None else (self.due - today).days


Provider = Callable[[object, date], list]
_PROVIDERS: dict[str, Provider] = {}


def register_todo(name: str, fn: Provider) -> None:
    """Register (or replace) a provider; idempotent by name, so a second `ready()` (tests,
    autoreload) does not list the same task twice."""
    _PROVIDERS[name] = fn


def unregister_todo(name: str) -> None:
    _PROVIDERS.pop(name, None)


def providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


def todos_for(user, today: date | None = None) -> list[dict]:
    """Every task the user has now, most urgent first: overdue tasks, then by deadline, then
    by each provider's order. Tasks with nothing to do (count 0) are left out."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = today or timezone.localdate()
    items: list[TodoItem] = []
    for fn in _PROVIDERS.values():
        items.extend(item for item in fn(user, today) or [] if item.count)
    items.sort(key=lambda i: (not i.overdue, i.due or date.max, i.order, str(i.label)))
    rows = []
    for i in items:
        left = i.days_left(today)
        rows.append({"label": str(i.label), "count": i.count, "url": i.url, "due": i.due, "overdue": i.overdue,
                     "note": str(i.note), "days_left": left, "days_late": -left if left is not None and left < 0 else 0})
    return rows
