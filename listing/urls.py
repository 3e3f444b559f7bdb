from django.urls import path

from . import documents, views

app_name = "listing"

urlpatterns = [
    path("applications/", views.application_list, name="application_list"),
    path("applications/new/", views.apply, name="apply"),
    path("applications/check/", views.apply_check, name="apply_check"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/expert/", views.application_attach_expert, name="application_attach_expert"),
    path("applications/<int:pk>/<str:action>/", views.application_decide, name="application_decide"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("review/", views.review_queue, name="review_queue"),
    path("listings/", views.listing_list, name="listing_list"),
    path("listings/<int:pk>/", views.listing_detail, name="listing_detail"),
    path("listings/<int:pk>/status/", views.listing_status, name="listing_status"),
    path("listings/<int:pk>/notice/", documents.listing_notice_print, name="listing_notice_print"),
    path("listings/<int:pk>/delist/", views.delist_request, name="delist_request"),
    path("delist-requests/", views.delist_queue, name="delist_queue"),
    path("quality-events/", views.quality_events, name="quality_events"),
    path("price-rises/", views.price_rise_list, name="price_rise_list"),
    path("public/", views.public, name="public"),
]
