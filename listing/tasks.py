"""Beat jobs of the listing app (thin: the services decide, claim rows and notify)."""

from core.schedules import beat_task

from .services import batch, status


# Daily: the service only acts on applications whose batch date (LST-0.1, policy parameter
# lst.batch_day) has come, so changing the parameter needs no schedule change.
@beat_task("listing-monthly-batch", description="每月集中挂网：已确认的挂网申请在集中挂网日生效（LST-0.1）",
           audit_reason="定时任务：每月集中挂网（LST-0.1）", hour=0, minute=30)
def run_listing_batch():
    return batch.batch_run()


@beat_task("listing-lst5-suspensions", description="同品种通过一致性评价企业达3家以上时暂停未通过产品挂网（LST-5）",
           audit_reason="定时任务：一致性评价暂停检查（LST-5）", hour=1, minute=0)
def lst5_suspensions():
    return status.listing_lst5_suspend()
