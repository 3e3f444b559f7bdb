from django.urls import path

from . import api

app_name = "catalog-api"

urlpatterns = [
    path("products/", api.ProductListApi.as_view(), name="product_list"),
    path("products/<int:pk>", api.ProductDetailApi.as_view(), name="product_detail"),
    path("products/<int:pk>/other-prices", api.ProductPriceApi.as_view(), name="product_prices"),
]
