from core.api.urls import resource

from . import api

app_name = "filing-api"

urlpatterns = resource("filings", "filing", api.FilingListApi, api.FilingDetailApi,
                       enterprise=api.FilingEnterpriseApi, decide=api.FilingDecideApi)
