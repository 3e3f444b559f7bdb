from django.urls import path

from . import views

app_name = "policy"

urlpatterns = [
    path("", views.parameter_list, name="parameter_list"),
    path("export.xlsx", views.parameter_export, name="parameter_export"),
    path("<str:key>/", views.parameter_detail, name="parameter_detail"),
]
