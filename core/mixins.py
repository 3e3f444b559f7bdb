"""Model boilerplate written once (issue 14 item 7).

- `CreatedByAt` / `RecordedByAt`: who wrote the row and when (the acting user is a string
  reference to `settings.AUTH_USER_MODEL`, so core imports no other app).
- `NeverDeleted` / `NeverEdited`: the database refuses DELETE / UPDATE of the row (a pgtrigger
  `Protect` trigger), whatever code path tries it — raw SQL and the admin included.
- `ScopedQuerySet` is re-exported from `parties.scoping` by the apps themselves; the row
  scoping stays there (it needs the user model's roles), see `parties/scoping.py`.

Why a signal rather than `Meta.triggers` on the abstract parent: pgtrigger inherits a parent's
`Meta.triggers` only when the child writes `class Meta(Parent.Meta)`, which every model with
its own Meta (ordering, constraints …) would have to remember — forgetting it silently drops
the protection. Here the trigger is added to the concrete model when Django prepares the
class, whatever its Meta says. Each model names its trigger (`never_deleted_trigger = …`):
the names predate this mixin and are part of the migrations and the database, so they stay.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models.signals import class_prepared


class CreatedByAt(models.Model):
    """The user who created the row and the moment it was created (never changed after)."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class RecordedByAt(models.Model):
    """The user who recorded a fact (a decision, an entry) and when it was recorded."""

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class NeverDeleted(models.Model):
    """Rows are kept for the audit trail: PostgreSQL refuses their DELETE (AUD-1).

    A concrete model sets `never_deleted_trigger` to its trigger's name."""

    never_deleted_trigger = ""

    class Meta:
        abstract = True


class NeverEdited(models.Model):
    """Rows are written once (history rows, published records): PostgreSQL refuses UPDATE.

    A concrete model sets `never_edited_trigger` to its trigger's name."""

    never_edited_trigger = ""

    class Meta:
        abstract = True


def _add_trigger(model, trigger) -> None:
    meta = model._meta
    current = list(getattr(meta, "triggers", []))
    if any(t.name == trigger.name for t in current):
        return
    meta.triggers = [*current, trigger]
    # Migrations read the model's options from original_attrs.
    meta.original_attrs["triggers"] = [*meta.original_attrs.get("triggers", []), trigger]


def _protect(sender, **kwargs) -> None:
    if sender._meta.abstract or sender._meta.proxy:
        return
    for mixin, attribute, operation in (
        (NeverDeleted, "never_deleted_trigger", pgtrigger.Delete),
        (NeverEdited, "never_edited_trigger", pgtrigger.Update),
    ):
        if issubclass(sender, mixin):
            name = getattr(sender, attribute)
            if not name:
                raise TypeError(f"{sender._meta.label} must set {attribute} (the trigger's name)")
            _add_trigger(sender, pgtrigger.Protect(name=name, operation=operation))


class_prepared.connect(_protect, dispatch_uid="core.mixins.protect")
