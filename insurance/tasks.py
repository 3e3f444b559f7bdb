"""Thin Celery tasks of the insurance app."""

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.schedules import register
from notifications import recipients
from notifications.services import notify
from notifications.text import Text

from .services import standards

register("insurance-unpublished-year", "insurance.tasks.flag_unpublished_year",
         description="次年医保支付标准未发布提醒（INS-1：年度开始前发布）", hour=8, minute=0, day_of_month="1,15")


@shared_task(acks_late=True)
def compute_standards(run_id):
    run = standards.run_execute(run_id)
    return run.digest if run else None


@shared_task
def flag_unpublished_year():
    year = standards.unpublished_target_year(timezone.localdate())
    if year is not None:
        notify(recipients.province_regulators(), kind="insurance.unpublished", title=Text(gettext_noop("%(year)s 年医保支付标准尚未发布"), year=year),
               body=Text(gettext_noop("%(year)s 年医保支付标准应在年度开始前发布，请完成测算、审核和发布。"), year=year), level="warning",
               dedupe_key=f"insurance.unpublished.{year}.{timezone.localdate():%Y%m%d}")
    return year
