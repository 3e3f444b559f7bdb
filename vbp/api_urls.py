from django.urls import path

from core.api.urls import resource

from . import api

app_name = "vbp-api"

urlpatterns = [
    *resource("vbp/contracts", "contract", api.ContractListView, api.ContractDetailView),
    path("vbp/base-volumes/", api.BaseVolumeCreateView.as_view(), name="base-volume-list"),
]
