"""Home-page tasks of listing (issue 15 item 6), registered from `ListingConfig.ready()`:
the regulators' review queue (the province; a city for the consumables it reviews, LST-C3)
and an enterprise's applications returned for supplement."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from core.todos import TodoItem, register_todo

from . import selectors
from .models import ApplicationStatus, CityReview


def listing_todos(user, today):
    role = "province_regulator" if user.is_superuser else user.role
    if role == "province_regulator":
        n = selectors.review_queue(user).order_by().aggregate(n=Count("pk"))["n"]
        return [TodoItem(_("待审核的挂网申请"), n, reverse("listing:review_queue"), order=10)]
    if role == "city_regulator":
        # A city decides only the consumables it was chosen to review (LST-C3/C4); the rest of
        # its queue is read-only for it, so not a task.
        n = (selectors.review_queue(user).filter(city_review=CityReview.PENDING,
                                                 review_city_id=user.organisation.city_id)
             .order_by().aggregate(n=Count("pk"))["n"])
        return [TodoItem(_("待本市评审确认的挂网申请"), n, reverse("listing:review_queue"), order=10)]
    if role == "manufacturer":
        n = selectors.applications_for(user, status=ApplicationStatus.RETURNED).order_by().aggregate(n=Count("pk"))["n"]
        return [TodoItem(_("退回补充的挂网申请"), n,
                         reverse("listing:application_list") + f"?status={ApplicationStatus.RETURNED}", order=15)]
    return []


def register():
    register_todo("listing", listing_todos)
