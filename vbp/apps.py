from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VbpConfig(AppConfig):
    name = "vbp"
    verbose_name = _("集中带量采购")
