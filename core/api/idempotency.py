"""`Idempotency-Key` for POST endpoints: decorate the view method with `@idempotent`."""

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from core.errors import DomainError, InvalidInput
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"


class IdempotencyKeyReused(DomainError):
    status_code = 422

    def __init__(self):
        super().__init__(
            "idempotency_key_reused",
            "该 Idempotency-Key 已用于内容不同的请求；请为新的请求使用新的键",
            "Idempotency-Key",
        )


def _request_hash(request) -> str:
    payload = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{payload}".encode()).hexdigest()


def _expiry():
    return timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def idempotent(view_method):
    """Run the view at most once per (client, key). Concurrent requests with one key block on
    the unique index until the first commits, then replay its response."""

    @wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > 255 or not key.isprintable():
            raise InvalidInput("Idempotency-Key 须为不超过 255 个可打印字符", HEADER)
        digest = _request_hash(request)
        IdempotencyRecord.objects.filter(user=request.user, key=key, created_at__lt=_expiry()).delete()
        for _attempt in range(2):
            try:
                with transaction.atomic():
                    record, created = IdempotencyRecord.objects.select_for_update().get_or_create(
                        user=request.user, key=key,
                        defaults={"request_hash": digest, "method": request.method, "path": request.path},
                    )
                    if not created:
                        if record.request_hash != digest:
                            raise IdempotencyKeyReused()
                        response = Response(record.response_body, status=record.status_code)
                        response["Idempotent-Replayed"] = "true"
                        return response
                    response = view_method(self, request, *args, **kwargs)
                    if not 200 <= response.status_code < 300:
                        # Only successful work is remembered: a refused request may be retried.
                        transaction.set_rollback(True)
                        return response
                    record.status_code = response.status_code
                    record.response_body = response.data
                    record.save(update_fields=["status_code", "response_body"])
                    return response
            except IntegrityError:
                continue  # lost the race to insert: the winner has committed; replay it
        raise InvalidInput("Idempotency-Key 冲突，请重试", HEADER, code="idempotency_retry")

    return wrapper
