"""Background work the platform must not lose: one row per scheduled run (so a watchdog can
re-enqueue a run whose worker died and /healthz can report overdue runs) and one row per
file import handed to a worker (so the browser can follow its progress)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class JobRun(models.Model):
    """One scheduled run of a job for one period (the schedule slot it belongs to)."""

    job = models.CharField(_("任务"), max_length=200)
    task = models.CharField(_("Celery 任务"), max_length=200)
    period = models.CharField(_("周期"), max_length=32)
    state = models.CharField(_("状态"), max_length=16, choices=RunState.choices, default=RunState.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    queue = models.CharField(max_length=200, blank=True)
    queued_at = models.DateTimeField(_("入队时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("执行次数"), default=0)
    worker = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("定时任务运行")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["job", "period"], name="jobs_run_one_per_period")]
        indexes = [models.Index(fields=["state", "queued_at"], name="jobs_run_open_idx")]

    def __str__(self):
        return f"{self.job} {self.period} {self.state}"


class ImportJob(models.Model):
    """An uploaded file imported by a worker; progress is polled by the uploader's browser."""

    kind = models.CharField(_("导入类型"), max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(_("文件名"), max_length=255)
    state = models.CharField(_("状态"), max_length=16, choices=RunState.choices, default=RunState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("文件导入")
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} {self.filename} {self.state}"
