from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = _("评审专家")

    def ready(self):
        # Imported here, not at module level: other apps' modules load once the app registry is ready.
        from core import navigation

        from . import permissions  # noqa: F401

        section = _("专家评审与谈判")
        navigation.register(section, _("评审/谈判场次"), "experts:session_list",
                            roles=navigation.PROVINCE | {"expert", "city_regulator"}, order=300)
        navigation.register(section, _("评审专家库"), "experts:pool", roles=navigation.PROVINCE, order=301)

        from . import todos  # issue 15 item 6: this app's home-page tasks

        todos.register()
