from django.urls import path

from . import views

app_name = "qualifications"

urlpatterns = [
    path("bad-records/", views.bad_record_list, name="bad_record_list"),
    path("", views.qualification_list, name="qualification_list"),
    path("new/", views.qualification_create, name="qualification_create"),
    path("<int:pk>/", views.qualification_detail, name="qualification_detail"),
    path("<int:pk>/file/", views.qualification_file, name="qualification_file"),
    path("distribution/", views.distribution_list, name="distribution_list"),
    path("distribution/<int:pk>/answer/", views.distribution_answer, name="distribution_answer"),
    path("distribution/<int:pk>/end/", views.distribution_end, name="distribution_end"),
]
