"""LST-C3 / LST-C4 city pre-review (ACT-4, 002 §10; parameter lst.consumable_city_review,
rule LST-C4): until the consumable catalogue is unified, the city regulator of the city the
enterprise chose pre-reviews ordinary consumable / IVD applications; the province confirms
only with the city's recommendation. Another city's regulator cannot act."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from core.errors import Forbidden, InvalidInput, RuleViolation
from listing import services
from listing.models import ApplicationStatus, CityReview
from notifications.models import Notification
from parties.models import OrgKind
from policy.models import PolicyValue

from .conftest import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=False):
        yield


@pytest.fixture
def consumable(maker, make_product, add_price):
    p = make_product(maker, kind="consumable", generic_name="一次性输液器", dosage_form="", specification="0.7mm",
                     consumable_class="ordinary", national_code=None)
    add_price(p, "3.20", level="city", city="杭州市", province="浙江省")
    return p


@pytest.fixture
def nanjing_regulator(make_user, make_org, nanjing):
    return make_user(make_org(OrgKind.CITY_REGULATOR, city=nanjing))


@pytest.fixture
def suzhou_regulator(make_user, make_org, suzhou):
    return make_user(make_org(OrgKind.CITY_REGULATOR, city=suzhou))


def submit_c3(user, product, **kw):
    return services.submit_application(user=user, product=product, category="LST-C3", declared_price="3.20",
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


def test_lst_c4_province_confirms_only_after_city_recommendation(maker_user, consumable, nanjing, nanjing_regulator,
                                                                 suzhou_regulator, province_user):
    app = submit_c3(maker_user, consumable, review_city=nanjing)
    with pytest.raises(RuleViolation) as err:
        services.confirm_application(user=province_user, application=app)
    assert err.value.code == "LST-C3" and "LST-C4" in err.value.detail and err.value.field == "city_review"
    # another city's regulator (and the province itself) cannot run the city step
    for outsider in (suzhou_regulator, province_user, maker_user):
        with pytest.raises(Forbidden):
            services.city_review_application(user=outsider, application=app, action="recommend", reason="同意")
    app.refresh_from_db()
    assert app.city_review == CityReview.PENDING
    with pytest.raises(InvalidInput):  # a reason is required
        services.city_review_application(user=nanjing_regulator, application=app, action="recommend", reason=" ")
    app = services.city_review_application(user=nanjing_regulator, application=app, action="recommend",
                                           reason="经市级评审，价格不高于全国最低价，推荐挂网")
    assert app.city_review == CityReview.RECOMMENDED and app.trail.filter(action="city_recommended").exists()
    app = services.confirm_application(user=province_user, application=app)
    assert app.status == ApplicationStatus.CONFIRMED


def test_lst_c4_city_refusal_blocks_confirmation(maker_user, consumable, nanjing, nanjing_regulator, province_user):
    app = submit_c3(maker_user, consumable, review_city=nanjing)
    services.city_review_application(user=nanjing_regulator, application=app, action="not_recommend",
                                     reason="备案采购记录不实")
    with pytest.raises(RuleViolation):
        services.confirm_application(user=province_user, application=app)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED and app.city_review == CityReview.NOT_RECOMMENDED
    services.refuse_application(user=province_user, application=app, reason="市级初审不予推荐")


def test_lst_c4_city_review_page_only_for_the_chosen_city(client, maker_user, consumable, nanjing, nanjing_regulator,
                                                          suzhou_regulator):
    app = submit_c3(maker_user, consumable, review_city=nanjing)
    url = reverse("listing:application_detail", args=[app.pk])
    client.force_login(suzhou_regulator)
    assert 'data-testid="city-review-panel"' not in client.get(url).content.decode()
    client.post(reverse("listing:application_decide", args=[app.pk, "recommend"]), {"reason": "越权推荐"})
    app.refresh_from_db()
    assert app.city_review == CityReview.PENDING
    client.force_login(nanjing_regulator)
    assert 'data-testid="city-review-panel"' in client.get(url).content.decode()
    client.post(reverse("listing:application_decide", args=[app.pk, "recommend"]), {"reason": "推荐挂网"})
    app.refresh_from_db()
    assert app.city_review == CityReview.RECOMMENDED and app.city_reviewed_by == nanjing_regulator
    assert "推荐挂网" in client.get(url).content.decode()


def test_lst_c4_parameter_off_means_no_city_step(maker_user, consumable, province_user):
    PolicyValue.objects.create(key="lst.consumable_city_review", value=False, effective_from=date(2026, 11, 24),
                               reason="测试：目录已统一")
    app = submit_c3(maker_user, consumable)
    assert app.city_review == CityReview.NONE
    assert services.confirm_application(user=province_user, application=app).status == ApplicationStatus.CONFIRMED


def test_lst_c4_apply_form_asks_for_the_review_city(client, maker_user, consumable, nanjing):
    client.force_login(maker_user)
    data = {"product": consumable.pk, "category": "LST-C3", "declared_price": "3.20", "previously_selected": "on",
            "doc_province_records": pdf("records.pdf")}
    page = client.post(reverse("listing:apply"), data).content.decode()
    assert "须选择负责初审的设区市" in page and "LST-C4" in page
    assert not consumable.listing_applications.exists()
    data["doc_province_records"] = pdf("records.pdf")
    client.post(reverse("listing:apply"), {**data, "review_city": nanjing.pk})
    app = consumable.listing_applications.get()
    assert app.review_city == nanjing and app.city_review == CityReview.PENDING


def test_lst_c4_city_review_state_in_the_applications_api(maker_user, consumable, nanjing, nanjing_regulator):
    from rest_framework.test import APIClient

    app = submit_c3(maker_user, consumable, review_city=nanjing)
    services.city_review_application(user=nanjing_regulator, application=app, action="recommend",
                                     reason="市级评审同意")
    api = APIClient()
    api.force_authenticate(maker_user)
    row = api.get(f"/api/v1/listing-applications/{app.pk}").json()
    assert (row["review_city"], row["city_review"], row["city_review_reason"]) == ("南京市", "recommended", "市级评审同意")
    assert row["expert_session"] is None
