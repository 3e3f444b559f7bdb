from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("平台核心")

    def ready(self):
        from . import navigation

        section = _("账户")
        navigation.register(section, _("修改密码"), "password_change", order=9000)
        navigation.register(section, _("账号管理"), "account_users", roles=navigation.REGULATORS, order=9010)
        navigation.register(section, _("动态口令"), "otp_setup", roles=navigation.REGULATORS, order=9020)
