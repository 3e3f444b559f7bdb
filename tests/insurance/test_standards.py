"""The yearly payment-standard run against PostgreSQL: scope, each method, reproducibility,
review with reasons, publication that cannot be edited, and the API / public page."""

import hashlib
from decimal import Decimal as D

import pytest
from django.db import InternalError, transaction
from django.urls import reverse

from core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from insurance.models import PaymentStandard, RunStatus, StandardStatus
from insurance.services import standards
from parties.models import OrgKind
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def run(user, year=2027):
    r = standards.run_start(user, year=year)
    return standards.run_execute(r.pk) or r


def by_product(run_):
    return {s.product_id: s for s in run_.standards.all()}


def test_run_computes_each_method(insurance_world, province_user):
    w = insurance_world
    r = run(province_user)
    assert r.status == RunStatus.DONE and r.total == 5 and r.done == 5  # b is outside the insurance catalogue
    rows = by_product(r)
    assert w["b"].pk not in rows
    assert (rows[w["a"].pk].rule, rows[w["a"].pk].amount) == ("INS-1", D("8.5000"))
    assert (rows[w["c"].pk].rule, rows[w["c"].pk].amount) == ("INS-6", D("100.0000"))
    assert rows[w["d"].pk].payable is False and rows[w["d"].pk].amount is None  # outside the sunshine catalogue
    assert (rows[w["e"].pk].rule, rows[w["e"].pk].amount) == ("INS-3", D("50.0000"))
    f = rows[w["f"].pk]
    assert (f.rule, f.amount) == ("INS-4", D("28.0000")) and f.explanation["path"][-1] == [2029, "10.0000"]
    assert "加权平均价 8.5000 元" in rows[w["a"].pk].explanation["steps"][0]
    # The parameters in force are stored once on the run; each explanation references them.
    assert r.parameters["ins.payment_standard_method"] == "weighted_mean_capped"
    assert "parameters" not in rows[w["a"].pk].explanation
    assert {s.explanation["parameters_sha256"] for s in rows.values()} == {standards.parameters_ref(r.parameters)}


def test_rerun_gives_identical_results(insurance_world, province_user):
    first = run(province_user)
    standards.run_publish(province_user, run=first)
    second = run(province_user)
    assert second.version == 2 and second.digest == first.digest and second.parameters == first.parameters
    one, two = by_product(first), by_product(second)
    assert {k: (v.amount, v.explanation) for k, v in one.items()} == {k: (v.amount, v.explanation) for k, v in two.items()}


def test_run_parameters_are_written_once_and_never_changed(insurance_world, province_user):
    """INS-1: the parameters in force are stored once on the run and every explanation
    references them; changing them afterwards would detach the explanations, so the database
    refuses it."""
    from insurance.models import StandardRun

    r = run(province_user)
    assert r.parameters["ins.vbp_min_cut_percent"] == "30"
    with pytest.raises(InternalError), transaction.atomic():
        StandardRun.objects.filter(pk=r.pk).update(parameters={**r.parameters, "ins.vbp_min_cut_percent": "10"})
    r.refresh_from_db()
    assert r.parameters["ins.vbp_min_cut_percent"] == "30"


def test_run_for_a_year_without_results_is_refused(insurance_world, province_user):
    with pytest.raises(RuleViolation) as err:
        standards.run_start(province_user, year=2030)
    assert err.value.code == "INS-1"


def test_only_the_province_runs_and_one_open_run_per_year(insurance_world, province_user, make_user):
    with pytest.raises(Forbidden):
        standards.run_start(make_user(kind=OrgKind.CITY_REGULATOR), year=2027)
    standards.run_start(province_user, year=2027)
    with pytest.raises(Conflict):
        standards.run_start(province_user, year=2027)  # a double click starts one run


