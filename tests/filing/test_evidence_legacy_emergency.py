"""LST-C2/LST-C4 evidence counted by the platform (distinct public institutions of the level),
FIL-4 legacy import (row errors, all-or-nothing), 002 §19 emergency formalities, FIL-C5."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import Forbidden, InvalidInput, RuleViolation
from filing import selectors, services
from filing.models import FilingRequest
from filing.signals import filing_submitted
from listing import evidence
from policy.models import PolicyValue

from .conftest import buy, fake_pdf

pytestmark = pytest.mark.django_db
AT = date(2026, 3, 1)


def test_lst_c2_counts_distinct_tertiary_public_institutions(world, confirmed, make_org):
    confirmed(world, world.tertiary, world.hv)
    confirmed(world, world.tertiary2, world.hv)
    confirmed(world, world.secondary, world.hv)          # secondary: not for LST-C2
    confirmed(world, world.private, world.hv)            # private: never counts
    FilingRequest.objects.filter(institution=world.tertiary2).update(status="refused")
    confirmed(world, world.tertiary2, world.hv)          # a new confirmed one: still one institution
    assert selectors.filing_institution_count(world.hv, min_level=3, at=AT) == 2
    assert selectors.filing_institution_count(world.hv, min_level=2, at=AT) == 3
    # listing reads the count through its hook (the typed count is replaced)
    assert evidence.filing_count(world.hv, min_level=3, at=AT, typed=99) == 2


def test_lst_c2_purchase_required_is_a_policy_parameter(world, confirmed):
    confirmed(world, world.tertiary, world.hv)
    confirmed(world, world.tertiary2, world.hv)
    buy(world, world.tertiary_user, world.hv, date(2026, 2, 1))
    assert selectors.filing_institution_count(world.hv, min_level=3, at=AT, require_purchase=True) == 1
    PolicyValue.objects.create(key="fil.evidence_requires_purchase", value=True, effective_from=date(2026, 2, 1),
                               reason="测试")
    assert selectors.filing_institution_count(world.hv, min_level=3, at=AT) == 1


HEADERS = services.LEGACY_HEADERS


def upload(xlsx_bytes, rows):
    return SimpleUploadedFile("legacy.xlsx", xlsx_bytes(rows, HEADERS))


def test_fil_4_legacy_import_all_or_nothing_with_row_errors(world, xlsx_bytes):
    rows = [
        ["药品", world.tertiary.name, world.drug.national_code, 100, 10, "2020-06-01", "省级", "是"],
        ["药品", world.secondary.name, world.drug.national_code, 100, 10, "2020-06-01", "省级", "否"],   # no purchase
        ["药品", world.tertiary2.name, world.drug.national_code, 100, 10, "2021-01-01", "省级", "是"],  # after cut-off
        ["高值医用耗材", world.tertiary.name, world.hv.national_code, 9000, 2, "2019-01-01", "市级", "否"],
        ["普通医用耗材", "不存在的医院", world.ordinary.national_code, 5, 2, "2019-01-01", "市级", "否"],
    ]
    with pytest.raises(services.ImportRefused) as exc:
        services.legacy_import(world.province_user, upload(xlsx_bytes, rows))
    assert [e["row"] for e in exc.value.errors] == [3, 4, 6]
    assert all("FIL-4" in e["detail"] for e in exc.value.errors[:2])
    assert not FilingRequest.objects.exists()
    created = services.legacy_import(world.province_user, upload(xlsx_bytes, [rows[0], rows[3]]))
    assert len(created) == 2 and all(f.legacy and f.status == "confirmed" for f in created)


def test_fil_4_legacy_filing_stays_purchasable_by_its_institution_only(world, xlsx_bytes):
    from orders.pricing import quote_in_force

    services.legacy_import(world.province_user, upload(xlsx_bytes, [
        ["高值医用耗材", world.tertiary.name, world.hv.national_code, 9000, 2, "2019-01-01", "市级", "否"]]))
    assert quote_in_force(world.tertiary, world.hv, AT).price == Decimal("9000")
    assert quote_in_force(world.tertiary2, world.hv, AT) is None


def test_fil_4_wrong_file_type_and_wrong_user(world):
    with pytest.raises(InvalidInput):
        services.legacy_import(world.province_user, fake_pdf("legacy.xlsx"))
    with pytest.raises(Forbidden):
        services.legacy_import(world.nanjing_user, fake_pdf("legacy.xlsx"))


def test_emergency_formalities_bypass_level_and_send_signal(world):
    """002 §19: an after-the-fact consumable filing linked to an emergency case is not refused
    by the institution's level (a primary institution here) and tells the shortage app."""
    seen = []

    def receiver(sender, filing, **kw):
        seen.append(filing.emergency_case_ref)

    filing_submitted.connect(receiver)
    try:
        with pytest.raises(RuleViolation):
            services.filing_submit(world.primary_user, kind="ordinary", product=world.ordinary, price="5", quantity=3)
        f = services.filing_submit(world.primary_user, kind="ordinary", product=world.ordinary, price="5", quantity=3,
                                   emergency_case_ref="EMG-2026-0007")
    finally:
        filing_submitted.disconnect(receiver)
    assert f.emergency_case_ref == "EMG-2026-0007" and seen == ["EMG-2026-0007"]


