"""Thin Celery tasks of the qualifications app (QUA-1)."""

from celery import shared_task

from core.schedules import register

from .services import remind_expiring


@shared_task(name="qualifications.tasks.remind_expiring_qualifications")
def remind_expiring_qualifications() -> int:
    """QUA-1: daily reminder 30 days before a qualification expires (idempotent: dedupe_key)."""

    return remind_expiring()


register(
    "qualifications-expiry-reminder", "qualifications.tasks.remind_expiring_qualifications",
    description="QUA-1 资质到期前 30 天提醒企业", minute="10", hour="7",
)
