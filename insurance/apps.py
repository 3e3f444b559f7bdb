from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuranceConfig(AppConfig):
    name = "insurance"
    verbose_name = _("医保支付")

    def ready(self):
        # Imported here, not at module level: other apps' modules load once the app registry is ready.
        from core import navigation as nav

        from . import parameters, permissions, providers, tasks  # noqa: F401

        providers.register()

        section = _("医保支付")
        nav.register(section, _("支付标准测算"), "insurance:run_list", roles={"province_regulator"}, order=960)
        nav.register(section, _("医保支付标准"), "insurance:public", roles=None, order=961)
        nav.register(section, _("专项预算台账"), "insurance:ledger", roles={"province_regulator", "city_regulator"},
                     order=962)
