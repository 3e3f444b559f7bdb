from django.urls import path

from . import api

app_name = "policy-api"

urlpatterns = [
    path("policy/parameters/", api.ParameterListApi.as_view(), name="parameter-list"),
    path("policy/parameters/<str:key>", api.ParameterDetailApi.as_view(), name="parameter-detail"),
]
