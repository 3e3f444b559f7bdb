"""The demos that the apps' demos build on, loaded the way `load_demo` loads them."""

from catalog.demo import load_demo as load_catalog
from listing.demo import load_demo as load_listing
from parties.demo import load_demo as load_parties


def load_base_demos():
    """The parties, catalogue and listing demos (call it on the demo day, 2026-11-24)."""
    load_parties()
    load_catalog()
    load_listing()
