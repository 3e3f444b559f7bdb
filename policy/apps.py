from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def seed_defaults(sender, **kwargs):
    """Every declared parameter gets its default as a first version (idempotent: a key that
    already has a version is left alone; a key declared later is seeded at the next migrate)."""
    from .models import PolicyValue
    from .registry import DEFAULT_EFFECTIVE_FROM, PARAMETERS

    using = kwargs.get("using", "default")
    known = set(PolicyValue.objects.using(using).values_list("key", flat=True).distinct())
    PolicyValue.objects.using(using).bulk_create(
        [
            PolicyValue(key=p.key, value=p.to_json(p.default), effective_from=DEFAULT_EFFECTIVE_FROM,
                        reason="系统初始默认值")
            for p in PARAMETERS.values() if p.key not in known
        ]
    )


class PolicyConfig(AppConfig):
    name = "policy"
    verbose_name = _("政策参数")

    def ready(self):
        from core import navigation

        from . import parameters, permissions  # noqa: F401

        post_migrate.connect(seed_defaults, sender=self)
        navigation.register(_("系统管理"), _("政策参数"), "policy:parameter_list", roles=navigation.REGULATORS, order=800)
