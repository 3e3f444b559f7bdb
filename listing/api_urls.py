from django.urls import path

from . import api

app_name = "listing-api"

urlpatterns = [
    path("listings/", api.ListingListApi.as_view(), name="listing-list"),
    path("listings/<int:pk>", api.ListingDetailApi.as_view(), name="listing-detail"),
    path("listing-applications/", api.ApplicationListApi.as_view(), name="application-list"),
    path("listing-applications/<int:pk>", api.ApplicationDetailApi.as_view(), name="application-detail"),
]
