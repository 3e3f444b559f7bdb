from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("后台任务")

    def ready(self):
        # Imported here: tasks and signals import the models (ready only after app loading).
        from . import signals, tasks  # noqa: F401 — the Celery publish hook; the watchdog schedule
