"""Shortage and emergency purchasing (RULES §10): the shortage lists the health commission
issues (SHO-1), institutions' shortage self-sourcing (needs, negotiations, reported results),
and emergency purchases with their 20-working-day formalities (EMG-1) and scope (EMG-2)."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductKind
from core.mixins import NeverDeleted, RecordedByAt
from parties.scoping import ScopedQuerySet, scope_q
from workcalendar.models import WorkingDayDeadline

# ----------------------------------------------------------------- shortage lists (SHO-1)


class ListKind(models.TextChoices):
    SHORTAGE = "shortage", _("短缺药品清单")
    WATCH = "watch", _("易短缺药品重点监测清单")


class ShortageListQuerySet(models.QuerySet):
    def in_force(self, on):
        return self.filter(effective_from__lte=on).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))


@pghistory.track()
class ShortageList(NeverDeleted):
    """One issue of a list by the provincial health commission, imported from .xlsx. A newer
    issue of the same kind ends the previous one the day before it takes effect, so the
    table is the list's history: which drugs were on which list on any date."""

    kind = models.CharField(_("清单"), max_length=10, choices=ListKind.choices)
    source = models.CharField(_("发布来源（文号）"), max_length=200)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    file_name = models.CharField(_("导入文件"), max_length=200)
    entry_count = models.PositiveIntegerField(_("品种数"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    objects = ShortageListQuerySet.as_manager()

    never_deleted_trigger = "shortage_list_never_deleted"

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("短缺药品清单")
        verbose_name_plural = _("短缺药品清单")
        constraints = [
            models.CheckConstraint(condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                                   name="shortage_list_period_ordered"),
            models.UniqueConstraint(fields=["kind", "effective_from"], name="shortage_list_one_issue_per_day"),
        ]

    def __str__(self):
        return _("%(kind)s（%(source)s，%(date)s 起）") % {"kind": self.get_kind_display(), "source": self.source,
                                                 "date": f"{self.effective_from:%Y-%m-%d}"}


class ShortageListEntry(NeverDeleted):
    """A drug on a list: generic name + dosage form (+ specification; blank = every
    specification), optionally with its national code."""

    shortage_list = models.ForeignKey(ShortageList, on_delete=models.PROTECT, related_name="entries")
    row = models.PositiveIntegerField(_("行号"))
    generic_name = models.CharField(_("通用名"), max_length=200, db_index=True)
    dosage_form = models.CharField(_("剂型"), max_length=50)
    specification = models.CharField(_("规格"), max_length=200, blank=True)
    national_code = models.CharField(_("国家医保药品编码"), max_length=23, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    never_deleted_trigger = "shortage_entry_never_deleted"

    class Meta:
        ordering = ["shortage_list", "row"]
        constraints = [
            models.UniqueConstraint(fields=["shortage_list", "generic_name", "dosage_form", "specification"],
                                    name="shortage_entry_once_per_list"),
        ]

    def __str__(self):
        return " ".join(p for p in (self.generic_name, self.dosage_form, self.specification) if p)


# ----------------------------------------------------------------- SHO-1 self-sourcing


class NeedStatus(models.TextChoices):
    OPEN = "open", _("寻源议价中")
    PURCHASABLE = "purchasable", _("已上报，可在平台采购")
    PENDING_APPROVAL = "pending_approval", _("已上报，待省医保局确认")
    SUPERSEDED = "superseded", _("已有企业挂网，转挂网采购")
    WITHDRAWN = "withdrawn", _("已撤回")


NEED_LIVE = (NeedStatus.OPEN, NeedStatus.PURCHASABLE, NeedStatus.PENDING_APPROVAL)


class ShortageNeedQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """SHO-1: an institution sees its own needs, regulators their area's, and a
        manufacturer the needs for a generic it makes (so it can offer to supply)."""
        if user is not None and user.is_authenticated and user.role == "manufacturer":
            names = Product.objects.filter(manufacturer_id=user.organisation_id).values("generic_name")
            return self.filter(generic_name__in=names)
        return self.filter(scope_q(user, institution="institution"))

    def live(self):
        return self.filter(status__in=NEED_LIVE)


@pghistory.track()
class ShortageNeed(NeverDeleted):
    """SHO-1: an institution's purchasing need for a drug on a shortage list that no
    enterprise has listed; its negotiations and its reported result hang off it."""

    scope_institution = "institution"

    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("医疗机构"))
    list_entry = models.ForeignKey(ShortageListEntry, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("所列清单"))
    generic_name = models.CharField(_("通用名"), max_length=200, db_index=True)
    dosage_form = models.CharField(_("剂型"), max_length=50)
    specification = models.CharField(_("规格"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("需求数量"))
    note = models.TextField(_("需求说明"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    # The reported result (SHO-1: 将议价结果上报省平台): who supplies, at what price.
    product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("供应产品"))
    price = models.DecimalField(_("议价价格"), max_digits=14, decimal_places=4, null=True, blank=True)
    reported_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    purchasable_from = models.DateField(_("可采购起始日"), null=True, blank=True)
    # The province reviews afterwards (事后审核); a blocking pre-approval is a parameter.
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    review_ok = models.BooleanField(_("审核通过"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    superseded_at = models.DateTimeField(_("转挂网时间"), null=True, blank=True)
    superseded_by_listing = models.ForeignKey("listing.Listing", null=True, blank=True, on_delete=models.PROTECT,
                                              related_name="+", verbose_name=_("接替的挂网记录"))

    objects = ShortageNeedQuerySet.as_manager()

    never_deleted_trigger = "shortage_need_never_deleted"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("短缺药品采购需求")
        verbose_name_plural = _("短缺药品采购需求")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shortage_need_quantity_positive"),
            models.CheckConstraint(condition=Q(price__isnull=True) | Q(price__gt=0), name="shortage_need_price_positive"),
            models.CheckConstraint(
                condition=~Q(status__in=["purchasable", "pending_approval"])
                | Q(product__isnull=False, price__isnull=False, reported_at__isnull=False),
                name="shortage_need_reported_has_result",
            ),
            # One live need per institution and drug: a double submit cannot open two.
            models.UniqueConstraint(fields=["institution", "generic_name", "dosage_form", "specification"],
                                    condition=Q(status__in=["open", "purchasable", "pending_approval"]),
                                    name="shortage_need_one_live_per_drug"),
        ]

    def __str__(self):
        return " ".join(p for p in (self.generic_name, self.dosage_form, self.specification) if p)

    def get_absolute_url(self):
        return reverse("shortage:need_detail", args=[self.pk])


class ShortageNegotiation(RecordedByAt, NeverDeleted):
    """SHO-1: one offline negotiation the institution held with a supplier (公平合理议价)."""

    need = models.ForeignKey(ShortageNeed, on_delete=models.PROTECT, related_name="negotiations")
    enterprise = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("药品生产企业"))
    price = models.DecimalField(_("议价价格"), max_digits=14, decimal_places=4)
    quantity = models.PositiveIntegerField(_("数量"))
    held_on = models.DateField(_("议价日期"))
    note = models.TextField(_("议价经过"), blank=True)
    evidence = models.FileField(_("议价记录材料"), upload_to="shortage/negotiations/%Y/%m", blank=True, max_length=300)

    never_deleted_trigger = "shortage_negotiation_never_deleted"

    class Meta:
        ordering = ["need", "held_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="shortage_negotiation_price_positive"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shortage_negotiation_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.price}"


class NeedDocument(NeverDeleted):
    """SHO-1 documents of a reported result: supply-and-price-stability commitment (供货稳价
    承诺书), quality commitment (药品质量承诺书), others."""

    class Code(models.TextChoices):
        SUPPLY = "supply_commitment", _("供货稳价承诺书")
        QUALITY = "quality_commitment", _("药品质量承诺书")
        OTHER = "other", _("其他材料")

    need = models.ForeignKey(ShortageNeed, on_delete=models.PROTECT, related_name="documents")
    code = models.CharField(_("材料类型"), max_length=30, choices=Code.choices)
    file = models.FileField(_("文件"), upload_to="shortage/needs/%Y/%m", max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    never_deleted_trigger = "shortage_need_document_never_deleted"

    class Meta:
        ordering = ["need", "code", "id"]

    def __str__(self):
        return self.original_name


# ----------------------------------------------------------------- EMG-1 / EMG-2 emergency purchases


class EmergencyKind(models.TextChoices):
    EPIDEMIC = "epidemic", _("疫情防控")
    RESCUE = "rescue", _("急抢救")
    OTHER = "other", _("其他紧急情况")


class EmergencyStatus(models.TextChoices):
    OPEN = "open", _("待补办手续")
    OVERDUE = "overdue", _("逾期未补办（已提示医保部门）")
    COMPLETED = "completed", _("已补办手续，待医保部门审核")
    CLOSED = "closed", _("已办结")


EMERGENCY_AWAITING = (EmergencyStatus.OPEN, EmergencyStatus.OVERDUE)


class Scope(models.TextChoices):
    IN = "in", _("符合应急采购范围")
    OUT = "out", _("超范围应急采购")


class EmergencyQuerySet(ScopedQuerySet):
    def awaiting_formalities(self):
        return self.filter(status__in=EMERGENCY_AWAITING)


@pghistory.track()
class EmergencyPurchase(NeverDeleted, WorkingDayDeadline):
    """EMG-1: an offline purchase made first in an emergency, with the head's (drugs) or legal
    representative's (consumables) approval; the formalities fall due 20 working days after
    the purchase date on the official calendar (due; provisional in a year not yet known).
    EMG-2: `scope_auto` is judged on the product's status on the purchase date; a regulator
    confirms `scope`; out of scope, insurance-paid part × ratio is recorded for deduction."""

    scope_institution = "institution"

    number = models.CharField(_("编号"), max_length=20, unique=True)
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("医疗机构"))
    kind = models.CharField(_("类别"), max_length=12, choices=ProductKind.choices)
    product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("产品"))
    item_name = models.CharField(_("品名规格"), max_length=200)
    national_code = models.CharField(_("国家医保编码"), max_length=27, blank=True)
    supplier = models.CharField(_("供应企业"), max_length=200)
    emergency_kind = models.CharField(_("紧急情况"), max_length=10, choices=EmergencyKind.choices)
    emergency_note = models.TextField(_("紧急情况说明"))
    clinical_necessity = models.TextField(_("临床救治必需理由"), blank=True)
    approved_by = models.CharField(_("审批人（负责人/法定代表人）"), max_length=50)
    approval_date = models.DateField(_("审批日期"))
    purchase_date = models.DateField(_("采购日期"), db_index=True)
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2)
    insurance_paid = models.DecimalField(_("医保基金支付金额（元）"), max_digits=16, decimal_places=2, default=0)
    source = models.CharField(_("来源"), max_length=5, choices=[("web", _("网页")), ("api", _("HIS 接口"))],
                              default="web")
    offplatform = models.OneToOneField("orders.OffPlatformPurchase", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("线下采购记录"))
    status = models.CharField(_("状态"), max_length=10, choices=EmergencyStatus.choices,
                              default=EmergencyStatus.OPEN, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("申报时间"), auto_now_add=True)

    # EMG-1 formalities: consumables an after-the-fact filing (备案), drugs "有关手续".
    formalities_kind = models.CharField(_("补办手续类型"), max_length=20)
    formalities_ref = models.CharField(_("手续编号/说明"), max_length=200, blank=True)
    formalities_at = models.DateTimeField(_("补办时间"), null=True, blank=True)
    formalities_late = models.BooleanField(_("逾期补办"), default=False)
    reminded_at = models.DateTimeField(_("到期前提醒时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("逾期提示时间"), null=True, blank=True)

    # EMG-2 scope
    listed_on_purchase_date = models.BooleanField(_("采购日已挂网/在目录内"), default=False)
    scope_auto = models.CharField(_("系统判定范围"), max_length=3, choices=Scope.choices)
    scope = models.CharField(_("医保部门认定范围"), max_length=3, choices=Scope.choices, blank=True)
    scope_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    scope_decided_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    scope_note = models.TextField(_("认定意见"), blank=True)
    deduction_ratio = models.DecimalField(_("扣减比例"), max_digits=5, decimal_places=4, null=True, blank=True)
    deduction_amount = models.DecimalField(_("结算时扣减金额（元）"), max_digits=16, decimal_places=2, null=True,
                                           blank=True)
    deduction_year = models.PositiveSmallIntegerField(_("扣减年度"), null=True, blank=True)

    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    objects = EmergencyQuerySet.as_manager()

    never_deleted_trigger = "emergency_never_deleted"

    class Meta:
        ordering = ["-purchase_date", "-id"]
        verbose_name = _("应急采购")
        verbose_name_plural = _("应急采购")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="emergency_amount_positive"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="emergency_quantity_positive"),
            models.CheckConstraint(condition=Q(insurance_paid__gte=0, insurance_paid__lte=models.F("amount")),
                                   name="emergency_insurance_within_amount"),
            models.CheckConstraint(condition=Q(approval_date__lte=models.F("purchase_date")),
                                   name="emergency_approved_before_purchase"),
            models.CheckConstraint(condition=~Q(status="overdue") | Q(overdue_at__isnull=False),
                                   name="emergency_overdue_marked"),
            models.CheckConstraint(condition=~Q(status__in=["completed", "closed"]) | Q(formalities_at__isnull=False),
                                   name="emergency_completed_has_formalities"),
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(scope=""), name="emergency_closed_has_scope"),
            models.CheckConstraint(condition=Q(scope="out") | Q(deduction_amount__isnull=True),
                                   name="emergency_deduction_only_out_of_scope"),
        ]
        indexes = [models.Index(fields=["due"], condition=Q(status="open"), name="emergency_open_due_idx")]

    def __str__(self):
        return f"{self.number} {self.item_name}"

    @classmethod
    def deadline_open_q(cls) -> Q:
        return Q(status__in=EMERGENCY_AWAITING)

    def get_absolute_url(self):
        return reverse("shortage:emergency_detail", args=[self.pk])

    @property
    def out_of_scope(self) -> bool:
        return (self.scope or self.scope_auto) == Scope.OUT


class EmergencyDocument(NeverDeleted):
    class Code(models.TextChoices):
        APPROVAL = "approval", _("负责人/法定代表人审批材料")
        FORMALITIES = "formalities", _("补办手续材料")
        RECTIFICATION = "rectification", _("整改材料")
        OTHER = "other", _("其他材料")

    case = models.ForeignKey(EmergencyPurchase, on_delete=models.PROTECT, related_name="documents")
    code = models.CharField(_("材料类型"), max_length=20, choices=Code.choices)
    file = models.FileField(_("文件"), upload_to="shortage/emergency/%Y/%m", max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    never_deleted_trigger = "emergency_document_never_deleted"

    class Meta:
        ordering = ["case", "id"]

    def __str__(self):
        return self.original_name


class MeasureKind(models.TextChoices):
    REMINDER = "reminder", _("提醒")
    INTERVIEW = "interview", _("约谈")
    RECTIFICATION = "rectification", _("责令整改")
    REFERRAL = "referral", _("移送同级监督部门")
    BULLETIN = "bulletin", _("通报督查结果")


class MeasureQuerySet(ScopedQuerySet):
    def published(self):
        return self.filter(kind=MeasureKind.BULLETIN)


@pghistory.track()
class EmergencyMeasure(NeverDeleted):
    """EMG-2 / MON-5 (004 §三): a consequence of an out-of-scope emergency purchase."""

    scope_institution = "case__institution"

    case = models.ForeignKey(EmergencyPurchase, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(_("措施"), max_length=15, choices=MeasureKind.choices)
    note = models.TextField(_("内容"))
    rectification_failed = models.BooleanField(_("整改不到位"), default=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    objects = MeasureQuerySet.as_manager()

    never_deleted_trigger = "emergency_measure_never_deleted"

    class Meta:
        ordering = ["case", "decided_at", "id"]
        verbose_name = _("处理措施")
        verbose_name_plural = _("处理措施")

    def __str__(self):
        return f"{self.get_kind_display()} {self.case_id}"

