"""The one search box in the page header (issue 15 item 10).

Same shape as `core/todos.py` and the price providers in `orders/pricing.py`: every app that
owns a list registers a *search provider* from its own `AppConfig.ready()` (in that app's
`search.py`):

    search.register_search("orders.orders", search_orders)

A provider is `fn(user, q, limit) -> SearchGroup | None`. It answers None when the user's role
has no such list, otherwise the count and the first `limit` rows of the list page behind
`all_url` filtered with the same query, through that list's own selector/FilterSet — so the
count on the results page is the count the user finds after "查看全部", and the scoping is the
list's (`visible_to`), never a second one. A provider costs two queries (a count and the first
rows, related objects joined), whatever the number of matches.

`core` imports no other app: it only keeps the registry and collects what comes back."""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse


@dataclass(frozen=True)
class SearchHit:
    title: str  # the row's name ("阿莫西林胶囊 0.25g×24粒", an order number)
    url: str  # the row's own page
    detail: str = ""  # one line of context (code, organisation, status)


@dataclass(frozen=True)
class SearchGroup:
    kind: str  # stable key, also the results page's anchor ("products")
    label: str  # the kind in the user's language ("产品")
    count: int  # how many rows the list behind `all_url` shows for the query
    all_url: str  # the kind's own list page with the query applied
    hits: list[SearchHit] = field(default_factory=list)
    order: int = 100  # position on the results page (lower first)


Provider = Callable[[object, str, int], SearchGroup | None]
_PROVIDERS: dict[str, Provider] = {}


def register_search(name: str, fn: Provider) -> None:
    """Register (or replace) a provider; idempotent by name, so a second `ready()` (tests,
    autoreload) does not search the same list twice."""
    _PROVIDERS[name] = fn


def unregister_search(name: str) -> None:
    _PROVIDERS.pop(name, None)


def providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


def role_of(user) -> str:
    """The role a provider answers for (a superuser reads as the province)."""
    return "province_regulator" if user.is_superuser else user.role


def list_url(url_name: str, q: str, **params) -> str:
    """The list page `url_name` with the search query (and any fixed filter) applied."""
    return f"{reverse(url_name)}?{urlencode({'q': q, **params})}"


def search_all(user, q: str, limit: int = 5) -> list[SearchGroup]:
    """Every kind the user may search, in order; kinds without a match stay in the answer (count
    0) so the page can say where nothing was found. `q` must be a checked query."""
    if not getattr(user, "is_authenticated", False):
        return []
    groups = [g for fn in _PROVIDERS.values() if (g := fn(user, q, limit)) is not None]
    groups.sort(key=lambda g: (g.order, g.kind))
    return groups


def group_of(kind: str, label, queryset, *, url_name: str, q: str, limit: int, hit: Callable, order: int = 100,
             **params) -> SearchGroup:
    """A provider's answer from the list's filtered queryset: its count and first `limit` rows
    (two queries; `queryset` joins what `hit(row) -> SearchHit` reads)."""
    count = queryset.count()
    hits = [hit(row) for row in queryset[:limit]] if count else []
    return SearchGroup(kind, str(label), count, list_url(url_name, q, **params), hits, order)