def test_fil_c5_payment_standard_set_by_province_with_transition(world, confirmed):
    with pytest.raises(RuleViolation):
        services.payment_standard_set(world.province_user, product=world.hv, amount="100", reason="测试")
    confirmed(world, world.tertiary, world.hv)
    with pytest.raises(Forbidden):
        services.payment_standard_set(world.tertiary_user, product=world.hv, amount="100", reason="测试")
    with pytest.raises(RuleViolation) as exc:
        services.payment_standard_set(world.province_user, product=world.hv, amount="100.01",
                                      comparable_standard="100", reason="测试")
    assert exc.value.code == "FIL-C5"
    std = services.payment_standard_set(world.province_user, product=world.hv, amount="95", comparable_standard="100",
                                        first_sale_in_province=True, effective_from=date(2026, 3, 1), reason="首发")
    assert std.transition_until == date(2027, 3, 1)


def test_fil_c4_consumable_filing_into_listing_in_one_step(world, confirmed):
    """FIL-C4: the enterprise turns a confirmed consumable filing into a listing application,
    pre-filled (category, price); drugs cannot (they apply under LST-2.x)."""
    from listing.models import ListingApplication

    from .conftest import pdf

    drug_filing = confirmed(world, world.tertiary, world.drug, kind="drug")
    with pytest.raises(RuleViolation) as exc:
        services.filing_to_listing(world.maker_user, drug_filing.pk)
    assert exc.value.code == "FIL-C4"
    hospitals = [world.tertiary, world.tertiary2, world.secondary, world.suzhou_hospital]
    filings = [confirmed(world, h, world.ordinary, kind="ordinary", price="5") for h in hospitals]
    with pytest.raises(RuleViolation) as exc:  # 4 filing institutions < 10 (LST-C4)
        services.filing_to_listing(world.maker_user, filings[0].pk,
                                   documents={"qualification": pdf(), "filing_records": pdf()})
    assert exc.value.code == "LST-C4" and "4 家" in exc.value.detail
    assert not ListingApplication.objects.exists()
    with pytest.raises(Forbidden):
        services.filing_to_listing(world.tertiary_user, filings[0].pk)


def test_fil_c4_ten_filing_institutions_make_the_listing_application(world, confirmed, make_org):
    from listing.models import ListingApplication

    from .conftest import pdf

    filings = [confirmed(world, make_org(level=2, ownership="public"), world.ordinary, kind="ordinary", price="5")
               for _ in range(10)]
    app = services.filing_to_listing(world.maker_user, filings[0].pk,
                                     documents={"qualification": pdf(), "filing_records": pdf()})
    assert isinstance(app, ListingApplication)
    assert (app.category, app.declared_price, app.product_id) == ("LST-C4", Decimal("5"), world.ordinary.pk)
    assert filings[0].trail.filter(action="listing_application").exists()


def test_fil_c5_transition_end_opens_the_negotiation_once_and_insurance_reads_it(world, confirmed):
    confirmed(world, world.tertiary, world.hv)
    std = services.payment_standard_set(world.province_user, product=world.hv, amount="95", first_sale_in_province=True,
                                        effective_from=date(2026, 3, 1), reason="首发")
    assert selectors.payment_standard(world.hv, date(2026, 3, 2)) == std
    assert services.transition_ends_daily(date(2027, 2, 28)) == 0
    assert services.transition_ends_daily(date(2027, 3, 1)) == 1
    assert services.transition_ends_daily(date(2027, 3, 2)) == 0
    std.refresh_from_db()
    assert std.negotiation_opened_on == date(2027, 3, 1)


def test_legacy_and_payment_pages(client, world, xlsx_bytes, confirmed):
    client.force_login(world.province_user)
    bad = upload(xlsx_bytes, [["药品", world.tertiary.name, world.drug.national_code, 100, 10, "2021-06-01", "省级", "是"]])
    page = client.post("/filing/legacy/", {"file": bad}).content.decode()
    assert "FIL-4" in page and not FilingRequest.objects.exists()
    confirmed(world, world.tertiary, world.hv)
    r = client.post("/filing/payment-standards/", {"national_code": world.hv.national_code, "amount": "120",
                                                   "comparable_standard": "100", "reason": "测试"})
    assert "FIL-C5" in r.content.decode()
    client.force_login(world.tertiary_user)
    assert client.get("/filing/legacy/").status_code == 403
    assert client.get("/filing/payment-standards/").status_code == 403
