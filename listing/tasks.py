"""Beat jobs of the listing app (thin: the services decide, claim rows and notify)."""

from celery import shared_task

from core.audit import audit_context
from core.schedules import register

from .services import batch, status

# Daily: the service only acts on applications whose batch date (LST-0.1, policy parameter
# lst.batch_day) has come, so changing the parameter needs no schedule change.
register(
    "listing-monthly-batch",
    "listing.tasks.run_listing_batch",
    description="每月集中挂网：已确认的挂网申请在集中挂网日生效（LST-0.1）",
    hour=0, minute=30,
)
register(
    "listing-lst5-suspensions",
    "listing.tasks.lst5_suspensions",
    description="同品种通过一致性评价企业达3家以上时暂停未通过产品挂网（LST-5）",
    hour=1, minute=0,
)


@shared_task
def run_listing_batch():
    with audit_context(reason="定时任务：每月集中挂网（LST-0.1）"):
        return batch.batch_run()


@shared_task
def lst5_suspensions():
    with audit_context(reason="定时任务：一致性评价暂停检查（LST-5）"):
        return status.listing_lst5_suspend()
