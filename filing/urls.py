from django.urls import path

from . import views

app_name = "filing"

urlpatterns = [
    path("", views.filing_list, name="list"),
    path("new/", views.filing_new, name="new"),
    path("<int:pk>/", views.filing_detail, name="detail"),
    path("<int:pk>/enterprise/", views.filing_enterprise, name="enterprise"),
    path("<int:pk>/decide/", views.filing_decide, name="decide"),
    path("<int:pk>/withdraw/", views.filing_withdraw, name="withdraw"),
    path("<int:pk>/to-listing/", views.filing_to_listing, name="to_listing"),
    path("publication/", views.publication, name="publication"),
    path("unpurchased/", views.unpurchased, name="unpurchased"),
    path("legacy/", views.legacy_import, name="legacy_import"),
    path("published/", views.published, name="published"),
    path("order/", views.order, name="order"),
    path("payment-standards/", views.payment_standards, name="payment_standards"),
]
