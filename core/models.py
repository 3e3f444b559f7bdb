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


class FormDraft(models.Model):
    """A long form saved half-filled ("保存草稿", issue 15 item 2): the typed values and the
    pending uploads by field, visible only to the organisation that saved it. Submitting it
    runs every check of the real form; a submitted draft is deleted."""

    kind = models.CharField(max_length=50)  # e.g. "listing.application"
    organisation = models.ForeignKey("parties.Organisation", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=50, blank=True)  # what the form is about, e.g. the product id
    title = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "kind"], name="formdraft_org_kind")]

    def __str__(self):
        return f"draft {self.kind} #{self.pk}"


class PendingUpload(models.Model):
    """A file accepted by content but not yet attached to anything, because the rest of its
    form was refused or saved as a draft: the user need not choose it again. Only its owner
    may attach it (or, when it belongs to a draft, the draft's organisation). Abandoned ones
    are deleted by `core.tasks.purge_pending_uploads` after PENDING_UPLOAD_MAX_AGE_DAYS."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    draft = models.ForeignKey(FormDraft, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads")
    file = models.FileField(upload_to="pending/%Y/%m/")
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    mime = models.CharField(max_length=100)  # decided by content (core.uploads.check_upload)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return self.original_name
