"""The benchmark compares like with like (issue 18 item 3): `manage.py bench` puts the
job and its hand-written SQL side by side, and the partitioned receipt lines beside an
unpartitioned copy — figures that only mean something if both sides read the same rows and
write the same results. Timings are never asserted here."""

import io
from datetime import date

import pytest
from django.db import connection

from monitoring import bench as mon_bench
from monitoring.models import MonthlySnapshot
from notifications.models import Notification
from orders import benchdata
from orders.management.commands import bench
from orders.partitions import PARTITIONED
from tests.clock import frozen_at
from vbp import bench as vbp_bench
from vbp import jobs
from vbp.models import ProgressSnapshot

_frozen = frozen_at("2026-11-24 10:00:00+08:00")
OCTOBER = date(2026, 10, 1)


def _generate():
    return benchdata.generate(0.001, log=lambda message: None)


def _rows_by_partition(table):
    with connection.cursor() as cur:
        cur.execute(f"SELECT tableoid::regclass::text, count(*) FROM {table} GROUP BY 1")
        return dict(cur.fetchall())


@pytest.mark.django_db
def test_a_year_of_bench_rows_lands_in_its_month_partitions_not_default():
    _generate()
    # 2025-11-25 … 2026-11-24: thirteen months, each in its own partition (pruning works on
    # the bench as in production), none in DEFAULT
    months = [f"2025_{m:02d}" for m in (11, 12)] + [f"2026_{m:02d}" for m in range(1, 12)]
    for table in PARTITIONED:
        rows = _rows_by_partition(table)
        assert set(rows) == {f"{table}_p{m}" for m in months}, table
        assert sum(rows.values()) == 10_000


@pytest.mark.django_db
def test_monthly_bench_job_and_hand_sql_give_the_same_rates_with_off_platform_purchases():
    _generate()
    figures = mon_bench.measure(OCTOBER, repeat=1)
    assert figures["receipt_lines"] > 0 and figures["rows"] > 0
    assert figures["mismatches"] == 0
    # the denominator holds off-platform purchases: some rates are below 100 %
    assert MonthlySnapshot.objects.filter(month=OCTOBER, rate__lt=100).exists()


def _vbp_written():
    snapshots = set(ProgressSnapshot.objects.values_list(
        "contract_id", "month", "agreed_amount", "completed_amount", "agreed_qty", "completed_qty",
        "completed_percent", "elapsed_percent", "lagging"))
    reminders = {(n.recipient_id, n.level, n.title, n.body, n.url, n.dedupe_key, repr(sorted(n.i18n.items())))
                 for n in Notification.objects.filter(kind="vbp.lagging")}
    return snapshots, reminders


@pytest.mark.django_db
def test_vbp_hand_sql_writes_exactly_what_the_progress_job_writes():
    _generate()
    vbp_bench.ensure_contracts(lambda message: None)
    on = date(2026, 11, 1)
    with connection.cursor() as cur:
        # the bench runs in autocommit; in the test's transaction the deferred foreign-key
        # checks must fire before reset() may TRUNCATE
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    vbp_bench.reset()
    with connection.cursor() as cur:
        cur.execute(vbp_bench.HAND_SQL, vbp_bench.hand_sql_params(on))
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    by_hand = _vbp_written()
    vbp_bench.reset()
    jobs.progress_monthly(on=on)
    by_job = _vbp_written()
    assert by_hand[0] and by_hand[1], "the bench must have lagging contracts to remind"
    assert by_hand == by_job


@pytest.fixture
def without_flat_copy():
    yield
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {bench.FLAT}")


@pytest.mark.django_db(transaction=True)  # the copy is VACUUMed, which cannot run in a transaction
def test_unpartitioned_copy_holds_the_same_rows_and_the_table_stays_partitioned(without_flat_copy):
    _generate()
    parted, flat = bench.Command(stdout=io.StringIO())._monthly(lambda message: None, 1)
    assert parted["receipt_lines"] == flat["receipt_lines"] > 0
    assert parted["rows"] == flat["rows"] and parted["mismatches"] == flat["mismatches"] == 0
    with connection.cursor() as cur:
        cur.execute("SELECT relkind FROM pg_class WHERE relname = 'orders_receiptline'")
        assert cur.fetchone()[0] == "p"  # the swap was rolled back
        cur.execute(f"SELECT relkind FROM pg_class WHERE relname = '{bench.FLAT}'")
        assert cur.fetchone()[0] == "r"
        cur.execute(f"SELECT (SELECT count(*) FROM {bench.FLAT}) = (SELECT count(*) FROM orders_receiptline)")
        assert cur.fetchone()[0]
