"""Issue 14 item 7 / AUD-1: the "never deleted" / "never edited" mixins keep the database
protection of every model that uses them (same trigger names as before the mixin)."""

import pgtrigger
import pytest
from django.apps import apps
from django.db import InternalError, connection, transaction

from core.mixins import NeverDeleted, NeverEdited
from tests import factories as f


def _protected(mixin):
    return [m for m in apps.get_models() if issubclass(m, mixin)]


def test_every_never_deleted_model_carries_its_delete_trigger():
    models_ = _protected(NeverDeleted)
    assert len(models_) >= 40
    for model in models_:
        names = {t.name: t for t in model._meta.triggers}
        trigger = names.get(model.never_deleted_trigger)
        assert isinstance(trigger, pgtrigger.Protect), model._meta.label
        assert trigger.operation == pgtrigger.Delete, model._meta.label


def test_every_never_edited_model_carries_its_update_trigger():
    for model in _protected(NeverEdited):
        trigger = {t.name: t for t in model._meta.triggers}[model.never_edited_trigger]
        assert trigger.operation == pgtrigger.Update, model._meta.label


def test_a_model_that_forgets_the_trigger_name_does_not_load():
    with pytest.raises(TypeError, match="never_deleted_trigger"):
        type("Nameless", (NeverDeleted,), {"__module__": "tests.test_model_mixins",
                                           "Meta": type("Meta", (), {"app_label": "core"})})


@pytest.mark.django_db
def test_aud_1_postgres_refuses_to_delete_a_listing_even_by_raw_sql():
    listing = f.ListingFactory()
    with pytest.raises(InternalError, match="Cannot delete"), transaction.atomic():
        listing.delete()
    with pytest.raises(InternalError, match="Cannot delete"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {listing._meta.db_table} WHERE id = %s", [listing.pk])
    assert type(listing).objects.filter(pk=listing.pk).exists()


@pytest.mark.django_db
def test_aud_1_postgres_refuses_to_edit_a_price_change_history_row(province_user):
    from listing.models import ListingPriceChange

    change = ListingPriceChange.objects.create(
        listing=f.ListingFactory(), old_price="10.00", new_price="9.00", effective_date="2026-02-01",
        rule="LST-8.1", reason="测试", changed_by=province_user,
    )
    with pytest.raises(InternalError, match="Cannot update"), transaction.atomic():
        ListingPriceChange.objects.filter(pk=change.pk).update(reason="改写历史")
    change.refresh_from_db()
    assert change.reason == "测试"
