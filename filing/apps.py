from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingConfig(AppConfig):
    name = "filing"
    verbose_name = _("备案采购")

    def ready(self):
        # Imported here, not at module level: other apps' modules load once the app registry is ready.
        from core import navigation as nav
        from listing.evidence import register_filing_counter
        from orders.pricing import register_base_provider, register_refusal, register_version

        from . import permissions, providers, selectors, tasks  # noqa: F401 — rules permissions; beat schedules

        # FIL-3 / FIL-C4: whoever files buys — the filed price for the filing institutions only.
        register_base_provider("filing", providers.filed_prices)
        register_refusal("filing", providers.outside_filing)
        register_version("filing", providers.catalogue_version)  # INT-1: 304 without building the page
        # LST-C2 / LST-C4: the platform counts filing institutions instead of the enterprise.
        register_filing_counter(selectors.filing_institution_count)

        section = _("备案采购")
        nav.register(section, _("备案申请"), "filing:list",
                     roles={"institution", "manufacturer", *nav.REGULATORS}, order=400)
        nav.register(section, _("申请备案"), "filing:new", roles=nav.INSTITUTIONS, order=401)
        nav.register(section, _("备案产品采购"), "filing:order", roles=nav.INSTITUTIONS, order=402)
        nav.register(section, _("集中确认与公示"), "filing:publication", roles=nav.REGULATORS, order=402)
        nav.register(section, _("未采购名单"), "filing:unpurchased", roles=nav.REGULATORS, order=403)
        nav.register(section, _("存量备案导入"), "filing:legacy_import", roles=nav.PROVINCE, order=404)
        nav.register(section, _("备案耗材支付标准"), "filing:payment_standards", roles=nav.REGULATORS, order=405)
