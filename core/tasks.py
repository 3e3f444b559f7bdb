"""Platform housekeeping tasks (thin; idempotent, since delivery is at-least-once)."""

import socket

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from core import pending
from core.api.idempotency import expiry_cutoff
from core.models import IdempotencyRecord, WorkerHeartbeat
from core.schedules import register

PURGE_BATCH = 5000


@shared_task(name="core.tasks.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Delete Idempotency-Key records older than IDEMPOTENCY_KEY_TTL_HOURS, in batches so a
    large backlog never holds long locks. Returns how many were deleted."""
    cutoff = expiry_cutoff()
    deleted = 0
    while True:
        ids = list(IdempotencyRecord.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:PURGE_BATCH])
        if not ids:
            return deleted
        deleted += IdempotencyRecord.objects.filter(pk__in=ids).delete()[0]


@shared_task(name="core.tasks.record_heartbeat")
def record_heartbeat(name: str = "beat") -> int:
    """Upsert the heartbeat row `name`: beat → broker → worker → database all work.
    Returns the heartbeat's running count."""
    now = timezone.now()
    hostname = socket.gethostname()
    hb, created = WorkerHeartbeat.objects.get_or_create(
        name=name, defaults={"hostname": hostname, "seen_at": now, "beats": 1}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=hb.pk).update(beats=F("beats") + 1, seen_at=now, hostname=hostname)
        hb.refresh_from_db(fields=["beats"])
    return hb.beats


register("purge-idempotency-keys", "core.tasks.purge_idempotency_keys",
         "删除过期的 Idempotency-Key 记录", minute="20", hour="3")
register("heartbeat", "core.tasks.record_heartbeat", "调度与任务进程心跳（/healthz 显示）", minute="*")


@shared_task(name="core.tasks.purge_pending_uploads")
def purge_pending_uploads() -> int:
    """Abandoned pending uploads and stale drafts (issue 15 item 2), with their files."""
    return pending.purge_abandoned()


register("purge-pending-uploads", "core.tasks.purge_pending_uploads",
         "删除过期的暂存上传文件与草稿", minute="40", hour="3")
