"""Query-count baselines for list pages and API lists (NetBox's `query_counts` idea).

`assert_query_baseline` renders a list with N rows and again with 3N rows: the number of
SQL queries must not grow with the rows (an N+1 fails here) and must equal the count stored
in `tests/query_baselines.json` (a new query per page is a visible, reviewed change).

After an intended change, rewrite the stored counts:
    UPDATE_QUERY_BASELINES=1 .venv/bin/python -m pytest tests/test_query_counts.py
and commit the JSON with the change that explains it."""

import json
import os
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

BASELINES = Path(__file__).with_name("query_baselines.json")


def updating() -> bool:
    return os.environ.get("UPDATE_QUERY_BASELINES", "") not in ("", "0")


def _load() -> dict:
    return json.loads(BASELINES.read_text(encoding="utf-8")) if BASELINES.exists() else {}


def _store(name: str, count: int) -> None:
    data = _load()
    data[name] = count
    BASELINES.write_text(json.dumps(dict(sorted(data.items())), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def count_queries(fetch) -> int:
    """Queries run by `fetch()`, which must answer 200 with the rows (not an error page)."""
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200, response.status_code
    return len(ctx)


def assert_query_baseline(name: str, *, add_rows, fetch, n: int = 3) -> int:
    """`add_rows(k)` adds k rows the list shows; `fetch()` requests the list."""
    add_rows(n)
    fetch()  # warm up what a first request loads once (session, policy values, content types)
    few = count_queries(fetch)
    add_rows(2 * n)
    many = count_queries(fetch)
    assert few == many, f"{name}: {few} queries for {n} rows but {many} for {3 * n} rows (N+1 query)"
    if updating():
        _store(name, few)
        return few
    stored = _load().get(name)
    assert stored is not None, f"{name}: no stored baseline; run with UPDATE_QUERY_BASELINES=1"
    assert few == stored, (
        f"{name}: {few} queries, baseline {stored} (tests/query_baselines.json); "
        "if intended, rerun with UPDATE_QUERY_BASELINES=1 and commit the file"
    )
    return few
