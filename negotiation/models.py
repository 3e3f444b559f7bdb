"""Negotiation (议价, RULES §6) and price zones (红黄蓝, §7)."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.mixins import CreatedByAt
from parties.scoping import ScopedQuerySet, scope_q
from workcalendar.models import WorkingDayDeadline


class Zone(models.TextChoices):
    BLUE = "blue", _("蓝区")
    YELLOW = "yellow", _("黄区")
    RED = "red", _("红区")


class GroupStatus(models.TextChoices):
    OPEN = "open", _("组团中")
    SENT = "sent", _("已发出议价")
    CANCELLED = "cancelled", _("已取消")


class NegotiationGroupQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        # Members see the group they are in, besides the scoping of the initiator.
        base = super().visible_to(user)
        if user is not None and user.is_authenticated and user.role in ("institution", "his"):
            return self.filter(Q(pk__in=base.values("pk")) | Q(members__institution_id=user.organisation_id)).distinct()
        return base


@pghistory.track()
class NegotiationGroup(CreatedByAt):
    """NEG-5 group negotiation (组团/拼单) or a medical consortium (医联体): the initiator
    invites members; members join before the proposal is sent; the result applies to all."""

    scope_institution = "initiator"

    name = models.CharField(_("组团名称"), max_length=100)
    initiator = models.ForeignKey(
        "parties.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("发起机构")
    )
    is_consortium = models.BooleanField(_("医联体"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=GroupStatus.choices, default=GroupStatus.OPEN)

    objects = NegotiationGroupQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("组团议价")
        verbose_name_plural = _("组团议价")
        triggers = [pgtrigger.Protect(name="neg_group_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return self.name


class GroupMember(models.Model):
    group = models.ForeignKey(NegotiationGroup, on_delete=models.PROTECT, related_name="members")
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    # NEG-5: each member records its own quantity; its result, agreement and zone weight use it
    # (not the group total). The initiator's is the quantity it proposes with.
    quantity = models.DecimalField(_("本机构采购数量"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "institution"], name="neg_group_member_once"),
            models.CheckConstraint(condition=Q(quantity__isnull=True) | Q(quantity__gt=0),
                                   name="neg_group_member_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.group} / {self.institution}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("待企业确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("企业已拒绝")
    WITHDRAWN = "withdrawn", _("逾期自动撤回")
    LINKAGE = "linkage", _("逾期未确认，转平台价格联动")
    CANCELLED = "cancelled", _("机构已撤销")
    DISPROVED = "disproved", _("成交价证明未获认定")


class EvidenceReview(models.TextChoices):
    """NEG-4: the regulator's check of the institution's evidence of an existing transaction price."""

    NONE = "", _("未审核")
    CONTESTED = "contested", _("企业提出异议，待医保部门裁定")
    ACCEPTED = "accepted", _("证明已核实")
    DISPROVED = "disproved", _("证明不予认定")


OPEN_PROPOSAL = Q(status=ProposalStatus.PENDING)


class ProposalQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        q = scope_q(user, institution="institution", enterprise=("manufacturer",))
        if user is not None and user.is_authenticated and user.role in ("institution", "his"):
            q |= Q(group__members__institution_id=user.organisation_id)
        return self.filter(q).distinct()


@pghistory.track()
class Proposal(WorkingDayDeadline):
    """An institution's (or a group's) price/quantity proposal for a listed product (NEG-1),
    confirmed automatically at the listing price or by the manufacturer before `due`
    (NEG-3/NEG-4), else withdrawn by the daily job (NEG-8: decided exactly once)."""

    scope_institution = "institution"
    scope_enterprise = ("manufacturer",)

    institution = models.ForeignKey(
        "parties.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("议价机构")
    )
    group = models.ForeignKey(
        NegotiationGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals",
        verbose_name=_("组团"),
    )
    listing = models.ForeignKey("listing.Listing", on_delete=models.PROTECT, related_name="+", verbose_name=_("挂网产品"))
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品"))
    manufacturer = models.ForeignKey(
        "parties.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("生产企业")
    )
    listing_price = models.DecimalField(_("挂网价（提出时）"), max_digits=14, decimal_places=4)
    unit_price = models.DecimalField(_("议价单价"), max_digits=14, decimal_places=4)
    quantity = models.DecimalField(_("议价数量"), max_digits=14, decimal_places=2)
    evidence_price = models.DecimalField(
        _("企业已成交价（证明）"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    evidence_note = models.TextField(_("成交价证明说明"), blank=True)
    evidence_file = models.FileField(_("成交价证明材料"), upload_to="negotiation/evidence/%Y/%m", blank=True)
    # NEG-4 at an evidenced price: the enterprise confirms or contests (never declines); the
    # province checks the evidence; unconfirmed after the deadline, the platform links the price.
    evidence_review = models.CharField(_("成交价证明审核"), max_length=10, choices=EvidenceReview.choices, blank=True,
                                       default="")
    contest_reason = models.TextField(_("企业异议理由"), blank=True)
    contested_at = models.DateTimeField(_("提出异议时间"), null=True, blank=True)
    contested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_decided_at = models.DateTimeField(_("证明审核时间"), null=True, blank=True)
    evidence_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_decision_note = models.TextField(_("证明审核意见"), blank=True)
    linkage_applied_at = models.DateTimeField(_("平台价格联动时间"), null=True, blank=True)
    path = models.CharField(_("确认方式"), max_length=30)
    rule = models.CharField(_("适用规则"), max_length=10)
    zone_at_proposal = models.CharField(_("提出时分区"), max_length=10, choices=Zone.choices, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PENDING, db_index=True
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(_("处理说明"), blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("议价")
        verbose_name_plural = _("议价")
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="proposal_price_positive"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="proposal_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__lte=models.F("listing_price")), name="proposal_not_above_listing"
            ),
            models.UniqueConstraint(
                fields=["institution", "product"], condition=Q(status="pending"),
                name="proposal_one_open_per_institution_product",
            ),
            # NEG-4: "企业应予确认" — an evidenced proposal is never declined.
            models.CheckConstraint(
                condition=~Q(path="enterprise_then_linkage", status="declined"), name="proposal_evidenced_never_declined"
            ),
        ]
        indexes = [models.Index(fields=["due"], condition=Q(status="pending"), name="proposal_pending_due_idx")]
        triggers = [pgtrigger.Protect(name="proposal_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.institution} · {self.product} · {self.unit_price}"

    def get_absolute_url(self):
        return reverse("negotiation:proposal_detail", args=[self.pk])

    @classmethod
    def deadline_open_q(cls):
        return OPEN_PROPOSAL


class ResultQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """NEG-6: results are shared with the institutions in scope — every institution
        sees every confirmed result (议价范围内公开、共享); enterprises see theirs;
        regulators by their area."""
        if user is not None and user.is_authenticated and user.role in ("institution", "his"):
            return self.all()
        return super().visible_to(user)


# Zone fields change with every nightly recomputation: not decisions, so not tracked.
@pghistory.track(exclude=["zone", "zone_reason", "zone_computed_at"])
class NegotiationResult(models.Model):
    """A confirmed negotiation for one institution (a group proposal yields one per member):
    the price in force for that institution and product (NEG-6)."""

    scope_institution = "institution"
    scope_enterprise = ("manufacturer",)

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="results")
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    manufacturer = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    unit_price = models.DecimalField(_("议价结果单价"), max_digits=14, decimal_places=4)
    quantity = models.DecimalField(_("议价数量"), max_digits=14, decimal_places=2)
    confirmed_at = models.DateTimeField(_("确认时间"), db_index=True)
    zone = models.CharField(_("分区"), max_length=10, choices=Zone.choices, blank=True, db_index=True)
    zone_reason = models.CharField(_("分区依据"), max_length=200, blank=True)
    zone_computed_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(_("被替代时间"), null=True, blank=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["-confirmed_at", "-id"]
        verbose_name = _("议价结果")
        verbose_name_plural = _("议价结果")
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="result_price_positive"),
            models.UniqueConstraint(fields=["proposal", "institution"], name="result_once_per_member"),
            models.UniqueConstraint(
                fields=["institution", "product"], condition=Q(superseded_at__isnull=True),
                name="result_one_current_per_institution_product",
            ),
        ]
        indexes = [models.Index(fields=["product", "confirmed_at"], name="result_product_time_idx")]
        triggers = [pgtrigger.Protect(name="result_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.institution} · {self.product} · {self.unit_price}"

    def get_absolute_url(self):
        return reverse("negotiation:proposal_detail", args=[self.proposal_id])


class AgreementQuerySet(ScopedQuerySet):
    pass


@pghistory.track()
class PurchaseAgreement(models.Model):
    """购销协议 produced by a confirmed result (NEG-6), signed by both sides on the platform.
    There is deliberately no rebate field (ORD-2)."""

    scope_institution = "institution"
    scope_enterprise = ("manufacturer",)

    result = models.OneToOneField(NegotiationResult, on_delete=models.PROTECT, related_name="agreement")
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    manufacturer = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("协议编号"), max_length=40, unique=True)
    unit_price = models.DecimalField(_("协议单价"), max_digits=14, decimal_places=4)
    quantity = models.DecimalField(_("协议数量"), max_digits=14, decimal_places=2)
    institution_signed_at = models.DateTimeField(_("机构签署时间"), null=True, blank=True)
    institution_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enterprise_signed_at = models.DateTimeField(_("企业签署时间"), null=True, blank=True)
    enterprise_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("购销协议")
        verbose_name_plural = _("购销协议")
        triggers = [pgtrigger.Protect(name="agreement_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return self.number

    @property
    def fully_signed(self):
        return bool(self.institution_signed_at and self.enterprise_signed_at)


class ProductZone(models.Model):
    """ZON-2 thresholds per product, recomputed nightly in SQL and on each new result."""

    product = models.OneToOneField("catalog.Product", on_delete=models.CASCADE, related_name="zone_thresholds")
    p_blue = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    p_yellow = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    lowest = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    institutions = models.PositiveIntegerField(default=0)
    results = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.product_id}: P50 {self.p_blue} P80 {self.p_yellow}"


class InterviewOutcome(models.TextChoices):
    PENDING = "pending", _("待约谈")
    REMINDED = "reminded", _("提醒")
    INTERVIEWED = "interviewed", _("已约谈")
    RECTIFICATION = "rectification", _("责令整改")
    REFERRED = "referred", _("移交处理")
    CLOSED = "closed", _("无需处理")


@pghistory.track()
class Interview(models.Model):
    """ZON-3: an institution listed for a regulator interview (约谈), with the evidence."""

    scope_institution = "institution"

    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    period_end = models.DateField(_("统计截止日"))
    reasons = models.JSONField(_("列入原因"), default=list)
    outcome = models.CharField(
        _("处理结果"), max_length=15, choices=InterviewOutcome.choices, default=InterviewOutcome.PENDING
    )
    note = models.TextField(_("约谈记录"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "institution"]
        verbose_name = _("约谈")
        verbose_name_plural = _("约谈")
        constraints = [
            models.UniqueConstraint(fields=["institution", "period_end"], name="interview_once_per_period")
        ]
        triggers = [pgtrigger.Protect(name="interview_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.institution} {self.period_end}"
