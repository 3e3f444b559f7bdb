"""Machinery of the access matrix (ACT-1…ACT-8, AUD-1): routes from the URL resolver,
principals, one request in a savepoint, and table checksums of every business table."""

import json
from dataclasses import dataclass, field

import pghistory.models
from django.apps import apps
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver

# Tables a refused request may legitimately touch: audit trail (pghistory events and their
# context), sessions, login throttling (axes), the admin's own log.
EXCLUDED_APPS = {"sessions", "axes", "admin", "pghistory", "contenttypes", "auth"}
REFUSED = {401, 403, 404, 405}
LOGIN = "login"  # expected: a redirect to the sign-in page


@dataclass
class Route:
    name: str          # "namespace:name"
    pattern: str       # "/listing/applications/<int:pk>/"
    callback: object
    api: bool

    @property
    def write_methods(self) -> list[str]:
        """An API view's state-changing methods (DRF class). Page views are function views:
        which of them write is declared in the table (READ or cases)."""
        cls = getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)
        if cls is None:
            return []
        return [m for m in ("post", "put", "patch", "delete") if hasattr(cls, m)]


def _walk(patterns, prefix="", ns=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            sub_ns = ":".join(x for x in (ns, p.namespace) if x) or None
            yield from _walk(p.url_patterns, prefix + str(p.pattern), sub_ns)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns else (p.name or str(p.pattern))
            yield name, "/" + prefix + str(p.pattern), p.callback


def routes() -> dict[str, Route]:
    """Every named route of the project (the Django admin apart: see its own test)."""
    out = {}
    for name, pattern, callback in _walk(get_resolver().url_patterns):
        if name.startswith("admin:") or pattern.startswith("/admin/") or pattern.startswith("/static/") \
                or pattern.startswith("/media/"):
            continue
        out.setdefault(name, Route(name, pattern, callback, api=pattern.startswith("/api/")))
    return out


def business_tables() -> list[tuple[str, str]]:
    """(table, primary key column) of every table whose rows carry business state."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in EXCLUDED_APPS or model._meta.proxy or not model._meta.managed:
            continue
        if issubclass(model, pghistory.models.Event | pghistory.models.Context):
            continue
        tables[model._meta.db_table] = model._meta.pk.column
    return sorted(tables.items())


_SQL_CACHE = {}


def checksums() -> dict[str, str]:
    """md5 of every business table's rows in primary-key order, in one query."""
    sql = _SQL_CACHE.get("sql")
    if sql is None:
        parts = [f"select '{t}', md5(coalesce(string_agg(x::text, '|' order by x.\"{pk}\"), '')) from \"{t}\" x"
                 for t, pk in business_tables()]
        sql = _SQL_CACHE["sql"] = " union all ".join(parts)
    with connection.cursor() as cur:
        cur.execute(sql)
        return dict(cur.fetchall())


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in after if before.get(t) != after[t])


class _Rollback(Exception):
    pass


@dataclass
class Outcome:
    status: int
    location: str = ""
    changed: list[str] = field(default_factory=list)
    error: str = ""


def attempt(client, method: str, url: str, data=None, *, api=False, before=None, multipart=False) -> Outcome:
    """Send one request inside a savepoint, checksum the tables, then roll everything back
    so that the next request meets the same world. `multipart`: an API route taking files."""
    result = None
    try:
        with transaction.atomic():
            if api and not multipart:
                body = json.dumps(data or {})
                resp = getattr(client, method)(url, body, content_type="application/json")
            elif method == "post":
                resp = client.post(url, data or {})
            else:
                resp = getattr(client, method)(url)
            changed = changed_tables(before, checksums()) if before is not None else []
            result = Outcome(resp.status_code, resp.get("Location", ""), changed)
            raise _Rollback
    except _Rollback:
        pass
    except Exception as exc:  # noqa: BLE001 - a crash is an outcome of the matrix (500)
        result = Outcome(500, error=f"{type(exc).__name__}: {exc}")
    return result


def is_login_redirect(outcome: Outcome) -> bool:
    return outcome.status == 302 and "/accounts/login/" in outcome.location


def refused(outcome: Outcome) -> bool:
    return outcome.status in REFUSED or is_login_redirect(outcome)
