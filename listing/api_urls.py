from core.api.urls import resource

from . import api

app_name = "listing-api"

urlpatterns = [
    *resource("listings", "listing", api.ListingListApi, api.ListingDetailApi),
    *resource("listing-applications", "application", api.ApplicationListApi, api.ApplicationDetailApi),
]
