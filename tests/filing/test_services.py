"""Filing requests and checks (FIL-1, FIL-2, FIL-C2, FIL-C3), confirmation (FIL-3, FIL-C1) and
"whoever files buys" (FIL-3, ORD-4). Every refusal writes nothing."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from filing import services
from filing.models import FilingEvent, FilingRequest
from listing.models import Listing
from orders.pricing import quote_in_force
from orders.services import ordering
from tests.concurrency import at_once

from .conftest import fake_pdf, pdf

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


def at(d=TODAY):
    return time_machine.travel(f"{d.isoformat()} 10:00 +08:00", tick=False)


def file_hv(w, user=None, price="9000", **kw):
    return services.filing_submit(user or w.tertiary_user, kind="high_value", product=w.hv, price=price,
                                  quantity=20, at=TODAY, **kw)


def file_drug(w, user=None, price="100", docs=True, **kw):
    return services.filing_submit(user or w.tertiary_user, kind="drug", product=w.drug, price=price, quantity=50,
                                  documents={"A": pdf()} if docs else None, at=TODAY, **kw)


def confirm_hv(w, filing, record=None):
    services.enterprise_respond(w.maker_user, filing.pk, lowest_price="8800", agreed_price="8800", agreed_quantity=20)
    services.filing_decide(w.province_user, filing.pk, action="approve", reason="有省级挂网记录，价格不高于最低价", at=TODAY)
    filing.refresh_from_db()
    services.run_publication(filing.publish_on)
    filing.refresh_from_db()
    return filing


def test_fil_c2_tertiary_public_files_high_value_with_provincial_record(world, record):
    record(world.hv, "9500")
    f = file_hv(world)
    assert f.status == "awaiting_enterprise" and f.confirming_body == "province"
    assert f.has_records and not f.needs_expert and f.lowest_record_price == Decimal("9500")


@pytest.mark.parametrize("who,rule", [
    ("secondary_user", "FIL-C2"),  # a secondary hospital filing a high-value consumable
    ("private_user", "FIL-C2"),    # a private hospital filing a consumable
    ("primary_user", "FIL-C2"),
])
def test_fil_c2_institution_refusals_write_nothing(world, record, who, rule):
    record(world.hv, "9500")
    with pytest.raises(RuleViolation) as exc:
        file_hv(world, user=getattr(world, who))
    assert exc.value.code == rule
    assert not FilingRequest.objects.exists()


def test_fil_c3_private_hospital_cannot_file_ordinary_consumable(world):
    with pytest.raises(RuleViolation) as exc:
        services.filing_submit(world.private_user, kind="ordinary", product=world.ordinary, price="5", quantity=100,
                               at=TODAY)
    assert exc.value.code == "FIL-C3" and "医保定点社会办" in exc.value.detail
    assert not FilingRequest.objects.exists()


def test_fil_c3_ordinary_goes_to_the_city_and_city_record_counts(world, record):
    record(world.ordinary, "6", level="city", province="浙江省", city="杭州市")
    f = services.filing_submit(world.secondary_user, kind="ordinary", product=world.ordinary, price="5.5",
                               quantity=100, at=TODAY)
    assert f.confirming_body == "city" and f.confirming_city == world.secondary.city
    assert f.has_records and not f.needs_expert


def test_fil_c2_city_record_alone_means_expert_review(world, record):
    """FIL-C2 correction: only provincial records count for high-value consumables."""
    record(world.hv, "9500", level="city", province="浙江省", city="杭州市")
    f = file_hv(world, price="12000")
    assert not f.has_records and f.needs_expert


def test_fil_c2_price_above_lowest_provincial_refused_with_numbers(world, record):
    record(world.hv, "8000")
    with pytest.raises(RuleViolation) as exc:
        file_hv(world, price="8000.01")
    assert exc.value.code == "FIL-C2" and "8000.01" in exc.value.detail and "8000.00" in exc.value.detail
    assert not FilingRequest.objects.exists()


def test_fil_1_primary_institution_cannot_file_a_drug(world):
    with pytest.raises(RuleViolation) as exc:
        file_drug(world, user=world.primary_user)
    assert exc.value.code == "FIL-1" and "一级" in exc.value.detail
    assert not FilingRequest.objects.exists()


def test_fil_1_excluded_infusion(world):
    with pytest.raises(RuleViolation) as exc:
        services.filing_submit(world.tertiary_user, kind="drug", product=world.infusion, price="3", quantity=5,
                               documents={"A": pdf()}, at=TODAY)
    assert exc.value.code == "FIL-1" and "大容量注射剂" in exc.value.detail
    assert not FilingRequest.objects.exists()


def test_fil_1_drug_already_listed_refused_with_link_to_ordering(world):
    Listing.objects.create(product=world.drug, price=Decimal("90"), category="LST-1", effective_date=date(2025, 1, 1))
    with pytest.raises(RuleViolation) as exc:
        file_drug(world)
    assert exc.value.code == "FIL-1" and "/shop/" in exc.value.detail
    assert not FilingRequest.objects.exists()


def test_fil_2_drug_price_above_lowest_provincial(world, record):
    record(world.drug, "99.99")
    with pytest.raises(RuleViolation) as exc:
        file_drug(world, price="100")
    assert exc.value.code == "FIL-2" and "99.99" in exc.value.detail


def test_fil_2_document_not_what_its_extension_says(world):
    with pytest.raises(InvalidInput) as exc:
        services.filing_submit(world.tertiary_user, kind="drug", product=world.drug, price="100", quantity=5,
                               documents={"A": fake_pdf()}, at=TODAY)
    assert exc.value.field == "documents.A"
    assert not FilingRequest.objects.exists()


def test_fil_2_drug_needs_institution_request_document(world):
    with pytest.raises(RuleViolation) as exc:
        file_drug(world, docs=False)
    assert exc.value.code == "FIL-2"


def test_fil_3_duplicate_request_refused(world, record):
    record(world.hv, "9500")
    file_hv(world)
    with pytest.raises(Conflict) as exc:
        file_hv(world)
    assert exc.value.code == "FIL-3"
    assert FilingRequest.objects.count() == 1


def test_negative_or_absurd_price_refused(world):
    for bad in ("-1", "0", "abc", "99999999999"):
        with pytest.raises(InvalidInput):
            file_hv(world, price=bad)
    assert not FilingRequest.objects.exists()


def test_only_institutions_file(world):
    with pytest.raises(Forbidden):
        services.filing_submit(world.maker_user, kind="high_value", product=world.hv, price="1", quantity=1, at=TODAY)


def test_another_institution_cannot_act_on_the_request(world, record):
    record(world.hv, "9500")
    f = file_hv(world)
    with pytest.raises(NotFound):
        services.filing_withdraw(world.tertiary2_user, f.pk)
    with pytest.raises(NotFound):
        services.enterprise_respond(world.other_maker_user, f.pk, lowest_price="1", agreed_price="1", agreed_quantity=1)
    f.refresh_from_db()
    assert f.status == "awaiting_enterprise"


def test_fil_c2_enterprise_agreed_price_not_above_filed(world, record):
    record(world.hv, "9500")
    f = file_hv(world)
    with pytest.raises(RuleViolation) as exc:
        services.enterprise_respond(world.maker_user, f.pk, lowest_price="9000", agreed_price="9000.01", agreed_quantity=20)
    assert exc.value.code == "FIL-C2"
    f.refresh_from_db()
    assert f.status == "awaiting_enterprise" and f.agreed_price is None


def test_fil_2_drug_documents_complete_before_the_province(world):
    f = file_drug(world)
    with pytest.raises(RuleViolation) as exc:
        services.enterprise_respond(world.maker_user, f.pk, lowest_price="95", documents={"C": pdf()})
    assert exc.value.code == "FIL-2" and "D." in exc.value.detail
    f = services.enterprise_respond(world.maker_user, f.pk, lowest_price="95", documents={"C": pdf(), "D": pdf()})
    assert f.status == "submitted"


def test_fil_3_city_cannot_decide_a_provincial_filing_and_wrong_city_cannot_see_it(world, record):
    record(world.hv, "9500")
    f = file_hv(world)
    services.enterprise_respond(world.maker_user, f.pk, lowest_price="8800", agreed_price="8800", agreed_quantity=20)
    with pytest.raises(Forbidden):
        services.filing_decide(world.nanjing_user, f.pk, action="approve", at=TODAY)
    with pytest.raises(NotFound):
        services.filing_decide(world.suzhou_user, f.pk, action="approve", at=TODAY)
    f.refresh_from_db()
    assert f.status == "submitted"


def test_refuse_and_return_need_reasons_and_are_audited(world, record):
    record(world.hv, "9500")
    f = file_hv(world)
    services.enterprise_respond(world.maker_user, f.pk, lowest_price="8800", agreed_price="8800", agreed_quantity=20)
    with pytest.raises(InvalidInput):
        services.filing_decide(world.province_user, f.pk, action="refuse", reason=" ", at=TODAY)
    services.filing_decide(world.province_user, f.pk, action="return", reason="请补充临床需求说明", at=TODAY)
    f.refresh_from_db()
    assert f.status == "returned" and f.decision_reason == "请补充临床需求说明" and f.decided_by == world.province_user
    assert FilingEvent.objects.filter(filing=f, action="return", user=world.province_user).exists()
    f = services.filing_resubmit(world.tertiary_user, f.pk, price="8900", reason="补充说明", at=TODAY)
    assert f.status == "awaiting_enterprise" and f.price == Decimal("8900")


def test_fil_c2_without_records_expert_review_before_approval(world):
    f = file_hv(world, price="12000")
    services.enterprise_respond(world.maker_user, f.pk, lowest_price="12000", agreed_price="12000", agreed_quantity=20)
    with pytest.raises(RuleViolation) as exc:
        services.filing_decide(world.province_user, f.pk, action="approve", at=TODAY)
    assert exc.value.code == "FIL-C2" and "EXP-1" in exc.value.detail


def test_fil_3_drug_monthly_batch_then_whoever_files_buys(world):
    """FIL-3: a drug filing approved on 2 March takes effect on the batch day (15th → Monday 16 March);
    only the filing institution gets the filed price, another institution is refused naming FIL-3."""
    f = file_drug(world)
    services.enterprise_respond(world.maker_user, f.pk, lowest_price="95", documents={"C": pdf(), "D": pdf()})
    f = services.filing_decide(world.province_user, f.pk, action="approve", at=TODAY)
    assert f.status == "approved" and f.batch_date == date(2026, 3, 16)
    assert services.run_publication(date(2026, 3, 13)) == {"confirmed": 0, "announced": 0, "published": 0}
    assert services.run_publication(date(2026, 3, 16))["confirmed"] == 1
    assert services.run_publication(date(2026, 3, 16))["confirmed"] == 0  # run twice: nothing more
    f.refresh_from_db()
    assert f.status == "confirmed" and f.confirmed_on == date(2026, 3, 16)
    quote = quote_in_force(world.tertiary, world.drug, date(2026, 3, 17))
    assert quote.price == Decimal("100") and quote.source == "filing" and quote.rule == "FIL-3"
    assert quote_in_force(world.tertiary2, world.drug, date(2026, 3, 17)) is None


def test_fil_c1_consumable_announced_then_published(world, record):
    record(world.hv, "9500")
    f = file_hv(world)
    services.enterprise_respond(world.maker_user, f.pk, lowest_price="8800", agreed_price="8800", agreed_quantity=20)
    f = services.filing_decide(world.province_user, f.pk, action="approve", at=TODAY)
    # every two months from January on the 15th: March 15 2026 is a Sunday → Monday 16 March
    assert f.announce_on == date(2026, 3, 16) and f.publish_on == date(2026, 3, 23)
    assert services.run_publication(date(2026, 3, 16))["announced"] == 1
    assert services.run_publication(date(2026, 3, 20))["published"] == 0
    assert services.run_publication(date(2026, 3, 23))["published"] == 1
    f.refresh_from_db()
    assert f.status == "confirmed"


def test_fil_3_order_by_filing_institution_at_agreed_price_and_other_refused(world, record):
    record(world.hv, "9500")
    f = confirm_hv(world, file_hv(world))
    assert f.status == "confirmed"
    with at(date(2026, 4, 1)):
        order = ordering.order_create(world.tertiary_user, lines=[{"national_code": world.hv.national_code,
                                                                    "quantity": 2}])
        line = order.lines.get()
        assert line.unit_price == Decimal("8800") and line.price_source == "filing" and line.listing_id is None
        with pytest.raises(ordering.BatchRefused) as exc:
            ordering.order_create(world.tertiary2_user, lines=[{"national_code": world.hv.national_code,
                                                                 "quantity": 1}])
    assert exc.value.code == "FIL-3" and "仅备案机构可采购" in exc.value.detail


@pytest.mark.django_db(transaction=True)
def test_fil_3_two_concurrent_duplicate_requests_make_one_filing(world, record):
    """A double submit (two requests at once for the same institution and product) writes one row;
    the other is refused naming FIL-3 (database constraint, not only the pre-check)."""
    record(world.hv, "9500")

    def run():
        try:
            return file_hv(world).number
        except Conflict as exc:
            return exc.code

    results = at_once(run)
    assert sorted(r == "FIL-3" for r in results) == [False, True]
    assert FilingRequest.objects.count() == 1
