from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("采购监测")

    def ready(self):
        # Imported here, not at module level: other apps' modules load once the app registry is ready.
        from core import navigation as nav
        from jobs import imports

        from . import permissions, services, tasks  # noqa: F401

        section = _("采购监测")
        everyone = {"institution", *nav.REGULATORS}
        nav.register(section, _("网上采购率"), "monitoring:dashboard", roles=everyone, order=900)
        nav.register(section, _("报送月报"), "monitoring:report_new", roles=nav.INSTITUTIONS, order=901)
        nav.register(section, _("采购数据月报"), "monitoring:report_list", roles=everyone, order=902)
        nav.register(section, _("汇总上报"), "monitoring:forward_list",
                     roles={"city_regulator", "province_regulator"}, order=903)
        nav.register(section, _("督查名单"), "monitoring:flag_list", roles=nav.REGULATORS, order=904)
        nav.register(section, _("季度通报"), "monitoring:bulletin_list", roles=everyone, order=905)
        imports.register("monitoring.reports", label=_("Excel 导入采购数据月报"), handler=services.report_import_job,
                         back_url="/monitoring/reports/upload/")

        from . import todos  # issue 15 item 6: this app's home-page tasks

        todos.register()
