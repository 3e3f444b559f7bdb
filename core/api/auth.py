"""HIS client authentication: `Authorization: Token sp_<id>_<secret>` (or `Bearer`)."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from core.middleware import add_actor_to_context
from parties.models import ApiClient

LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").strip()
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("接口令牌格式错误：应为 “Token <令牌>”")
        split = ApiClient.split_token(parts[1])
        if split is None:
            raise exceptions.AuthenticationFailed("接口令牌格式错误")
        key_id, secret = split
        client = ApiClient.objects.select_related("user", "institution").filter(key_id=key_id).first()
        if client is None or not client.check_secret(secret):
            raise exceptions.AuthenticationFailed("接口令牌无效")
        if client.revoked_at is not None:
            raise exceptions.AuthenticationFailed("该接口令牌已吊销")
        if not client.user.is_active or not client.institution.is_active:
            raise exceptions.AuthenticationFailed("该接口所属机构或账号已停用")
        now = timezone.now()
        # Record use without a write on every request.
        if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        add_actor_to_context(client.user)
        return client.user, client

    def authenticate_header(self, request):
        return 'Token realm="api"'
