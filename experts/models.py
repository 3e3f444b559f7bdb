"""The provincial expert pool (EXP-1) and expert price negotiations (EXP-2).

- ExpertProfile: a user with role "expert" in one category (医保/临床/药学/管理), with
  employer and declared conflicts of interest (ExpertConflict).
- ExpertSession: a review or negotiation session (new drugs LST-6 monthly, rescue drugs
  LST-8.2 yearly, consumable review LST-C2/LST-C4) with its cases (SessionCase).
- ExpertDraw: the random draw of experts for a session, stored with its seed, the candidate
  lists and the result so that anyone can re-check it (experts.services.verify_draw).
- NegotiationRound: one round of an expert price negotiation on a case (EXP-2).
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.mixins import CreatedByAt, NeverDeleted, RecordedByAt
from parties.scoping import NOTHING


class ExpertCategory(models.TextChoices):
    INSURANCE = "insurance", _("医保")
    CLINICAL = "clinical", _("临床")
    PHARMACY = "pharmacy", _("药学")
    MANAGEMENT = "management", _("管理")


@pghistory.track()
class ExpertProfile(NeverDeleted):
    """EXP-1: one member of the provincial expert pool."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_profile", verbose_name=_("专家账号"),
        limit_choices_to={"role": "expert"},
    )
    category = models.CharField(_("专业类别"), max_length=12, choices=ExpertCategory.choices, db_index=True)
    employer = models.CharField(_("工作单位"), max_length=200)
    # When the expert works for an organisation on the platform (e.g. an enterprise or a
    # hospital), its cases are a conflict of interest without any declaration.
    employer_organisation = models.ForeignKey(
        "parties.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("工作单位（平台机构）"),
    )
    title = models.CharField(_("职称/职务"), max_length=100, blank=True)
    active = models.BooleanField(_("在库可抽取"), default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    never_deleted_trigger = "expert_profile_never_deleted"

    class Meta:
        ordering = ["category", "id"]
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家")
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=["insurance", "clinical", "pharmacy", "management"]),
                name="expert_category_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user}（{self.get_category_display()}）"


