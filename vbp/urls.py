from django.urls import path

from . import documents, views

app_name = "vbp"

urlpatterns = [
    path("", views.tender_list, name="tender_list"),
    path("import/", views.national_import, name="national_import"),
    path("tenders/new/", views.tender_create, name="tender_create"),
    path("tenders/<int:pk>/manage/", views.tender_manage, name="tender_manage"),
    path("import/template.xlsx", views.result_template, name="result_template"),
    path("tenders/<int:pk>/", views.tender_detail, name="tender_detail"),
    path("tenders/<int:pk>/base-volume", views.base_volume_report, name="base_volume_report"),
    path("tenders/<int:pk>/base-volume/upload", views.base_volume_upload, name="base_volume_upload"),
    path("base-volume-template.xlsx", views.base_volume_template, name="base_volume_template"),
    path("tenders/<int:pk>/lock", views.allocation_lock, name="allocation_lock"),
    path("tenders/<int:pk>/similar", views.similar_extend, name="similar_extend"),
    path("extensions/<int:pk>/respond", views.similar_respond, name="similar_respond"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/sign", views.contract_sign, name="contract_sign"),
    path("contracts/<int:pk>/print/", documents.contract_print, name="contract_print"),
    path("contracts/<int:pk>/add", views.contract_add, name="contract_add"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("circulars/", views.circular_list, name="circular_list"),
    path("ledger/", views.ledger, name="ledger"),
]
