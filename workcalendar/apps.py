from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import navigation


class WorkcalendarConfig(AppConfig):
    name = "workcalendar"
    verbose_name = _("工作日历")

    def ready(self):
        # Every regulator may read the calendar; only the province edits (workcalendar.manage).
        navigation.register(_("系统管理"), _("工作日历"), "workcalendar:index", roles=navigation.REGULATORS, order=80)
