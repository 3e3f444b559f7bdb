"""The catalogue (RULES §2): one product table for drugs and consumables (CAT-3)."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.mixins import NeverDeleted
from parties.scoping import PublishedQuerySet, ScopedQuerySet

from .rules import name_initials


class ProductKind(models.TextChoices):
    DRUG = "drug", _("药品")
    CONSUMABLE = "consumable", _("医用耗材")


class ConsumableClass(models.TextChoices):
    HIGH_VALUE_SIX = "hv6", _("高值医用耗材（六大类，省级）")
    HIGH_VALUE_FIVE = "hv5", _("高值医用耗材（五大类，设区市）")
    ORDINARY = "ordinary", _("普通医用耗材")
    IVD = "ivd", _("检验检测试剂")


class ProductQuerySet(PublishedQuerySet):
    """The catalogue is shared: every signed-in party may look products up; an enterprise
    maintains its own (editable_by)."""

    def drugs(self):
        return self.filter(kind=ProductKind.DRUG)

    def consumables(self):
        return self.filter(kind=ProductKind.CONSUMABLE)

    def same_drug(self, product):
        """CAT-3 product group: same generic name + dosage form + specification."""
        return self.filter(
            kind=product.kind, generic_name=product.generic_name, dosage_form=product.dosage_form,
            specification=product.specification,
        )


@pghistory.track()
class Product(NeverDeleted):
    """A drug (CAT-1) or a medical consumable (CAT-2). Catalogue data is public within the
    platform; enterprises edit only their own products (scope_enterprise)."""

    scope_enterprise = ("manufacturer",)

    kind = models.CharField(_("类别"), max_length=12, choices=ProductKind.choices, db_index=True)
    # CAT-1.1: 23 chars X/Z… for drugs, 27 chars C… for consumables; null until assigned.
    national_code = models.CharField(_("国家医保编码"), max_length=27, null=True, blank=True, unique=True)
    generic_name = models.CharField(_("通用名/产品名称"), max_length=200, db_index=True)
    name_initials = models.CharField(_("拼音首字母"), max_length=100, blank=True, db_index=True)
    dosage_form = models.CharField(_("剂型"), max_length=50, blank=True)
    specification = models.CharField(_("规格/规格型号"), max_length=200, blank=True)
    pack_unit = models.CharField(_("包装单位"), max_length=20, blank=True)
    min_unit = models.CharField(_("最小使用单位"), max_length=20, blank=True)
    conversion = models.PositiveIntegerField(_("转换比"), default=1)
    manufacturer = models.ForeignKey(
        "parties.Organisation", on_delete=models.PROTECT, related_name="products", verbose_name=_("生产企业"),
        limit_choices_to={"kind": "manufacturer"},
    )
    mah = models.CharField(_("上市许可持有人"), max_length=200, blank=True)
    approval_number = models.CharField(_("批准文号/注册证号"), max_length=100, blank=True)
    approval_date = models.DateField(_("批准日期"), null=True, blank=True)

    # CAT-1 drug flags
    is_national_negotiated = models.BooleanField(_("国家谈判药品"), default=False)
    nn_payment_standard = models.DecimalField(_("国谈支付标准"), max_digits=14, decimal_places=4, null=True, blank=True)
    nn_agreement_start = models.DateField(_("国谈协议期起"), null=True, blank=True)
    nn_agreement_end = models.DateField(_("国谈协议期止"), null=True, blank=True)
    generic_of_negotiated = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="generics",
        verbose_name=_("对应国谈药品（仿制药）"),
    )
    is_innovative = models.BooleanField(_("创新药"), default=False)
    innovative_class = models.CharField(_("注册分类"), max_length=20, blank=True)
    is_originator = models.BooleanField(_("原研药"), default=False)
    is_reference = models.BooleanField(_("参比制剂"), default=False)
    is_consistency_evaluated = models.BooleanField(_("通过（视同通过）一致性评价"), default=False)
    is_designated_production = models.BooleanField(_("国家定点生产"), default=False)
    is_provincial_reserve = models.BooleanField(_("省级定点储备"), default=False)
    is_shortage = models.BooleanField(_("短缺药品清单"), default=False)
    is_shortage_watch = models.BooleanField(_("易短缺药品重点监测清单"), default=False)
    is_emergency = models.BooleanField(_("急抢救药品"), default=False)
    is_narcotic_psychotropic = models.BooleanField(_("麻醉/精神药品"), default=False)
    is_large_infusion = models.BooleanField(_("基础输液/大容量注射剂"), default=False)
    is_essential = models.BooleanField(_("基本药物"), default=False)

    # CAT-2 consumable attributes
    consumable_class = models.CharField(_("耗材类别"), max_length=10, choices=ConsumableClass.choices, blank=True)
    in_sunshine_catalogue = models.BooleanField(_("纳入阳光采购目录"), default=False)  # CAT-4

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ProductQuerySet.as_manager()

    never_deleted_trigger = "product_never_deleted"

    class Meta:
        ordering = ["generic_name", "specification", "id"]
        verbose_name = _("产品")
        verbose_name_plural = _("产品")
        constraints = [
            models.CheckConstraint(
                condition=Q(national_code__isnull=True)
                | Q(kind="drug", national_code__regex=r"^[XZ][A-Z0-9]{22}$")
                | Q(kind="consumable", national_code__regex=r"^C[0-9A-Z]{26}$"),
                name="product_code_format",
            ),
            models.CheckConstraint(
                condition=Q(kind="drug", consumable_class="") | Q(kind="consumable") & ~Q(consumable_class=""),
                name="product_consumable_has_class",
            ),
            models.CheckConstraint(condition=Q(conversion__gte=1), name="product_conversion_positive"),
        ]
        indexes = [models.Index(fields=["generic_name", "dosage_form", "specification"], name="product_group_idx")]

    def __str__(self):
        parts = [self.generic_name, self.dosage_form, self.specification]
        return " ".join(p for p in parts if p)

    def save(self, *args, **kwargs):
        # Search by pinyin initials (amxl → 阿莫西林): kept in step with the name on every save.
        self.name_initials = name_initials(self.generic_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "generic_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_initials"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("catalog:product_detail", args=[self.pk])

    @property
    def code_pending(self):
        """CAT-1: no national code yet — the enterprise must supply it later; listings are flagged."""
        return not self.national_code

    @property
    def is_drug(self):
        return self.kind == ProductKind.DRUG

    FLAG_FIELDS = (
        "is_national_negotiated", "is_innovative", "is_originator", "is_reference", "is_consistency_evaluated",
        "is_designated_production", "is_provincial_reserve", "is_shortage", "is_shortage_watch", "is_emergency",
        "is_narcotic_psychotropic", "is_large_infusion", "is_essential",
    )

    def flag_labels(self):
        labels = [str(self._meta.get_field(f).verbose_name) for f in self.FLAG_FIELDS if getattr(self, f)]
        if self.generic_of_negotiated_id:
            labels.append(str(_("国谈药品仿制药")))
        return labels


class PriceLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")


class OtherProvincePriceQuerySet(PublishedQuerySet):
    """Other provinces' prices are public facts: every signed-in party may read them."""

    def current(self):
        return self.filter(superseded_at__isnull=True)

    def in_force(self, at):
        """Records in force on `at`: effective on or before it and not yet replaced by a
        successor effective on or before it (LST-0.3 superseding)."""
        return self.filter(effective_date__lte=at).filter(
            Q(superseded_by__isnull=True) | Q(superseded_by__effective_date__gt=at)
        )


