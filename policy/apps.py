from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def seed_defaults(sender, **kwargs):
    """Every declared parameter gets its default as a first version (idempotent)."""
    from .models import PolicyValue
    from .registry import DEFAULT_EFFECTIVE_FROM, PARAMETERS

    known = set(PolicyValue.objects.values_list("key", flat=True).distinct())
    PolicyValue.objects.bulk_create(
        [
            PolicyValue(key=p.key, value=p.to_json(p.default), effective_from=DEFAULT_EFFECTIVE_FROM,
                        reason="系统初始默认值（见 RULES.md）")
            for p in PARAMETERS.values() if p.key not in known
        ]
    )


class PolicyConfig(AppConfig):
    name = "policy"
    verbose_name = _("政策参数")

    def ready(self):
        from . import parameters  # noqa: F401

        post_migrate.connect(seed_defaults, sender=self)
