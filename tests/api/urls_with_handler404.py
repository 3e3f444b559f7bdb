"""The project's URLs with the API-aware 404 handler (core.api.errors.api_aware_404)."""

from procurement.urls import urlpatterns  # noqa: F401

handler404 = "core.api.errors.api_aware_404"
