"""The project URLs plus one view that fails, to prove where a traceback goes."""

from django.urls import path

from procurement.urls import urlpatterns as project_urls


def boom(request):
    raise RuntimeError("boom for the log test")


urlpatterns = [path("boom/", boom), *project_urls]
