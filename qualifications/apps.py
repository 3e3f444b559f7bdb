from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualificationsConfig(AppConfig):
    name = "qualifications"
    verbose_name = _("资质与配送关系")

    def ready(self):
        # Imported here, not at module level: other apps' modules load once the app registry is ready.
        from core import navigation

        from . import permissions  # noqa: F401

        navigation.register(_("资质与配送"), _("企业资质"), "qualifications:qualification_list",
                            roles={"manufacturer", "distributor", "province_regulator"}, order=300)
        navigation.register(_("资质与配送"), _("配送关系"), "qualifications:distribution_list",
                            roles={"manufacturer", "distributor", "province_regulator", "city_regulator"}, order=310)
        navigation.register(_("资质与配送"), _("不良记录"), "qualifications:bad_record_list",
                            roles={"manufacturer", "distributor", *navigation.REGULATORS}, order=320)

        from . import todos  # issue 15 item 6: this app's home-page tasks

        todos.register()
