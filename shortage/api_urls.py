from django.urls import path

from . import api

app_name = "shortage-api"

urlpatterns = [
    path("shortage/emergency-purchases/", api.EmergencyListCreateApi.as_view(), name="emergency_list"),
    path("shortage/emergency-purchases/<int:pk>/", api.EmergencyDetailApi.as_view(), name="emergency_detail"),
    path("shortage/emergency-purchases/<int:pk>/formalities/", api.EmergencyFormalitiesApi.as_view(),
         name="emergency_formalities"),
    path("shortage/needs/", api.NeedListApi.as_view(), name="need_list"),
    path("shortage/lists/", api.ListInForceApi.as_view(), name="list_in_force"),
]