@pghistory.track()
class OtherProvincePrice(NeverDeleted):
    """LST-0.3: a product's current listing (winning) price on another province's (or, for
    consumables, a city's) platform. "National lowest price" is the minimum over the records
    in force (catalog.selectors.national_lowest_price)."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="other_prices", verbose_name=_("产品"))
    province = models.CharField(_("省份"), max_length=20)
    city = models.CharField(_("城市（市级平台）"), max_length=30, blank=True)
    level = models.CharField(_("层级"), max_length=10, choices=PriceLevel.choices, default=PriceLevel.PROVINCE)
    price = models.DecimalField(_("挂网（中标）价"), max_digits=14, decimal_places=4)
    effective_date = models.DateField(_("执行日期"))
    source = models.CharField(_("来源"), max_length=200)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("被以下记录取代"),
    )

    objects = OtherProvincePriceQuerySet.as_manager()

    never_deleted_trigger = "other_price_never_deleted"

    class Meta:
        ordering = ["product", "price"]
        verbose_name = _("外省挂网价格")
        verbose_name_plural = _("外省挂网价格")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="other_price_positive"),
            models.CheckConstraint(condition=Q(level="province") | ~Q(city=""), name="other_price_city_named"),
            models.CheckConstraint(condition=~Q(level="province") | Q(city=""), name="other_price_province_no_city"),
            # LST-0.3: one record in force per product + province (+ city); a new one supersedes it.
            models.UniqueConstraint(
                fields=["product", "province", "city"], condition=Q(superseded_at__isnull=True),
                name="other_price_one_current_per_place",
            ),
        ]
        indexes = [
            models.Index(
                fields=["product", "price"], condition=Q(superseded_at__isnull=True), name="other_price_current_idx"
            )
        ]

    def __str__(self):
        return f"{self.product} {self.province}{self.city} {self.price}"


class CatalogueAction(models.TextChoices):
    ADD = "add", _("纳入目录")
    RETIRE = "retire", _("退出目录")


@pghistory.track()
class CatalogueChange(NeverDeleted):
    """CAT-4: the province's sunshine procurement catalogue of consumables is updated
    dynamically; every addition and retirement is kept here with who, when and why."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="catalogue_changes",
                                verbose_name=_("产品"))
    action = models.CharField(_("操作"), max_length=10, choices=CatalogueAction.choices)
    reason = models.CharField(_("理由"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = PublishedQuerySet.as_manager()

    never_deleted_trigger = "catalogue_change_never_deleted"

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("阳光采购目录变更")
        verbose_name_plural = _("阳光采购目录变更")
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="catalogue_change_has_reason")]

    def __str__(self):
        return f"{self.get_action_display()}：{self.product}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    CONFIRMED = "confirmed", _("已确认生效")
    REFUSED = "refused", _("未予确认")
    WITHDRAWN = "withdrawn", _("已撤回")


