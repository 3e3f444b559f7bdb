"""Listing-price dynamics (RULES §4): PRC-1 linkage cases, PRC-2 the yearly general linkage,
PRC-3 complaints (申投诉). Listing prices themselves change only through
listing.services.status.listing_change_price; these rows are the cases that lead to it."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.mixins import NeverDeleted
from parties.scoping import ScopedQuerySet
from workcalendar.models import WorkingDayDeadline


class LinkageStatus(models.TextChoices):
    OPEN = "open", _("待企业申报")
    DECLARED = "declared", _("企业已申报，待确认")
    OVERDUE = "overdue", _("逾期未申报（已提交医保部门）")
    CONFIRMED = "confirmed", _("已确认并调整挂网价")
    CLOSED = "closed", _("已关闭")


LINKAGE_LIVE = (LinkageStatus.OPEN, LinkageStatus.DECLARED, LinkageStatus.OVERDUE)


class LinkageCaseQuerySet(ScopedQuerySet):
    def live(self):
        return self.filter(status__in=LINKAGE_LIVE)


@pghistory.track()
class LinkageCase(NeverDeleted, WorkingDayDeadline):
    """PRC-1: a new, lower national lowest price took effect in another province for a listed
    product whose listing price is above it. The manufacturer must declare within
    `prc.linkage_working_days` working days of THAT PRICE'S effective date (due); a regulator
    confirms and the listing price changes (rule PRC-1). Overdue cases are escalated."""

    scope_enterprise = ("listing__product__manufacturer",)

    listing = models.ForeignKey("listing.Listing", on_delete=models.PROTECT, related_name="linkage_cases",
                                verbose_name=_("挂网产品"))
    # What opened the case: a cheaper other-province price (PRC-1). Cases opened from an
    # unconfirmed evidenced consumable negotiation (NEG-4) exist only from before the
    # 2026-11-29 correction: the platform now applies that linkage itself (negotiation).
    source_proposal = models.OneToOneField(
        "negotiation.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="linkage_case",
        verbose_name=_("触发议价（NEG-4）"),
    )
    trigger_price = models.ForeignKey("catalog.OtherProvincePrice", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("触发价格记录"))
    province = models.CharField(_("省份"), max_length=50)
    national_lowest = models.DecimalField(_("新的全国最低价"), max_digits=14, decimal_places=4)
    previous_lowest = models.DecimalField(_("原全国最低价"), max_digits=14, decimal_places=4, null=True, blank=True)
    listing_price_at_open = models.DecimalField(_("立案时挂网价"), max_digits=14, decimal_places=4)
    price_effective_date = models.DateField(_("新低价执行日期"))
    status = models.CharField(_("状态"), max_length=10, choices=LinkageStatus.choices, default=LinkageStatus.OPEN,
                              db_index=True)
    opened_at = models.DateTimeField(_("立案时间"), auto_now_add=True)

    declared_price = models.DecimalField(_("企业申报价"), max_digits=14, decimal_places=4, null=True, blank=True)
    declared_at = models.DateTimeField(_("申报时间"), null=True, blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    declared_late = models.BooleanField(_("逾期申报"), default=False)
    declaration_note = models.TextField(_("申报说明"), blank=True)

    escalated_at = models.DateTimeField(_("逾期移交时间"), null=True, blank=True)
    listing_suspended = models.BooleanField(_("已因逾期暂停挂网"), default=False)

    decided_at = models.DateTimeField(_("确认/关闭时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decision_note = models.TextField(_("处理意见"), blank=True)

    objects = LinkageCaseQuerySet.as_manager()

    never_deleted_trigger = "linkage_case_never_deleted"

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("低价联动案件")
        verbose_name_plural = _("低价联动案件")
        constraints = [
            models.UniqueConstraint(fields=["listing", "trigger_price"], name="linkage_once_per_price_record"),
            models.CheckConstraint(
                condition=Q(trigger_price__isnull=False, source_proposal__isnull=True)
                | Q(trigger_price__isnull=True, source_proposal__isnull=False),
                name="linkage_has_one_trigger",
            ),
            models.CheckConstraint(condition=Q(national_lowest__gt=0), name="linkage_lowest_positive"),
            models.CheckConstraint(
                condition=Q(declared_price__isnull=True) | Q(declared_price__gt=0), name="linkage_declared_positive"
            ),
            # PRC-1: a declaration never exceeds the new national lowest price.
            models.CheckConstraint(
                condition=Q(declared_price__isnull=True) | Q(declared_price__lte=models.F("national_lowest")),
                name="linkage_declared_not_above_lowest",
            ),
            models.CheckConstraint(
                condition=~Q(status="overdue") | Q(escalated_at__isnull=False), name="linkage_overdue_escalated"
            ),
        ]
        indexes = [
            models.Index(fields=["due"], condition=Q(status="open"), name="linkage_open_due_idx"),
        ]

    def __str__(self):
        return f"PRC-1 #{self.pk} {self.listing.product}"

    @classmethod
    def deadline_open_q(cls) -> Q:
        return Q(status=LinkageStatus.OPEN)

    @property
    def product(self):
        return self.listing.product


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("拟调整（未公布）")
    PUBLISHED = "published", _("已公布，申投诉期")
    APPLIED = "applied", _("已执行")


@pghistory.track()
class GeneralLinkageRound(NeverDeleted):
    """PRC-2: the yearly general linkage of listing prices with national lowest prices (and,
    per draft 001 when the policy parameter is on, in-province actual purchase results)."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    reference_date = models.DateField(_("比价基准日"))
    use_actual_purchase = models.BooleanField(_("联动省内实际采购价"), default=False)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    objection_deadline = models.DateField(_("申投诉截止日"), null=True, blank=True)
    applied_at = models.DateTimeField(_("执行时间"), null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    effective_date = models.DateField(_("新价执行日期"), null=True, blank=True)

    never_deleted_trigger = "general_round_never_deleted"

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度挂网价格联动")
        verbose_name_plural = _("年度挂网价格联动")
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2020, year__lte=2100), name="general_round_year_range"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False, objection_deadline__isnull=False),
                name="general_round_published_has_window",
            ),
        ]

    def __str__(self):
        return _("%(year)s 年度挂网价格联动") % {"year": self.year}


class ItemStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟调整")
    APPLIED = "applied", _("已调整")
    WITHHELD = "withheld", _("申投诉成立，不予调整")
    SKIPPED = "skipped", _("挂网状态变化，未调整")


@pghistory.track()
class GeneralLinkageItem(NeverDeleted):
    """PRC-2: one listing's proposed new price in a yearly round."""

    scope_enterprise = ("listing__product__manufacturer",)

    round = models.ForeignKey(GeneralLinkageRound, on_delete=models.PROTECT, related_name="items")
    listing = models.ForeignKey("listing.Listing", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("挂网产品"))
    current_price = models.DecimalField(_("现挂网价"), max_digits=14, decimal_places=4)
    national_lowest = models.DecimalField(_("全国最低价"), max_digits=14, decimal_places=4, null=True, blank=True)
    actual_purchase_price = models.DecimalField(_("省内实际采购价"), max_digits=14, decimal_places=4, null=True,
                                                blank=True)
    # PRC-2 consumables (002 §13): the lowest price of a similar product and which product it was.
    similar_lowest = models.DecimalField(_("全国同类产品最低价"), max_digits=14, decimal_places=4, null=True,
                                         blank=True)
    similar_product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("同类产品"))
    proposed_price = models.DecimalField(_("拟调整价"), max_digits=14, decimal_places=4)
    basis = models.CharField(_("调整依据"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PROPOSED)
    applied_at = models.DateTimeField(_("调整时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    never_deleted_trigger = "general_item_never_deleted"

    class Meta:
        ordering = ["round", "id"]
        verbose_name = _("年度联动调整项")
        verbose_name_plural = _("年度联动调整项")
        constraints = [
            models.UniqueConstraint(fields=["round", "listing"], name="general_item_once_per_listing"),
            models.CheckConstraint(condition=Q(proposed_price__gt=0), name="general_item_price_positive"),
            models.CheckConstraint(
                condition=Q(proposed_price__lt=models.F("current_price")), name="general_item_is_a_reduction"
            ),
        ]

    def __str__(self):
        return f"{self.round.year} {self.listing.product}"


class ComplaintSubject(models.TextChoices):
    LISTING_DECISION = "listing_decision", _("挂网决定")
    LINKAGE = "linkage", _("低价联动调整（PRC-1）")
    GENERAL_ADJUSTMENT = "general_adjustment", _("年度价格调整（PRC-2）")
    OTHER = "other", _("其他")


class ComplaintStatus(models.TextChoices):
    FILED = "filed", _("已提交")
    ASSIGNED = "assigned", _("办理中")
    ANSWERED = "answered", _("已答复")


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", _("申投诉成立")
    PARTLY = "partly", _("部分成立")
    REJECTED = "rejected", _("不成立")


class ComplaintQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Row scope (complainant: its own; regulators by city for institutions' complaints;
        the province all) plus the complaints assigned to the user (a city regulator handling
        an enterprise's complaint)."""
        scoped = super().visible_to(user)
        if user is None or not user.is_authenticated:
            return scoped
        return scoped | self.filter(assigned_to=user)

    def published(self):
        return self.filter(status=ComplaintStatus.ANSWERED, published=True)


def complaint_upload_to(instance, filename):
    return f"private/complaints/{instance.complainant_id}/{filename}"


@pghistory.track()
class Complaint(NeverDeleted):
    """PRC-3: a complaint/appeal (申投诉) against a listing decision or a price adjustment,
    filed by an enterprise or an institution; assigned to a regulator; answered; published
    (without the private attachment)."""

    scope_enterprise = ("complainant",)
    scope_institution = "complainant"

    complainant = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("申投诉单位"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    subject = models.CharField(_("申投诉事项"), max_length=20, choices=ComplaintSubject.choices)
    listing = models.ForeignKey("listing.Listing", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("挂网产品"))
    linkage_case = models.ForeignKey(LinkageCase, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="complaints", verbose_name=_("联动案件"))
    general_item = models.ForeignKey(GeneralLinkageItem, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="complaints", verbose_name=_("年度调整项"))
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("申投诉内容"))
    attachment = models.FileField(_("附件（不公开）"), upload_to=complaint_upload_to, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.FILED, db_index=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("承办人"))
    assigned_at = models.DateTimeField(_("分派时间"), null=True, blank=True)
    answer = models.TextField(_("答复"), blank=True)
    outcome = models.CharField(_("办理结果"), max_length=10, choices=ComplaintOutcome.choices, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    published = models.BooleanField(_("已公开"), default=False)

    objects = ComplaintQuerySet.as_manager()

    never_deleted_trigger = "complaint_never_deleted"

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("申投诉")
        verbose_name_plural = _("申投诉")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="answered") | (~Q(answer="") & ~Q(outcome="") & Q(answered_at__isnull=False)),
                name="complaint_answered_complete",
            ),
            models.CheckConstraint(condition=Q(published=False) | Q(status="answered"),
                                   name="complaint_published_only_answered"),
            models.CheckConstraint(condition=~Q(subject="general_adjustment") | Q(general_item__isnull=False),
                                   name="complaint_general_has_item"),
        ]

    def __str__(self):
        return self.title
