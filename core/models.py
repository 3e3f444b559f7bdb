from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class IdempotencyRecord(models.Model):
    """A POST made with an `Idempotency-Key` (the Zulip pattern): the record is written in
    the same transaction as the work, so it exists only if the work committed; a replay
    with the same body gets the stored response, a different body gets 422."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_client")]

    def __str__(self):
        return f"{self.method} {self.path} [{self.key}]"


class WorkerHeartbeat(models.Model):
    """One row per beat-driven heartbeat source (`core.tasks.record_heartbeat`): proves that
    beat schedules and a worker executes. `/healthz` shows the last one."""

    name = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    beats = models.PositiveBigIntegerField(default=0)
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class PasswordChangeRequired(models.Model):
    """The account's password was set by someone else (a regulator's reset): its holder must
    choose a new one before doing anything else. Written in the reset's transaction, removed
    by the holder's own password change."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", primary_key=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"password change required: {self.user_id}"
