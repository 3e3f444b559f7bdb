from django.urls import path

from . import api

app_name = "filing-api"

urlpatterns = [
    path("filings/", api.FilingListApi.as_view(), name="filing-list"),
    path("filings/<int:pk>", api.FilingDetailApi.as_view(), name="filing-detail"),
    path("filings/<int:pk>/enterprise", api.FilingEnterpriseApi.as_view(), name="filing-enterprise"),
    path("filings/<int:pk>/decide", api.FilingDecideApi.as_view(), name="filing-decide"),
]
