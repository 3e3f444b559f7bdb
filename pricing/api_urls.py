from django.urls import path

from . import api

app_name = "pricing-api"

urlpatterns = [
    path("pricing/linkage-cases/", api.LinkageCaseListApi.as_view(), name="linkage_list"),
    path("pricing/linkage-cases/<int:pk>/declare/", api.LinkageDeclareApi.as_view(), name="linkage_declare"),
]
