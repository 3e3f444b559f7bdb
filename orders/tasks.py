"""Beat jobs of orders (thin: the services decide)."""

from celery import shared_task

from core.audit import audit_context
from core.schedules import register

from . import partitions
from .services import no_sales

register(
    "orders-no-sales-daily",
    "orders.tasks.no_sales_daily",
    description="DEL-1：挂网产品满一年无销售拟暂停采购；暂停期满撤网",
    hour=2, minute=30,
)

register(
    "orders-partitions-ahead",
    "orders.tasks.partitions_ahead",
    description="订单/配送/入库明细：提前建立后续月份的月分区",
    hour=1, minute=10,
)


@shared_task
def partitions_ahead():
    return partitions.ensure_month_partitions()


@shared_task
def no_sales_daily():
    with audit_context(reason="定时任务：一年无销售暂停与撤网（DEL-1）"):
        return no_sales.no_sales_daily()
