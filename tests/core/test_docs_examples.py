"""Issue 15 item 11: the first-order walkthrough of docs/api.md runs against the demo data.

The test reads the `curl` commands of sections 1 (catalogue) and 2 (first order) from the
document itself, sends them with the demo HIS token to a platform loaded with `load_demo`,
and compares the answers with the JSON the document shows (codes, prices, price source,
amounts) — so the example and the demo data cannot drift apart again."""

import json
import re
import shlex
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client

DOC = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()


def _section(number):
    start = DOC.index(f"\n## {number}. ")
    end = DOC.find("\n## ", start + 1)
    return DOC[start:end]


def _blocks(text, lang):
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def _curl(command):
    """(method, path, headers, body) of one documented curl command."""
    words = shlex.split(command.split("|")[0].replace("\\\n", " "))
    assert words[0] == "curl"
    method, headers, body, url = "GET", {}, None, None
    i = 1
    while i < len(words):
        w = words[i]
        if w == "-X":
            method, i = words[i + 1], i + 1
        elif w == "-H":
            name, value = words[i + 1].split(": ", 1)
            headers[name], i = value, i + 1
        elif w == "-d":
            body, i = words[i + 1], i + 1
        elif not w.startswith("-"):
            url = w
        i += 1
    return method, url.replace("$BASE", ""), headers, body


def _send(client, token, command):
    method, path, headers, body = _curl(command)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v.replace("$TOKEN", token)
             for k, v in headers.items() if k != "Content-Type"}
    if method == "POST":
        return client.post(path, body, content_type="application/json", **extra)
    return client.get(path, **extra)


@pytest.mark.django_db
def test_the_documented_first_order_runs_against_the_demo_data():
    token = re.search(r"export TOKEN=(\S+)", DOC).group(1)
    with time_machine.travel("2026-11-24 10:00 +08:00", tick=False):
        call_command("load_demo")
        client = Client()

        # 1. the catalogue: the documented row is there, with the documented price in force
        catalogue = _section(1)
        response = _send(client, token, _blocks(catalogue, "sh")[0])
        assert response.status_code == 200
        shown = json.loads(_blocks(catalogue, "json")[0].replace("…", ""))["results"][0]
        full = _send(client, token, 'curl -s -H "Authorization: Token $TOKEN" "$BASE/api/v1/orders/catalogue/?page_size=200"')
        rows = {r["national_code"]: r for r in full.json()["results"]}
        row = rows[shown["national_code"]]
        for key in ("generic_name", "specification", "listing_price", "orderable", "distributor"):
            assert row[key] == shown[key], key
        assert {k: row["price_in_force"][k] for k in ("price", "source", "rule")} == \
            {k: shown["price_in_force"][k] for k in ("price", "source", "rule")}

        # 2. the first order: created, priced as documented
        first_order = _section(2)
        response = _send(client, token, _blocks(first_order, "sh")[0])
        assert response.status_code == 201, response.content
        order = response.json()
        documented = _blocks(first_order, "json")[0]
        assert order["total_amount"] == re.search(r'"total_amount": "([\d.]+)"', documented).group(1)
        first_line = order["lines"][0]
        for key in ("national_code", "unit_price", "amount", "price_source", "price_rule", "distributor"):
            assert first_line[key] == re.search(rf'"{key}": "([^"]+)"', documented).group(1), key
        assert sum(Decimal(line["amount"]) for line in order["lines"]) == Decimal(order["total_amount"])

        # the same key and body again: the first answer, no second order
        replay = _send(client, token, _blocks(first_order, "sh")[0])
        assert replay.status_code == 201 and replay.json()["id"] == order["id"]
        assert replay["Idempotent-Replayed"] == "true"
