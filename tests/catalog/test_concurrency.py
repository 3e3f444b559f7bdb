"""LST-0.3 under concurrency: two people recording the same province's price at once leave
exactly one record in force (the product row lock and the partial unique index)."""

import threading

import pytest
from django.db import connection

from catalog import services
from catalog.models import OtherProvincePrice


@pytest.mark.django_db(transaction=True)
def test_lst_0_3_concurrent_records_leave_one_current(reference_regions, maker_user, make_product, make_user):
    from parties.models import OrgKind

    drug = make_product()
    regulator = make_user(kind=OrgKind.PROVINCE_REGULATOR)
    barrier = threading.Barrier(2)
    errors = []

    def enter(user, price):
        try:
            barrier.wait()
            services.price_record(user, drug, province="浙江省", price=price, effective_date="2026-01-01",
                                  source="s")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=enter, args=(maker_user, "10")),
               threading.Thread(target=enter, args=(regulator, "11"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert OtherProvincePrice.objects.filter(product=drug).count() == 2
    current = OtherProvincePrice.objects.filter(product=drug, superseded_at__isnull=True)
    assert current.count() == 1
    old = OtherProvincePrice.objects.get(product=drug, superseded_at__isnull=False)
    assert old.superseded_by == current.get()
