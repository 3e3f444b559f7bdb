from django.urls import path

from . import views

app_name = "workcalendar"

urlpatterns = [
    path("", views.index, name="index"),
    path("days/", views.set_day, name="set_day"),
    path("days/withdraw/", views.withdraw_day, name="withdraw_day"),
    path("years/confirm/", views.confirm_year, name="confirm_year"),
]
