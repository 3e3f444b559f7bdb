"""Monthly partitions of order, delivery and receipt lines (issue 18 item 2; docs/scaling.md).

The conversion keeps every row and every total, the beat job adds months ahead (and is
idempotent), a row of a month without its partition still lands (DEFAULT) and moves into the
month once it is made, the monthly queries of MON-1, DEL-1 and VBP-6 read only their months'
partitions, references into the partitioned tables are still checked and lines still cannot
be deleted (AUD-1)."""

import re
from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, InternalError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from monitoring.selectors import rates_sql
from orders.models import DeliveryLine, OrderLine, ReceiptLine, ReturnRecord
from orders.partitions import PARTITIONED, ensure_month_partitions, partition_name
from orders.selectors import NO_SALES_SQL, no_sales_candidates
from tests.monitoring.conftest import new_supply, receive_into
from vbp.jobs import SNAPSHOT_SQL
from vbp.selectors import PROGRESS_SQL

SH = ZoneInfo("Asia/Shanghai")
FIRST = ("orders", "0006_line_partition_keys")  # the first migration of the partitioning


def _figures():
    """Row counts and money/quantity totals of the three tables (and the history rows)."""
    with connection.cursor() as cur:
        cur.execute("""SELECT (SELECT count(*) FROM orders_orderline), (SELECT sum(amount) FROM orders_orderline),
                              (SELECT sum(received_qty) FROM orders_orderline), (SELECT max(id) FROM orders_orderline),
                              (SELECT count(*) FROM orders_deliveryline), (SELECT sum(quantity) FROM orders_deliveryline),
                              (SELECT count(*) FROM orders_receiptline), (SELECT sum(amount) FROM orders_receiptline),
                              (SELECT count(*) FROM orders_returnrecord), (SELECT count(*) FROM orders_orderlineevent)""")
        return cur.fetchone()


def _partitions(table):
    with connection.cursor() as cur:
        cur.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "WHERE i.inhparent = %s::regclass", [table])
        return {r[0] for r in cur.fetchall()}


def _count(table):
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own table names
        return cur.fetchone()[0]


def _receipts_over_months(institution_months):
    supply = new_supply()
    lines = []
    for inst, day in institution_months:
        with time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=SH), tick=False):
            lines.append(receive_into(supply, inst, "12.34", day))
    return supply, lines


def _previous_migration():
    graph = MigrationExecutor(connection).loader.graph
    (parent,) = [p for p in graph.node_map[FIRST].parents if p.key[0] == "orders"]
    return parent.key[1]


@pytest.mark.django_db(transaction=True)
def test_conversion_keeps_every_row_and_total(make_org, nanjing):
    """The migration on a copy with data: unpartitioned → partitioned (and back) with equal
    row counts and sums; rows sit in their months' partitions, ids continue after the copy."""
    inst = make_org("institution", name="分区测试医院", city=nanjing)
    days = [date(2026, 1, 15), date(2026, 2, 3), date(2026, 2, 27), date(2026, 3, 31), date(2026, 4, 1)]
    _supply, lines = _receipts_over_months([(inst, d) for d in days])
    OrderLine.objects.filter(pk=lines[0].order_line_id).update(returned_qty=1)  # one history row too
    ReturnRecord.objects.create(order_line_id=lines[0].order_line_id, quantity=1, reason="破损",
                                returned_on=date(2026, 1, 20), created_by=_supply["user"])
    partitioned = _figures()
    try:
        call_command("migrate", "orders", _previous_migration(), verbosity=0)
        assert not _partitions("orders_orderline")  # a plain table again
        plain = _figures()
        assert plain == partitioned
    finally:
        call_command("migrate", "orders", verbosity=0)
    assert _figures() == partitioned
    for table in PARTITIONED:
        parts = _partitions(table)
        assert f"{table}_default" in parts
        assert _count(f"{table}_default") == 0, table  # every row found its month
    assert _count(partition_name("orders_receiptline", date(2026, 2, 1))) == 2
    assert _count(partition_name("orders_orderline", date(2026, 3, 1))) == 1
    # The copied rows keep their order's date; the identity continues after the largest id.
    line = OrderLine.objects.get(pk=lines[3].order_line_id)
    assert line.ordered_on == date(2026, 3, 31)
    assert DeliveryLine.objects.get(pk=lines[3].delivery_line_id).created_on == date(2026, 3, 31)
    _s, (new,) = _receipts_over_months([(inst, date(2026, 4, 2))])
    assert new.order_line_id > max(x.order_line_id for x in lines)


@pytest.mark.django_db
def test_partitions_ahead_job_is_idempotent():
    """The beat job makes this month and the next three of each table, once."""
    created = ensure_month_partitions(today=date(2031, 11, 20))
    assert sorted(created) == sorted(partition_name(t, date(y, m, 1)) for t in PARTITIONED
                                     for y, m in ((2031, 11), (2031, 12), (2032, 1), (2032, 2)))
    assert ensure_month_partitions(today=date(2031, 11, 20)) == []
    assert partition_name("orders_receiptline", date(2032, 2, 1)) in _partitions("orders_receiptline")


