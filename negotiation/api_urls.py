from django.urls import path

from . import api

app_name = "negotiation-api"

urlpatterns = [
    path("negotiations/", api.ProposalListApi.as_view(), name="proposal-list"),
    path("negotiations/<int:pk>", api.ProposalDetailApi.as_view(), name="proposal-detail"),
    path("negotiations/<int:pk>/confirm", api.ProposalConfirmApi.as_view(), name="proposal-confirm"),
    path("negotiations/<int:pk>/decline", api.ProposalDeclineApi.as_view(), name="proposal-decline"),
    path("negotiations/<int:pk>/contest", api.ProposalContestApi.as_view(), name="proposal-contest"),
    path("negotiations/<int:pk>/evidence", api.ProposalEvidenceApi.as_view(), name="proposal-evidence"),
    path("negotiation-results/", api.ResultListApi.as_view(), name="result-list"),
]
