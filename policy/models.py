import pghistory
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.mixins import NeverDeleted, NeverEdited


@pghistory.track()
class PolicyValue(NeverDeleted, NeverEdited):
    """One version of a policy parameter: in force from `effective_from` until the next
    version's date (for one date, the latest entered wins). Versions are never edited or
    deleted, only superseded (AUD-1)."""

    key = models.CharField(_("参数"), max_length=100, db_index=True)
    value = models.JSONField(_("取值"), encoder=DjangoJSONEncoder)
    effective_from = models.DateField(_("生效日期"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("设定人"),
    )
    reason = models.TextField(_("调整理由"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    never_deleted_trigger = "policy_value_never_deleted"
    never_edited_trigger = "policy_value_never_edited"

    class Meta:
        ordering = ["key", "-effective_from", "-created_at"]
        verbose_name = _("政策参数取值")
        verbose_name_plural = _("政策参数取值")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="policy_value_has_reason"),
        ]

    def __str__(self):
        return f"{self.key} = {self.value} ({self.effective_from})"
