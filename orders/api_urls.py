from django.urls import path

from . import api

app_name = "orders-api"

urlpatterns = [
    path("orders/catalogue/", api.CatalogueView.as_view(), name="catalogue"),
    path("orders/", api.OrderListCreateView.as_view(), name="orders"),
    path("orders/<int:pk>/", api.OrderDetailView.as_view(), name="order"),
    path("orders/deliveries/", api.DeliveryListView.as_view(), name="deliveries"),
    path("orders/receipts/", api.ReceiptCreateView.as_view(), name="receipts"),
    path("orders/returns/", api.ReturnCreateView.as_view(), name="returns"),
    path("orders/invoices/", api.InvoiceListView.as_view(), name="invoices"),
    path("orders/payments/", api.PaymentCreateView.as_view(), name="payments"),
    path("orders/off-platform-purchases/", api.OffPlatformCreateView.as_view(), name="offplatform"),
]
