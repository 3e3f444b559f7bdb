"""LST-C3 / LST-C4 city review (ACT-4, 002 §5, §10; parameter lst.consumable_city_review): until
the consumable catalogue is unified, the regulator of the city the enterprise chose organises
the expert review and confirms ordinary consumable / IVD applications; the listing is
purchasable by that city's institutions only, and an order from another city is refused
naming the rule (also through the HIS API). Another city's regulator and the province
cannot decide such an application."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import Forbidden, InvalidInput, RuleViolation
from experts import services as experts
from listing.models import ApplicationStatus, CityReview, Listing
from listing.services import applications, batch
from notifications.models import Notification
from orders.models import Order
from orders.pricing import prices_in_force
from orders.services import ordering
from parties.models import OrgKind
from policy.models import PolicyValue
from tests import factories as f
from tests.clock import frozen_at
from tests.his import his_client

from .conftest import filed_by_ten_hospitals, pdf

pytestmark = pytest.mark.django_db
_frozen = frozen_at("2026-11-24 10:00:00+08:00")


@pytest.fixture
def consumable(maker, make_product, add_price):
    p = make_product(maker, kind="consumable", generic_name="一次性输液器", dosage_form="", specification="0.7mm",
                     consumable_class="ordinary", national_code=None)
    add_price(p, "3.20", level="city", city="杭州市", province="浙江省")
    return p


def submit_c3(user, product, **kw):
    return applications.application_submit(user=user, product=product, category="LST-C3", declared_price="3.20",
                                       previously_selected=True, documents={"province_records": pdf()}, **kw)


def test_lst_c4_city_review_city_is_required_for_ordinary_consumables(maker_user, consumable, nanjing,
                                                                      nanjing_regulator):
    with pytest.raises(RuleViolation) as err:
        submit_c3(maker_user, consumable)
    assert err.value.code == "LST-C4" and err.value.field == "review_city"
    with pytest.raises(RuleViolation):  # a county is not a city
        submit_c3(maker_user, consumable, review_city=nanjing.children.first())
    app = submit_c3(maker_user, consumable, review_city=nanjing)
    assert app.city_review == CityReview.PENDING and app.review_city == nanjing
    assert Notification.objects.filter(recipient=nanjing_regulator, kind="listing.review").exists()


def test_lst_c4_the_city_confirms_not_the_province(maker_user, consumable, nanjing, nanjing_regulator,
                                                   suzhou_regulator, province_user):
    app = submit_c3(maker_user, consumable, review_city=nanjing)
    with pytest.raises(RuleViolation) as err:  # the province does not decide it before unification
        applications.application_confirm(user=province_user, application=app)
    assert err.value.code == "LST-C4" and "南京市" in err.value.detail and err.value.field == "city_review"
    for outsider in (suzhou_regulator, maker_user):
        with pytest.raises(Forbidden):
            applications.application_confirm(user=outsider, application=app)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED and app.city_review == CityReview.PENDING
    with pytest.raises(InvalidInput):  # a refusal needs a reason
        applications.application_refuse(user=nanjing_regulator, application=app, reason=" ")
    app = applications.application_confirm(user=nanjing_regulator, application=app, reason="经市级评审，按全国最低价挂网")
    assert app.status == ApplicationStatus.CONFIRMED and app.city_review == CityReview.RECOMMENDED
    assert app.decided_by == nanjing_regulator and app.city_reviewed_by == nanjing_regulator


def test_lst_c4_city_refusal(maker_user, consumable, nanjing, nanjing_regulator):
    app = submit_c3(maker_user, consumable, review_city=nanjing)
    app = applications.application_refuse(user=nanjing_regulator, application=app, reason="备案采购记录不实")
    assert app.status == ApplicationStatus.REFUSED and app.city_review == CityReview.NOT_RECOMMENDED


def test_lst_c4_city_organises_the_expert_review(maker_user, maker, make_product, add_price, nanjing,
                                                 nanjing_regulator, suzhou_regulator, province_user, make_user,
                                                 make_org):
    """LST-C4: the city creates its review session, draws, the experts give verdicts, the city
    concludes and then confirms; a province session or another city's cannot be used."""
    reagent = make_product(maker, kind="consumable", generic_name="血糖试纸", dosage_form="", specification="50条",
                           consumable_class="ivd", national_code=None)
    add_price(reagent, "30.00", level="city", city="杭州市", province="浙江省")
    filed_by_ten_hospitals(reagent, province_user, city=nanjing, level=2)  # LST-C4 evidence counted by the platform
    app = applications.application_submit(user=maker_user, product=reagent, category="LST-C4", declared_price="30.00",
                                      filing_count=10, review_city=nanjing,
                                      documents={c: pdf() for c in ("qualification", "filing_records",
                                                                    "province_records")})
    pool = make_org(OrgKind.EXPERT_POOL)
    for c in ("clinical", "management"):
        experts.expert_profile_save(province_user, expert_user=make_user(pool), category=c, employer="南京市第一医院")
    with pytest.raises(RuleViolation):  # a city organises only consumable reviews
        experts.session_create(nanjing_regulator, purpose="new_drug", title="x", date=date(2026, 12, 3))
    provincial = experts.session_create(province_user, purpose="consumable_review", title="省级评审",
                                        date=date(2026, 12, 3))
    with pytest.raises(RuleViolation) as err:
        applications.application_attach_expert_session(user=nanjing_regulator, application=app, session=provincial)
    assert err.value.code == "LST-C4"
    session = experts.session_create(nanjing_regulator, purpose="consumable_review", title="南京市耗材评审",
                                     date=date(2026, 12, 3))
    assert session.city == nanjing
    with pytest.raises(Forbidden):  # another city does not manage Nanjing's session
        experts.session_draw(suzhou_regulator, session, {"clinical": 1})
    app = applications.application_attach_expert_session(user=nanjing_regulator, application=app, session=session)
    experts.session_draw(nanjing_regulator, session, {"clinical": 1, "management": 1})
    with pytest.raises(RuleViolation) as err:
        applications.application_confirm(user=nanjing_regulator, application=app)
    assert err.value.code == "EXP-1"
    case = app.expert_case
    for member in session.current_draw().members.select_related("expert__user"):
        experts.verdict_record(member.expert.user, case, verdict="pass", reason="质量可靠，价格为最低价")
    experts.review_conclude(nanjing_regulator, case, reason="同意挂网")
    app = applications.application_confirm(user=nanjing_regulator, application=app)
    assert app.status == ApplicationStatus.CONFIRMED and app.listing_price == D("30.00")


