"""Celery publish hook: a task published by beat for a tracked schedule gets a JobRun row."""

import logging

from celery.signals import before_task_publish

from . import runs

log = logging.getLogger(__name__)


@before_task_publish.connect(dispatch_uid="jobs.record_scheduled_run")
def record_scheduled_run(sender=None, headers=None, routing_key=None, **kwargs):
    headers = headers if headers is not None else {}
    job = headers.get("periodic_task_name")
    if runs.HEADER in headers or not runs.is_tracked(job):
        return
    run = runs.open_run(job, task=sender, task_id=headers.get("id", ""), queue=routing_key or "")
    headers[runs.HEADER] = run.pk