class ChangeReviewer(models.TextChoices):
    PROVINCE = "province", _("省医保局")
    CITY = "city", _("设区市医保局")


class ProductChangeRequestQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The province sees every request; a city the requests it reviews; the manufacturer
        its own. A confirmed change is catalogue history, public to every signed-in party."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.role == "province_regulator":
            return self.all()
        seen = Q(status=ChangeStatus.CONFIRMED)
        if user.role == "city_regulator":
            seen |= Q(reviewer=ChangeReviewer.CITY, review_city_id=user.organisation.city_id)
        elif user.role == "manufacturer":
            seen |= Q(enterprise_id=user.organisation_id)
        return self.filter(seen)

    def pending(self):
        return self.filter(status=ChangeStatus.PENDING)


@pghistory.track()
class ProductChangeRequest(NeverDeleted):
    """QUA-1 (002 §37, 000 annex §七(二十)): a manufacturer's change to its product's catalogue
    information. The product row keeps the confirmed values — every rule (NEG-2, LST-5 …)
    reads only those — until the province (ordinary consumables / IVD reagents: the city,
    until the catalogue is unified) confirms; then `changes` is written to the product.
    `previous` keeps the values in force when it was proposed. Never deleted."""

    scope_enterprise = ("enterprise",)

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="change_requests",
                                verbose_name=_("产品"))
    enterprise = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("申请企业"))
    changes = models.JSONField(_("申请变更为"))
    previous = models.JSONField(_("申请时的现行值"))
    reason = models.TextField(_("变更说明及依据"))
    status = models.CharField(_("状态"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING,
                              db_index=True)
    reviewer = models.CharField(_("确认部门"), max_length=10, choices=ChangeReviewer.choices)
    review_city = models.ForeignKey("parties.Region", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", limit_choices_to={"level": "city"},
                                    verbose_name=_("负责确认的设区市"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("申请人"))
    proposed_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("处理人"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)

    objects = ProductChangeRequestQuerySet.as_manager()

    never_deleted_trigger = "product_change_never_deleted"

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("产品信息变更申请")
        verbose_name_plural = _("产品信息变更申请")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="product_change_has_reason"),
            models.CheckConstraint(condition=~Q(status="refused") | ~Q(decision_reason=""),
                                   name="product_change_refusal_has_reason"),
            models.CheckConstraint(condition=Q(status="pending") | Q(decided_by__isnull=False, decided_at__isnull=False),
                                   name="product_change_decision_recorded"),
            models.CheckConstraint(
                condition=Q(reviewer="province", review_city__isnull=True)
                | Q(reviewer="city", review_city__isnull=False),
                name="product_change_city_reviewer_names_city",
            ),
            # QUA-1: one open request per product, so a confirmation never applies stale values.
            models.UniqueConstraint(fields=["product"], condition=Q(status="pending"),
                                    name="product_change_one_pending"),
        ]

    def __str__(self):
        return f"{self.product} {self.get_status_display()}（{self.proposed_at:%Y-%m-%d}）"

    def get_absolute_url(self):
        return reverse("catalog:change_detail", args=[self.pk])
