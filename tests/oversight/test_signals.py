"""BAD-1 price-risk signals against PostgreSQL: detection on small hand-made histories at the
thresholds, idempotence (twice, two workers), and decisions that only the province takes,
always with a reason."""

from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, Forbidden, InvalidInput
from notifications.models import Notification
from orders.models import Order
from oversight import services
from oversight.models import RiskSignal, SignalKind, SignalStatus
from parties.models import OrgKind
from pricing.models import LinkageCase
from tests.clock import frozen_at
from tests.concurrency import at_once
from tests.factories import DeliveryLineFactory, OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db
_frozen = frozen_at("2026-11-20 02:30:00+08:00")

TODAY = date(2026, 11, 20)



def kinds():
    return sorted(RiskSignal.objects.values_list("kind", flat=True))


def test_any_listing_price_rise_opens_a_signal_with_its_evidence(make_listing, change_price, province_user):
    listing = make_listing("10.00")
    change = change_price(listing, "10.00", "12.50", date(2026, 10, 15))
    change_price(make_listing("8.00"), "8.00", "7.50", date(2026, 10, 15))  # a cut is no signal
    assert services.run_nightly(TODAY) == 1
    signal = RiskSignal.objects.get()
    assert signal.kind == SignalKind.PRICE_RISE and signal.measure == D("25.00")
    assert signal.evidence["change"] == change.pk and signal.enterprise == listing.product.manufacturer
    assert Notification.objects.filter(recipient=province_user, title="新的价格风险信号").count() == 1


def test_repeated_rises_within_the_window(make_listing, change_price):
    a, b = make_listing("10.00"), make_listing("20.00")
    change_price(a, "10.00", "10.50", date(2026, 2, 1))
    change_price(b, "20.00", "21.00", date(2026, 9, 1))
    services.run_nightly(TODAY)
    assert kinds() == ["price_rise", "price_rise", "repeated_rises"]
    assert RiskSignal.objects.get(kind="repeated_rises").measure == D("2")


def test_rises_a_year_apart_are_not_repeated(make_listing, change_price):
    a = make_listing("10.00")
    change_price(a, "10.00", "10.50", date(2025, 9, 1))
    change_price(a, "10.50", "11.00", date(2026, 9, 1))  # 366 days later: outside the 365-day window
    services.run_nightly(TODAY)
    assert kinds() == ["price_rise", "price_rise"]


def test_regional_difference_at_the_ratio(make_listing, other_price):
    at = make_listing("10.00").product
    under = make_listing("10.00").product
    other_price(at, "浙江省", "10.00")
    other_price(at, "广东省", "20.00")  # exactly 2×: reaches the default ratio
    other_price(under, "浙江省", "10.00")
    other_price(under, "广东省", "19.99")
    services.run_nightly(TODAY)
    signal = RiskSignal.objects.get()
    assert signal.kind == SignalKind.REGIONAL_DIFFERENCE and signal.product == at and signal.measure == D("2.00")


def _order_line(institution, user, listing, distributor, n, created):
    order = OrderFactory(institution=institution, created_by=user)
    Order.objects.filter(pk=order.pk).update(created_at=created)
    return OrderLineFactory(order=order, listing=listing, distributor=distributor)


def _ship(line, distributor, user, shipped_on):
    DeliveryLineFactory(order_line=line, expiry_date=date(2028, 1, 1), delivery__distributor=distributor,
                        delivery__shipped_on=shipped_on, delivery__created_by=user)


def test_supply_failure_below_the_fill_rate(make_listing, make_org, make_user):
    hospital = make_org(OrgKind.INSTITUTION)
    user = make_user(hospital)
    slow, good = make_org(OrgKind.DISTRIBUTOR, name="慢配送公司"), make_org(OrgKind.DISTRIBUTOR, name="好配送公司")
    listing = make_listing("5.00")
    ordered = timezone.make_aware(datetime(2026, 10, 1, 9))
    for n in range(10):
        line = _order_line(hospital, user, listing, slow, n, ordered)
        if n < 8:  # 8 of 10 on time: 80 % < 90 %
            _ship(line, slow, user, date(2026, 10, 5))
        line = _order_line(hospital, user, listing, good, n, ordered)
        _ship(line, good, user, date(2026, 10, 8) if n < 9 else date(2026, 10, 30))  # 9 of 10: exactly 90 %
    services.run_nightly(TODAY)
    signal = RiskSignal.objects.get()
    assert signal.kind == SignalKind.SUPPLY_FAILURE and signal.enterprise == slow and signal.measure == D("0.8000")
    assert signal.evidence["due_lines"] == 10 and signal.evidence["on_time"] == 8


