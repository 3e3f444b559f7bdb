from django.urls import path

from . import views

app_name = "negotiation"

urlpatterns = [
    path("", views.proposal_list, name="proposal_list"),
    path("new/", views.listing_search, name="listing_search"),
    path("new/<int:listing_id>/", views.proposal_new, name="proposal_new"),
    path("new/<int:listing_id>/preview/", views.zone_preview, name="zone_preview"),
    path("<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("<int:pk>/answer/", views.proposal_answer, name="proposal_answer"),
    path("results/", views.result_list, name="result_list"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<int:pk>/join/", views.group_join, name="group_join"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/results/", views.dashboard_results, name="dashboard_results"),
    path("interviews/", views.interview_list, name="interview_list"),
]
