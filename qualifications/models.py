"""Enterprise qualifications (QUA-1) and distribution relationships (配送关系, QUA-2)."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parties.scoping import ScopedQuerySet


class DistributionStatus(models.TextChoices):
    PROPOSED = "proposed", _("待配送企业确认")
    ACTIVE = "active", _("生效")
    DECLINED = "declined", _("已拒绝")
    ENDED = "ended", _("已终止")


class DistributionQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status=DistributionStatus.ACTIVE)


@pghistory.track()
class DistributionRelationship(models.Model):
    """A manufacturer chooses a distributor to deliver to a city, or to some of its counties
    (an empty `counties` means the whole city). The distributor accepts or declines; either
    side may end it. Rows are never deleted: ended relationships are the history."""

    scope_enterprise = ("manufacturer", "distributor")

    manufacturer = models.ForeignKey(
        "parties.Organisation", on_delete=models.PROTECT, related_name="distribution_as_manufacturer",
        limit_choices_to={"kind": "manufacturer"}, verbose_name=_("生产企业"),
    )
    distributor = models.ForeignKey(
        "parties.Organisation", on_delete=models.PROTECT, related_name="distribution_as_distributor",
        limit_choices_to={"kind": "distributor"}, verbose_name=_("配送企业"),
    )
    city = models.ForeignKey(
        "parties.Region", on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": "city"},
        verbose_name=_("配送区域（设区市）"),
    )
    counties = models.ManyToManyField(
        "parties.Region", blank=True, related_name="+", limit_choices_to={"level": "county"},
        verbose_name=_("限定县（市、区）"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=DistributionStatus.choices, default=DistributionStatus.PROPOSED, db_index=True
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    objects = DistributionQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("配送关系")
        verbose_name_plural = _("配送关系")
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "distributor", "city"], condition=Q(status__in=["proposed", "active"]),
                name="distribution_one_open_per_pair_and_city",
            ),
        ]
        triggers = [pgtrigger.Protect(name="distribution_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.manufacturer} → {self.distributor} ({self.city})"
