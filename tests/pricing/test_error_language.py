"""Issue 9 item 11: PRC refusals follow the user's language — the API's Accept-Language, the
pages' language cookie — Chinese by default, the rule ID unchanged as the code."""

from datetime import date

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from pricing import rules, services
from pricing.models import LinkageStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(listing, record_price):
    with time_machine.travel(date(2026, 9, 22), tick=False):
        record = record_price(listing.product, "8.0000", date(2026, 9, 21))
        return services.linkage_open_for_record(record)[0]


def _declare(client, case, price, **headers):
    return client.post(f"/api/v1/pricing/linkage-cases/{case.pk}/declare/", {"price": price},
                       content_type="application/json", **headers)


def test_prc_1_declaration_above_the_new_lowest_refused_in_english_through_the_api(client, case, maker_user):
    client.force_login(maker_user)
    r = _declare(client, case, "8.5", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    assert r.json() == {"code": "PRC-1", "field": "price",
                        "detail": "The declared price of 8.5 yuan is above the new national lowest price of "
                                  "8.0000 yuan; the declaration is not accepted"}
    case.refresh_from_db()
    assert case.status == LinkageStatus.OPEN and case.declared_price is None


def test_prc_1_declaration_refused_in_chinese_without_the_header(client, case, maker_user):
    client.force_login(maker_user)
    r = _declare(client, case, "8.5")
    assert r.status_code == 422 and r.json()["code"] == "PRC-1"
    assert r.json()["detail"] == "申报价 8.5 元高于新的全国最低价 8.0000 元，不予受理"


def test_prc_1_refusal_on_the_case_page_in_english_with_the_language_cookie(client, case, maker_user):
    client.force_login(maker_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post(reverse("pricing:linkage_detail", args=[case.pk]), {"declare": "1", "price": "8.5"})
    html = r.content.decode()
    assert r.status_code == 200 and "above the new national lowest price" in html
    assert "高于新的全国最低价" not in html
    case.refresh_from_db()
    assert case.declared_price is None


def test_prc_2_basis_follows_the_language_but_the_stored_round_stays_chinese(listing, record_price, province_user):
    """PRC-2: the rule's explanation is translatable; the basis stored on a round (a published
    record) is written in the platform language whatever the regulator's language."""
    from decimal import Decimal

    from django.utils import translation

    with translation.override("en"):
        assert rules.general_proposal(Decimal("10"), Decimal("8"))[1] == "Linked to National lowest price: 8"
        with time_machine.travel(date(2026, 11, 2), tick=False):
            record_price(listing.product, "8.0000", date(2026, 9, 21))
            rnd = services.general_round_start(province_user, year=2026)
    assert rnd.items.get().basis.startswith("联动全国最低价")
