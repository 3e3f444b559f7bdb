"""Negotiations in the header search (issue 15 item 10), registered with `core.search` from
`NegotiationConfig.ready()`: the proposal list's own selector and FilterSet (product name,
national code, pinyin initials, institution), so the scoping and the count are those of
`/negotiation/?q=`."""

from django.urls import reverse
from django.utils.translation import pgettext

from core.navigation import INSTITUTIONS, REGULATORS
from core.search import SearchHit, group_of, register_search, role_of

from . import selectors
from .filters import ProposalFilter

ROLES = INSTITUTIONS | REGULATORS | {"manufacturer"}  # who has the proposal list in the menu


def _hit(proposal):
    return SearchHit(str(proposal.product), reverse("negotiation:proposal_detail", args=[proposal.pk]),
                     f"{proposal.institution.name} · {proposal.manufacturer.name} · {proposal.get_status_display()}")


def search_proposals(user, q, limit):
    """An institution its own proposals, a manufacturer those about its products, a city/county
    its institutions', the province all."""
    if role_of(user) not in ROLES:
        return None
    qs = ProposalFilter({"q": q}, queryset=selectors.proposals_for(user)).qs
    return group_of("negotiations", pgettext("search kind", "议价记录"), qs, url_name="negotiation:proposal_list",
                    q=q, limit=limit, hit=_hit, order=40)


def register():
    register_search("negotiation.proposals", search_proposals)
