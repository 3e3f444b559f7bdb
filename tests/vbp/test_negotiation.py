"""VBP-5: selection by price negotiation and (high-value alliances) insurance-access
negotiation — the organiser records rounds per bidder (offer, counter-offer, agreed price or
failure) after the bid window; selection follows the agreed prices (000 annex §四(九);
002 §21–§22)."""

from datetime import date
from decimal import Decimal as D

import pytest

from core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from listing.models import Listing
from tests import factories as f
from vbp import rules, services
from vbp.models import NegotiationRound, SelectedProduct

from .conftest import tender_fields

pytestmark = pytest.mark.django_db

AFTER = date(2025, 11, 21)


# ------------------------------------------------------------------ the rule, at its boundaries

@pytest.mark.parametrize("offer,counter,outcome,agreed,previous,ok", [
    ("6.00", None, "open", None, None, True),         # offer equal to the bid
    ("6.01", None, "open", None, None, False),        # one cent over the bid
    ("5.50", None, "open", None, "5.50", True),       # equal to the previous offer
    ("5.51", None, "open", None, "5.50", False),      # above the previous offer
    ("5.50", "5.49", "open", None, None, True),       # counter one cent below the offer
    ("5.50", "5.50", "open", None, None, False),      # counter equal to the offer: that is agreement
    ("5.50", "5.00", "agreed", "5.00", None, True),   # agreed at the counter-offer
    ("5.50", "5.00", "agreed", "5.50", None, True),   # agreed at the offer
    ("5.50", "5.00", "agreed", "4.99", None, False),  # below the counter-offer
    ("5.50", "5.00", "agreed", "5.51", None, False),  # above the offer
    ("5.50", None, "agreed", None, None, False),      # agreed without a price
    ("5.50", None, "failed", "5.00", None, False),    # a price on a failed round
    ("0", None, "open", None, None, False),
])
def test_vbp_5_negotiation_round_boundaries(offer, counter, outcome, agreed, previous, ok):
    problem = rules.vbp_5_negotiation_round("negotiation", D("6.00"), D(offer), None if counter is None else D(counter),
                                            outcome, None if agreed is None else D(agreed),
                                            previous_offer=None if previous is None else D(previous))
    assert (problem is None) == ok
    if problem:
        assert problem[0] == "VBP-5"


def test_vbp_5_price_competition_takes_no_negotiation():
    assert rules.vbp_5_negotiation_round("price_competition", 6, 5, None, "open", None)[0] == "VBP-5"


def test_vbp_5_negotiated_winners_lowest_agreed_price_first_tie_by_bid_order():
    assert rules.vbp_5_negotiated_winners([("a", D("5.0"), 0), ("b", D("4.9"), 1), ("c", D("4.9"), 2)], 2) == ["b", "c"]
    assert rules.vbp_5_negotiated_winners([], 1) == []


# ------------------------------------------------------------------ the workflow

@pytest.fixture
def negotiated(vbp_world):
    """A provincial tender selected by price negotiation; two bids for one variety, window closed."""
    w = vbp_world
    w.tender = services.tender_create(w.province, **tender_fields(code="SJ-T1", level="provincial",
                                                                  selection_mode="negotiation"))
    w.tender.expert_session = f.ExpertSessionFactory(title="品种遴选", created_by=w.province)
    w.variety = services.variety_add(w.province, w.tender, name="阿莫西林胶囊", priority="high_spend")
    services.tender_open_bidding(w.province, w.tender, opens=date(2025, 11, 10), closes=date(2025, 11, 20))
    w.bid = services.bid_submit(w.mfr_user, w.variety, product=w.product, price="6", today=date(2025, 11, 15))
    w.other_bid = services.bid_submit(w.other_mfr_user, w.variety, product=w.non_selected, price="5.8",
                                      today=date(2025, 11, 15))
    return w


def test_vbp_5_negotiation_selects_at_the_agreed_price_and_lists_it(negotiated):
    """The lowest agreed price is selected — not the lowest bid — and listed at the agreed price."""
    w = negotiated
    services.negotiation_record(w.province, w.bid, offer="5.8", counter_offer="5.0", outcome="open", today=AFTER)
    services.negotiation_record(w.province, w.bid, offer="5.4", counter_offer="5.2", outcome="agreed",
                                agreed_price="5.3", today=AFTER)
    services.negotiation_record(w.province, w.other_bid, offer="5.8", counter_offer="5.0", outcome="failed",
                                today=AFTER)
    with pytest.raises(RuleViolation):  # the mode decides how selection is made
        services.tender_select_by_price(w.province, w.tender, today=AFTER)
    chosen = services.tender_select_by_negotiation(w.province, w.tender, today=AFTER)
    assert [(s.product, s.price, s.allocation_share) for s in chosen] == [(w.product, D("5.3"), D("100"))]
    assert chosen[0].negotiation.number == 2
    w.tender.refresh_from_db()
    assert "谈判" in w.tender.selection_rule
    services.tender_publish(w.province, w.tender)
    assert Listing.objects.get(product=w.product).price == D("5.3")


