"""Listing applications in the header search (issue 15 item 10), registered with `core.search`
from `ListingConfig.ready()`: the application list's own selector (product name, enterprise,
national code), so the scoping and the count are those of `/listing/applications/?q=`."""

from django.urls import reverse
from django.utils.translation import pgettext

from core.navigation import REGULATORS
from core.search import SearchHit, group_of, register_search, role_of

from . import selectors

ROLES = REGULATORS | {"manufacturer"}  # an enterprise applies, the regulators review


def _hit(application):
    return SearchHit(str(application.product), reverse("listing:application_detail", args=[application.pk]),
                     " · ".join(p for p in (application.product.national_code, application.enterprise.name,
                                            application.category, application.get_status_display()) if p))


def search_applications(user, q, limit):
    """A manufacturer its own applications, never another's (`visible_to`); the regulators all."""
    if role_of(user) not in ROLES:
        return None
    qs = selectors.applications_for(user, q=q).order_by("-id")
    return group_of("applications", pgettext("search kind", "挂网申请"), qs, url_name="listing:application_list",
                    q=q, limit=limit, hit=_hit, order=30)


def register():
    register_search("listing.applications", search_applications)
