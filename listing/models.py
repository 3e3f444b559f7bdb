"""Listings (阳光挂网): a product purchasable on the platform at a ceiling price (挂网价)."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.mixins import NeverDeleted, NeverEdited, RecordedByAt
from parties.scoping import PublishedQuerySet, ScopedQuerySet
from pricing.models import LinkageCase, LinkageStatus

from .rules import CATEGORY_LABELS, DOCUMENTS


class ListingStatus(models.TextChoices):
    ACTIVE = "active", _("挂网")
    PENDING_SUSPENSION = "pending_suspension", _("拟暂停（待审核）")
    SUSPENDED = "suspended", _("暂停采购")
    DELISTED = "delisted", _("撤网")


class ListingQuerySet(PublishedQuerySet):
    """Listing results are published (PUB-1): every signed-in party sees every listing; an
    enterprise acts on its own products' listings (editable_by)."""

    def orderable(self):
        """DEL-4: only active listings can be ordered or negotiated."""
        return self.filter(status=ListingStatus.ACTIVE)

    def with_linkage_overdue(self):
        """PRC-1 "marks the listing": annotate `linkage_overdue` (an overdue, escalated linkage
        case exists) and `overdue_linkage_case_id` (the oldest such case) in the same query —
        no query per row."""

        overdue = LinkageCase.objects.filter(listing=OuterRef("pk"), status=LinkageStatus.OVERDUE)
        return self.annotate(
            linkage_overdue=Exists(overdue),
            overdue_linkage_case_id=Subquery(overdue.order_by("due", "id").values("pk")[:1]),
        )


