from celery import shared_task

from core.schedules import register

from . import imports, runs

register("jobs-watchdog", "jobs.tasks.watchdog", "重新入队未完成的定时任务（工作进程被杀、消息丢失）", minute="*/5")


@shared_task(name="jobs.tasks.run_import")
def run_import(job_id: int) -> str:
    return imports.run(job_id)


@shared_task(name="jobs.tasks.watchdog")
def watchdog() -> dict:
    return {**runs.watchdog(), **runs.record_missed()}