@pytest.mark.django_db
def test_row_of_a_month_without_partition_lands_in_default_then_moves(make_org, nanjing):
    """An insert never fails for want of a partition; the job moves DEFAULT's rows of the
    month into the month's new partition (no row lost, no DELETE refused)."""
    inst = make_org("institution", name="未来医院", city=nanjing)
    _s, (line,) = _receipts_over_months([(inst, date(2035, 6, 9))])
    assert _count("orders_receiptline_default") == 1
    assert _count("orders_orderline_default") == 1
    # The job runs in its own transaction after these rows were committed; here they are
    # still in the test's, so their deferred reference checks are run first.
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    ensure_month_partitions(today=date(2035, 6, 1), months_ahead=0)
    assert _count("orders_receiptline_default") == 0
    assert _count(partition_name("orders_receiptline", date(2035, 6, 1))) == 1
    assert ReceiptLine.objects.get(pk=line.pk).amount == D("12.34")


def _plan(sql, params):
    with connection.cursor() as cur:
        cur.execute("EXPLAIN " + sql, params)
        return "\n".join(r[0] for r in cur.fetchall())


def _scanned(plan, table):
    """The partitions of `table` the plan reads (not the names of their indexes)."""
    return set(re.findall(rf"\b{table}_(?:p\d{{4}}_\d{{2}}|default)\b", plan))


@pytest.fixture
def months_2026(db):
    ensure_month_partitions(today=date(2025, 12, 1), months_ahead=14)


def test_monthly_rate_reads_only_its_month(months_2026):
    """MON-1: the monthly rate statement scans only March's receipt-line partition."""
    plan = _plan(rates_sql(), {"start": date(2026, 3, 1), "end": date(2026, 4, 1), "ids": []})
    assert _scanned(plan, "orders_receiptline") == {"orders_receiptline_p2026_03"}, plan


def test_no_sales_detection_reads_only_the_last_year(months_2026):
    """DEL-1: receipts after the cut-off — the partitions from the cut-off's month on, none before."""
    plan = _plan(NO_SALES_SQL, {"cutoff": date(2026, 9, 15)})
    scanned = _scanned(plan, "orders_receiptline")
    assert "orders_receiptline_p2026_08" not in scanned and "orders_receiptline_p2026_01" not in scanned, plan
    assert "orders_receiptline_p2026_09" in scanned and "orders_receiptline_p2026_12" in scanned, plan
    # The job's own ORM query (no_sales_daily) prunes the same way.
    plan = no_sales_candidates(date(2026, 9, 16), 1).explain()
    assert min(_scanned(plan, "orders_receiptline") - {"orders_receiptline_default"}) == "orders_receiptline_p2026_09", plan


def test_vbp_progress_reads_only_the_period_so_far(months_2026):
    """VBP-6: the monthly progress statement of a tender (period 2026) at the end of March
    scans January to March only."""
    params = {"tender": 0, "start": date(2026, 1, 1), "end": date(2026, 12, 31), "upto": date(2026, 3, 31),
              "month": date(2026, 3, 31), "month_first": date(2026, 3, 1), "threshold": D("10")}
    plan = _plan(SNAPSHOT_SQL, params)
    assert _scanned(plan, "orders_receiptline") == {
        "orders_receiptline_p2026_01", "orders_receiptline_p2026_02", "orders_receiptline_p2026_03"}, plan
    # The live progress page (selectors.contract_progress) passes the contracts' period bounds the same way.
    plan = _plan(PROGRESS_SQL, {"ids": [0], "on": date(2026, 3, 31), "lo": date(2026, 1, 1), "hi": date(2026, 3, 31)})
    assert _scanned(plan, "orders_receiptline") == {
        "orders_receiptline_p2026_01", "orders_receiptline_p2026_02", "orders_receiptline_p2026_03"}, plan


@pytest.mark.django_db
def test_lines_still_never_deleted(make_org, nanjing):
    """AUD-1: a DELETE of a line is refused, through the parent and on a partition itself."""
    inst = make_org("institution", name="删除测试医院", city=nanjing)
    _s, (line,) = _receipts_over_months([(inst, date(2026, 11, 5))])
    for table in PARTITIONED:
        for target in (table, partition_name(table, date(2026, 11, 1))):
            with pytest.raises(InternalError, match="Cannot delete"), transaction.atomic(), connection.cursor() as cur:
                cur.execute(f"DELETE FROM {target}")  # noqa: S608 - our own table names
    assert ReceiptLine.objects.filter(pk=line.pk).exists()


@pytest.mark.django_db
def test_reference_into_partitioned_table_is_checked(make_org, nanjing):
    """A delivery line naming an order line that does not exist is refused at commit, as a
    foreign key would refuse it."""
    inst = make_org("institution", name="引用测试医院", city=nanjing)
    _s, (line,) = _receipts_over_months([(inst, date(2026, 11, 5))])
    dl = DeliveryLine.objects.get(pk=line.delivery_line_id)
    with pytest.raises(IntegrityError, match="violates reference"), transaction.atomic():
        DeliveryLine.objects.create(delivery_id=dl.delivery_id, order_line_id=10**12, batch_number="X",
                                    expiry_date=date(2030, 1, 1), quantity=1)
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
