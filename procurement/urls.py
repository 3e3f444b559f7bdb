from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from portal import views as portal_views

from . import health

APPS = ["parties", "workcalendar", "policy", "notifications", "catalog", "qualifications", "orders", "listing", "experts",
        "pricing", "negotiation", "filing", "shortage", "vbp", "insurance", "monitoring", "opendata", "oversight"]

api_v1 = [path("", include(f"{app}.api_urls")) for app in APPS]

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("parties.auth_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("search/", portal_views.search, name="search"),
    path("history/<str:app_label>/<str:model>/<str:pk>/", portal_views.object_history, name="object_history"),
    path("jobs/", include("jobs.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    *[path(f"{app}/", include(f"{app}.urls")) for app in APPS],
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Unknown URLs under /api/ answer in the API's JSON error shape; others get the Chinese page.
handler404 = "core.api.errors.api_aware_404"
# The database down answers 503 (API: JSON error shape; pages: "服务暂时不可用"); every API 5xx is JSON.
handler500 = "core.api.errors.api_aware_500"
