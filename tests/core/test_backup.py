"""Backup and restore (issue 16 item 9): `make backup` dumps the database (pg_dump custom
format) and the uploaded files; `make restore` into a FRESH database and media directory
gives back the same figures — monthly online-procurement rates (MON-1), listing prices,
order totals — and the same files."""

import os
import subprocess
import uuid
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from monitoring import services as monitoring_services
from orders.models import Order
from parties.models import OrgKind
from tests.monitoring.conftest import new_supply, receive_into

FIGURES = {
    "rates": "SELECT institution_id, month, kind, rate, platform_amount, offplatform_amount "
             "FROM monitoring_monthlysnapshot ORDER BY 1, 2, 3",
    "listing_prices": "SELECT id, product_id, price, status FROM listing_listing ORDER BY id",
    "order_totals": "SELECT number, total_amount FROM orders_order ORDER BY number",
    "audit_rows": "SELECT count(*) FROM pghistory_context",
}


def _figures(dsn: dict) -> dict:
    with psycopg2.connect(**dsn) as conn, conn.cursor() as cur:
        out = {}
        for name, sql in FIGURES.items():
            cur.execute(sql)
            out[name] = cur.fetchall()
    conn.close()
    return out


def _dsn(name):
    db = connection.settings_dict
    return {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"], "dbname": name}


def _url(name):
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}"


@pytest.fixture
def fresh_database():
    name = f"restore_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(**_dsn("postgres"))
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _make(target, env):
    root = Path(settings.BASE_DIR)
    result = subprocess.run(["make", "-s", target, *env.pop("_args", [])], cwd=root, env={**os.environ, **env},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_fresh_database_gives_the_same_figures(make_org, nanjing, tmp_path, fresh_database):
    hospital = make_org(OrgKind.INSTITUTION, name="南京第一人民医院", city=nanjing, level=3)
    supply = new_supply()
    for amount, day in (("850000", 5), ("1234.56", 9)):
        line = receive_into(supply, hospital, amount, date(2026, 10, day))
        Order.objects.filter(pk=line.order_line.order_id).update(total_amount=D(amount))
    monitoring_services.monthly_run(date(2026, 10, 1))
    media = tmp_path / "media"
    (media / "listing" / "2026").mkdir(parents=True)
    (media / "listing" / "2026" / "gmp.pdf").write_bytes(b"%PDF-1.4 evidence")

    source = _dsn(connection.settings_dict["NAME"])
    before = _figures(source)
    assert before["rates"] and len(before["order_totals"]) == 2 and before["listing_prices"]

    backup_dir = tmp_path / "backup"
    out = _make("backup", {"DATABASE_URL": _url(source["dbname"]), "MEDIA_ROOT": str(media),
                           "_args": [f"BACKUP_DIR={backup_dir}"]})
    assert "backup written" in out
    assert (backup_dir / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump custom format
    assert "media_files=1" in (backup_dir / "MANIFEST").read_text()

    restored_media = tmp_path / "restored-media"
    out = _make("restore", {"DATABASE_URL": _url(fresh_database), "MEDIA_ROOT": str(restored_media),
                            "_args": [f"BACKUP_DIR={backup_dir}"]})
    assert "restored" in out
    assert _figures(_dsn(fresh_database)) == before
    assert (restored_media / "listing" / "2026" / "gmp.pdf").read_bytes() == b"%PDF-1.4 evidence"


def test_restore_without_a_directory_is_refused():
    result = subprocess.run(["make", "-s", "restore"], cwd=settings.BASE_DIR, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0 and "usage: make restore BACKUP_DIR=" in result.stdout
