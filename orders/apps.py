from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("订单与结算")

    def ready(self):
        # Imported here, not at module level: models and registries load after the app registry.
        from core import navigation
        from pricing import hooks as pricing_hooks

        from . import (
            permissions,  # noqa: F401
            pricing,
            selectors,
        )

        # The listing price provider is registered by the listing app (orders imports no channel).
        pricing_hooks.register_actual_price("orders", selectors.in_province_actual_price)  # PRC-2
        pricing.register_version("catalog.product", selectors.product_version)
        pricing.register_version("qualifications.distributor", selectors.distributor_version)

        inst = {"institution"}
        regs = navigation.REGULATORS
        sec = _("采购与结算")
        navigation.register(sec, _("网上下单"), "orders:shop", roles=inst, order=300)
        navigation.register(sec, _("我的订单"), "orders:order_list", roles=inst | {"distributor", "manufacturer"},
                            order=310)
        # A regulator places no orders: the same list is its supervision view (issue 15 item 7).
        navigation.register(sec, _("订单查询"), "orders:order_list", roles=regs, order=310,
                            name="orders:order_list:regulators")
        navigation.register(sec, _("收货入库"), "orders:receiving", roles=inst, order=320)
        navigation.register(sec, _("发票与回款"), "orders:payments", roles=inst | {"distributor", "manufacturer"},
                            order=330)
        navigation.register(sec, _("线下采购填报"), "orders:offplatform", roles=inst | regs, order=340)
        # Manufacturers too: those delivering their own products (QUA-2 self-delivery).
        navigation.register(sec, _("配送工作台"), "orders:deliveries", roles={"distributor", "manufacturer"}, order=305)
        navigation.register(sec, _("回款超期监测"), "orders:overdue", roles=regs, order=350)
        navigation.register(sec, _("无销售暂停审核"), "orders:nosales", roles=regs | inst | {"manufacturer"}, order=360)

        from . import search, todos  # issue 15 items 6 and 10: home-page tasks, header search

        todos.register()
        search.register()