@pytest.fixture
def city_listed(maker_user, consumable, nanjing, nanjing_regulator):
    app = submit_c3(maker_user, consumable, review_city=nanjing)
    applications.application_confirm(user=nanjing_regulator, application=app)
    batch.batch_run(date(2026, 12, 15))
    return Listing.objects.get(product=consumable)


@pytest.fixture
def hospitals(make_org, make_user, maker, nanjing, suzhou, province_user):
    distributor = make_org(OrgKind.DISTRIBUTOR)
    for city in (nanjing, suzhou):
        f.DistributionRelationshipFactory(manufacturer=maker, distributor=distributor, city=city,
                                          proposed_by=province_user)
    nj = make_org(OrgKind.INSTITUTION, city=nanjing)
    sz = make_org(OrgKind.INSTITUTION, city=suzhou)
    return (nj, make_user(nj)), (sz, make_user(sz))


def _his(institution):
    return his_client(institution)


def test_lst_c4_city_listing_purchasable_by_that_city_only(city_listed, hospitals, nanjing):
    (nj, nj_user), (sz, sz_user) = hospitals
    assert list(city_listed.scope_cities.all()) == [nanjing]
    with time_machine.travel("2026-12-16 10:00:00+08:00", tick=False):
        assert city_listed.product_id in prices_in_force(nj, [city_listed.product_id])
        assert city_listed.product_id not in prices_in_force(sz, [city_listed.product_id])
        with pytest.raises(ordering.BatchRefused) as err:
            ordering.order_create(sz_user, lines=[{"product_id": city_listed.product_id, "quantity": 5}])
        line = err.value.errors[0]
        assert line["code"] == "LST-C3" and "南京市" in line["detail"] and "仅供" in line["detail"]
        assert not Order.objects.exists()
        order = ordering.order_create(nj_user, lines=[{"product_id": city_listed.product_id, "quantity": 5}])
        assert order.institution == nj


