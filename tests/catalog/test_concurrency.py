"""LST-0.3 under concurrency: two people recording the same province's price at once leave
exactly one record in force (the product row lock and the partial unique index)."""

import pytest

from catalog import services
from catalog.models import OtherProvincePrice
from tests.concurrency import together


@pytest.mark.django_db(transaction=True)
def test_lst_0_3_concurrent_records_leave_one_current(reference_regions, maker_user, make_product, make_user):
    from parties.models import OrgKind

    drug = make_product()
    regulator = make_user(kind=OrgKind.PROVINCE_REGULATOR)

    def enter(user, price):
        return lambda: services.price_record(user, drug, province="浙江省", price=price, effective_date="2026-01-01",
                                             source="s")

    together(enter(maker_user, "10"), enter(regulator, "11"))
    assert OtherProvincePrice.objects.filter(product=drug).count() == 2
    current = OtherProvincePrice.objects.filter(product=drug, superseded_at__isnull=True)
    assert current.count() == 1
    old = OtherProvincePrice.objects.get(product=drug, superseded_at__isnull=False)
    assert old.superseded_by == current.get()


@pytest.mark.django_db(transaction=True)
def test_qua_1_confirm_and_withdraw_at_once_one_wins(reference_regions, maker_user, make_product, make_user):
    """QUA-1: the province confirming while the manufacturer withdraws: exactly one of them
    succeeds (the request row lock); the product changes only if the confirmation won."""
    from core.errors import Conflict
    from parties.models import OrgKind

    drug = make_product()
    province = make_user(kind=OrgKind.PROVINCE_REGULATOR)
    cr = services.product_change_propose(maker_user, drug, changes={"is_shortage": True}, reason="短缺清单")

    def act(fn, name):
        def run():
            try:
                fn()
                return name
            except Conflict:
                return f"{name} refused"
        return run

    outcomes = together(act(lambda: services.product_change_confirm(province, cr), "confirm"),
                            act(lambda: services.product_change_withdraw(maker_user, cr), "withdraw"))
    assert sorted(o.endswith("refused") for o in outcomes) == [False, True]
    cr.refresh_from_db()
    drug.refresh_from_db()
    assert (cr.status == "confirmed") == drug.is_shortage == ("confirm" in outcomes)
