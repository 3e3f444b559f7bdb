from django.urls import path

from . import views

app_name = "opendata"

# PUB-1: everything here is public (no sign-in) and read-only.
urlpatterns = [
    path("", views.index, name="index"),
    path("policies/", views.policies, name="policies"),
    path("negotiation-stats/", views.negotiation_stats, name="negotiation_stats"),
    path("negotiation-stats/export/", views.negotiation_stats_export, name="negotiation_stats_export"),
    path("vbp-results/", views.vbp_results, name="vbp_results"),
    path("vbp-results/export/", views.vbp_results_export, name="vbp_results_export"),
    path("bad-records/", views.bad_records, name="bad_records"),
    path("bad-records/export/", views.bad_records_export, name="bad_records_export"),
    path("feed.atom", views.feed, name="feed"),
    path("ocds/releases.json", views.ocds_releases, name="ocds_releases"),
    path("ocds/records/<str:ocid>.json", views.ocds_record, name="ocds_record"),
]
