import logging

from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class ClientRateThrottle(SimpleRateThrottle):
    """Per-client limit: one bucket per API client (its service user) or browser user;
    anonymous callers share one bucket per address. The rate is
    `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["client"]` (env API_THROTTLE_RATE), read at
    request time so it follows settings overrides; buckets live in the Redis cache."""

    scope = "client"

    def allow_request(self, request, view):
        """With the cache (Redis) down the API keeps serving: the limit fails open and says so
        in the log, rather than every HIS call answering 500 (issue 16 item 5)."""
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            logger.warning("throttle cache unavailable, request allowed without rate limit: %s: %s",
                           type(exc).__name__, exc)
            return True

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
