"""HIS client authentication: `Authorization: Token sp_<id>_<secret>` (or `Bearer`).

The token names its client by `<id>`; only the SHA-256 of `<secret>` is stored
(`parties.ApiClient.key_hash`). A client authenticates as its service user (role `his`
in its institution), so row scoping restricts it to its own institution (ACT-7)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.middleware import add_actor_to_context

from .models import ApiClient, Role

LAST_USED_RESOLUTION = timedelta(minutes=1)
_MALFORMED = gettext_lazy("接口令牌格式错误：应为 “Authorization: Token sp_<编号>_<密钥>”")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").strip()
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() not in self.keywords:
            return None  # another scheme (e.g. Basic): not ours
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(str(_MALFORMED))
        split = ApiClient.split_token(parts[1])
        if split is None:
            raise exceptions.AuthenticationFailed(str(_MALFORMED))
        key_id, secret = split
        client = ApiClient.objects.select_related("user", "institution").filter(key_id=key_id).first()
        if client is None:
            ApiClient(key_hash="0" * 64).check_secret(secret)  # same work as a wrong secret
            raise exceptions.AuthenticationFailed(_("接口令牌无效"))
        if not client.check_secret(secret):
            raise exceptions.AuthenticationFailed(_("接口令牌无效"))
        if client.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("该接口令牌已吊销"))
        user = client.user
        if not user.is_active or not client.institution.is_active:
            raise exceptions.AuthenticationFailed(_("该接口所属机构或账号已停用"))
        if user.role != Role.HIS or user.organisation_id != client.institution_id:
            raise exceptions.AuthenticationFailed(_("接口令牌配置错误，请联系平台管理员"))
        now = timezone.now()
        # Record use without a write on every request.
        if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
            client.last_used_at = now
        add_actor_to_context(user)
        return user, client

    def authenticate_header(self, request):
        return 'Token realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "HIS 接口令牌：`Token sp_<编号>_<密钥>`（也接受 `Bearer`）。令牌只在创建时显示一次。",
        }
