from django.urls import path

from . import api

app_name = "experts-api"

urlpatterns = [
    path("experts/sessions/", api.SessionListApi.as_view(), name="session_list"),
    path("experts/negotiated-price/<int:product_id>/", api.NegotiatedPriceApi.as_view(), name="negotiated_price"),
]
