"""`Idempotency-Key` for POST endpoints: decorate the view method with `@idempotent`
(or `@idempotent(redact=("token",))` when the response carries a secret that must not be
stored).

Per (user, key) — an HIS client is its own service user — the first request that succeeds
(2xx) is remembered together with its response, in the same transaction as its work:

- same key + same body → the stored response, header `Idempotent-Replayed: true`, no new work;
- same key + different body (or another endpoint) → 422 `idempotency_key_reused`;
- a refused or failed request is not remembered: the client may retry it with the same key;
- two concurrent requests with one key: the second blocks on the unique index until the
  first commits, then replays it (or, if the first failed, does the work itself);
- keys expire after `IDEMPOTENCY_KEY_TTL_HOURS` (`core.tasks.purge_idempotency_keys`).
"""

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from core.errors import DomainError, InvalidInput
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255

# For `extend_schema(parameters=[IDEMPOTENCY_PARAMETER])` on decorated views.
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER, str, OpenApiParameter.HEADER, required=False,
    description="可选。客户端生成的唯一键（如 UUID）。同一键、同一请求体的重试返回首次成功的响应"
    "（响应头 Idempotent-Replayed: true），不会重复创建；同一键用于不同请求体返回 422 "
    f"idempotency_key_reused。键在 {settings.IDEMPOTENCY_KEY_TTL_HOURS} 小时后失效。",
)


class IdempotencyKeyReused(DomainError):
    status_code = 422

    def __init__(self):
        super().__init__(
            "idempotency_key_reused",
            _("该 Idempotency-Key 已用于内容不同的请求；请为新的请求使用新的键"),
            HEADER,
        )


class _LostRace(Exception):
    """Another transaction inserted the key and has since gone away: try again."""


def _normalise(value):
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "sha256": digest.hexdigest()}
    if hasattr(value, "lists"):  # QueryDict (form / multipart): keep every value of a key
        return {k: [_normalise(v) for v in vs] for k, vs in value.lists()}
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


def _request_hash(request) -> str:
    payload = json.dumps(_normalise(request.data), sort_keys=True, cls=DjangoJSONEncoder,
                         ensure_ascii=False, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{payload}".encode()).hexdigest()


def expiry_cutoff():
    return timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def _claim(user, key, digest, request):
    """Lock the (user, key) record, creating it if absent. Returns (record, created)."""
    try:
        return IdempotencyRecord.objects.select_for_update().get_or_create(
            user=user, key=key, defaults={"request_hash": digest, "method": request.method, "path": request.path},
        )
    except IntegrityError:
        # get_or_create lost the insert race and the winner's row is gone again (it rolled
        # back, or was purged): the savepoint is rolled back, so simply try once more.
        raise _LostRace from None


def _redacted(data, fields):
    if not fields or not isinstance(data, dict):
        return data
    return {k: (None if k in fields else v) for k, v in data.items()}


def idempotent(view_method=None, *, redact=()):
    """Run the decorated view method at most once per (user, Idempotency-Key).

    `redact`: top-level response fields stored as null (secrets shown once, e.g. a new
    API token); a replay returns them as null."""

    def decorate(method):
        @wraps(method)
        def wrapper(self, request, *args, **kwargs):
            key = request.headers.get(HEADER)
            if key is None or not request.user.is_authenticated:
                return method(self, request, *args, **kwargs)
            if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
                raise InvalidInput(_("Idempotency-Key 须为 1–%(max_length)s 个可打印字符") % {
                    "max_length": MAX_KEY_LENGTH}, HEADER)
            digest = _request_hash(request)
            for _attempt in range(3):
                try:
                    with transaction.atomic():
                        # The expired record goes in the same transaction as the claim (one commit
                        # per POST, not two: issue 16 item 10's ingestion rate).
                        IdempotencyRecord.objects.filter(user=request.user, key=key,
                                                         created_at__lt=expiry_cutoff()).delete()
                        record, created = _claim(request.user, key, digest, request)
                        if not created:
                            if record.request_hash != digest:
                                raise IdempotencyKeyReused()
                            response = Response(record.response_body, status=record.status_code)
                            response[REPLAYED_HEADER] = "true"
                            return response
                        # The work runs inside this transaction: if it raises, the record goes too.
                        response = method(self, request, *args, **kwargs)
                        if not 200 <= response.status_code < 300:
                            # Only successful work is remembered: a refused request may be retried.
                            transaction.set_rollback(True)
                            return response
                        record.status_code = response.status_code
                        record.response_body = _redacted(response.data, redact)
                        record.save(update_fields=["status_code", "response_body"])
                        return response
                except _LostRace:
                    continue
            raise InvalidInput(_("Idempotency-Key 冲突，请稍后重试"), HEADER, code="idempotency_retry")

        wrapper.idempotent = True
        return wrapper

    if view_method is not None:
        return decorate(view_method)
    return decorate
