from django.urls import path

from . import views

app_name = "shortage"

urlpatterns = [
    path("emergency/", views.emergency_list, name="emergency_list"),
    path("emergency/new/", views.emergency_create, name="emergency_create"),
    path("emergency/<int:pk>/", views.emergency_detail, name="emergency_detail"),
    path("emergency/document/<int:pk>/", views.emergency_document, name="emergency_document"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("lists/", views.list_index, name="list_index"),
    path("lists/import/", views.list_import, name="list_import"),
    path("lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("public/bulletins/", views.public_bulletins, name="public_bulletins"),
]
