from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListingConfig(AppConfig):
    name = "listing"
    verbose_name = _("阳光挂网")

    def ready(self):
        from django.db.models.signals import post_save

        from catalog.models import Product
        from core import navigation

        from . import permissions, signals, tasks  # noqa: F401  (rules permissions, beat entries)

        navigation.register(_("阳光挂网"), _("挂网申请"), "listing:application_list",
                            roles={"manufacturer"}, order=200)
        navigation.register(_("阳光挂网"), _("新建挂网申请"), "listing:apply", roles={"manufacturer"}, order=201)
        navigation.register(_("阳光挂网"), _("我的挂网产品"), "listing:listing_list", roles={"manufacturer"}, order=202)
        navigation.register(_("阳光挂网"), _("挂网审核"), "listing:review_queue", roles=navigation.REGULATORS, order=200)
        navigation.register(_("阳光挂网"), _("挂网产品"), "listing:listing_list",
                            roles=navigation.REGULATORS | navigation.INSTITUTIONS, order=203, name="listing:listing_list:buyers")
        navigation.register(_("阳光挂网"), _("撤网申请审核"), "listing:delist_queue", roles=navigation.PROVINCE, order=204)
        navigation.register(_("阳光挂网"), _("质量事件"), "listing:quality_events", roles=navigation.PROVINCE, order=205)
        navigation.register(_("阳光挂网"), _("涨价监测"), "listing:price_rise_list", roles=navigation.REGULATORS,
                            order=206)
        navigation.register(_("阳光挂网"), _("挂网公示"), "listing:public", roles=None, order=210)

        post_save.connect(signals.product_saved, sender=Product, dispatch_uid="listing_lst5_on_product_saved")

        from qualifications.signals import bad_record_entered

        from . import receivers

        bad_record_entered.connect(receivers.bad_record_entered, dispatch_uid="listing_bad_1_sanction")

        from orders.pricing import register_restriction, register_version

        from .selectors import city_scope_restrictions, city_scope_version

        register_restriction("listing.city_scope", city_scope_restrictions)  # LST-C3 / LST-C4
        register_version("listing.city_scope", city_scope_version)  # INT-1: 304 without building the page

        from . import todos  # issue 15 item 6: this app's home-page tasks

        todos.register()
