from django.urls import path

from . import views

app_name = "insurance"

urlpatterns = [
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/export/", views.run_export, name="run_export"),
    path("runs/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("standards/<int:pk>/", views.standard_detail, name="standard_detail"),
    path("public/", views.public, name="public"),  # PUB-1: no sign-in
    path("ledger/", views.ledger_view, name="ledger"),
]
