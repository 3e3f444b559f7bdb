"""Enterprise qualifications (QUA-1) and distribution relationships (配送关系, QUA-2)."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.mixins import NeverDeleted
from parties.scoping import ScopedQuerySet


class QualificationKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("营业执照")
    DRUG_MANUFACTURING = "drug_manufacturing", _("药品生产许可证")
    DRUG_TRADING = "drug_trading", _("药品经营许可证")
    DEVICE_MANUFACTURING = "device_manufacturing", _("医疗器械生产许可证")
    DEVICE_TRADING = "device_trading", _("医疗器械经营许可证")
    DEVICE_REGISTRATION = "device_registration", _("医疗器械注册证")
    DRUG_REGISTRATION = "drug_registration", _("药品注册证书")
    GMP = "gmp", _("GMP证书")
    GSP = "gsp", _("GSP证书")
    IMPORT_AGENCY = "import_agency", _("进口产品全国总代理授权书")
    OTHER = "other", _("其他资质")


class QualificationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("审核驳回")
    WITHDRAWN = "withdrawn", _("已撤回/已被替换")


class QualificationQuerySet(ScopedQuerySet):
    def in_effect(self):
        """Qualifications that count (not withdrawn or replaced)."""
        return self.exclude(status=QualificationStatus.WITHDRAWN)


def qualification_upload_to(instance, filename):
    return f"qualifications/{instance.enterprise_id}/{filename}"


@pghistory.track()
class Qualification(NeverDeleted):
    """QUA-1: an enterprise's licence or certificate with its validity. Declared by the
    enterprise, reviewed by the provincial regulator; any change sends it back to review.
    Renewing is a new row that `replaces` the old one (the old one is withdrawn when the new
    one is approved). Never deleted."""

    scope_enterprise = ("enterprise",)

    enterprise = models.ForeignKey(
        "parties.Organisation", on_delete=models.PROTECT, related_name="qualifications",
        limit_choices_to={"kind__in": ["manufacturer", "distributor"]}, verbose_name=_("企业"),
    )
    kind = models.CharField(_("资质类型"), max_length=30, choices=QualificationKind.choices)
    name = models.CharField(_("资质名称（其他资质）"), max_length=100, blank=True)
    number = models.CharField(_("证书编号"), max_length=100)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("长期有效的留空"))
    file = models.FileField(_("证明文件"), upload_to=qualification_upload_to, max_length=300)
    status = models.CharField(
        _("审核状态"), max_length=10, choices=QualificationStatus.choices, default=QualificationStatus.PENDING,
        db_index=True,
    )
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replacements",
        verbose_name=_("替换的旧资质"),
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_reason = models.TextField(_("审核意见"), blank=True)

    objects = QualificationQuerySet.as_manager()

    never_deleted_trigger = "qualification_never_deleted"

    class Meta:
        ordering = ["enterprise", "kind", "-valid_until"]
        verbose_name = _("企业资质")
        verbose_name_plural = _("企业资质")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="qualification_validity_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(review_reason=""), name="qualification_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(status="withdrawn") | Q(reviewed_by__isnull=False),
                name="qualification_review_has_reviewer",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "kind", "number"], condition=~Q(status="withdrawn"),
                name="qualification_unique_number_in_effect",
            ),
        ]
        indexes = [models.Index(fields=["valid_until"], name="qualification_valid_until_idx")]

    def __str__(self):
        return f"{self.label}（{self.number}）"

    def get_absolute_url(self):
        return reverse("qualifications:qualification_detail", args=[self.pk])

    @property
    def label(self):
        return self.name if self.kind == QualificationKind.OTHER and self.name else self.get_kind_display()


class DistributionStatus(models.TextChoices):
    PROPOSED = "proposed", _("待配送企业确认")
    ACTIVE = "active", _("生效")
    DECLINED = "declined", _("已拒绝")
    ENDED = "ended", _("已终止")


class DistributionQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status=DistributionStatus.ACTIVE)


@pghistory.track()
class DistributionRelationship(NeverDeleted):
    """A manufacturer chooses a distributor to deliver to a city, or to some of its counties
    (an empty `counties` means the whole city); or it names itself (`distributor` ==
    `manufacturer`, self-delivery, QUA-2), in force at once. The distributor accepts or declines; either
    side may end it. Rows are never deleted: ended relationships are the history."""

    scope_enterprise = ("manufacturer", "distributor")

    manufacturer = models.ForeignKey(
        "parties.Organisation", on_delete=models.PROTECT, related_name="distribution_as_manufacturer",
        limit_choices_to={"kind": "manufacturer"}, verbose_name=_("生产企业"),
    )
    distributor = models.ForeignKey(
        "parties.Organisation", on_delete=models.PROTECT, related_name="distribution_as_distributor",
        limit_choices_to={"kind__in": ["distributor", "manufacturer"]}, verbose_name=_("配送企业"),
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
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(_("终止原因"), blank=True)

    objects = DistributionQuerySet.as_manager()

    never_deleted_trigger = "distribution_never_deleted"

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("配送关系")
        verbose_name_plural = _("配送关系")
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "distributor", "city"], condition=Q(status__in=["proposed", "active"]),
                name="distribution_one_open_per_pair_and_city",
            ),
            # QUA-2 self-delivery: nobody else has to accept, so it is never left "proposed".
            models.CheckConstraint(
                condition=~Q(distributor=models.F("manufacturer")) | ~Q(status="proposed"),
                name="distribution_self_delivery_not_proposed",
            ),
        ]

    def __str__(self):
        if self.is_self_delivery:
            return _("%(maker)s 自行配送 (%(city)s)") % {"maker": self.manufacturer, "city": self.city}
        return f"{self.manufacturer} → {self.distributor} ({self.city})"

    @property
    def is_self_delivery(self):
        """QUA-2: the manufacturer delivers its own products here (自行配送)."""
        return self.distributor_id == self.manufacturer_id


class BadRecordKind(models.TextChoices):
    FALSE_DOCUMENTS = "false_documents", _("提供虚假材料")
    UNTRUE_PRICE = "untrue_price", _("虚假价格申报")
    COLLUSION = "collusion", _("串通投标")
    ABNORMAL_RISE = "abnormal_rise", _("价格异常上涨")
    REGIONAL_DIFFERENCE = "regional_difference", _("地区差价过大")
    QUALITY = "quality", _("质量问题")
    SUPPLY_FAILURE = "supply_failure", _("未按合同供货配送")
    BRIBERY = "bribery", _("商业贿赂")


class BadRecordSeverity(models.TextChoices):
    WARNING = "warning", _("约谈警示（不列入名单）")
    SERIOUS = "serious", _("列入不良记录名单")


class BadRecordSanction(models.TextChoices):
    """BAD-1 (000 annex §七(二十一), 002 §38): the regulator's decision on the listing(s)."""

    INTERVIEW = "interview", _("约谈警示")
    SUSPEND = "suspend", _("暂停挂网")
    CANCEL = "cancel", _("取消挂网")


