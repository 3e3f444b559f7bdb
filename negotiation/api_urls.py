from django.urls import path

from core.api.urls import resource

from . import api

app_name = "negotiation-api"

urlpatterns = [
    *resource("negotiations", "proposal", api.ProposalListApi, api.ProposalDetailApi,
              confirm=api.ProposalConfirmApi, decline=api.ProposalDeclineApi, contest=api.ProposalContestApi,
              evidence=api.ProposalEvidenceApi),
    path("negotiation-results/", api.ResultListApi.as_view(), name="result-list"),
]
