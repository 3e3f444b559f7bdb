from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/upload/", views.report_upload, name="report_upload"),
    path("reports/template.xlsx", views.report_template, name="report_template"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("table.xlsx", views.monitoring_table, name="monitoring_table"),
    path("forwards/", views.forward_list, name="forward_list"),
    path("flags/", views.flag_list, name="flag_list"),
    path("bulletins/", views.bulletin_list, name="bulletin_list"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin_detail"),
]
