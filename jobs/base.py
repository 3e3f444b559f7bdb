"""The project's Celery task class (procurement/celery.py): a delivery that carries a JobRun
id claims the row first and is skipped when the run is already done."""

from celery import Task


class PlatformTask(Task):
    def __call__(self, *args, **kwargs):
        run_id = getattr(self.request, "jobrun_id", None) if not self.request.called_directly else None
        if not run_id:
            return super().__call__(*args, **kwargs)
        # Imported here: this module is loaded by Celery before Django's app registry is ready.
        from jobs import runs

        if not runs.claim(int(run_id), task_id=self.request.id or ""):
            return {"skipped": "already done or running"}
        try:
            result = super().__call__(*args, **kwargs)
        except BaseException as exc:
            runs.finish(int(run_id), error=exc)
            raise
        runs.finish(int(run_id))
        return result
