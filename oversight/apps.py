from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    """BAD-1 price-risk signals and the enterprise record page for regulators. A top-layer app:
    it reads listing, pricing, catalog and orders data and never sanctions anything itself."""

    name = "oversight"
    verbose_name = _("价格风险监测")

    def ready(self):
        # Imported here, not at module level: other apps' modules load once the app registry is ready.
        from core import navigation as nav

        from . import parameters, permissions, tasks  # noqa: F401

        section = _("综合监管")
        nav.register(section, _("价格风险信号"), "oversight:signal_list",
                     roles={"province_regulator", "city_regulator"}, order=950)
        nav.register(section, _("企业档案"), "oversight:enterprise_list",
                     roles={"province_regulator", "city_regulator"}, order=951)