@pghistory.track()
class Listing(NeverDeleted):
    """One product listed on the platform. Province-wide and visible to every signed-in
    party (institutions buy from it); enterprises change only their own (scope_enterprise).
    Price changes are written through listing.services and kept in ListingPriceChange."""

    scope_enterprise = ("product__manufacturer",)

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="listings", verbose_name=_("产品")
    )
    price = models.DecimalField(_("挂网价"), max_digits=14, decimal_places=4)
    status = models.CharField(
        _("状态"), max_length=20, choices=ListingStatus.choices, default=ListingStatus.ACTIVE, db_index=True
    )
    category = models.CharField(_("挂网类别（规则）"), max_length=12)  # rule ID: LST-1 … LST-C5
    effective_date = models.DateField(_("挂网生效日期"))
    status_reason = models.TextField(_("状态说明"), blank=True)
    status_rule = models.CharField(_("状态变更依据（规则）"), max_length=12, blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    # LST-C3 / LST-C4 (002 §5, §10): an ordinary consumable / IVD reagent confirmed by a city
    # before the catalogue is unified is purchasable by those cities' institutions only
    # ("供设区市范围内医疗机构采购"). Empty: purchasable province-wide.
    scope_cities = models.ManyToManyField("parties.Region", blank=True, related_name="+",
                                          limit_choices_to={"level": "city"}, verbose_name=_("限采购设区市"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ListingQuerySet.as_manager()

    never_deleted_trigger = "listing_never_deleted"

    class Meta:
        ordering = ["product__generic_name", "id"]
        verbose_name = _("挂网产品")
        verbose_name_plural = _("挂网产品")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="listing_price_positive"),
            # At most one live listing per product; delisted ones stay as history.
            models.UniqueConstraint(
                fields=["product"], condition=~Q(status="delisted"), name="listing_one_live_per_product"
            ),
        ]

    def __str__(self):
        return f"{self.product} @ {self.price}"

    @property
    def is_orderable(self):
        return self.status == ListingStatus.ACTIVE


class ListingPriceChange(NeverDeleted, NeverEdited):
    """Every change of a listing price, with its cause (application, linkage, negotiation,
    general adjustment) and the rule that drove it."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="price_changes")
    old_price = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    new_price = models.DecimalField(max_digits=14, decimal_places=4)
    effective_date = models.DateField()
    rule = models.CharField(max_length=12, blank=True)
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    never_deleted_trigger = "listing_price_change_never_deleted"
    never_edited_trigger = "listing_price_change_never_edited"

    class Meta:
        ordering = ["listing", "-changed_at"]
        constraints = [models.CheckConstraint(condition=Q(new_price__gt=0), name="listing_change_price_positive")]

    def __str__(self):
        return f"{self.listing_id}: {self.old_price} → {self.new_price} ({self.rule})"


# ---------------------------------------------------------------- applications (LST-0.1)


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("退回补充")
    CONFIRMED = "confirmed", _("已确认（待集中挂网）")
    REFUSED = "refused", _("不予挂网")
    EFFECTIVE = "effective", _("已挂网")
    WITHDRAWN = "withdrawn", _("已撤回")


ACTIVE_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED, ApplicationStatus.CONFIRMED)


class CityReview(models.TextChoices):
    """LST-C3 / LST-C4 city review (lst.consumable_city_review): until the catalogue is unified
    the city regulator organises the review and decides; "" when the province decides. The
    stored values predate the correction (the city used to pre-review only)."""

    NONE = "", _("省级评审确认")
    PENDING = "pending", _("待设区市评审确认")
    RECOMMENDED = "recommended", _("设区市已确认挂网")
    NOT_RECOMMENDED = "not_recommended", _("设区市不予挂网")


class ApplicationQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_APPLICATION_STATUSES)


@pghistory.track()
class ListingApplication(NeverDeleted):
    """A manufacturer's listing application (挂网申请) for one of its products under one
    category rule (LST-1 … LST-C5). Reviewed by the provincial regulator; a confirmed one
    takes effect on the monthly batch date (LST-0.1). Never deleted: closed with a status."""

    scope_enterprise = ("enterprise",)

    enterprise = models.ForeignKey(
        "parties.Organisation", on_delete=models.PROTECT, related_name="listing_applications",
        verbose_name=_("申报企业"),
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="listing_applications", verbose_name=_("产品")
    )
    category = models.CharField(_("挂网类别"), max_length=12)
    declared_price = models.DecimalField(_("申报价"), max_digits=14, decimal_places=4)
    via_reference = models.BooleanField(_("按已挂网相同药品/差比价条件申报"), default=False)
    reference_listing = models.ForeignKey(
        Listing, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("参照挂网产品"),
    )
    set_price = models.DecimalField(
        _("国家采购价/议定供应价/谈判价"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    previously_selected = models.BooleanField(_("原省、市集中采购已入围"), default=False)
    filing_count = models.PositiveIntegerField(_("省内公立医疗机构备案采购家数"), default=0)
    original_listing = models.ForeignKey(
        Listing, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("原挂网产品（增补）"),
    )
    note = models.TextField(_("申报说明"), blank=True)
    # EXP-1 / EXP-2: the expert session case the province attached the application to (LST-6,
    # LST-8.2 negotiation; LST-C2 / LST-C4 review). The case names the product.
    expert_case = models.ForeignKey(
        "experts.SessionCase", null=True, blank=True, on_delete=models.PROTECT, related_name="listing_applications",
        verbose_name=_("专家评审/谈判案件"),
    )
    # LST-C3 / LST-C4 (ACT-4): the city whose regulator runs the pre-review, chosen by the enterprise.
    review_city = models.ForeignKey(
        "parties.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"level": "city"}, verbose_name=_("初审设区市"),
    )
    city_review = models.CharField(_("市级初审"), max_length=16, choices=CityReview.choices, blank=True, default="")
    city_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    city_reviewed_at = models.DateTimeField(_("市级初审时间"), null=True, blank=True)
    city_review_reason = models.TextField(_("市级初审意见"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED, db_index=True
    )
    evaluation = models.JSONField(_("规则校验结果"), default=dict, blank=True)
    listing_price = models.DecimalField(_("拟挂网价"), max_digits=14, decimal_places=4, null=True, blank=True)
    effective_date = models.DateField(_("集中挂网日期"), null=True, blank=True)
    listing = models.ForeignKey(
        Listing, null=True, blank=True, on_delete=models.PROTECT, related_name="applications", verbose_name=_("挂网记录")
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ApplicationQuerySet.as_manager()

    never_deleted_trigger = "listing_application_never_deleted"

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("挂网申请")
        verbose_name_plural = _("挂网申请")
        constraints = [
            models.CheckConstraint(condition=Q(declared_price__gt=0), name="listing_app_price_positive"),
            # LST-C4: a city pre-review always names its city.
            models.CheckConstraint(condition=Q(city_review="") | Q(review_city__isnull=False),
                                   name="listing_app_city_review_has_city"),
            # One active application per product (submitted / returned / confirmed).
            models.UniqueConstraint(
                fields=["product"], condition=Q(status__in=["submitted", "returned", "confirmed"]),
                name="listing_app_one_active_per_product",
            ),
        ]

    def __str__(self):
        return f"{self.category} {self.product} {self.declared_price}"

    def get_absolute_url(self):
        return reverse("listing:application_detail", args=[self.pk])

    @property
    def category_label(self):
        return CATEGORY_LABELS.get(self.category, "")

    @property
    def is_editable(self):
        return self.status == ApplicationStatus.RETURNED


def _document_path(instance, filename):
    return f"listing/applications/{instance.application_id}/{instance.code}/{filename}"


class ApplicationDocument(NeverDeleted):
    """A document attached to an application (材料): type checked by content (core.uploads)."""

    application = models.ForeignKey(ListingApplication, on_delete=models.PROTECT, related_name="documents")
    code = models.CharField(_("材料类型"), max_length=40)
    file = models.FileField(_("文件"), upload_to=_document_path, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=200)
    mime = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    never_deleted_trigger = "listing_document_never_deleted"

    class Meta:
        ordering = ["application", "code", "-uploaded_at"]

    def __str__(self):
        return f"{self.code}: {self.original_name}"

    @property
    def label(self):
        return DOCUMENTS.get(self.code, self.code)


EVENT_ACTION_LABELS = {
    "submitted": _("提交申请"), "resubmitted": _("补充后重新提交"), "returned": _("退回补充"),
    "confirmed": _("确认挂网"), "expert_attached": _("提交专家评审/谈判"),
    "city_recommended": _("设区市确认挂网"), "city_not_recommended": _("设区市不予挂网"), "refused": _("不予挂网"), "withdrawn": _("企业撤回"), "effective": _("集中挂网生效"),
}


class ApplicationEvent(NeverDeleted, NeverEdited):
    """The application's visible trail: submitted, returned (with reason), resubmitted,
    confirmed, refused, took effect."""

    application = models.ForeignKey(ListingApplication, on_delete=models.PROTECT, related_name="trail")
    action = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    never_deleted_trigger = "listing_app_event_never_deleted"
    never_edited_trigger = "listing_app_event_never_edited"

    class Meta:
        ordering = ["application", "at", "id"]

    def __str__(self):
        return f"{self.application_id} {self.action}"

    @property
    def action_label(self):
        return EVENT_ACTION_LABELS.get(self.action, self.action)


# ---------------------------------------------------------------- quality events (LST-0.2, DEL-2)


class QualityEventKind(models.TextChoices):
    FAILURE = "failure", _("质量检验不合格")
    PENALTY = "penalty", _("因质量问题受到处罚")


class AuthorityLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class Severity(models.TextChoices):
    MINOR = "minor", _("一般（暂停挂网）")
    SERIOUS = "serious", _("严重（撤销挂网）")


@pghistory.track()
class QualityEvent(RecordedByAt, NeverDeleted):
    """A quality-test failure or quality penalty recorded by a regulator (DEL-2). Within the
    lookback it refuses new listing applications (LST-0.2)."""

    scope_enterprise = ("enterprise",)

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="quality_events",
                                verbose_name=_("产品"))
    enterprise = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="quality_events",
                                   verbose_name=_("企业"))
    kind = models.CharField(_("类型"), max_length=10, choices=QualityEventKind.choices)
    event_date = models.DateField(_("发生日期"))
    authority_level = models.CharField(_("药监部门层级"), max_length=10, choices=AuthorityLevel.choices)
    severity = models.CharField(_("情节"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    description = models.TextField(_("说明"))

    objects = ScopedQuerySet.as_manager()

    never_deleted_trigger = "quality_event_never_deleted"

    class Meta:
        ordering = ["-event_date", "-id"]
        verbose_name = _("质量事件")
        verbose_name_plural = _("质量事件")

    def __str__(self):
        return f"{self.product} {self.get_kind_display()} {self.event_date}"


# ---------------------------------------------------------------- delisting requests (DEL-3)


class DelistReason(models.TextChoices):
    STOPPED_PRODUCTION = "stopped_production", _("停产")
    NO_SALES = "no_sales", _("超过1年无销售")
    REGISTRATION_CHANGED = "registration_changed", _("变更注册（耗材）")
    STOPPED_SELLING = "stopped_selling", _("停售（耗材）")


class DelistStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已同意撤网")
    REFUSED = "refused", _("不同意")


@pghistory.track()
class DelistRequest(NeverDeleted):
    """DEL-3: a manufacturer applies to delist its own product; the regulator approves."""

    scope_enterprise = ("enterprise",)

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="delist_requests")
    enterprise = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    reason_kind = models.CharField(_("撤网原因"), max_length=30, choices=DelistReason.choices)
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=DelistStatus.choices, default=DelistStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()

    never_deleted_trigger = "delist_request_never_deleted"

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("撤网申请")
        verbose_name_plural = _("撤网申请")
        constraints = [
            models.UniqueConstraint(fields=["listing"], condition=Q(status="pending"),
                                    name="delist_one_pending_per_listing"),
        ]

    def __str__(self):
        return f"{self.listing} {self.get_reason_kind_display()}"


# ---------------------------------------------------------------- price-rise flags (LST-0.4, BAD-1)


class PriceRiseStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    REVIEWED = "reviewed", _("已核查")


@pghistory.track()
class PriceRiseFlag(NeverDeleted):
    """LST-0.4 / BAD-1: every rise of a listing price (the only way up for a listed product is an
    LST-8.1 shortage declaration confirmed by the province) is flagged for the regulator as a
    possible abnormal price rise (异常涨价). The regulator checks it and records what it found;
    a bad record, if any, is its own decision (qualifications)."""

    # Regulators only: no enterprise path (parties.scoping), so enterprises see none.

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="rise_flags", verbose_name=_("挂网产品"))
    application = models.ForeignKey(ListingApplication, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="rise_flags", verbose_name=_("挂网申请"))
    old_price = models.DecimalField(_("原挂网价"), max_digits=14, decimal_places=4)
    new_price = models.DecimalField(_("新挂网价"), max_digits=14, decimal_places=4)
    rule = models.CharField(_("涨价依据（规则）"), max_length=12)
    reason = models.TextField(_("说明"))
    status = models.CharField(_("状态"), max_length=10, choices=PriceRiseStatus.choices, default=PriceRiseStatus.OPEN,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    review_note = models.TextField(_("核查意见"), blank=True)

    objects = ScopedQuerySet.as_manager()

    never_deleted_trigger = "price_rise_flag_never_deleted"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("涨价监测")
        verbose_name_plural = _("涨价监测")
        constraints = [
            models.CheckConstraint(condition=Q(new_price__gt=models.F("old_price")), name="price_rise_flag_is_rise"),
            # One flag per application: a repeated confirmation or batch run adds nothing.
            models.UniqueConstraint(fields=["application"], condition=Q(application__isnull=False),
                                    name="price_rise_flag_one_per_application"),
        ]

    def __str__(self):
        return f"{self.listing_id}: {self.old_price} → {self.new_price} ({self.rule})"

    @property
    def rise(self):
        return self.new_price - self.old_price

    @property
    def rise_percent(self):
        return (self.new_price - self.old_price) / self.old_price * 100 if self.old_price else None
