"""Home-page tasks of negotiation (issue 15 item 6), registered from `NegotiationConfig.ready()`.
The deadline is each proposal's `due`, set on the working-day calendar when it was proposed
(NEG-3: 10 working days; NEG-4: 5 for an evidenced consumable price)."""

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext as _

from core.todos import TodoItem, register_todo

from . import selectors
from .models import ProposalStatus


def _pending(user, today):
    agg = (selectors.proposals_for(user).filter(status=ProposalStatus.PENDING).order_by()
           .aggregate(n=Count("pk", distinct=True), due=Min("due")))
    url = reverse("negotiation:proposal_list") + f"?status={ProposalStatus.PENDING}"
    return agg, url


def negotiation_todos(user, today):
    role = user.role
    if role == "manufacturer":
        agg, url = _pending(user, today)
        return [TodoItem(_("待本企业确认的议价"), agg["n"], url, due=agg["due"],
                         overdue=bool(agg["due"] and agg["due"] < today),
                         note=_("截止日为最后一个可确认日（按工作日计算）"), order=10)]
    if role == "institution":
        agg, url = _pending(user, today)
        return [TodoItem(_("等待企业答复的议价"), agg["n"], url, due=agg["due"],
                         note=_("逾期未确认的议价将自动撤回"), order=30)]
    return []


def register():
    register_todo("negotiation.pending", negotiation_todos)
