from django.contrib import admin

from .models import ImportJob, JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("job", "period", "state", "attempts", "queued_at", "started_at", "finished_at", "worker")
    list_filter = ("state", "job")
    search_fields = ("job", "period", "task_id")
    readonly_fields = [f.name for f in JobRun._meta.fields]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("kind", "filename", "user", "state", "done", "total", "created_at", "finished_at")
    list_filter = ("state", "kind")
    readonly_fields = [f.name for f in ImportJob._meta.fields]
