from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class ClientRateThrottle(SimpleRateThrottle):
    """Per-client limit: one bucket per API client (its service user) or browser user;
    anonymous callers share one bucket per address. The rate is
    `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["client"]` (env API_THROTTLE_RATE), read at
    request time so it follows settings overrides; buckets live in the Redis cache."""

    scope = "client"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
