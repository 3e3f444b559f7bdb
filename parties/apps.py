from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import navigation


class PartiesConfig(AppConfig):
    name = "parties"
    verbose_name = _("主体与角色")

    def ready(self):
        # Imported here, not at the top: permissions imports the models, which the app
        # registry loads only after every AppConfig is created.
        from . import permissions  # noqa: F401  (registers rules permissions)

        navigation.register(_("系统管理"), _("HIS接口客户端"), "parties:api_client_list",
                            roles={"institution", *navigation.REGULATORS}, order=850)
        account = _("账户")
        navigation.register(account, _("修改密码"), "password_change", order=9000)
        navigation.register(account, _("账号管理"), "account_users", roles=navigation.REGULATORS, order=9010)
        navigation.register(account, _("动态口令"), "otp_setup", roles=navigation.REGULATORS, order=9020)
