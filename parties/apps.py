from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "parties"
    verbose_name = _("主体与角色")

    def ready(self):
        from . import permissions  # noqa: F401  (registers rules permissions)
