"""Parties of the platform (RULES §1): regions, organisations, users acting for one
organisation in one role, and HIS API clients."""

import hashlib
import hmac
import secrets

import pghistory
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.mixins import NeverDeleted

from .scoping import OrganisationQuerySet, ScopedQuerySet


class Region(models.Model):
    """Jiangsu's cities (设区市) and their counties/districts (县（市、区）)."""

    class Level(models.TextChoices):
        CITY = "city", _("设区市")
        COUNTY = "county", _("县（市、区）")

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        constraints = [
            models.CheckConstraint(
                condition=Q(level="city", parent__isnull=True) | Q(level="county", parent__isnull=False),
                name="region_county_has_city",
            ),
            models.CheckConstraint(condition=Q(code__regex=r"^32[0-9]{4}$"), name="region_code_jiangsu"),
        ]

    def __str__(self):
        return self.name

    @property
    def city(self):
        return self if self.level == self.Level.CITY else self.parent


class OrgKind(models.TextChoices):
    MANUFACTURER = "manufacturer", _("生产企业/上市许可持有人")
    DISTRIBUTOR = "distributor", _("配送企业")
    INSTITUTION = "institution", _("医疗机构")
    COUNTY_REGULATOR = "county_regulator", _("县级医保部门")
    CITY_REGULATOR = "city_regulator", _("设区市医保局")
    PROVINCE_REGULATOR = "province_regulator", _("省医保局")
    EXPERT_POOL = "expert_pool", _("评审专家库")


ENTERPRISE_KINDS = (OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR)
REGULATOR_KINDS = (OrgKind.COUNTY_REGULATOR, OrgKind.CITY_REGULATOR, OrgKind.PROVINCE_REGULATOR)


class InstitutionLevel(models.IntegerChoices):
    PRIMARY = 1, _("一级")
    SECONDARY = 2, _("二级")
    TERTIARY = 3, _("三级")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公立")
    MILITARY = "military", _("军队驻苏")
    PRIVATE_INSURED = "private_insured", _("医保定点社会办")
    RETAIL_PHARMACY = "retail_pharmacy", _("医保定点零售药店")


