"""Writes on parties. HIS API clients (ACT-7): an institution's machine identity for the
REST API, acting only for that institution through a service user with role `his`."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_context
from core.errors import Conflict, RuleViolation
from core.parsing import clean_text
from core.permissions import require

from .models import ApiClient, Organisation, OrgKind, Role, User

API_CLIENT_NAME_MAX = ApiClient._meta.get_field("name").max_length
REVOKE_REASON_MAX = ApiClient._meta.get_field("revoked_reason").max_length
# Province regulator, or a (human) user of that institution; an HIS token never manages
# tokens; regulators of a city/county may look but not manage (parties.permissions).
MANAGER_ONLY = gettext_lazy("只有本医疗机构的用户或省医保局可以管理该机构的接口客户端")


def api_client_create(user, institution: Organisation, name: str) -> tuple[ApiClient, str]:
    """Create an API client for `institution` and return it with its token. The token is
    returned only here; the platform keeps only the SHA-256 of its secret."""
    require(user, "parties.manage_institution_api_clients", institution, message=MANAGER_ONLY)
    if institution.kind != OrgKind.INSTITUTION:
        raise RuleViolation("ACT-7", _("接口客户端只能属于医疗机构（HIS/采购系统）"), "institution")
    if not institution.is_active:
        raise RuleViolation("ACT-7", _("该医疗机构已停用，不能创建接口客户端"), "institution")
    name = clean_text(name, "name", API_CLIENT_NAME_MAX, required=_("请填写接口名称"),
                      too_long=_("接口名称不能超过 %(limit)s 个字符"))
    duplicate = Conflict(_("本机构已有同名的有效接口客户端，请换一个名称"), "name", code="duplicate_name")
    with transaction.atomic(), audit_context(user, reason=f"创建HIS接口客户端“{name}”"):
        if ApiClient.objects.active().filter(institution=institution, name=name).exists():
            raise duplicate
        token, key_id, key_hash = ApiClient.new_key()
        service_user = User.objects.create_user(
            username=f"his-{key_id}", password=None, organisation=institution, role=Role.HIS,
            full_name=name[:50],
        )
        try:
            with transaction.atomic():
                client = ApiClient.objects.create(
                    institution=institution, name=name, user=service_user, key_id=key_id, key_hash=key_hash,
                    created_by=user if user.is_authenticated else None, created_at=timezone.now(),
                )
        except IntegrityError:
            raise duplicate from None  # a concurrent create took the name (api_client_live_name_unique)
    return client, token


def api_client_revoke(user, client: ApiClient, reason: str) -> ApiClient:
    """Revoke a client for good: its token stops working at once and its service user is
    deactivated. Who, when and why are kept on the row and in its history (AUD-1)."""
    require(user, "parties.manage_institution_api_clients", client.institution, message=MANAGER_ONLY)
    reason = clean_text(reason, "reason", REVOKE_REASON_MAX, required=_("请填写吊销原因"),
                        too_long=_("吊销原因不能超过 %(limit)s 个字符"))
    with transaction.atomic(), audit_context(user, reason=f"吊销HIS接口客户端：{reason}"):
        client = ApiClient.objects.select_for_update().select_related("institution", "user").get(pk=client.pk)
        if client.revoked_at is not None:
            raise Conflict(_("该接口客户端已于 %(revoked_at)s 吊销") % {
                "revoked_at": format(timezone.localtime(client.revoked_at), "%Y-%m-%d %H:%M")},
                           code="already_revoked")
        client.revoked_at = timezone.now()
        client.revoked_by = user
        client.revoked_reason = reason
        client.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
        service_user = client.user
        service_user.is_active = False
        service_user.save(update_fields=["is_active"])
    return client
