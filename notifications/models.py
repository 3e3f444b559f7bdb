from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .text import shown


class Notification(models.Model):
    """One message in one user's inbox. `dedupe_key` makes a reminder idempotent: the same
    (recipient, key) is delivered once however often the job that sends it runs."""

    class Level(models.TextChoices):
        INFO = "info", _("通知")
        REMINDER = "reminder", _("提醒")
        WARNING = "warning", _("预警")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices, default=Level.INFO)
    kind = models.CharField(_("类别"), max_length=50)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # {"title": {"msgid", "params"}, "body": …}: the texts again in the reader's language
    # (notifications.text); empty for a plain text and for rows written before it existed.
    i18n = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=models.Q(dedupe_key__isnull=False),
                name="notification_once_per_recipient_and_key",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self):
        return self.shown_title

    @property
    def shown_title(self) -> str:
        return shown(self.title, self.i18n.get("title"))

    @property
    def shown_body(self) -> str:
        return shown(self.body, self.i18n.get("body"))