@pghistory.track()
class Organisation(NeverDeleted):
    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=30, choices=OrgKind.choices, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True)
    city = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"level": "city"}, verbose_name=_("所属设区市"),
    )
    county = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"level": "county"}, verbose_name=_("所属县（市、区）"),
    )
    level = models.PositiveSmallIntegerField(_("医疗机构级别"), null=True, blank=True, choices=InstitutionLevel.choices)
    ownership = models.CharField(_("举办性质"), max_length=20, blank=True, choices=Ownership.choices)
    # MON-2: provincial-ministry hospitals in Nanjing report to the province directly.
    reports_to_province = models.BooleanField(_("省属医院（直报省局）"), default=False)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    never_deleted_trigger = "organisation_never_deleted"

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("机构/企业")
        verbose_name_plural = _("机构/企业")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="institution") | (Q(city__isnull=False) & ~Q(ownership="")),
                name="org_institution_has_city_and_ownership",
            ),
            models.CheckConstraint(
                condition=Q(kind="institution") | (Q(level__isnull=True) & Q(ownership="")),
                name="org_level_only_for_institutions",
            ),
            models.CheckConstraint(
                condition=~Q(kind="city_regulator") | Q(city__isnull=False), name="org_city_regulator_has_city"
            ),
            models.CheckConstraint(
                condition=~Q(kind="county_regulator") | (Q(city__isnull=False) & Q(county__isnull=False)),
                name="org_county_regulator_has_county",
            ),
            models.CheckConstraint(
                condition=Q(ownership="retail_pharmacy", level__isnull=True)
                | (~Q(ownership="retail_pharmacy") & ~Q(kind="institution"))
                | (~Q(ownership="retail_pharmacy") & Q(level__isnull=False)),
                name="org_hospital_has_level_pharmacy_has_none",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_enterprise(self):
        return self.kind in ENTERPRISE_KINDS

    @property
    def is_regulator(self):
        return self.kind in REGULATOR_KINDS


class Role(models.TextChoices):
    MANUFACTURER = "manufacturer", _("生产企业")
    DISTRIBUTOR = "distributor", _("配送企业")
    INSTITUTION = "institution", _("医疗机构")
    COUNTY_REGULATOR = "county_regulator", _("县级医保部门")
    CITY_REGULATOR = "city_regulator", _("市医保局")
    PROVINCE_REGULATOR = "province_regulator", _("省医保局")
    EXPERT = "expert", _("评审专家")
    HIS = "his", _("医院HIS接口")


# Which roles a user of an organisation of each kind may hold.
ROLES_FOR_KIND = {
    OrgKind.MANUFACTURER: {Role.MANUFACTURER},
    OrgKind.DISTRIBUTOR: {Role.DISTRIBUTOR},
    OrgKind.INSTITUTION: {Role.INSTITUTION, Role.HIS},
    OrgKind.COUNTY_REGULATOR: {Role.COUNTY_REGULATOR},
    OrgKind.CITY_REGULATOR: {Role.CITY_REGULATOR},
    OrgKind.PROVINCE_REGULATOR: {Role.PROVINCE_REGULATOR},
    OrgKind.EXPERT_POOL: {Role.EXPERT},
}


class PlatformUserManager(UserManager):
    pass


@pghistory.track(exclude=["password", "last_login"])
class User(NeverDeleted, AbstractUser):
    """A person (or an HIS client's service identity) acting for one organisation in one role."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("所属机构")
    )
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    objects = PlatformUserManager()

    never_deleted_trigger = "user_never_deleted"

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_superuser=True) | (Q(organisation__isnull=False) & ~Q(role="")),
                name="user_acts_for_an_organisation_in_a_role",
            ),
        ]

    def __str__(self):
        return self.full_name or self.username

    def clean(self):
        if self.organisation_id and self.role and self.role not in ROLES_FOR_KIND[self.organisation.kind]:
            raise ValidationError({"role": _("该角色与所属机构类型不符")})

    # Role helpers read by templates and rules predicates.
    @property
    def is_province(self):
        return self.is_superuser or self.role == Role.PROVINCE_REGULATOR

    @property
    def is_regulator(self):
        return self.is_superuser or self.role in (Role.PROVINCE_REGULATOR, Role.CITY_REGULATOR, Role.COUNTY_REGULATOR)

    @property
    def is_institution(self):
        return self.role in (Role.INSTITUTION, Role.HIS)

    @property
    def is_enterprise(self):
        return self.role in (Role.MANUFACTURER, Role.DISTRIBUTOR)


def _hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiClientQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


@pghistory.track(exclude=["last_used_at"])
class ApiClient(NeverDeleted):
    """An institution's HIS / procurement system (ACT-7). The token is shown once; only its
    SHA-256 is stored. The client acts only for its institution, through its service user."""

    TOKEN_PREFIX = "sp"

    institution = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="api_clients",
        limit_choices_to={"kind": "institution"}, verbose_name=_("医疗机构"),
    )
    name = models.CharField(_("接口名称"), max_length=100)
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="api_client")
    key_id = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    revoked_reason = models.CharField(_("吊销原因"), max_length=200, blank=True)

    objects = ApiClientQuerySet.as_manager()

    # Row scoping: the institution's own users, its city/county regulators and the province.
    scope_institution = "institution"

    never_deleted_trigger = "api_client_never_deleted"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("HIS接口客户端")
        verbose_name_plural = _("HIS接口客户端")
        constraints = [
            # A revocation always says who and why (ACT-7, AUD-1).
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True, revoked_reason="")
                | (Q(revoked_at__isnull=False, revoked_by__isnull=False) & ~Q(revoked_reason="")),
                name="api_client_revocation_complete",
            ),
            # Two live clients of one institution never share a name (the list must be unambiguous).
            models.UniqueConstraint(
                fields=["institution", "name"], condition=Q(revoked_at__isnull=True),
                name="api_client_live_name_unique",
            ),
        ]

    def __str__(self):
        return f"{self.institution} / {self.name}"

    @property
    def is_active(self):
        return self.revoked_at is None

    @classmethod
    def new_key(cls) -> tuple[str, str, str]:
        """Return (full token, key id, hash of the secret)."""
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        return f"{cls.TOKEN_PREFIX}_{key_id}_{secret}", key_id, _hash_key(secret)

    @staticmethod
    def split_token(token: str) -> tuple[str, str] | None:
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != ApiClient.TOKEN_PREFIX or not parts[1] or not parts[2]:
            return None
        return parts[1], parts[2]

    def check_secret(self, secret: str) -> bool:
        return hmac.compare_digest(self.key_hash, _hash_key(secret))