class BadRecordScope(models.TextChoices):
    """Which listings a suspension/cancellation covers: the product's (drugs and consumables),
    or — for consumables only (002 §38) — part or all of the enterprise's products."""

    PRODUCT = "product", _("涉及产品")
    PART = "part", _("企业部分产品（医用耗材）")
    ALL = "all", _("企业全部产品（医用耗材）")


class BadRecordSource(models.TextChoices):
    REGULATOR = "regulator", _("医保部门认定")
    QUALITY_EVENT = "quality_event", _("质量事件（DEL-2）")


class BadRecordQuerySet(ScopedQuerySet):
    def in_force(self):
        return self.filter(revoked_at__isnull=True)


@pghistory.track()
class BadRecord(NeverDeleted):
    """BAD-1: a regulator's decision recorded in the provincial bad-record system (不良记录):
    the conduct, the facts and reasons, whether the enterprise enters the list (`severity`),
    and the sanction with its scope — interview, suspension or cancellation of the product's
    listing, or for consumables of part/all of the enterprise's listings (002 §38). A quality
    event that suspends or revokes a listing (DEL-2) enters the list too (`source`). When the
    draft's bar is switched on (BAD-2, `bad.ban_enabled`, off by default) a listed enterprise
    may not sell for `bad.ban_years`. Never deleted: a mistaken entry is revoked with a reason."""

    scope_enterprise = ("enterprise",)

    enterprise = models.ForeignKey(
        "parties.Organisation", on_delete=models.PROTECT, related_name="bad_records", verbose_name=_("企业"),
        limit_choices_to={"kind__in": ["manufacturer", "distributor"]},
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("涉及产品")
    )
    kind = models.CharField(_("行为"), max_length=20, choices=BadRecordKind.choices)
    severity = models.CharField(_("处理等级"), max_length=10, choices=BadRecordSeverity.choices)
    sanction = models.CharField(_("处理决定"), max_length=10, choices=BadRecordSanction.choices,
                                default=BadRecordSanction.INTERVIEW)
    scope = models.CharField(_("处理范围"), max_length=10, choices=BadRecordScope.choices,
                             default=BadRecordScope.PRODUCT)
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="+",
                                      verbose_name=_("限制或取消挂网的产品（部分产品）"))
    source = models.CharField(_("来源"), max_length=15, choices=BadRecordSource.choices,
                              default=BadRecordSource.REGULATOR)
    recorded_on = models.DateField(_("认定日期"))
    description = models.TextField(_("事实与依据"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_reason = models.TextField(_("撤销理由"), blank=True)

    objects = BadRecordQuerySet.as_manager()

    never_deleted_trigger = "bad_record_never_deleted"

    class Meta:
        ordering = ["-recorded_on", "-id"]
        verbose_name = _("不良记录")
        verbose_name_plural = _("不良记录")
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="bad_record_has_description"),
            # BAD-1: suspension or cancellation is for serious cases, which enter the list.
            models.CheckConstraint(condition=Q(sanction="interview") | Q(severity="serious"),
                                   name="bad_record_listing_sanction_is_listed"),
            models.CheckConstraint(condition=~Q(scope="product") | Q(sanction="interview") | Q(product__isnull=False),
                                   name="bad_record_product_sanction_names_product"),
            models.CheckConstraint(condition=Q(scope="product") | ~Q(sanction="interview"),
                                   name="bad_record_enterprise_scope_is_a_listing_sanction"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""), name="bad_record_revocation_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.get_kind_display()} {self.recorded_on}"
