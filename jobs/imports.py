"""File imports run by a worker, never by a web request.

An app registers a handler for its import kind (from its AppConfig.ready()); the view checks
the file cheaply (type, zip directory, macros: `core.uploads.check_upload`), stores it and
enqueues `jobs.tasks.run_import`; the browser follows `ImportJob` progress. A handler is
`handler(user, upload, progress)` where `progress(done, total)` may be called as often as
it likes; it returns a short success message and raises DomainError to refuse the file."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.uploads import excerpt

from .models import ImportJob, RunState

log = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 500
PROGRESS_TTL = 6 * 3600


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str
    handler: Callable
    back_url: str  # where "import another file" leads


REGISTRY: dict[str, ImportKind] = {}


def register(key: str, *, label: str, handler: Callable, back_url: str) -> None:
    REGISTRY[key] = ImportKind(key, label, handler, back_url)


def _progress_key(job_id: int) -> str:
    return f"jobs:import:{job_id}:progress"


def progress_of(job: ImportJob) -> tuple[int, int]:
    """(done, total): the live figure from the cache while running, the row's otherwise."""
    if job.state == RunState.RUNNING:
        try:
            live = cache.get(_progress_key(job.pk))
        except Exception:  # noqa: BLE001 — progress is cosmetic; the row still has the truth
            live = None
        if live:
            return live
    return job.done, job.total


def start(user, kind: str, upload) -> ImportJob:
    """Store the (already checked) upload and hand it to a worker."""
    from .tasks import run_import  # tasks imports this module: a top-level import would be a cycle

    if kind not in REGISTRY:
        raise KeyError(kind)
    name = excerpt(getattr(upload, "name", "") or "upload.xlsx", 120)
    job = ImportJob(kind=kind, user=user, filename=name)
    job.file.save(name if name.lower().endswith(".xlsx") else "upload.xlsx", upload, save=False)
    job.save()
    run_import.delay(job.pk)
    return job


def run(job_id: int) -> str:
    """Worker side: claim the job (a redelivered message finds it claimed or finished) and run it."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None or job.state != RunState.QUEUED:
            return "skipped"
        job.state, job.started_at = RunState.RUNNING, timezone.now()
        job.save(update_fields=["state", "started_at"])
    kind = REGISTRY[job.kind]

    def progress(done: int, total: int) -> None:
        try:
            cache.set(_progress_key(job.pk), (done, total), PROGRESS_TTL)
        except Exception:  # noqa: BLE001 — progress is cosmetic
            pass

    try:
        with job.file.open("rb") as upload:
            message = kind.handler(job.user, upload, progress)
    except DomainError as exc:
        job.state, job.message = RunState.FAILED, exc.detail
        job.errors = (exc.errors or [])[:MAX_ERRORS_KEPT]
    except Exception as exc:  # noqa: BLE001 — recorded for the uploader, logged with traceback
        log.exception("import %s (%s) failed", job.pk, job.kind)
        job.state, job.message = RunState.FAILED, _("导入失败（内部错误 %(error)s），请联系运维人员") % {
            "error": exc.__class__.__name__}
    else:
        job.state, job.message = RunState.DONE, message
    done, total = progress_of(ImportJob(pk=job.pk, state=RunState.RUNNING))
    job.done, job.total = (total, total) if job.state == RunState.DONE else (done, total)
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "message", "errors", "done", "total", "finished_at"])
    return job.state
