"""Home-page task of an expert (ACT-6, issue 15 item 6), registered from `ExpertsConfig.ready()`:
the sessions the expert is drawn for that have not ended, with the day of the session."""

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext as _

from core.todos import TodoItem, register_todo

from . import selectors
from .models import SessionStatus


def expert_todos(user, today):
    if user.role != "expert":
        return []
    agg = selectors.sessions_for(user).filter(status=SessionStatus.DRAWN).order_by().aggregate(
        n=Count("pk", distinct=True), due=Min("date"))
    return [TodoItem(_("被抽取参加的评审与谈判场次"), agg["n"],
                     reverse("experts:session_list") + f"?status={SessionStatus.DRAWN}", due=agg["due"],
                     note=_("截止为场次日期"), order=10)]


def register():
    register_todo("experts.sessions", expert_todos)
