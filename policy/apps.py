from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from core import navigation

from .registry import DEFAULT_EFFECTIVE_FROM, PARAMETERS


def seed_defaults(sender, **kwargs):
    """Every declared parameter gets its default as a first version (idempotent: a key that
    already has a version is left alone; a key declared later is seeded at the next migrate)."""
    # Imported here: apps.py is loaded before the models exist.
    from .models import PolicyValue

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
        # Imported for their registrations, in ready() where Django wants registrations done.
        from . import parameters, permissions  # noqa: F401

        post_migrate.connect(seed_defaults, sender=self)
        navigation.register(_("系统管理"), _("政策参数"), "policy:parameter_list", roles=navigation.REGULATORS, order=800)
