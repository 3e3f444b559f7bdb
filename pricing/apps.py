from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingConfig(AppConfig):
    name = "pricing"
    verbose_name = _("挂网价格动态调整")

    def ready(self):
        # Imported here, not at module level: models and signals load after the app registry.
        from catalog.signals import lower_national_price_recorded
        from core import navigation

        from . import permissions  # noqa: F401
        from .services import on_lower_national_price_recorded

        lower_national_price_recorded.connect(
            on_lower_national_price_recorded, dispatch_uid="pricing.linkage_on_lower_national_price"
        )

        section = _("挂网价格动态调整")
        regulators_and_makers = navigation.REGULATORS | {"manufacturer"}
        navigation.register(section, _("低价联动案件"), "pricing:linkage_list", roles=regulators_and_makers, order=310)
        navigation.register(section, _("逾期联动案件"), "pricing:overdue_list", roles=navigation.REGULATORS, order=311)
        navigation.register(section, _("年度价格联动"), "pricing:round_list", roles=regulators_and_makers, order=312)
        navigation.register(section, _("申投诉"), "pricing:complaint_list",
                            roles=navigation.REGULATORS | navigation.ENTERPRISES | navigation.INSTITUTIONS, order=313)

        from . import todos  # issue 15 item 6: this app's home-page tasks

        todos.register()
