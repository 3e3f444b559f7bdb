from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("signals/", views.signal_list, name="signal_list"),
    path("signals/export/", views.signal_export, name="signal_export"),
    path("signals/<int:pk>/", views.signal_detail, name="signal_detail"),
    path("signals/<int:pk>/decide/", views.signal_decide, name="signal_decide"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
]
