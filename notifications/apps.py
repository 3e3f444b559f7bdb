from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import navigation


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("消息通知")

    def ready(self):
        navigation.register(_("个人"), _("消息中心"), "notifications:inbox", roles=None, order=900)
