import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from core.schedules import PREFIX, SCHEDULES


class Command(BaseCommand):
    help = "Write the beat schedule defined in code into django-celery-beat (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            try:
                importlib.import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tasks":
                    raise
        for s in SCHEDULES.values():
            cron = {"minute": "0", "hour": "*", "day_of_month": "*", "month_of_year": "*", "day_of_week": "*"}
            cron.update({k: str(v) for k, v in s.crontab.items()})
            schedule, _ = CrontabSchedule.objects.get_or_create(timezone="Asia/Shanghai", **cron)
            PeriodicTask.objects.update_or_create(
                name=s.name,
                defaults={"task": s.task, "crontab": schedule, "interval": None, "enabled": True,
                          "description": s.description},
            )
        stale = PeriodicTask.objects.filter(name__startswith=PREFIX).exclude(name__in=SCHEDULES.keys())
        stale.update(enabled=False)
        self.stdout.write(f"{len(SCHEDULES)} scheduled jobs synced")
