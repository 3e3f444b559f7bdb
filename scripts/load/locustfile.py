"""`make load`: HIS traffic over real HTTP against a local gunicorn (scripts/load.sh).

HisOrderClient   posts order batches (LOAD_LINES lines each, a fresh Idempotency-Key per
                 batch) — figures: order lines/s and batch latency p50/p95/p99.
CataloguePuller  pulls the catalogue page by page, then pulls the same pages again with
                 If-None-Match (an idle HIS) — figures: pages/s and p95, full and 304.

The token is the demo HIS client's (parties/demo.py); orderable national codes come from the
catalogue itself. Figures are printed, never asserted."""

import os
import uuid

from locust import HttpUser, between, events, task

TOKEN = os.environ.get("LOAD_TOKEN", "sp_demo00000001_DemoHisSecretForLocalUseOnly-2026")
LINES = int(os.environ.get("LOAD_LINES", "100"))
HEADERS = {"Authorization": f"Token {TOKEN}"}
CATALOGUE = "/api/v1/orders/catalogue/"
_codes: list[str] = []
_batch_lines = {"n": 0}


def orderable_codes(client) -> list[str]:
    if not _codes:
        url = f"{CATALOGUE}?page_size=1000"
        while url and len(_codes) < 1000:
            r = client.get(url, headers=HEADERS, name="setup: catalogue")
            r.raise_for_status()
            body = r.json()
            _codes.extend(row["national_code"] for row in body["results"] if row["orderable"])
            url = body.get("next")
    return _codes


class HisOrderClient(HttpUser):
    wait_time = between(0, 0.05)

    def on_start(self):
        codes = orderable_codes(self.client)
        if not codes:
            raise RuntimeError("the demo HIS institution has no orderable product: run `make demo` first")
        self.lines = [{"national_code": c, "quantity": 1} for c in codes[:LINES]]
        _batch_lines["n"] = len(self.lines)

    @task
    def order_batch(self):
        self.client.post("/api/v1/orders/", json={"external_ref": f"LOAD-{uuid.uuid4().hex[:12]}", "lines": self.lines},
                         headers={**HEADERS, "Idempotency-Key": uuid.uuid4().hex}, name="order batch")


class CataloguePuller(HttpUser):
    wait_time = between(0, 0.05)

    def on_start(self):
        self.etags: dict[str, str] = {}

    @task
    def pull(self):
        url = f"{CATALOGUE}?page_size=200"
        while url:
            path = url.split("://", 1)[-1].split("/", 1)[-1]
            path = "/" + path if not path.startswith("/") else path
            headers = dict(HEADERS)
            if path in self.etags:
                headers["If-None-Match"] = self.etags[path]
            with self.client.get(path, headers=headers, name="catalogue page", catch_response=True) as r:
                if r.status_code == 304:
                    r.success()
                    self.environment.stats.get("catalogue page (304)", "GET").log(r.elapsed.total_seconds() * 1000, 0)
                    return  # unchanged: an idle HIS stops at the first unchanged page
                if r.status_code != 200:
                    r.failure(f"status {r.status_code}")
                    return
                self.etags[path] = r.headers.get("ETag", "")
                self.environment.stats.get("catalogue page (200)", "GET").log(r.elapsed.total_seconds() * 1000,
                                                                              len(r.content))
                url = r.json().get("next")


@events.quitting.add_listener
def print_figures(environment, **kwargs):
    stats = environment.stats
    seconds = max((stats.last_request_timestamp or 0) - (stats.start_time or 0), 1e-9)
    lines = []
    batch = stats.get("order batch", "POST")
    if batch.num_requests:
        ok = batch.num_requests - batch.num_failures
        n = _batch_lines["n"]
        lines.append(f"HIS order ingestion: {ok * n / seconds:,.0f} lines/s ({ok} batches of {n} lines, "
                     f"{batch.num_failures} failed) — batch p50 {batch.get_response_time_percentile(0.5):.0f} ms, "
                     f"p95 {batch.get_response_time_percentile(0.95):.0f} ms, "
                     f"p99 {batch.get_response_time_percentile(0.99):.0f} ms")
    for label in ("catalogue page (200)", "catalogue page (304)"):
        entry = stats.get(label, "GET")
        if entry.num_requests:
            lines.append(f"{label}: {entry.num_requests / seconds:,.1f} pages/s — "
                         f"p50 {entry.get_response_time_percentile(0.5):.0f} ms, "
                         f"p95 {entry.get_response_time_percentile(0.95):.0f} ms ({entry.num_requests} pages)")
    failures = stats.total.num_failures
    print("\n".join(["", "=== make load figures ===", *lines, f"failures: {failures}", ""]))
