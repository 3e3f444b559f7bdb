"""Negotiation over HTTP: the HIS API (token), the enterprise's answer, the pages, and who
sees what (NEG-1, NEG-6, ZON-4)."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from rest_framework.test import APIClient

from negotiation import services
from negotiation.models import NegotiationResult, Proposal
from orders.pricing import price_in_force
from parties.models import OrgKind
from tests.his import his_client


@pytest.fixture
def his(hospital):
    return his_client(hospital)


def test_his_proposes_by_national_code_and_reads_it(his, hospital, make_listing):
    listing = make_listing("10.00")
    listing.product.national_code = "XA01ABD075A002010100483"
    listing.product.save()
    r = his.post("/api/v1/negotiations/", {"national_code": "XA01ABD075A002010100483", "unit_price": "9.5",
                                          "quantity": "100"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "pending" and r.json()["rule"] == "NEG-3"
    replay = his.post("/api/v1/negotiations/", {"national_code": "XA01ABD075A002010100483", "unit_price": "9.5",
                                               "quantity": "100"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert Proposal.objects.count() == 1
    listed = his.get("/api/v1/negotiations/").json()
    assert [p["id"] for p in listed["results"]] == [r.json()["id"]]


def test_his_over_listing_price_gets_rule_error(his, make_listing):
    listing = make_listing("10.00")
    r = his.post("/api/v1/negotiations/", {"listing_id": listing.pk, "unit_price": "10.01", "quantity": "1"},
                 format="json")
    assert r.status_code == 422
    assert r.json()["code"] == "NEG-1" and r.json()["field"] == "unit_price"
    assert not Proposal.objects.exists()


def test_his_cannot_read_another_institutions_proposal(his, make_org, make_user, make_listing):
    other = make_user(make_org(OrgKind.INSTITUTION))
    p = services.proposal_submit(user=other, listing_id=make_listing("10.00").pk, unit_price="9", quantity="1")
    assert his.get(f"/api/v1/negotiations/{p.pk}").status_code == 404


def test_enterprise_answers_through_api_and_price_in_force_changes(hospital, hospital_user, maker_user, make_listing):
    listing = make_listing("10.00")
    assert price_in_force(hospital, listing.product)[0] == D("10.00")
    p = services.proposal_submit(user=hospital_user, listing_id=listing.pk, unit_price="8.80", quantity="50")
    api = APIClient()
    api.force_authenticate(maker_user)
    r = api.post(f"/api/v1/negotiations/{p.pk}/confirm")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    price, source, rule, _ref = price_in_force(hospital, listing.product)
    assert (price, source, rule) == (D("8.80"), "negotiation", "NEG-6")  # ORD-1 uses the negotiated price


def test_neg_6_results_are_shared_with_other_institutions(hospital_user, make_org, make_user, make_listing):
    services.proposal_submit(user=hospital_user, listing_id=make_listing("10.00").pk, unit_price="10", quantity="1")
    other = make_user(make_org(OrgKind.INSTITUTION))
    api = APIClient()
    api.force_authenticate(other)
    assert len(api.get("/api/v1/negotiation-results/").json()["results"]) == 1
    stranger_enterprise = make_user(make_org(OrgKind.MANUFACTURER))
    api.force_authenticate(stranger_enterprise)
    assert api.get("/api/v1/negotiation-results/").json()["results"] == []  # not its product


def test_proposal_page_shows_zone_before_sending(client, hospital_user, make_listing):
    listing = make_listing("10.00")
    client.force_login(hospital_user)
    page = client.get(f"/negotiation/new/{listing.pk}/preview/?unit_price=9.00")
    assert page.status_code == 200
    assert "共享议价结果数" in page.content.decode()
    r = client.post(f"/negotiation/new/{listing.pk}/", {"unit_price": "12.00", "quantity": "10"})
    assert r.status_code == 200
    assert "高于挂网价" in r.content.decode() and "NEG-1" in r.content.decode()
    assert not Proposal.objects.exists()


def test_enterprise_of_another_product_gets_404_on_detail(client, hospital_user, make_listing, make_org, make_user):
    p = services.proposal_submit(user=hospital_user, listing_id=make_listing("10.00").pk, unit_price="9", quantity="1")
    client.force_login(make_user(make_org(OrgKind.MANUFACTURER)))
    assert client.get(f"/negotiation/{p.pk}/").status_code == 404
    assert client.post(f"/negotiation/{p.pk}/answer/", {"decision": "confirm"}).status_code == 404
    p.refresh_from_db()
    assert p.status == "pending"


def test_zon_4_city_regulator_sees_its_city_only(client, make_org, make_user, make_listing, nanjing, suzhou):
    listing = make_listing("10.00")
    nj = make_user(make_org(OrgKind.INSTITUTION, city=nanjing))
    sz = make_user(make_org(OrgKind.INSTITUTION, city=suzhou))
    for u in (nj, sz):
        services.proposal_submit(user=u, listing_id=listing.pk, unit_price="10", quantity="5")
    client.force_login(make_user(make_org(OrgKind.CITY_REGULATOR, city=nanjing)))
    page = client.get("/negotiation/dashboard/?by=institution&city=" + str(suzhou.pk)).content.decode()
    assert nj.organisation.name in page and sz.organisation.name not in page  # the city filter cannot be widened
    province = make_user(kind=OrgKind.PROVINCE_REGULATOR)
    client.force_login(province)
    page = client.get("/negotiation/dashboard/?by=institution").content.decode()
    assert nj.organisation.name in page and sz.organisation.name in page
    export = client.get("/negotiation/dashboard/?by=city&export=xlsx")
    assert export.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(b"".join(export.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "设区市" and sum(r[4] for r in rows[1:]) == 2


def test_institution_cannot_open_the_dashboard(client, hospital_user):
    client.force_login(hospital_user)
    assert client.get("/negotiation/dashboard/").status_code == 403


@time_machine.travel(date(2026, 11, 1), tick=False)
def test_zon_3_interview_list_for_long_non_negotiation(make_org, make_user, make_listing, hospital_user):
    quiet = make_org(OrgKind.INSTITUTION, level=2)
    services.proposal_submit(user=hospital_user, listing_id=make_listing("10.00").pk, unit_price="10", quantity="1")
    assert services.interviews_build() >= 1
    from negotiation.models import Interview

    listed = {i.institution_id: i for i in Interview.objects.all()}
    assert quiet.pk in listed and "长期未议价" in listed[quiet.pk].reasons[0]
    assert hospital_user.organisation_id not in listed  # negotiated this month
    assert services.interviews_build() == 0  # idempotent for the same day
    assert NegotiationResult.objects.count() == 1


@time_machine.travel(date(2026, 11, 1), tick=False)
def test_zon_3_interviews_cover_military_hospitals_not_private_or_pharmacies(make_org):
    """ZON-3: interviews cover public institutions including military hospitals (军队驻苏);
    insured private institutions and pharmacies are not listed."""
    from negotiation.models import Interview

    military = make_org(OrgKind.INSTITUTION, level=3, ownership="military")
    private = make_org(OrgKind.INSTITUTION, level=3, ownership="private_insured")
    services.interviews_build()
    listed = set(Interview.objects.values_list("institution_id", flat=True))
    assert military.pk in listed and private.pk not in listed


def test_dashboard_switches_to_english(client, province_user):
    client.force_login(province_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/negotiation/dashboard/").content.decode()
    assert "<h1>Negotiated price zones</h1>" in page and "By institution" in page
    # issue 15 item 5: the rule ID leaves the title and stays as the basis line
    assert "Basis" in page and "ZON-4" in page


@time_machine.travel(date(2026, 11, 1), tick=False)
def test_zon_3_regulator_records_interview_outcome_in_scope(client, make_org, make_user, nanjing, suzhou):
    from negotiation.models import Interview

    sz_quiet = make_org(OrgKind.INSTITUTION, level=2, city=suzhou)
    services.interviews_build()
    interview = Interview.objects.get(institution=sz_quiet)
    client.force_login(make_user(make_org(OrgKind.CITY_REGULATOR, city=nanjing)))
    r = client.post("/negotiation/interviews/", {"interview": interview.pk, "outcome": "interviewed", "note": "x"})
    assert r.status_code == 404  # another city's institution
    client.force_login(make_user(make_org(OrgKind.CITY_REGULATOR, city=suzhou)))
    client.post("/negotiation/interviews/", {"interview": interview.pk, "outcome": "rectification",
                                             "note": "约谈院长，限期整改议价工作"})
    interview.refresh_from_db()
    assert interview.outcome == "rectification" and interview.recorded_by is not None