@pghistory.track()
class ExpertConflict(NeverDeleted):
    """A declared conflict of interest (EXP-1): with an enterprise on the platform, and/or
    described in free text. Withdrawn conflicts stay as history."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="conflicts")
    enterprise = models.ForeignKey(
        "parties.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("利害关系企业"),
    )
    description = models.TextField(_("利害关系说明"), blank=True)
    declared_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    never_deleted_trigger = "expert_conflict_never_deleted"

    class Meta:
        ordering = ["expert", "-declared_at"]
        verbose_name = _("利益冲突申报")
        verbose_name_plural = _("利益冲突申报")
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False) | ~Q(description=""), name="expert_conflict_not_empty"
            ),
        ]

    def __str__(self):
        return str(self.enterprise or self.description[:30])


class SessionPurpose(models.TextChoices):
    NEW_DRUG = "new_drug", _("新药价格谈判（LST-6，每月）")
    RESCUE_DRUG = "rescue_drug", _("急抢救药品谈判（LST-8.2，每年）")
    CONSUMABLE_REVIEW = "consumable_review", _("医用耗材评审（LST-C2 / LST-C4）")


NEGOTIATION_PURPOSES = (SessionPurpose.NEW_DRUG, SessionPurpose.RESCUE_DRUG)


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("待抽取")
    DRAWN = "drawn", _("已抽取专家")
    CLOSED = "closed", _("已结束")


class ExpertSessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Regulators see every session; an expert only the sessions of the current draw
        that drew them (ACT-6); nobody else any."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.role in ("province_regulator", "city_regulator"):
            return self.all()
        if user.role == "expert":
            return self.filter(
                draws__superseded_at__isnull=True, draws__members__expert__user=user
            ).distinct()
        return self.filter(NOTHING)


@pghistory.track()
class ExpertSession(CreatedByAt, NeverDeleted):
    purpose = models.CharField(_("场次类型"), max_length=20, choices=SessionPurpose.choices)
    # LST-C3 / LST-C4 (lst.consumable_city_review): a consumable review organised by a city
    # regulator for its city; empty for the province's own sessions.
    city = models.ForeignKey("parties.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             limit_choices_to={"level": "city"}, verbose_name=_("组织设区市"))
    title = models.CharField(_("名称"), max_length=200)
    date = models.DateField(_("日期"), db_index=True)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED)

    objects = ExpertSessionQuerySet.as_manager()

    never_deleted_trigger = "expert_session_never_deleted"

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("评审/谈判场次")
        verbose_name_plural = _("评审/谈判场次")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    @property
    def is_negotiation(self):
        return self.purpose in NEGOTIATION_PURPOSES

    def current_draw(self):
        return self.draws.filter(superseded_at__isnull=True).first()


class CaseOutcome(models.TextChoices):
    OPEN = "open", _("进行中")
    AGREED = "agreed", _("谈判成功")
    FAILED = "failed", _("谈判失败")


class ReviewOutcome(models.TextChoices):
    NONE = "", _("未作结论")
    PASSED = "passed", _("评审通过")
    FAILED = "failed", _("评审未通过")


@pghistory.track()
class SessionCase(NeverDeleted):
    """A case of a session: a product (the generic link to catalog.Product; listing
    applications refer to their product) and/or a free-text description. Negotiation
    sessions record rounds on the case and end with an agreement or a failure (EXP-2)."""

    session = models.ForeignKey(ExpertSession, on_delete=models.PROTECT, related_name="cases")
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="expert_cases",
        verbose_name=_("产品"),
    )
    enterprise = models.ForeignKey(
        "parties.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("企业"),
    )
    description = models.TextField(_("说明（如挂网申请编号）"), blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=CaseOutcome.choices, default=CaseOutcome.OPEN)
    final_price = models.DecimalField(_("谈判价格"), max_digits=14, decimal_places=4, null=True, blank=True)
    concluded_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    conclusion_note = models.TextField(_("结论说明"), blank=True)
    # True when the final price was written to the live listing (listing_change_price);
    # False with an agreed price: stored for the product's listing application.
    applied_to_listing = models.BooleanField(_("已调整挂网价"), default=False)
    # EXP-1: the review conclusion from the drawn experts' verdicts (experts.rules.review_conclusion),
    # with the organiser's reasons. Only a passed review lets the regulator confirm.
    review_outcome = models.CharField(_("评审结论"), max_length=8, choices=ReviewOutcome.choices, blank=True,
                                      default=ReviewOutcome.NONE)
    review_reason = models.TextField(_("评审结论理由"), blank=True)
    reviewed_at = models.DateTimeField(_("评审结论时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    never_deleted_trigger = "session_case_never_deleted"

    class Meta:
        ordering = ["session", "id"]
        verbose_name = _("场次案件")
        verbose_name_plural = _("场次案件")
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=False) | ~Q(description=""), name="session_case_not_empty"
            ),
            models.CheckConstraint(
                condition=(Q(outcome="agreed", final_price__gt=0) | (~Q(outcome="agreed") & Q(final_price__isnull=True))),
                name="session_case_price_iff_agreed",
            ),
            # EXP-1: a review conclusion always carries its reasons and when it was reached.
            models.CheckConstraint(
                condition=Q(review_outcome="") | (~Q(review_reason="") & Q(reviewed_at__isnull=False)),
                name="session_case_review_has_reason",
            ),
        ]

    def __str__(self):
        return str(self.product or self.description[:40])

    @property
    def case_enterprise(self):
        if self.product_id:
            return self.product.manufacturer
        return self.enterprise


@pghistory.track()
class NegotiationRound(RecordedByAt):
    """EXP-2: one round: the enterprise's offer and the experts' counter-offer."""

    case = models.ForeignKey(SessionCase, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("轮次"))
    enterprise_offer = models.DecimalField(_("企业报价"), max_digits=14, decimal_places=4)
    expert_counter_offer = models.DecimalField(
        _("专家还价"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    note = models.TextField(_("记录"), blank=True)

    class Meta:
        ordering = ["case", "number"]
        verbose_name = _("谈判轮次")
        verbose_name_plural = _("谈判轮次")
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="negotiation_round_number_unique"),
            models.CheckConstraint(condition=Q(enterprise_offer__gt=0), name="negotiation_offer_positive"),
            models.CheckConstraint(
                condition=Q(expert_counter_offer__isnull=True) | Q(expert_counter_offer__gt=0),
                name="negotiation_counter_positive",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="negotiation_round_never_deleted", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="negotiation_round_never_edited", operation=pgtrigger.Update),
        ]

    def __str__(self):
        return _("%(case)s 第%(n)s轮") % {"case": self.case, "n": self.number}


@pghistory.track()
class ExpertDraw(models.Model):
    """EXP-1: one random draw for a session. `candidates` holds, per category, the ids of
    the eligible profiles in the deterministic order the draw used; `excluded` the profiles
    left out for a conflict, with the reason; `drawn` the result. A redraw supersedes the
    previous draw (kept, with who and why)."""

    session = models.ForeignKey(ExpertSession, on_delete=models.PROTECT, related_name="draws")
    seed = models.BigIntegerField(_("随机种子"))
    per_category = models.JSONField(_("各类别抽取人数"))
    candidates = models.JSONField(_("候选专家"))
    excluded = models.JSONField(_("回避专家"), default=list)
    drawn = models.JSONField(_("抽取结果"))
    reason = models.CharField(_("抽取说明"), max_length=200, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)
    superseded_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    superseded_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["session", "-drawn_at"]
        verbose_name = _("专家抽取记录")
        verbose_name_plural = _("专家抽取记录")
        constraints = [
            models.UniqueConstraint(
                fields=["session"], condition=Q(superseded_at__isnull=True), name="expert_draw_one_current"
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="expert_draw_never_deleted", operation=pgtrigger.Delete),
            # EXP-1: the record of a draw (seed, candidates, exclusions, result, who, when) is
            # immutable; only its supersession may be written.
            pgtrigger.Protect(
                name="expert_draw_record_immutable", operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("session", "seed", "per_category", "candidates", "excluded", "drawn",
                                              "drawn_by", "drawn_at"),
            ),
        ]

    def __str__(self):
        return f"{self.session} #{self.pk}"


class DrawMember(models.Model):
    """One expert drawn (denormalised from ExpertDraw.drawn for visibility queries)."""

    draw = models.ForeignKey(ExpertDraw, on_delete=models.PROTECT, related_name="members")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="draw_memberships")
    category = models.CharField(max_length=12, choices=ExpertCategory.choices)

    class Meta:
        ordering = ["draw", "category", "expert"]
        constraints = [models.UniqueConstraint(fields=["draw", "expert"], name="draw_member_unique")]
        triggers = [
            pgtrigger.Protect(name="draw_member_never_deleted", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="draw_member_never_edited", operation=pgtrigger.Update),
        ]

    def __str__(self):
        return f"{self.draw_id}:{self.expert_id}"


class Verdict(models.TextChoices):
    PASS = "pass", _("同意（通过）")
    FAIL = "fail", _("不同意（不通过）")


class ExpertVerdict(RecordedByAt):
    """EXP-1: one drawn expert's verdict on one case, for the draw in force when it was given.
    Immutable: a verdict is never edited; a redraw needs fresh verdicts from the new draw."""

    case = models.ForeignKey(SessionCase, on_delete=models.PROTECT, related_name="verdicts")
    draw = models.ForeignKey(ExpertDraw, on_delete=models.PROTECT, related_name="verdicts")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="verdicts")
    verdict = models.CharField(_("评审意见"), max_length=4, choices=Verdict.choices)
    reason = models.TextField(_("理由"))

    class Meta:
        ordering = ["case", "draw", "expert"]
        verbose_name = _("专家评审意见")
        verbose_name_plural = _("专家评审意见")
        constraints = [
            models.UniqueConstraint(fields=["case", "draw", "expert"], name="expert_verdict_one_per_expert"),
            models.CheckConstraint(condition=Q(verdict__in=["pass", "fail"]), name="expert_verdict_valid"),
            models.CheckConstraint(condition=~Q(reason=""), name="expert_verdict_has_reason"),
        ]
        triggers = [
            pgtrigger.Protect(name="expert_verdict_never_deleted", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="expert_verdict_never_edited", operation=pgtrigger.Update),
        ]

    def __str__(self):
        return f"{self.case_id}:{self.expert_id} {self.verdict}"