def test_overdue_linkage_cases_count_against_the_enterprise(make_listing, other_price):
    listing = make_listing("10.00")
    base = dict(listing=listing, province="浙江省", national_lowest=D("9.00"), listing_price_at_open=D("10.00"),
                price_effective_date=date(2026, 9, 21))
    overdue = LinkageCase.objects.create(status="overdue", escalated_at=timezone.now(), trigger_price=other_price(listing.product, "浙江省", "9.00"),
                                         **base)
    LinkageCase.objects.create(status="open", trigger_price=other_price(listing.product, "福建省", "9.00"), **base)
    services.run_nightly(TODAY)
    assert RiskSignal.objects.get().evidence["case"] == overdue.pk


def test_running_twice_adds_nothing(make_listing, change_price):
    change_price(make_listing("10.00"), "10.00", "11.00", date(2026, 10, 1))
    assert services.run_nightly(TODAY) == 1
    before = list(RiskSignal.objects.values_list("pk", "key", "status"))
    assert services.run_nightly(TODAY) == 0
    assert services.run_nightly(TODAY + timedelta(days=1)) == 0
    assert list(RiskSignal.objects.values_list("pk", "key", "status")) == before


@pytest.mark.django_db(transaction=True)
def test_two_workers_insert_each_signal_once(make_listing, change_price, province_user):
    change_price(make_listing("10.00"), "10.00", "11.00", date(2026, 10, 1))
    at_once(lambda: services.run_nightly(TODAY))
    assert RiskSignal.objects.count() == 1
    assert Notification.objects.filter(recipient=province_user, title="新的价格风险信号").count() == 1


def _signal(make_listing, change_price):
    change_price(make_listing("10.00"), "10.00", "11.00", date(2026, 10, 1))
    services.run_nightly(TODAY)
    return RiskSignal.objects.get()


def test_dismiss_needs_a_reason_and_changes_nothing_without_one(make_listing, change_price, province_user):
    signal = _signal(make_listing, change_price)
    with pytest.raises(InvalidInput) as err:
        services.signal_decide(province_user, signal=signal, action="dismiss", reason="  ")
    assert err.value.field == "reason"
    assert RiskSignal.objects.get().status == SignalStatus.OPEN
    done = services.signal_decide(province_user, signal=signal, action="dismiss", reason="原料药涨价，已核实成本")
    assert done.status == SignalStatus.DISMISSED and done.decided_by == province_user
    with pytest.raises(Conflict):
        services.signal_decide(province_user, signal=signal, action="interview", reason="再次处理")


def test_only_the_province_decides(make_listing, change_price, make_user):
    signal = _signal(make_listing, change_price)
    city = make_user(kind=OrgKind.CITY_REGULATOR)
    maker_user = make_user(signal.enterprise)
    for user in (city, maker_user):
        with pytest.raises(Forbidden):
            services.signal_decide(user, signal=signal, action="dismiss", reason="不应生效")
    assert RiskSignal.objects.get().status == SignalStatus.OPEN


def test_pages_scope(client, make_listing, change_price, make_user, province_user):
    signal = _signal(make_listing, change_price)
    city = make_user(kind=OrgKind.CITY_REGULATOR)
    maker_user = make_user(signal.enterprise)
    hospital = make_user(kind=OrgKind.INSTITUTION)
    for user, status in ((province_user, 200), (city, 200), (maker_user, 403), (hospital, 403)):
        client.force_login(user)
        assert client.get(reverse("oversight:signal_list")).status_code == status
        assert client.get(reverse("oversight:enterprise_detail", args=[signal.enterprise_id])).status_code == status
    client.force_login(city)
    resp = client.post(reverse("oversight:signal_decide", args=[signal.pk]), {"action": "dismiss", "reason": "x"})
    assert resp.status_code == 403 and RiskSignal.objects.get().status == SignalStatus.OPEN
    client.force_login(province_user)
    resp = client.post(reverse("oversight:signal_decide", args=[signal.pk]),
                       {"action": "bad_record", "reason": "多次无正当理由涨价"})
    assert resp.status_code == 302 and "qualifications" in resp["Location"]
    assert RiskSignal.objects.get().status == SignalStatus.BAD_RECORD


def test_enterprise_record_page_shows_history_and_chart(client, make_listing, change_price, province_user):
    listing = make_listing("10.00")
    change_price(listing, "10.00", "11.00", date(2026, 10, 1))
    services.run_nightly(TODAY)
    client.force_login(province_user)
    page = client.get(reverse("oversight:enterprise_detail", args=[listing.product.manufacturer_id])).content.decode()
    assert "price-chart" in page and "挂网价上涨" in page and str(listing.product) in page


def test_signal_export_opens(client, make_listing, change_price, province_user):
    from io import BytesIO

    from openpyxl import load_workbook

    _signal(make_listing, change_price)
    client.force_login(province_user)
    resp = client.get(reverse("oversight:signal_export"))
    rows = list(load_workbook(BytesIO(b"".join(resp.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][1] == "类型" and rows[1][1] == "挂网价上涨"
