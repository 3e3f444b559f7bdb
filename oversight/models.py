"""BAD-1 price-risk signals. A signal is evidence for a regulator, never a sanction: it is
opened by the nightly job, and closed by a regulator's recorded decision (dismissed with a
reason, an interview held, or a bad-record decision started, which then follows BAD-1)."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SignalKind(models.TextChoices):
    PRICE_RISE = "price_rise", _("挂网价上涨")
    REPEATED_RISES = "repeated_rises", _("频繁涨价")
    REGIONAL_DIFFERENCE = "regional_difference", _("地区差价过大")
    SUPPLY_FAILURE = "supply_failure", _("未按时供货配送")
    LINKAGE_OVERDUE = "linkage_overdue", _("逾期未申报联动价格")


class SignalStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    DISMISSED = "dismissed", _("已排除")
    INTERVIEW = "interview", _("已约谈")
    BAD_RECORD = "bad_record", _("已启动不良记录认定")


# The bad-record kind a signal would become (BAD-1's list of behaviours).
BAD_RECORD_KIND = {
    SignalKind.PRICE_RISE: "abnormal_rise",
    SignalKind.REPEATED_RISES: "abnormal_rise",
    SignalKind.REGIONAL_DIFFERENCE: "regional_difference",
    SignalKind.SUPPLY_FAILURE: "supply_failure",
    SignalKind.LINKAGE_OVERDUE: "untrue_price",
}


class SignalQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Enterprises are province-wide parties: every province and city regulator may read
        # signals about them; nobody else.
        if user is not None and user.is_authenticated and (
                user.is_superuser or user.role in ("province_regulator", "city_regulator")):
            return self
        return self.none()


@pghistory.track()
class RiskSignal(models.Model):
    kind = models.CharField(_("信号类型"), max_length=24, choices=SignalKind.choices)
    # The dedupe key names the evidence (e.g. the price change row): the nightly job inserts
    # with ON CONFLICT DO NOTHING, so rerunning it, or two workers at once, adds nothing.
    key = models.CharField(max_length=120, unique=True)
    enterprise = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="risk_signals",
                                   verbose_name=_("企业"))
    product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("产品"))
    measure = models.DecimalField(_("指标值"), max_digits=14, decimal_places=4, null=True, blank=True)
    summary = models.CharField(_("摘要"), max_length=300)
    evidence = models.JSONField(_("证据"), default=dict)
    link = models.CharField(_("证据链接"), max_length=300, blank=True)
    detected_on = models.DateField(_("发现日期"), db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=SignalStatus.choices, default=SignalStatus.OPEN,
                              db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_reason = models.TextField(_("处理意见"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SignalQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_on", "-pk"]
        verbose_name = _("价格风险信号")
        constraints = [
            models.CheckConstraint(condition=Q(status="open") | (Q(decided_at__isnull=False) & ~Q(decision_reason="")),
                                   name="risk_signal_decided_with_reason"),
        ]
        indexes = [models.Index(fields=["enterprise", "status"], name="risk_signal_ent_status_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.summary}"
