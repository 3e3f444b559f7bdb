from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShortageConfig(AppConfig):
    name = "shortage"
    verbose_name = _("短缺与应急采购")

    def ready(self):
        # Imported here, not at module level: other apps' modules load once the app registry is ready.
        from core import navigation as nav
        from orders.pricing import register_base_provider, register_version

        from . import permissions, providers, receivers  # noqa: F401  (registers rules permissions / signal receivers)
        from .providers import shortage_prices

        # SHO-1: a reported self-sourcing result is purchasable through the platform by that
        # institution at the reported price (orders knows no channel: we register into it).
        # A base provider: it answers only for products without a listing (a later listing takes
        # over, SHO-1), and its quotes (listing_id None) are ordered like filed products.
        register_base_provider("shortage", shortage_prices)
        register_version("shortage", providers.catalogue_version)  # INT-1: 304 without building the page
        receivers.connect()

        section = _("短缺与应急采购")
        everyone_concerned = {"institution", *nav.REGULATORS}
        nav.register(section, _("应急采购"), "shortage:emergency_list", roles=everyone_concerned, order=400)
        nav.register(section, _("申报应急采购"), "shortage:emergency_create", roles=nav.INSTITUTIONS, order=401)
        nav.register(section, _("短缺药品采购需求"), "shortage:need_list",
                     roles={"institution", "manufacturer", *nav.REGULATORS}, order=402)
        nav.register(section, _("短缺药品清单"), "shortage:list_index",
                     roles={"institution", "manufacturer", *nav.REGULATORS}, order=403)
        nav.register(section, _("短缺与应急监测"), "shortage:dashboard", roles=nav.REGULATORS, order=404)
