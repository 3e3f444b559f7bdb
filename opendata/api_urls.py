app_name = "opendata-api"

urlpatterns = []  # the open-data feed is served under /opendata/ocds/ (public, no token)
