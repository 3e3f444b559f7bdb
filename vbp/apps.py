from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VbpConfig(AppConfig):
    name = "vbp"
    verbose_name = _("集中带量采购")

    def ready(self):
        # Imported here, not at module level: other apps' modules load once the app registry is ready.
        from core import navigation as nav
        from negotiation import hooks as negotiation_hooks
        from orders import hooks as order_hooks
        from orders.pricing import register_provider, register_version

        from . import permissions, providers, tasks  # noqa: F401  (rules permissions; beat schedule)

        register_provider("vbp", providers.selected_prices)
        register_version("vbp", providers.catalogue_version)  # INT-1: 304 without building the page
        negotiation_hooks.register_vbp_check("vbp", providers.selected_in_period)
        order_hooks.register_batch_check(providers.cap_check)

        section = _("集中带量采购")
        everyone = {"institution", "manufacturer", *nav.REGULATORS}
        nav.register(section, _("带量采购批次"), "vbp:tender_list", roles=everyone, order=400)
        nav.register(section, _("带量采购合同"), "vbp:contract_list", roles=everyone, order=410)
        nav.register(section, _("进度监测"), "vbp:dashboard", roles=nav.REGULATORS, order=420)
        nav.register(section, _("通报"), "vbp:circular_list", roles={"institution", *nav.REGULATORS}, order=430)
        nav.register(section, _("医保预付台账"), "vbp:ledger", roles={"institution", *nav.REGULATORS}, order=440)