def test_lst_c4_his_api_order_from_another_city_refused(city_listed, hospitals):
    (nj, _), (sz, _) = hospitals
    body = {"lines": [{"product_id": city_listed.product_id, "quantity": 2}]}
    with time_machine.travel("2026-12-16 10:00:00+08:00", tick=False):
        r = _his(sz).post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="c4-sz-1")
        assert r.status_code in (400, 422)
        data = r.json()
        assert data["code"] == "LST-C3" and "南京市" in data["detail"] and data["field"] == "lines[0].product_id"
        assert not Order.objects.exists()
        assert _his(nj).post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="c4-nj-1").status_code == 201


def test_lst_c4_page_review_panel_only_for_the_chosen_city(client, maker_user, consumable, nanjing, nanjing_regulator,
                                                           suzhou_regulator, province_user):
    app = submit_c3(maker_user, consumable, review_city=nanjing)
    url = reverse("listing:application_detail", args=[app.pk])
    for outsider in (suzhou_regulator, province_user):
        client.force_login(outsider)
        assert 'data-testid="review-panel"' not in client.get(url).content.decode()
        client.post(reverse("listing:application_decide", args=[app.pk, "confirm"]), {"reason": "越权确认"})
        app.refresh_from_db()
        assert app.status == ApplicationStatus.SUBMITTED
    client.force_login(nanjing_regulator)
    assert 'data-testid="review-panel"' in client.get(url).content.decode()
    client.post(reverse("listing:application_decide", args=[app.pk, "confirm"]), {"reason": "市级评审同意挂网"})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.CONFIRMED and app.city_reviewed_by == nanjing_regulator
    assert "市级评审同意挂网" in client.get(url).content.decode()


def test_lst_c4_parameter_off_means_provincial_review_and_province_wide_listing(maker_user, consumable,
                                                                               province_user):
    PolicyValue.objects.create(key="lst.consumable_city_review", value=False, effective_from=date(2026, 11, 24),
                               reason="测试：目录已统一")
    app = submit_c3(maker_user, consumable)
    assert app.city_review == CityReview.NONE
    assert applications.application_confirm(user=province_user, application=app).status == ApplicationStatus.CONFIRMED
    batch.batch_run(date(2026, 12, 15))
    assert not Listing.objects.get(product=consumable).scope_cities.exists()


def test_lst_c4_apply_form_asks_for_the_review_city(client, maker_user, consumable, nanjing):
    client.force_login(maker_user)
    data = {"product": consumable.pk, "category": "LST-C3", "declared_price": "3.20", "previously_selected": "on",
            "doc_province_records": pdf("records.pdf")}
    page = client.post(reverse("listing:apply"), data).content.decode()
    assert "须选择负责评审确认的设区市" in page and "LST-C4" in page
    assert not consumable.listing_applications.exists()
    data["doc_province_records"] = pdf("records.pdf")
    client.post(reverse("listing:apply"), {**data, "review_city": nanjing.pk})
    app = consumable.listing_applications.get()
    assert app.review_city == nanjing and app.city_review == CityReview.PENDING


def test_lst_c4_city_review_state_in_the_applications_api(maker_user, consumable, nanjing, nanjing_regulator):
    app = submit_c3(maker_user, consumable, review_city=nanjing)
    applications.application_confirm(user=nanjing_regulator, application=app, reason="市级评审同意")
    api = APIClient()
    api.force_authenticate(maker_user)
    row = api.get(f"/api/v1/listing-applications/{app.pk}").json()
    assert (row["review_city"], row["city_review"], row["city_review_reason"]) == ("南京市", "recommended", "市级评审同意")
    assert row["expert_session"] is None
