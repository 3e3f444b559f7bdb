from django.urls import path

from . import views

app_name = "pricing"

urlpatterns = [
    path("linkage/", views.linkage_list, name="linkage_list"),
    path("linkage/overdue/", views.overdue_list, name="overdue_list"),
    path("linkage/<int:pk>/", views.linkage_detail, name="linkage_detail"),
    path("general/", views.round_list, name="round_list"),
    path("general/<int:pk>/", views.round_detail, name="round_detail"),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/attachment/", views.complaint_attachment, name="complaint_attachment"),
    # PUB-1: public pages, no sign-in
    path("public/adjustments/", views.public_rounds, name="public_rounds"),
    path("public/adjustments/<int:year>/", views.public_round, name="public_round"),
    path("public/complaints/", views.public_complaints, name="public_complaints"),
]
