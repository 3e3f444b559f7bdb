from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    """PUB-1: the public site (no sign-in) and the OCDS open-data feed. A top-layer app: it
    reads the channels' public decisions and writes nothing."""

    name = "opendata"
    verbose_name = _("信息公开")

    def ready(self):
        from . import parameters  # noqa: F401