def test_adjustment_needs_a_reason_and_publication_freezes(insurance_world, province_user):
    r = run(province_user)
    row = r.standards.get(product=insurance_world["a"])
    with pytest.raises(InvalidInput) as err:
        standards.standard_adjust(province_user, standard=row, amount="8.00", reason=" ")
    assert err.value.field == "reason" and PaymentStandard.objects.get(pk=row.pk).amount == D("8.5000")
    for bad in ("0", "-1", "abc", "1e30", "8.12345"):
        with pytest.raises(InvalidInput):
            standards.standard_adjust(province_user, standard=row, amount=bad, reason="理由")
    standards.standard_adjust(province_user, standard=row, amount="8.00", reason="参考周边省份支付标准")
    standards.run_publish(province_user, run=r)
    row.refresh_from_db()
    assert row.status == StandardStatus.PUBLISHED and row.amount == D("8.0000") and row.computed_amount == D("8.5000")
    with pytest.raises(Conflict):
        standards.standard_adjust(province_user, standard=row, amount="7.00", reason="发布后修改")
    # Even past the service, the database refuses to edit a published standard.
    with pytest.raises(InternalError), transaction.atomic():
        PaymentStandard.objects.filter(pk=row.pk).update(amount=D("1"))


def test_a_new_version_supersedes_the_published_one(insurance_world, province_user):
    first = run(province_user)
    standards.run_publish(province_user, run=first)
    second = run(province_user)
    standards.run_publish(province_user, run=second)
    a = insurance_world["a"]
    assert PaymentStandard.objects.get(run=first, product=a).status == StandardStatus.SUPERSEDED
    assert PaymentStandard.objects.get(run=second, product=a).status == StandardStatus.PUBLISHED


def test_api_and_public_page_read_the_standard_in_force(client, insurance_world, province_user, make_user):
    r = run(province_user)
    a = insurance_world["a"]
    hospital_user = make_user(insurance_world["hospitals"][0])
    client.force_login(hospital_user)
    url = reverse("insurance-api:standard-in-force")
    resp = client.get(url, {"national_code": a.national_code, "date": "2027-03-01"})
    assert resp.status_code == 404  # not published yet
    standards.run_publish(province_user, run=r)
    resp = client.get(url, {"national_code": a.national_code, "date": "2027-03-01"})
    assert resp.status_code == 200 and resp.json()["amount"] == "8.5000" and resp.json()["rule"] == "INS-1"
    assert client.get(url, {"national_code": a.national_code, "date": "9999-99-99"}).status_code == 400
    client.logout()
    page = client.get(reverse("insurance:public"), {"q": "amxl"}).content.decode()  # no sign-in, pinyin initials
    assert "阿莫西林" in page and "8.50" in page


def test_unpublished_target_year_is_flagged_in_the_fourth_quarter(insurance_world, province_user):
    from datetime import date

    assert standards.unpublished_target_year(date(2026, 9, 30)) is None
    assert standards.unpublished_target_year(date(2026, 10, 1)) == 2027
    standards.run_publish(province_user, run=run(province_user))
    assert standards.unpublished_target_year(date(2026, 12, 1)) is None


def test_run_pages(client, insurance_world, province_user, make_user):
    r = run(province_user)
    client.force_login(province_user)
    page = client.get(reverse("insurance:run_detail", args=[r.pk])).content.decode()
    assert "阿莫西林" in page and r.digest in page
    row = r.standards.get(product=insurance_world["a"])
    # INS-1: the explanation page shows the parameters in force, stored once on the run.
    detail = client.get(reverse("insurance:standard_detail", args=[row.pk])).content.decode()
    assert "ins.payment_standard_method" in detail and "weighted_mean_capped" in detail
    assert "与计算说明引用的参数摘要一致" in detail
    resp = client.post(reverse("insurance:standard_detail", args=[row.pk]), {"amount": "8", "reason": ""})
    assert resp.status_code == 400 and PaymentStandard.objects.get(pk=row.pk).adjusted_at is None
    client.force_login(make_user(kind=OrgKind.CITY_REGULATOR))
    assert client.get(reverse("insurance:run_detail", args=[r.pk])).status_code == 403


