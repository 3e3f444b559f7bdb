from django.urls import path

from . import cart_views, documents, views

app_name = "orders"

urlpatterns = [
    path("shop/", cart_views.shop, name="shop"),
    path("cart/", cart_views.cart, name="cart"),
    path("cart/lines/<int:product_id>/", cart_views.cart_line, name="cart_line"),
    path("cart/template.xlsx", cart_views.cart_template, name="cart_template"),
    path("orders/<int:pk>/reorder/", cart_views.reorder, name="reorder"),
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
