from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "parties"
    verbose_name = _("主体与角色")

    def ready(self):
        from core import navigation

        from . import permissions  # noqa: F401  (registers rules permissions)

        navigation.register(_("系统管理"), _("HIS接口客户端"), "parties:api_client_list",
                            roles={"institution", *navigation.REGULATORS}, order=850)
