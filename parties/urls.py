from django.urls import path

from . import views

app_name = "parties"

urlpatterns = [
    path("api-clients/", views.api_client_list, name="api_client_list"),
    path("api-clients/export.xlsx", views.api_client_export, name="api_client_export"),
    path("api-clients/new/", views.api_client_create, name="api_client_create"),
    path("api-clients/<int:pk>/revoke/", views.api_client_revoke, name="api_client_revoke"),
]
