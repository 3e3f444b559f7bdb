from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NegotiationConfig(AppConfig):
    name = "negotiation"
    verbose_name = _("议价")

    def ready(self):
        # Imported here, not at module level: other apps' modules load once the app registry is ready.
        from core import navigation as nav
        from orders.pricing import register_provider, register_version

        from . import hooks, permissions, providers  # noqa: F401  (permissions: registers rules permissions)

        register_provider("negotiation", providers.negotiated_prices)
        register_version("negotiation", providers.catalogue_version)  # INT-1: 304 without building the page
        hooks.register_inversion_counter("negotiation.orders", providers.order_inversions)

        section = _("议价")
        nav.register(section, _("发起议价"), "negotiation:listing_search", roles=nav.INSTITUTIONS, order=300)
        nav.register(section, _("议价记录"), "negotiation:proposal_list",
                     roles={"institution", "manufacturer", *nav.REGULATORS}, order=301)
        nav.register(section, _("议价结果（共享）"), "negotiation:result_list",
                     roles={"institution", "manufacturer", *nav.REGULATORS}, order=302)
        nav.register(section, _("购销协议"), "negotiation:agreement_list",
                     roles={"institution", "manufacturer", *nav.REGULATORS}, order=303)
        nav.register(section, _("组团议价"), "negotiation:group_list", roles=nav.INSTITUTIONS, order=304)
        nav.register(section, _("红黄蓝监测"), "negotiation:dashboard", roles=nav.REGULATORS, order=305)
        nav.register(section, _("约谈名单"), "negotiation:interview_list", roles=nav.REGULATORS, order=306)

        from . import search, todos  # issue 15 items 6 and 10: home-page tasks, header search

        todos.register()
        search.register()
