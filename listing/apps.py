from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListingConfig(AppConfig):
    name = "listing"
    verbose_name = _("阳光挂网")

    def ready(self):
        # Imported here, not at module level: models, signals and registries load after the app
        # registry is ready.
        from django.db.models.signals import post_save

        from catalog.models import Product
        from core import navigation
        from experts import dossier
        from experts.signals import case_concluded
        from orders.pricing import (
            register_catalogue,
            register_listed_provider,
            register_listing_status,
            register_restriction,
            register_shop,
            register_version,
        )
        from orders.signals import no_sales_listing_change
        from pricing import hooks as pricing_hooks
        from pricing import signals as pricing_signals
        from qualifications.signals import bad_record_entered

        from . import expert_dossier, permissions, receivers, search, selectors, tasks, todos  # noqa: F401  (rules permissions, beat entries)

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

        # News from the apps below (listing/receivers.py).
        post_save.connect(receivers.product_saved, sender=Product, dispatch_uid="listing_lst5_on_product_saved")
        bad_record_entered.connect(receivers.bad_record_entered, dispatch_uid="listing_bad_1_sanction")
        case_concluded.connect(receivers.case_concluded, dispatch_uid="listing_exp_2_case_concluded")
        pricing_signals.listing_price_decided.connect(receivers.listing_price_decided,
                                                      dispatch_uid="listing_prc_price_decided")
        pricing_signals.listing_suspension_decided.connect(receivers.listing_suspension_decided,
                                                           dispatch_uid="listing_prc_suspension_decided")
        pricing_signals.listing_suspension_lifted.connect(receivers.listing_suspension_lifted,
                                                          dispatch_uid="listing_prc_suspension_lifted")
        no_sales_listing_change.connect(receivers.no_sales_listing_change, dispatch_uid="listing_del_1_no_sales")

        # Answers to the questions of the apps below (their registries).
        register_listed_provider("listing", selectors.listing_prices)  # ORD-1: the listing price is the base
        register_listing_status("listing", selectors.listing_statuses)  # DEL-4: why a product cannot be ordered
        register_version("listing", selectors.listing_version)  # INT-1
        register_catalogue("listing", selectors.catalogue_rows)  # INT-1: what the HIS pulls
        register_shop("listing", selectors.shop_rows)  # the shop page: what an institution may buy
        register_restriction("listing.city_scope", selectors.city_scope_restrictions)  # LST-C3 / LST-C4
        register_version("listing.city_scope", selectors.city_scope_version)  # INT-1: 304 without building the page
        pricing_hooks.register_live_listings("listing", selectors.live_listings)  # PRC-1 / PRC-2
        dossier.register_provider("listing", expert_dossier.case_dossier)  # issue 15 item 8: the expert's case page
        todos.register()  # issue 15 item 6: this app's home-page tasks
        search.register()  # issue 15 item 10: the header search
