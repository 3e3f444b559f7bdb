"""VBP-9 (002 §24–§25): the province extends a result to similar products (同类产品跟标扩围):
a product of another generic name, at a price not above the variety's selected price; once
its enterprise accepts, institutions buy it at that price in the period, without second
negotiation."""

from datetime import date
from decimal import Decimal as D

import pytest

from core.errors import Conflict, Forbidden, NotFound, RuleViolation
from orders.pricing import quote_in_force
from vbp import providers, rules, services
from vbp.models import SimilarExtension

pytestmark = pytest.mark.django_db
ON = date(2026, 3, 2)


@pytest.fixture
def similar(published, make_product):
    """The published national result (阿莫西林胶囊 selected at 6.50) and a similar product."""
    w = published
    w.similar = make_product(w.other_manufacturer, price="12.00", name="阿莫西林分散片")
    return w


@pytest.mark.parametrize("price,ok", [("6.50", True), ("6.51", False), ("0", False)])
def test_vbp_9_similar_price_not_above_the_selected_price(price, ok):
    problem = rules.vbp_9_similar_extension("drug", "drug", False, D(price), [D("6.50")], ON, date(2026, 12, 31))
    assert (problem is None) == ok


def test_vbp_9_similar_extension_rule_refusals():
    end = date(2026, 12, 31)
    assert rules.vbp_9_similar_extension("drug", "consumable", False, 1, [2], ON, end)[0] == "VBP-9"
    assert rules.vbp_9_similar_extension("drug", "drug", True, 1, [2], ON, end)[0] == "VBP-9"
    assert rules.vbp_9_similar_extension("drug", "drug", False, 1, [], ON, end)[0] == "VBP-9"
    assert rules.vbp_9_similar_extension("drug", "drug", False, 1, [2], end, end) is None
    assert rules.vbp_9_similar_extension("drug", "drug", False, 1, [2], date(2027, 1, 1), end)[0] == "VBP-9"


def test_vbp_9_accepted_extension_is_the_price_in_force_and_not_negotiable(similar):
    w = similar
    ext = services.similar_extend(w.province, w.variety, product=w.similar, price="6.50", reason="同类产品价格协同",
                                  today=ON)
    assert ext.status == "proposed"
    assert quote_in_force(w.institution, w.similar, ON).price == D("12.00")  # not before the enterprise accepts
    assert not providers.selected_in_period(w.similar, ON)
    services.similar_respond(w.other_mfr_user, ext, accept=True)
    quote = quote_in_force(w.institution, w.similar, ON)
    assert (quote.price, quote.source, quote.rule) == (D("6.50"), "vbp", "VBP-9")
    assert providers.selected_in_period(w.similar, ON)  # NEG-2: no second negotiation
    assert quote_in_force(w.institution, w.similar, date(2027, 1, 2)).price == D("12.00")  # period over


def test_vbp_9_extension_refusals_write_nothing(similar):
    w = similar
    with pytest.raises(RuleViolation) as exc:
        services.similar_extend(w.province, w.variety, product=w.similar, price="6.51", reason="x", today=ON)
    assert (exc.value.code, exc.value.field) == ("VBP-9", "price")
    with pytest.raises(RuleViolation):  # the variety's own non-selected product is not a similar product
        services.similar_extend(w.province, w.variety, product=w.non_selected, price="6", reason="x", today=ON)
    with pytest.raises(Forbidden):
        services.similar_extend(w.inst_user, w.variety, product=w.similar, price="6", reason="x", today=ON)
    with pytest.raises(RuleViolation):
        services.similar_extend(w.province, w.variety, product=w.similar, price="6", reason="x",
                                today=date(2027, 1, 1))
    assert not SimilarExtension.objects.exists()
    ext = services.similar_extend(w.province, w.variety, product=w.similar, price="6", reason="x", today=ON)
    with pytest.raises(Conflict):
        services.similar_extend(w.province, w.variety, product=w.similar, price="5", reason="x", today=ON)
    with pytest.raises(NotFound):  # only the similar product's own enterprise answers
        services.similar_respond(w.mfr_user, ext, accept=True)
    services.similar_respond(w.other_mfr_user, ext, accept=False)
    with pytest.raises(Conflict):
        services.similar_respond(w.other_mfr_user, ext, accept=True)
    assert quote_in_force(w.institution, w.similar, ON).price == D("12.00")


def test_vbp_9_extension_through_the_pages(client, similar):
    w = similar
    client.force_login(w.province)
    url = f"/vbp/tenders/{w.tender.pk}/"
    r = client.post(f"{url}similar", {"variety": w.variety.pk, "national_code": w.similar.national_code,
                                      "price": "7.00", "reason": "价格协同"}, follow=True)
    assert "不高于本品种中选价 6.50 元" in r.content.decode()
    assert not SimilarExtension.objects.exists()
    client.post(f"{url}similar", {"variety": w.variety.pk, "national_code": w.similar.national_code,
                                  "price": "6.00", "reason": "价格协同"})
    ext = SimilarExtension.objects.get()
    client.force_login(w.mfr_user)  # not its product: the proposal is invisible
    assert client.post(f"/vbp/extensions/{ext.pk}/respond", {"accept": "1"}).status_code == 404
    client.force_login(w.other_mfr_user)
    assert "阿莫西林分散片" in client.get(url).content.decode()
    client.post(f"/vbp/extensions/{ext.pk}/respond", {"accept": "1"})
    ext.refresh_from_db()
    assert ext.status == "accepted"
    client.force_login(w.inst_user)
    assert "阿莫西林分散片" in client.get(url).content.decode()
