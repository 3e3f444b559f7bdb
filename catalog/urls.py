from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("export.xlsx", views.product_export, name="product_export"),
    path("new/", views.product_create, name="product_create"),
    path("<int:pk>/", views.product_detail, name="product_detail"),
    path("<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("<int:pk>/prices/", views.price_add, name="price_add"),
    path("<int:pk>/catalogue/", views.catalogue_change, name="catalogue_change"),
    path("prices/upload/", views.price_upload, name="price_upload"),
    path("changes/", views.change_list, name="change_list"),
    path("changes/<int:pk>/", views.change_detail, name="change_detail"),
    path("prices/template.xlsx", views.price_template, name="price_template"),
]
