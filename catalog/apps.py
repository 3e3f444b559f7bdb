from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("产品目录")

    def ready(self):
        # Imported here, not at module level: other apps' modules load once the app registry is ready.
        from core import navigation
        from jobs import imports

        from . import permissions, services  # noqa: F401

        navigation.register(_("产品目录"), _("产品目录"), "catalog:product_list", order=200)
        navigation.register(_("产品目录"), _("登记产品"), "catalog:product_create",
                            roles={"manufacturer", "province_regulator"}, order=210)
        navigation.register(_("产品目录"), _("产品信息变更"), "catalog:change_list",
                            roles={"manufacturer", "province_regulator", "city_regulator"}, order=215)
        navigation.register(_("产品目录"), _("外省价格导入"), "catalog:price_upload",
                            roles={"manufacturer", "province_regulator", "city_regulator"}, order=220)
        imports.register("catalog.prices", label=_("外省价格导入"), handler=services.price_import_job,
                         back_url="/catalog/prices/upload/")

        from . import search, todos  # issue 15 items 6 and 10: home-page tasks, header search

        todos.register()
        search.register()
