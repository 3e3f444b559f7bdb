from django.urls import path

from . import api

app_name = "parties-api"

urlpatterns = [
    path("me", api.MeApi.as_view(), name="me"),
    path("organisations/", api.OrganisationListApi.as_view(), name="organisation-list"),
    path("organisations/<int:pk>", api.OrganisationDetailApi.as_view(), name="organisation-detail"),
    path("api-clients/", api.ApiClientListCreateApi.as_view(), name="apiclient-list"),
    path("api-clients/<int:pk>", api.ApiClientDetailApi.as_view(), name="apiclient-detail"),
    path("api-clients/<int:pk>/revoke", api.ApiClientRevokeApi.as_view(), name="apiclient-revoke"),
]
