from django.urls import path

from . import api

app_name = "monitoring-api"

urlpatterns = [
    path("monitoring/reports", api.ReportListApi.as_view(), name="reports"),
]