def test_filed_consumable_uses_the_regulators_filc5_standard(insurance_world, province_user):
    """FIL-C5 / INS-6: a filed consumable with no listing is paid at the standard the insurance
    regulator set for it; without one, at its filing price."""
    from datetime import date

    from filing.models import FilingRequest
    from filing.models import PaymentStandard as FilingStandard

    w = insurance_world
    set_std, plain = (ProductFactory(kind="consumable", generic_name=name, specification="型号A",
                                     manufacturer=w["maker"], consumable_class="hv6",
                                     in_sunshine_catalogue=True, national_code=None, dosage_form="") for name in ("备案支架", "备案导管"))
    for i, product in enumerate((set_std, plain)):
        FilingRequest.objects.create(number=f"BAINS{product.pk:06d}{i}", kind="high_value", institution=w["hospitals"][0],
                                     product=product, enterprise=w["maker"], price=600, agreed_price=580, quantity=1,
                                     status="confirmed", confirmed_on=date(2026, 3, 1), confirming_body="province",
                                     submitted_by=province_user)
    FilingStandard.objects.create(product=set_std, amount=550, effective_from=date(2026, 4, 1), set_by=province_user,
                                  reason="不高于同类挂网产品")
    rows = by_product(run(province_user))
    assert (rows[set_std.pk].rule, rows[set_std.pk].method, rows[set_std.pk].amount) == (
        "FIL-C5", "filed_consumable_set", D("550.0000"))
    assert (rows[plain.pk].rule, rows[plain.pk].amount) == ("FIL-C5", D("580.0000"))


def test_ins4_reads_the_vbp_channel(insurance_world, province_user):
    """INS-4 through the real VBP provider: a published provincial tender in its period at the
    year end; the selected product is paid at S, a non-selected one of the variety by its P."""
    from datetime import date

    from vbp.models import SelectedProduct, Tender, Variety, VarietyProduct

    w = insurance_world
    tender = Tender.objects.create(code="JS-VBP-2026-1", name="省级药品集采", level="provincial", product_kind="drug",
                                   selection_mode="price_competition", volume_ratio=70, period_start=date(2026, 6, 1),
                                   period_end=date(2028, 5, 31), status="published", created_by=province_user)
    variety = Variety.objects.create(tender=tender, name="阿莫西林 片剂")
    SelectedProduct.objects.create(variety=variety, product=w["a"], enterprise=w["maker"], price=D("6"))
    VarietyProduct.objects.create(variety=variety, product=w["a"], selected=True)
    VarietyProduct.objects.create(variety=variety, product=w["e"], selected=False)
    VarietyProduct.objects.create(variety=variety, product=w["b"], selected=False)  # outside the catalogue
    rows = by_product(run(province_user))
    assert (rows[w["a"].pk].rule, rows[w["a"].pk].method, rows[w["a"].pk].amount) == ("INS-4", "selected_price",
                                                                                      D("6.0000"))
    # A national negotiated drug keeps its national standard (INS-3 is decided first).
    assert rows[w["e"].pk].rule == "INS-3"
    assert w["b"].pk not in rows


def test_set_based_ins1_path_writes_the_same_rows_and_digest_as_python(insurance_world, province_user, monkeypatch):
    """INS-1 (benchmark path): the plain drugs computed in one INSERT … SELECT give the same
    amounts, the same explanation JSON and the same SHA-256 digest as computing every product
    in Python — for the three INS-1 outcomes (mean, mean capped at the listing price, no
    results → the listing price), with the special cases (INS-3/INS-4/INS-6) in between."""
    from datetime import date, datetime

    from django.utils import timezone

    from insurance.models import CatalogueEntry
    from listing.models import Listing, ListingPriceChange
    from negotiation.models import NegotiationResult, Proposal

    w = insurance_world
    # The first drug's listing price falls below last year's results in the autumn (a price
    # change): the mean is capped at the year-end price.
    for name, price, result in (("高价议价药", "12.00", ("9.5", "10")), ("无议价药", "7.25", None)):
        p = ProductFactory(kind="drug", generic_name=name, dosage_form="片剂", specification="5mg",
                           manufacturer=w["maker"], national_code=f"XA01ABD075A002019{p_n(name):06d}")
        CatalogueEntry.objects.create(product=p, valid_from=date(2020, 1, 1), recorded_by=province_user)
        listing = Listing.objects.create(product=p, price=D(price), category="LST-1", effective_date=date(2025, 1, 15))
        if result:
            prop = Proposal.objects.create(institution=w["hospitals"][0], listing=listing, product=p,
                                           manufacturer=w["maker"], listing_price=D(price), unit_price=D(result[0]),
                                           quantity=D(result[1]), path="enterprise", rule="NEG-3", status="confirmed",
                                           created_by=province_user)
            NegotiationResult.objects.create(proposal=prop, institution=w["hospitals"][0], product=p,
                                             manufacturer=w["maker"], unit_price=D(result[0]), quantity=D(result[1]),
                                             confirmed_at=timezone.make_aware(datetime(2026, 3, 1, 9)))
            ListingPriceChange.objects.create(listing=listing, old_price=D(price), new_price=D("9.0000"),
                                              effective_date=date(2026, 10, 1), rule="LST-6", reason="联动降价")
    sql_run = run(province_user)
    standards.run_publish(province_user, run=sql_run)
    monkeypatch.setattr(standards, "SET_BASED", False)
    py_run = run(province_user)
    sql_rows, py_rows = by_product(sql_run), by_product(py_run)
    assert {s.method for s in sql_rows.values()} >= {"weighted_mean", "weighted_mean_capped", "cap_without_results"}
    assert {k: (v.rule, v.method, v.amount, v.explanation) for k, v in sql_rows.items()} == {
        k: (v.rule, v.method, v.amount, v.explanation) for k, v in py_rows.items()}
    assert sql_run.digest == py_run.digest and sql_run.done == sql_run.total == py_run.total == 7
    # …and the digest is SHA-256 over the run's canonical parameters (stored once) followed by
    # each row's [product, rule, method, amount] and canonical explanation, in product order.
    assert sql_run.parameters == py_run.parameters
    expected = hashlib.sha256((standards.canonical(sql_run.parameters) + "".join(
        standards.canonical([pk, s.rule, s.method, str(s.amount)]) + standards.canonical(s.explanation)
        for pk, s in sorted(sql_rows.items()))).encode()).hexdigest()
    assert sql_run.digest == expected


