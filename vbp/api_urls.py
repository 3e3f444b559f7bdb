from django.urls import path

from . import api

app_name = "vbp-api"

urlpatterns = [
    path("vbp/contracts/", api.ContractListView.as_view(), name="contract-list"),
    path("vbp/contracts/<int:pk>", api.ContractDetailView.as_view(), name="contract-detail"),
    path("vbp/base-volumes/", api.BaseVolumeCreateView.as_view(), name="base-volume-list"),
]
