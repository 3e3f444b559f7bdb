import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings.dev")

# Every task gets the JobRun claim/skip of jobs.base (a scheduled run completes once).
app = Celery("procurement", task_cls="jobs.base:PlatformTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
