"""Home-page tasks of qualifications (QUA-1, issue 15 item 6), registered from
`QualificationsConfig.ready()`: an enterprise's qualifications about to expire (an expired one
blocks new applications), the province's qualifications to review."""

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext as _

from core.todos import TodoItem, register_todo

from . import selectors, services
from .models import Qualification, QualificationStatus


def qualification_todos(user, today):
    url = reverse("qualifications:qualification_list")
    if user.role in ("manufacturer", "distributor"):
        days = services.reminder_days(today)
        agg = selectors.expiring_qualifications(today, days, user=user).order_by().aggregate(
            n=Count("pk"), due=Min("valid_until"))
        return [TodoItem(_("即将到期的资质"), agg["n"], f"{url}?expiring=1", due=agg["due"],
                         note=_("到期后将不能提交新的挂网申请，请及时申报换证"), order=30)]
    if services.can_review(user):
        n = (Qualification.objects.visible_to(user).filter(status=QualificationStatus.PENDING)
             .aggregate(n=Count("pk"))["n"])
        return [TodoItem(_("待审核的企业资质"), n, f"{url}?status={QualificationStatus.PENDING}", order=15)]
    return []


def register():
    register_todo("qualifications", qualification_todos)
