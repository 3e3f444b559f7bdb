"""Issue 14 item 4: the filing API serializers (FilingIn, EnterpriseIn, DecideIn) validate the
body with the service's parsers — a malformed price, quantity or national code (CAT-1.1) is
refused with its field and nothing is written — and a caller who may not act is refused before
its body is read (ACT-3, FIL-3)."""

import pytest
from rest_framework.test import APIClient

from filing import services
from filing.models import FilingRequest

pytestmark = pytest.mark.django_db


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.mark.parametrize("change, status, code, field", [
    ({"price": "abc"}, 400, "invalid", "price"),
    ({"price": "-9000"}, 400, "invalid", "price"),
    ({"price": "9000.12345"}, 400, "invalid", "price"),
    ({"price": "99999999999"}, 400, "invalid", "price"),
    ({"quantity": "2.5"}, 400, "invalid", "quantity"),
    ({"quantity": "0"}, 400, "invalid", "quantity"),
    ({"national_code": "C123"}, 422, "CAT-1.1", "national_code"),
    ({"kind": "food"}, 400, "invalid", "kind"),
])
def test_filing_serializer_refuses_a_malformed_value_with_its_field(world, record, change, status, code, field):
    record(world.hv, "9500")
    body = {"kind": "high_value", "national_code": world.hv.national_code, "price": "9000", "quantity": "20", **change}
    r = api(world.tertiary_user).post("/api/v1/filings/", body, format="json")
    assert r.status_code == status, r.content
    assert r.json()["code"] == code and r.json()["field"] == field
    assert not FilingRequest.objects.exists()


def test_act_3_an_enterprise_is_refused_before_its_malformed_body_is_read(world):
    r = api(world.maker_user).post("/api/v1/filings/", {"kind": "food", "price": "abc"}, format="json")
    assert r.status_code == 403
    assert not FilingRequest.objects.exists()


@pytest.fixture
def filed(world, record):
    record(world.hv, "9500")
    return services.filing_submit(world.tertiary_user, kind="high_value", product=world.hv, price="9000", quantity=20)


def test_fil_c2_enterprise_price_and_quantity_checked_by_the_serializer(world, filed):
    for body, field in [({"agreed_price": "abc", "agreed_quantity": "20"}, "agreed_price"),
                        ({"agreed_price": "8800", "agreed_quantity": "-3"}, "agreed_quantity"),
                        ({"lowest_price": "0", "agreed_price": "8800", "agreed_quantity": "20"}, "lowest_price")]:
        r = api(world.maker_user).post(f"/api/v1/filings/{filed.pk}/enterprise", body, format="json")
        assert r.status_code == 400 and r.json()["field"] == field, r.content
    filed.refresh_from_db()
    assert filed.status == "awaiting_enterprise" and filed.agreed_price is None


def test_fil_3_a_city_is_refused_before_its_malformed_decision_is_read(world, filed):
    r = api(world.nanjing_user).post(f"/api/v1/filings/{filed.pk}/decide", {"action": "delete"}, format="json")
    assert r.status_code == 403
    r = api(world.other_maker_user).post(f"/api/v1/filings/{filed.pk}/enterprise", {"agreed_price": "abc"},
                                         format="json")
    assert r.status_code == 404
    filed.refresh_from_db()
    assert filed.status == "awaiting_enterprise"