def p_n(name):
    return sum(map(ord, name)) % 1_000_000


@pytest.mark.parametrize(("period_end", "status", "level", "applies"), [
    ("2026-12-31", "published", "alliance", True),    # the period ends on the year-end date: still in force
    ("2026-12-30", "published", "alliance", False),   # ended the day before: the listing price again
    ("2027-05-31", "draft", "alliance", False),       # results not published
    ("2027-05-31", "published", "provincial", False), # not an alliance: INS-6 follows the listing price
])
def test_ins6_alliance_result_gives_one_provincial_standard(insurance_world, province_user, period_end, status, level,
                                                           applies):
    """INS-6 (002 §28): a consumable category procured by a (regional) alliance whose period
    covers the year end gets ONE provincial standard — the highest selected price — for its
    selected and non-selected products alike; a product outside the sunshine catalogue stays
    not payable."""
    from datetime import date

    from vbp.models import SelectedProduct, Tender, Variety, VarietyProduct

    w = insurance_world
    tender = Tender.objects.create(code=f"ALN-{period_end}-{status}-{level}", name="区域联盟耗材集采", level=level,
                                   alliance_kind="regional_ordinary" if level == "alliance" else "",
                                   product_kind="consumable", selection_mode="price_competition", volume_ratio=70,
                                   period_start=date(2026, 1, 1), period_end=date.fromisoformat(period_end),
                                   status=status, created_by=province_user)
    variety = Variety.objects.create(tender=tender, name="普通耗材 类别")
    SelectedProduct.objects.create(variety=variety, product=w["c"], enterprise=w["maker"], price=D("70"))
    other = w["c"].__class__.objects.create(kind="consumable", generic_name="同类耗材", specification="型号B",
                                           manufacturer=w["maker"], consumable_class="ordinary",
                                           in_sunshine_catalogue=True)
    SelectedProduct.objects.create(variety=variety, product=other, enterprise=w["maker"], price=D("75.5"))
    VarietyProduct.objects.create(variety=variety, product=w["c"], selected=True)
    VarietyProduct.objects.create(variety=variety, product=other, selected=True)
    VarietyProduct.objects.create(variety=variety, product=w["d"], selected=False)  # outside the sunshine catalogue
    rows = by_product(run(province_user))
    c = rows[w["c"].pk]
    if applies:
        assert (c.rule, c.method, c.amount) == ("INS-6", "alliance_standard", D("75.5000"))
        assert rows[other.pk].amount == D("75.5000")
        assert c.explanation["inputs"]["alliance_selected_prices"] == ["70.0000", "75.5000"]
    else:
        assert (c.rule, c.method, c.amount) == ("INS-6", "listing_price", D("100.0000"))
    assert rows[w["d"].pk].payable is False
