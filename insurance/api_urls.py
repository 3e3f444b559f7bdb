from django.urls import path

from . import api

app_name = "insurance-api"

urlpatterns = [
    path("payment-standards/", api.StandardListApi.as_view(), name="standard-list"),
    path("payment-standards/in-force", api.StandardInForceApi.as_view(), name="standard-in-force"),
]
