from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The page shell: home pages (工作台), the menu and the shell's context, the history page.
    The top layer: it reads every app below it and nothing imports it (docs/adr/0011-layers.md)."""

    name = "portal"
    verbose_name = _("门户")
