from django.urls import path

from . import documents, views

app_name = "orders"

urlpatterns = [
    path("shop/", views.shop, name="shop"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/print/", documents.order_print, name="order_print"),
    path("deliveries/<int:pk>/print/", documents.delivery_print, name="delivery_print"),
    path("lines/<int:pk>/", views.line_flow, name="line_flow"),
    path("lines/<int:pk>/return/", views.return_create, name="return_create"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("receiving/", views.receiving, name="receiving"),
    path("payments/", views.payments, name="payments"),
    path("overdue/", views.overdue, name="overdue"),
    path("offplatform/", views.offplatform, name="offplatform"),
    path("nosales/", views.nosales, name="nosales"),
]
