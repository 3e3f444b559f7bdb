from django.urls import path

from core.api.urls import resource

from . import api

app_name = "parties-api"

urlpatterns = [
    path("me", api.MeApi.as_view(), name="me"),
    *resource("organisations", "organisation", api.OrganisationListApi, api.OrganisationDetailApi),
    *resource("api-clients", "apiclient", api.ApiClientListCreateApi, api.ApiClientDetailApi,
              revoke=api.ApiClientRevokeApi),
]
