"""The uploader's view of an import handed to a worker: polled by htmx until finished."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import imports
from .models import ImportJob, RunState


def _job_of(request, pk):
    # Only the uploader sees an import (its errors quote the uploaded rows).
    job = ImportJob.objects.filter(pk=pk, user=request.user).first()
    if job is None:
        raise Http404
    return job


def _context(job):
    done, total = imports.progress_of(job)
    kind = imports.REGISTRY.get(job.kind)
    return {"job": job, "done": done, "total": total, "percent": int(done * 100 / total) if total else 0,
            "finished": job.state in (RunState.DONE, RunState.FAILED), "kind": kind}


@login_required
def import_detail(request, pk):
    return render(request, "jobs/import_detail.html", _context(_job_of(request, pk)))


@login_required
def import_progress(request, pk):
    return render(request, "jobs/_import_progress.html", _context(_job_of(request, pk)))
