"""The yearly payment-standard run against PostgreSQL: scope, each method, reproducibility,
review with reasons, publication that cannot be edited, and the API / public page."""

from decimal import Decimal as D

import pytest
from django.db import InternalError, transaction
from django.urls import reverse

from core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from insurance.models import PaymentStandard, RunStatus, StandardStatus
from insurance.services import standards
from parties.models import OrgKind

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
    assert rows[w["a"].pk].explanation["parameters"]["ins.payment_standard_method"] == "weighted_mean_capped"


def test_rerun_gives_identical_results(insurance_world, province_user):
    first = run(province_user)
    standards.run_publish(province_user, run=first)
    second = run(province_user)
    assert second.version == 2 and second.digest == first.digest
    one, two = by_product(first), by_product(second)
    assert {k: (v.amount, v.explanation) for k, v in one.items()} == {k: (v.amount, v.explanation) for k, v in two.items()}


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
    resp = client.post(reverse("insurance:standard_detail", args=[row.pk]), {"amount": "8", "reason": ""})
    assert resp.status_code == 400 and PaymentStandard.objects.get(pk=row.pk).adjusted_at is None
    client.force_login(make_user(kind=OrgKind.CITY_REGULATOR))
    assert client.get(reverse("insurance:run_detail", args=[r.pk])).status_code == 403


def test_filed_consumable_uses_the_regulators_filc5_standard(insurance_world, province_user):
    """FIL-C5 / INS-6: a filed consumable with no listing is paid at the standard the insurance
    regulator set for it; without one, at its filing price."""
    from datetime import date

    from catalog.models import Product
    from filing.models import FilingRequest
    from filing.models import PaymentStandard as FilingStandard

    w = insurance_world
    set_std, plain = (Product.objects.create(kind="consumable", generic_name=name, specification="型号A",
                                             manufacturer=w["maker"], consumable_class="hv6",
                                             in_sunshine_catalogue=True) for name in ("备案支架", "备案导管"))
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
