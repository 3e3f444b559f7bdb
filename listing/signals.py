"""Receivers of the listing app."""

from django.db import transaction


def product_saved(sender, instance, **kwargs):
    """LST-5: the platform detects the third consistency-evaluated manufacturer of a variety
    when the catalogue records it, and suspends the variety's unevaluated listings."""
    if instance.kind == "drug" and instance.is_consistency_evaluated:
        from .services import on_product_saved

        pk = instance.pk
        transaction.on_commit(lambda: on_product_saved(pk))