def test_vbp_5_selection_refused_while_a_negotiation_is_open(negotiated):
    w = negotiated
    services.negotiation_record(w.province, w.bid, offer="5.5", outcome="agreed", agreed_price="5.5", today=AFTER)
    services.negotiation_record(w.province, w.other_bid, offer="5.7", counter_offer="5.0", outcome="open",
                                today=AFTER)
    with pytest.raises(RuleViolation) as exc:
        services.tender_select_by_negotiation(w.province, w.tender, today=AFTER)
    assert exc.value.code == "VBP-5" and "未完成谈判" in exc.value.detail
    assert not SelectedProduct.objects.exists()


def test_vbp_5_all_failed_variety_has_no_selected_product_and_can_be_published(negotiated):
    w = negotiated
    for bid in (w.bid, w.other_bid):
        services.negotiation_record(w.province, bid, offer="5.8", outcome="failed", today=AFTER)
    assert services.tender_select_by_negotiation(w.province, w.tender, today=AFTER) == []
    services.tender_publish(w.province, w.tender)
    assert not Listing.objects.filter(category="VBP-1").exists()


def test_vbp_5_negotiation_refusals_write_nothing(negotiated):
    """Over the bid, before the window closed, after conclusion, by a non-organiser, a
    non-number: each refused, no round written beyond the valid ones."""
    w = negotiated
    with pytest.raises(RuleViolation) as exc:
        services.negotiation_record(w.province, w.bid, offer="6.01", outcome="open", today=AFTER)
    assert exc.value.code == "VBP-5" and exc.value.field == "offer"
    with pytest.raises(Conflict):
        services.negotiation_record(w.province, w.bid, offer="5", outcome="open", today=date(2025, 11, 20))
    with pytest.raises(Forbidden):
        services.negotiation_record(w.mfr_user, w.bid, offer="5", outcome="open", today=AFTER)
    with pytest.raises(InvalidInput):
        services.negotiation_record(w.province, w.bid, offer="abc", outcome="open", today=AFTER)
    assert not NegotiationRound.objects.exists()
    services.negotiation_record(w.province, w.bid, offer="5.5", outcome="failed", today=AFTER)
    with pytest.raises(Conflict):
        services.negotiation_record(w.province, w.bid, offer="5.0", outcome="open", today=AFTER)
    assert NegotiationRound.objects.count() == 1


def test_vbp_5_price_competition_tender_refuses_negotiation(vbp_world):
    w = vbp_world
    tender = services.tender_create(w.province, **tender_fields(code="SJ-P1", level="provincial"))
    tender.expert_session = f.ExpertSessionFactory(title="遴选", created_by=w.province)
    v = services.variety_add(w.province, tender, name="阿莫西林胶囊", priority="high_spend")
    services.tender_open_bidding(w.province, tender, opens=date(2025, 11, 10), closes=date(2025, 11, 20))
    bid = services.bid_submit(w.mfr_user, v, product=w.product, price="6", today=date(2025, 11, 15))
    with pytest.raises(RuleViolation) as exc:
        services.negotiation_record(w.province, bid, offer="5", outcome="open", today=AFTER)
    assert exc.value.code == "VBP-5"
    with pytest.raises(RuleViolation):
        services.tender_select_by_negotiation(w.province, tender, today=AFTER)


def test_vbp_5_insurance_access_negotiation_for_a_high_value_alliance(vbp_world):
    """High-value alliance (002 §21) run by insurance-access negotiation: the agreed price is selected."""
    w = vbp_world
    stent = f.ProductFactory(kind="consumable", national_code="C" + f"{w.manufacturer.pk:026d}",
                             generic_name="冠脉支架", consumable_class="hv6", pack_unit="个",
                             manufacturer=w.manufacturer, dosage_form="", specification="")
    tender = services.tender_create(w.province, **tender_fields(
        code="GZ-1", name="高值耗材联盟", level="alliance", alliance_kind="high_value", product_kind="consumable",
        selection_mode="insurance_access"))
    tender.expert_session = f.ExpertSessionFactory(title="遴选", created_by=w.province)
    v = services.variety_add(w.province, tender, name="冠脉支架", priority="high_spend")
    services.tender_open_bidding(w.province, tender, opens=date(2025, 11, 10), closes=date(2025, 11, 20))
    bid = services.bid_submit(w.mfr_user, v, product=stent, price="700", today=date(2025, 11, 15))
    services.negotiation_record(w.province, bid, offer="650", counter_offer="500", outcome="open", today=AFTER)
    with pytest.raises(RuleViolation):  # the enterprise may not go back up
        services.negotiation_record(w.province, bid, offer="660", outcome="open", today=AFTER)
    services.negotiation_record(w.province, bid, offer="600", counter_offer="580", outcome="agreed",
                                agreed_price="590", today=AFTER)
    chosen = services.tender_select_by_negotiation(w.province, tender, today=AFTER)
    assert [(s.product, s.price) for s in chosen] == [(stent, D("590"))]
