"""Products in the header search (issue 15 item 10), registered with `core.search` from
`CatalogConfig.ready()`: the catalogue list's own search (CAT-3: national code, name, pinyin
initials), so the count is the count of `/catalog/?q=`."""

from django.urls import reverse
from django.utils.translation import pgettext

from core.search import SearchHit, group_of, register_search

from . import selectors


def _hit(product):
    return SearchHit(str(product), reverse("catalog:product_detail", args=[product.pk]),
                     " · ".join(p for p in (product.national_code, product.manufacturer.name) if p))


def search_products(user, q, limit):
    """CAT-3: the catalogue is published — every signed-in party finds every product."""
    return group_of("products", pgettext("search kind", "产品"), selectors.search_products(user, q=q),
                    url_name="catalog:product_list", q=q, limit=limit, hit=_hit, order=10)


def register():
    register_search("catalog.products", search_products)
