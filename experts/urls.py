from django.urls import path

from . import views

app_name = "experts"

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/documents/<slug:key>/", views.case_document, name="case_document"),
    path("pool/", views.pool, name="pool"),
    path("pool/<int:pk>/", views.profile_detail, name="profile_detail"),
    path("me/", views.my_profile, name="my_profile"),
]
