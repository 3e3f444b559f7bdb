"""EXP-1 / EXP-2 for LST-6, LST-8.2, LST-C2, LST-C4: the province attaches an application
of an expert category to an expert session (a case for the product); the review page shows
the session, its drawn experts and the negotiated price; confirmation uses the experts'
price and is refused (rule ID) while there is none."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from core.errors import Forbidden, RuleViolation
from experts import services as experts
from experts.models import ExpertSession
from listing.models import Listing
from listing.services import applications, batch
from parties.models import OrgKind
from tests import factories as f

from .conftest import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=False):
        yield


@pytest.fixture
def pool(make_user, make_org, province_user):
    org = make_org(OrgKind.EXPERT_POOL)
    return [experts.expert_profile_save(province_user, expert_user=make_user(org, full_name=f"评审专家{c}"),
                                        category=c, employer="南京鼓楼医院")
            for c in ("insurance", "clinical", "pharmacy", "management")]


@pytest.fixture
def new_drug_app(maker_user, maker, make_product):
    product = make_product(maker, generic_name="新药乙", approval_date=date(2026, 6, 1))
    return applications.application_submit(user=maker_user, product=product, category="LST-6", declared_price="88",
                                       documents={c: pdf() for c in ("qualification", "quality_commitment")})


@pytest.fixture
def new_drug_session(province_user):
    return experts.session_create(province_user, purpose="new_drug", title="2026年12月新药价格谈判",
                                  date=date(2026, 12, 18))


def _draw(province_user, session):
    return experts.session_draw(province_user, session, {"insurance": 1, "clinical": 1, "pharmacy": 1})


def _review(province_user, case, verdict="pass"):
    """EXP-1: every drawn expert gives a verdict, then the organiser concludes."""
    case.refresh_from_db()
    for member in case.session.current_draw().members.select_related("expert__user"):
        experts.verdict_record(member.expert.user, case, verdict=verdict, reason="材料齐全，临床必需，价格合理")
    return experts.review_conclude(province_user, case, reason="专家评审意见汇总")


def test_exp2_lst6_attach_negotiate_confirm_at_agreed_price(client, province_user, maker_user, pool, new_drug_app,
                                                            new_drug_session):
    app = applications.application_attach_expert_session(user=province_user, application=new_drug_app, session=new_drug_session)
    case = app.expert_case
    assert case.session == new_drug_session and case.product == app.product and f"挂网申请 {app.pk}" in case.description
    assert app.trail.filter(action="expert_attached").exists()
    # no negotiated price yet: confirmation refused with the category's rule ID
    with pytest.raises(RuleViolation) as err:
        applications.application_confirm(user=province_user, application=app)
    assert err.value.code == "EXP-1" and "评审" in err.value.detail
    draw = _draw(province_user, new_drug_session)
    _review(province_user, case)
    with pytest.raises(RuleViolation) as err:  # a passed review, but no agreed price yet
        applications.application_confirm(user=province_user, application=app)
    assert err.value.code == "LST-6" and "尚无谈判成功的价格" in err.value.detail
    experts.round_record(province_user, case, enterprise_offer="80", expert_counter_offer="60")
    experts.round_record(province_user, case, enterprise_offer="66.60")
    experts.case_conclude(province_user, case, agreed=True, final_price="66.60")
    # the review page shows the session, the drawn experts and the agreed price
    client.force_login(province_user)
    html = client.get(reverse("listing:application_detail", args=[app.pk])).content.decode()
    assert "2026年12月新药价格谈判" in html and 'data-testid="expert-drawn"' in html
    drawn_names = [p.user.full_name for p in pool if p.pk in {pk for ids in draw.drawn.values() for pk in ids}]
    assert len(drawn_names) == 3 and all(name in html for name in drawn_names)
    assert "66.60" in html.split('data-testid="expert-price"')[1][:300]
    # the enterprise sees the session and price, not who the experts are (ACT-6)
    client.force_login(maker_user)
    html = client.get(reverse("listing:application_detail", args=[app.pk])).content.decode()
    assert "2026年12月新药价格谈判" in html and not any(name in html for name in drawn_names)
    # a typed price other than the experts' is refused; confirming uses the experts' price
    with pytest.raises(RuleViolation) as err:
        applications.application_confirm(user=province_user, application=app, listing_price="70")
    assert err.value.code == "EXP-2"
    app = applications.application_confirm(user=province_user, application=app)
    assert app.listing_price == D("66.60")
    batch.batch_run(date(2026, 12, 15))
    assert Listing.objects.get(product=app.product).price == D("66.60")


def test_exp1_attach_only_by_province_to_a_session_of_the_right_purpose(maker_user, province_user, new_drug_app):
    review = experts.session_create(province_user, purpose="consumable_review", title="耗材评审", date=date(2026, 12, 1))
    with pytest.raises(RuleViolation) as err:
        applications.application_attach_expert_session(user=province_user, application=new_drug_app, session=review)
    assert err.value.code == "EXP-1"
    rescue = experts.session_create(province_user, purpose="new_drug", title="新药谈判", date=date(2026, 12, 1))
    with pytest.raises(Forbidden):
        applications.application_attach_expert_session(user=maker_user, application=new_drug_app, session=rescue)
    new_drug_app.refresh_from_db()
    assert new_drug_app.expert_case is None


def test_exp1_category_without_experts_cannot_be_attached(maker_user, maker, make_product, spread_prices,
                                                         province_user, new_drug_session):
    product = make_product(maker)
    spread_prices(product, 8)
    app = applications.application_submit(
        user=maker_user, product=product, category="LST-2.3", declared_price="11.50",
        documents={c: pdf() for c in ("qualification", "province_records", "lowest_price_commitment",
                                      "quality_commitment")})
    with pytest.raises(RuleViolation) as err:
        applications.application_attach_expert_session(user=province_user, application=app, session=new_drug_session)
    assert err.value.code == "EXP-1"


def test_exp1_lst_c2_confirm_needs_completed_expert_review(client, maker_user, maker, make_product, add_price,
                                                          province_user, pool):
    stent = make_product(maker, kind="consumable", generic_name="冠脉支架", dosage_form="", specification="3.0*18mm",
                         consumable_class="hv6", national_code=None)
    add_price(stent, "600")
    _filed_by_ten_tertiary_hospitals(stent, province_user)  # LST-C2 evidence counted by the platform
    app = applications.application_submit(user=maker_user, product=stent, category="LST-C2", declared_price="598",
                                      filing_count=10, documents={c: pdf() for c in ("qualification", "filing_records")})
    with pytest.raises(RuleViolation) as err:
        applications.application_confirm(user=province_user, application=app)
    assert err.value.code == "EXP-1" and "评审" in err.value.detail
    session = experts.session_create(province_user, purpose="consumable_review", title="2026年12月耗材评审",
                                     date=date(2026, 12, 2))
    client.force_login(province_user)
    page = client.get(reverse("listing:application_detail", args=[app.pk])).content.decode()
    assert 'data-testid="expert-attach"' in page and "2026年12月耗材评审" in page
    client.post(reverse("listing:application_attach_expert", args=[app.pk]), {"session": session.pk})
    app.refresh_from_db()
    assert app.expert_case.session == session
    with pytest.raises(RuleViolation):  # attached, experts not drawn, review not done
        applications.application_confirm(user=province_user, application=app)
    _draw(province_user, session)
    with pytest.raises(RuleViolation):  # drawn, no conclusion yet
        applications.application_confirm(user=province_user, application=app)
    _review(province_user, app.expert_case)
    experts.session_close(province_user, ExpertSession.objects.get(pk=session.pk))
    app = applications.application_confirm(user=province_user, application=app)
    assert app.status == "confirmed" and app.listing_price == D("598")


def _filed_by_ten_tertiary_hospitals(product, user):
    for i in range(10):
        f.FilingRequestFactory(kind="high_value", product=product, price=600, quantity=1, status="confirmed",
                               institution=f.InstitutionFactory(name=f"备案三级医院{i}", county=None),
                               confirmed_on=date(2026, 1, 5), confirming_body="province", submitted_by=user)


def test_exp1_failed_review_refuses_confirmation_naming_exp1(maker_user, maker, make_product, add_price,
                                                             province_user, pool):
    stent = make_product(maker, kind="consumable", generic_name="冠脉支架", dosage_form="", specification="3.5*18mm",
                         consumable_class="hv6", national_code=None)
    add_price(stent, "600")
    _filed_by_ten_tertiary_hospitals(stent, maker_user)  # LST-C2 evidence counted by the platform
    app = applications.application_submit(user=maker_user, product=stent, category="LST-C2", declared_price="598",
                                      filing_count=10, documents={c: pdf() for c in ("qualification", "filing_records")})
    session = experts.session_create(province_user, purpose="consumable_review", title="2026年12月耗材评审",
                                     date=date(2026, 12, 2))
    app = applications.application_attach_expert_session(user=province_user, application=app, session=session)
    _draw(province_user, session)
    _review(province_user, app.expert_case, verdict="fail")
    with pytest.raises(RuleViolation) as err:
        applications.application_confirm(user=province_user, application=app)
    assert err.value.code == "EXP-1" and "评审未通过" in err.value.detail and "0 位同意" in err.value.detail
    app.refresh_from_db()
    assert app.status == "submitted" and app.decided_by is None
    applications.application_refuse(user=province_user, application=app, reason="专家评审未通过（EXP-1）")
