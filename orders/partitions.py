"""Monthly partitions of the order, delivery and receipt lines (docs/scaling.md "Monthly
partitions"). The tables and the SQL function `orders_month_partition` come from migration
0007; the beat job here keeps the next months' partitions ready so rows land in their month,
not in the DEFAULT partition (which only catches dates outside every month made so far)."""

from datetime import date

from django.db import connection
from django.utils import timezone

# table -> partition key (a date column)
PARTITIONED = {
    "orders_orderline": "ordered_on",  # the order's local creation date
    "orders_deliveryline": "created_on",  # the delivery's local creation date
    "orders_receiptline": "received_on",  # the receipt's date (入库日期), what MON-1/DEL-1/VBP-6 filter on
}
MONTHS_AHEAD = 3


def _month(d: date, plus: int) -> date:
    n = d.year * 12 + d.month - 1 + plus
    return date(n // 12, n % 12 + 1, 1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y_%m}"


def ensure_month_partitions(today: date | None = None, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """Create this month's and the next `months_ahead` months' partitions of each table where
    missing; returns the names created. Idempotent: a second run creates nothing (the SQL
    function checks and locks the parent, so two workers at once cannot clash either)."""
    today = today or timezone.localdate()
    created = []
    with connection.cursor() as cur:
        for table in PARTITIONED:
            for plus in range(months_ahead + 1):
                month = _month(today, plus)
                cur.execute("SELECT orders_month_partition(%s, %s)", [table, month])
                if cur.fetchone()[0]:
                    created.append(partition_name(table, month))
    return created


def ensure_month_range(first: date, last: date) -> list[str]:
    """The partitions of every month from `first`'s to `last`'s (loaders filling past months:
    the benchmark data, a restore); returns the names created."""
    months = (last.year * 12 + last.month) - (first.year * 12 + first.month)
    return ensure_month_partitions(today=first, months_ahead=months)
