"""One permission vocabulary (issue 14 item 3): every action is a `rules` permission declared in
its app's `permissions.py` from the role predicates of `parties.permissions`; services check it
with `core.permissions.require`, pages with `require_page`, the API with `HasRulesPermission`.

The table states, per role (ACT-1 … ACT-7, the HIS token and anonymous), which permissions it
holds; every other role is refused. The refusals are the point: a role missing from a row must
not get the action."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from rest_framework.views import APIView

from core.api.permissions import HasRulesPermission
from core.errors import Forbidden
from core.permissions import allowed, require, require_page
from parties.models import OrgKind

ROLES = ("manufacturer", "distributor", "institution", "his", "county_regulator", "city_regulator",
         "province_regulator", "expert", "anonymous")
REGULATORS = {"county_regulator", "city_regulator", "province_regulator"}
INSTITUTION = {"institution", "his"}

KIND_OF_ROLE = {
    "manufacturer": OrgKind.MANUFACTURER, "distributor": OrgKind.DISTRIBUTOR, "institution": OrgKind.INSTITUTION,
    "his": OrgKind.INSTITUTION, "county_regulator": OrgKind.COUNTY_REGULATOR,
    "city_regulator": OrgKind.CITY_REGULATOR, "province_regulator": OrgKind.PROVINCE_REGULATOR,
    "expert": OrgKind.EXPERT_POOL,
}

# permission → the roles that hold it (without an object); every other role is refused.
TABLE = {
    # foundation
    "workcalendar.view": REGULATORS,
    "workcalendar.manage": {"province_regulator"},
    "policy.manage": {"province_regulator"},
    "policy.view_parameters": set(ROLES) - {"anonymous"},
    "core.view_history": REGULATORS,
    "parties.view_api_clients": REGULATORS | {"institution"},
    "parties.manage_api_clients": {"province_regulator", "institution"},
    "parties.use_api_clients_api": set(ROLES) - {"his", "anonymous"},
    # catalogue
    "catalog.register_product": {"province_regulator", "manufacturer"},
    "catalog.change_product_directly": {"province_regulator"},
    "catalog.maintain_catalogue": {"province_regulator"},
    "catalog.view_change_requests": REGULATORS | {"manufacturer"},
    "catalog.upload_prices": {"province_regulator", "city_regulator", "manufacturer"},
    # qualifications
    "qualifications.submit_qualification": {"manufacturer", "distributor"},
    "qualifications.propose_distribution": {"manufacturer"},
    "qualifications.end_distribution": {"manufacturer", "distributor"},
    # experts
    "experts.manage": {"province_regulator"},
    "experts.create_session": {"province_regulator", "city_regulator"},
    "experts.view_sessions": REGULATORS | {"expert"},
    "experts.view_case": REGULATORS | {"expert"},
    "experts.give_verdict": {"expert"},
    # pricing
    "pricing.manage": {"province_regulator"},
    "pricing.view_linkage": REGULATORS | {"manufacturer"},
    "pricing.object_to_round": {"manufacturer"},
    "pricing.file_complaint": {"manufacturer", "distributor", "institution"},
    "pricing.view_complaints": REGULATORS | {"manufacturer", "distributor", "institution"},
    # listing
    "listing.apply": {"manufacturer"},
    "listing.review": {"province_regulator"},
    "listing.change_status": {"province_regulator"},
    "listing.record_quality_event": {"province_regulator"},
    "listing.view_regulator": REGULATORS,
    "listing.change_price": {"province_regulator"},
    "listing.review_price_rise": {"province_regulator"},
    "listing.decide_delist": {"province_regulator"},
    # orders
    "orders.use_his_api": INSTITUTION,
    "orders.buy": {"institution"},
    "orders.supply": {"manufacturer", "distributor"},
    "orders.deliver": {"distributor"},
    "orders.monitor": REGULATORS,
    "orders.decide_no_sales": {"province_regulator"},
    "orders.decide_restoration": {"province_regulator"},
    "orders.view_payments": {"institution", "manufacturer", "distributor"},
    "orders.view_offplatform": REGULATORS | {"institution"},
    # negotiation
    "negotiation.propose": INSTITUTION,
    "negotiation.act_as_institution": {"institution"},
    "negotiation.act_as_enterprise": {"manufacturer"},
    "negotiation.view_any_city": set(ROLES) - {"city_regulator", "county_regulator", "anonymous"},
    # filing
    "filing.file": INSTITUTION,
    "filing.request": {"institution"},
    "filing.act_as_enterprise": {"manufacturer"},
    "filing.set_payment_standard": {"province_regulator"},
    "filing.import_legacy": {"province_regulator"},
    # shortage
    "shortage.declare": INSTITUTION,
    "shortage.declare_on_page": {"institution"},
    "shortage.view_emergencies": REGULATORS | {"institution"},
    "shortage.view_needs": REGULATORS | {"institution", "manufacturer"},
    "shortage.decide_emergency": {"province_regulator", "city_regulator"},
    "shortage.import_lists": {"province_regulator"},
    # vbp
    "vbp.organise": {"province_regulator"},
    "vbp.create_tender": REGULATORS,
    "vbp.report": INSTITUTION,
    "vbp.sign_as_institution": INSTITUTION,
    "vbp.sign_as_enterprise": {"manufacturer"},
    "vbp.view_any_city": {"province_regulator"},
    # insurance
    "insurance.run_standards": {"province_regulator"},
    "insurance.keep_ledger": {"province_regulator", "city_regulator"},
    "insurance.change_reported_budget": {"province_regulator"},
    # monitoring
    "monitoring.submit_report": INSTITUTION,
    "monitoring.report_on_page": {"institution"},
    "monitoring.forward_city": {"city_regulator"},
    "monitoring.view_forwards": {"province_regulator", "city_regulator"},
    "monitoring.publish_bulletin": {"province_regulator", "city_regulator"},
    "monitoring.record_inspection": REGULATORS,
    "monitoring.record_deduction": REGULATORS,
    # oversight
    "oversight.view_signals": {"province_regulator", "city_regulator"},
    "oversight.decide_signal": {"province_regulator"},
}


@pytest.fixture
def principals(make_user):
    """One signed-in user per role, and anonymous."""
    users = {role: make_user(kind=kind, role=role) for role, kind in KIND_OF_ROLE.items()}
    users["anonymous"] = AnonymousUser()
    return users


@pytest.mark.django_db
def test_act_roles_hold_exactly_their_permissions(principals):
    """ACT-1…ACT-7: per permission, the roles in the table are granted and every other role is refused."""
    wrong = []
    for perm, holders in TABLE.items():
        for role in ROLES:
            if allowed(principals[role], perm) != (role in holders):
                wrong.append(f"{perm}: {role} {'refused' if role in holders else 'granted'}")
    assert wrong == []


@pytest.mark.django_db
def test_object_permissions_follow_ownership(principals, make_org, make_user):
    """ACT-1 / VBP-5 / NEG-3 / FIL-2: an object-level action is the owning party's only — the same role
    of another organisation is refused."""
    from types import SimpleNamespace

    maker = principals["manufacturer"]
    other_maker = make_user(kind=OrgKind.MANUFACTURER)
    mine = SimpleNamespace(pk=1, manufacturer_id=maker.organisation_id, enterprise_id=maker.organisation_id,
                           institution_id=None)
    assert allowed(maker, "catalog.change_product", mine)
    assert not allowed(other_maker, "catalog.change_product", mine)
    assert allowed(principals["province_regulator"], "catalog.change_product", mine)
    assert allowed(maker, "vbp.respond_to_extension", mine)
    assert not allowed(other_maker, "vbp.respond_to_extension", mine)
    assert allowed(maker, "negotiation.answer_proposal", mine)
    assert not allowed(other_maker, "negotiation.answer_proposal", mine)
    assert allowed(maker, "filing.answer_as_enterprise", mine)
    assert not allowed(other_maker, "filing.answer_as_enterprise", mine)
    # A missing object is never "own".
    assert not allowed(maker, "catalog.propose_product_change", None)

    inst = principals["institution"]
    agreement = SimpleNamespace(pk=2, institution_id=inst.organisation_id, manufacturer_id=maker.organisation_id)
    assert allowed(inst, "negotiation.sign_for_institution", agreement)
    assert allowed(maker, "negotiation.sign_for_enterprise", agreement)
    assert not allowed(other_maker, "negotiation.sign_for_enterprise", agreement)
    assert not allowed(make_user(kind=OrgKind.INSTITUTION), "negotiation.sign_for_institution", agreement)
    assert not allowed(principals["his"], "negotiation.sign_for_institution", agreement)  # people sign, not tokens


@pytest.mark.django_db
def test_require_refuses_with_the_message_and_rule_and_lets_the_holder_pass(principals):
    """The service helper: a refusal is Forbidden (403) with the caller's Chinese message and the rule ID as
    code; the holder passes; anonymous is refused."""
    require(principals["province_regulator"], "workcalendar.manage", message="仅省医保局可以维护工作日历")
    with pytest.raises(Forbidden) as exc:
        require(principals["city_regulator"], "shortage.import_lists",
                message="仅省医保局可以导入短缺药品清单（SHO-1）", rule="SHO-1")
    assert exc.value.status_code == 403
    assert (exc.value.code, exc.value.detail) == ("SHO-1", "仅省医保局可以导入短缺药品清单（SHO-1）")
    with pytest.raises(Forbidden) as exc:
        require(principals["anonymous"], "policy.manage")
    assert exc.value.code == "forbidden"
    with pytest.raises(Forbidden):
        require(None, "policy.manage")
    with pytest.raises(PermissionDenied):
        require_page(principals["manufacturer"], "orders.buy")
    require_page(principals["institution"], "orders.buy")


class _View(APIView):
    required_perms = {"GET": ("orders.use_his_api",), "POST": ("orders.use_his_api", "vbp.report")}
    permission_message = "仅医疗机构（或其HIS接口）可调用此接口"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_api_permission_class_reads_the_views_permissions(principals, role):
    """INT-1: HasRulesPermission grants a request only when the user holds every permission the view
    names for the method; the refusal carries the view's message."""
    request = RequestFactory().get("/")
    request.user = principals[role]
    permission = HasRulesPermission()
    assert permission.has_permission(request, _View()) == (role in INSTITUTION)
    if role not in INSTITUTION:
        assert str(permission.message) == "仅医疗机构（或其HIS接口）可调用此接口"
