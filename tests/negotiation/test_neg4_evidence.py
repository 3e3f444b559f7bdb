"""NEG-4 (corrected 2026-11-29, 002 §11 B): at a price the enterprise already transacts at, with
the institution's evidence, the enterprise must confirm — it may contest the evidence to the
province, never decline. Unconfirmed after 5 working days, the platform itself lowers the listing
price to that price once the province has accepted the evidence (listing price-change service,
rule NEG-4, audited) — no 20-working-day PRC-1 case. The race with the deadline job stays
correct (NEG-8)."""

from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from rest_framework.test import APIClient

from core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from listing.models import ListingPriceChange
from negotiation import rules, services
from negotiation.models import NegotiationResult, Proposal
from notifications.models import Notification
from parties.models import OrgKind
from tests.concurrency import holding_locks, in_thread

PROPOSED = date(2026, 9, 28)
DUE = date(2026, 10, 10)  # 5 working days: 09-29, 09-30, 10-08, 10-09, 10-10 (make-up Saturday)
AFTER_DUE = date(2026, 10, 12)


def evidenced(user, listing, price="90.00"):
    with time_machine.travel(PROPOSED, tick=False):
        return services.proposal_submit(user=user, listing_id=listing.pk, unit_price=price, quantity="100",
                                        evidence_price=price, evidence_note="浙江某医院 2026-08 成交发票")


@pytest.fixture
def consumable(make_listing):
    return make_listing("100.00", kind="consumable")


def snapshot(p):
    p.refresh_from_db()
    return (p.status, p.decided_at, p.decision_reason, p.evidence_review, p.contest_reason)


def test_neg_4_evidenced_proposal_path_and_deadline(hospital_user, consumable):
    p = evidenced(hospital_user, consumable)
    assert p.path == rules.ENTERPRISE_THEN_LINKAGE and p.rule == "NEG-4" and p.due == DUE


def test_neg_4_decline_of_evidenced_proposal_refused_nothing_changed(hospital_user, maker_user, consumable):
    """Bad input: a decline of an evidenced proposal → NEG-4 error, nothing written."""
    p = evidenced(hospital_user, consumable)
    before = snapshot(p)
    with time_machine.travel(date(2026, 9, 30), tick=False):
        with pytest.raises(RuleViolation) as exc:
            services.proposal_decline(user=maker_user, proposal_id=p.pk, reason="价格太低")
    assert exc.value.code == "NEG-4" and "不能拒绝" in exc.value.detail
    assert snapshot(p) == before and before[0] == "pending"
    assert not Notification.objects.filter(kind="negotiation.declined").exists()


def test_neg_4_decline_over_api_is_422_naming_neg_4(hospital_user, maker_user, consumable):
    p = evidenced(hospital_user, consumable)
    api = APIClient()
    api.force_authenticate(maker_user)
    with time_machine.travel(date(2026, 9, 30), tick=False):
        r = api.post(f"/api/v1/negotiations/{p.pk}/decline", {"reason": "不接受"}, format="json",
                     HTTP_IDEMPOTENCY_KEY="neg4-decline")
    assert r.status_code == 422 and r.json()["code"] == "NEG-4", r.content
    p.refresh_from_db()
    assert p.status == "pending"


def test_neg_4_other_consumable_price_may_still_be_declined(hospital_user, maker_user, consumable):
    with time_machine.travel(PROPOSED, tick=False):
        p = services.proposal_submit(user=hospital_user, listing_id=consumable.pk, unit_price="95", quantity="10")
        services.proposal_decline(user=maker_user, proposal_id=p.pk, reason="价格过低")
    p.refresh_from_db()
    assert p.status == "declined" and p.path == rules.ENTERPRISE


def test_neg_4_confirm_at_evidenced_price_makes_a_result(hospital_user, maker_user, consumable):
    p = evidenced(hospital_user, consumable)
    with time_machine.travel(DUE, tick=False):  # the deadline day itself is in time
        services.proposal_confirm(user=maker_user, proposal_id=p.pk)
    assert NegotiationResult.objects.get(proposal=p).unit_price == D("90.00")
    consumable.refresh_from_db()
    assert consumable.price == D("100.00")  # confirmed: no linkage


def test_neg_4_unconfirmed_waits_for_regulator_then_platform_links(hospital_user, maker_user, province_user,
                                                                   consumable):
    """Past the deadline the proposal turns into a linkage awaiting the province's check of the
    evidence; its acceptance lowers the listing price at once (rule NEG-4, no PRC-1 case)."""
    from pricing.models import LinkageCase

    p = evidenced(hospital_user, consumable)
    with time_machine.travel(DUE, tick=False):
        assert services.withdraw_overdue() == 0  # the deadline day: still in time
    with time_machine.travel(AFTER_DUE, tick=False):
        assert services.withdraw_overdue() == 1
        assert services.withdraw_overdue() == 0  # idempotent
    p.refresh_from_db()
    consumable.refresh_from_db()
    assert p.status == "linkage" and p.linkage_applied_at is None
    assert consumable.price == D("100.00")  # not before the regulator accepted the evidence
    assert Notification.objects.filter(recipient=province_user, kind="negotiation.evidence_check").count() == 1
    with pytest.raises(RuleViolation) as exc:  # too late to confirm
        with time_machine.travel(AFTER_DUE, tick=False):
            services.proposal_confirm(user=maker_user, proposal_id=p.pk)
    assert exc.value.code == "NEG-8"
    with time_machine.travel(date(2026, 10, 13), tick=False):
        services.evidence_decide(user=province_user, proposal_id=p.pk, accept=True, note="发票与成交记录核实无误")
    p.refresh_from_db()
    consumable.refresh_from_db()
    assert consumable.price == D("90.00") and p.linkage_applied_at is not None
    change = ListingPriceChange.objects.get(listing=consumable, rule="NEG-4")
    assert (change.old_price, change.new_price, change.changed_by) == (D("100.0000"), D("90.0000"), province_user)
    assert change.effective_date == date(2026, 10, 13)
    assert not LinkageCase.objects.exists()  # no 20-working-day case for the enterprise to declare
    assert Notification.objects.filter(recipient=maker_user, kind="negotiation.linkage").count() == 1
    with pytest.raises(Conflict):  # decided once
        services.evidence_decide(user=province_user, proposal_id=p.pk, accept=True, note="再次")


def test_neg_4_evidence_accepted_before_deadline_job_links_itself(hospital_user, maker_user, province_user,
                                                                   consumable):
    p = evidenced(hospital_user, consumable)
    with time_machine.travel(date(2026, 9, 29), tick=False):
        services.evidence_decide(user=province_user, proposal_id=p.pk, accept=True, note="证明属实")
    p.refresh_from_db()
    assert p.status == "pending" and p.evidence_review == "accepted"  # the enterprise may still confirm
    consumable.refresh_from_db()
    assert consumable.price == D("100.00")
    with time_machine.travel(AFTER_DUE, tick=False):
        assert services.withdraw_overdue() == 1
        assert services.withdraw_overdue() == 0
    consumable.refresh_from_db()
    p.refresh_from_db()
    assert consumable.price == D("90.00") and p.status == "linkage"
    change = ListingPriceChange.objects.get(listing=consumable, rule="NEG-4")
    assert change.changed_by is None  # applied by the platform's job, audited with the rule
    assert ListingPriceChange.objects.filter(listing=consumable, rule="NEG-4").count() == 1


def test_neg_4_contest_then_regulator_disproves_nothing_linked(hospital_user, maker_user, province_user,
                                                               consumable, make_org, make_user):
    p = evidenced(hospital_user, consumable)
    with time_machine.travel(date(2026, 9, 29), tick=False):
        with pytest.raises(InvalidInput):
            services.proposal_contest(user=maker_user, proposal_id=p.pk, reason=" ")
        services.proposal_contest(user=maker_user, proposal_id=p.pk, reason="所附发票为另一型号产品")
        with pytest.raises(RuleViolation) as exc:
            services.proposal_contest(user=maker_user, proposal_id=p.pk, reason="再次异议")
        assert exc.value.code == "NEG-4"
    p.refresh_from_db()
    assert (p.status, p.evidence_review) == ("pending", "contested")
    assert Notification.objects.filter(recipient=province_user, kind="negotiation.evidence_check").exists()
    city = make_user(make_org(OrgKind.CITY_REGULATOR))
    with pytest.raises(Forbidden):  # the province decides
        services.evidence_decide(user=city, proposal_id=p.pk, accept=True, note="属实")
    with pytest.raises(Forbidden):  # nor the enterprise
        services.evidence_decide(user=maker_user, proposal_id=p.pk, accept=False, note="不实")
    with time_machine.travel(date(2026, 9, 30), tick=False):
        services.evidence_decide(user=province_user, proposal_id=p.pk, accept=False, note="发票型号不符")
    p.refresh_from_db()
    assert (p.status, p.evidence_review) == ("disproved", "disproved")
    with time_machine.travel(AFTER_DUE, tick=False):
        assert services.withdraw_overdue() == 0
    consumable.refresh_from_db()
    assert consumable.price == D("100.00") and not ListingPriceChange.objects.filter(rule="NEG-4").exists()


def test_neg_4_contest_only_for_evidenced_proposals(hospital_user, maker_user, consumable):
    with time_machine.travel(PROPOSED, tick=False):
        p = services.proposal_submit(user=hospital_user, listing_id=consumable.pk, unit_price="95", quantity="10")
        with pytest.raises(RuleViolation) as exc:
            services.proposal_contest(user=maker_user, proposal_id=p.pk, reason="无证明")
    assert exc.value.code == "NEG-4"


def test_neg_4_never_declined_is_also_a_database_constraint(hospital_user, consumable):
    from django.db import IntegrityError

    p = evidenced(hospital_user, consumable)
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=p.pk).update(status="declined")


def test_neg_4_contest_and_evidence_over_api(hospital_user, maker_user, province_user, consumable):
    p = evidenced(hospital_user, consumable)
    maker, province = APIClient(), APIClient()
    maker.force_authenticate(maker_user)
    province.force_authenticate(province_user)
    with time_machine.travel(date(2026, 9, 29), tick=False):
        r = maker.post(f"/api/v1/negotiations/{p.pk}/contest", {"reason": "证明不实"}, format="json",
                       HTTP_IDEMPOTENCY_KEY="c1")
        assert r.status_code == 200 and r.json()["evidence_review"] == "contested", r.content
        denied = maker.post(f"/api/v1/negotiations/{p.pk}/evidence", {"accept": True, "note": "x"}, format="json",
                            HTTP_IDEMPOTENCY_KEY="e0")
        assert denied.status_code == 403
        r = province.post(f"/api/v1/negotiations/{p.pk}/evidence", {"accept": True, "note": "核实属实"},
                          format="json", HTTP_IDEMPOTENCY_KEY="e1")
        assert r.status_code == 200 and r.json()["evidence_review"] == "accepted", r.content


def test_neg_4_pages_offer_contest_not_decline(client, hospital_user, maker_user, province_user, consumable):
    p = evidenced(hospital_user, consumable)
    client.force_login(maker_user)
    with time_machine.travel(date(2026, 9, 29), tick=False):
        html = client.get(f"/negotiation/{p.pk}/").content.decode()
        assert 'data-testid="contest"' in html and "拒绝议价" not in html and "NEG-4" in html
        client.post(f"/negotiation/{p.pk}/answer/", {"decision": "decline", "reason": "不接受"})
        p.refresh_from_db()
        assert p.status == "pending"
        client.post(f"/negotiation/{p.pk}/answer/", {"decision": "contest", "reason": "证明不实"})
        client.force_login(province_user)
        html = client.get(f"/negotiation/{p.pk}/").content.decode()
        assert 'data-testid="evidence-accept"' in html
        client.post(f"/negotiation/{p.pk}/answer/", {"decision": "evidence_accept", "note": "属实"})
    p.refresh_from_db()
    assert (p.contest_reason, p.evidence_review) == ("证明不实", "accepted")


# ----------------------------------------------------------------------------- NEG-8 race


LATE_ON_DEADLINE_DAY = datetime(2026, 10, 10, 23, 59, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db(transaction=True)
def test_neg_8_evidenced_job_first_links_once_and_late_confirmation_refused(hospital_user, maker_user,
                                                                            province_user, consumable):
    p = evidenced(hospital_user, consumable)
    with time_machine.travel(date(2026, 9, 29), tick=False):
        services.evidence_decide(user=province_user, proposal_id=p.pk, accept=True, note="证明属实")
    with time_machine.travel(LATE_ON_DEADLINE_DAY, tick=False):
        with holding_locks(lambda: services.withdraw_overdue(today=AFTER_DUE)) as jbox:
            ct, cbox = in_thread(lambda: services.proposal_confirm(user=maker_user, proposal_id=p.pk))
            ct.join(0.5)
            assert ct.is_alive()  # waits for the job's row lock
        ct.join(10)
    assert jbox["value"] == 1
    assert isinstance(cbox.get("error"), RuleViolation) and cbox["error"].code == "NEG-8"
    p.refresh_from_db()
    consumable.refresh_from_db()
    assert p.status == "linkage" and not NegotiationResult.objects.filter(proposal=p).exists()
    assert consumable.price == D("90.00")
    assert ListingPriceChange.objects.filter(listing=consumable, rule="NEG-4").count() == 1


@pytest.mark.django_db(transaction=True)
def test_neg_8_evidenced_confirmation_first_job_skips_no_linkage(hospital_user, maker_user, province_user,
                                                                 consumable):
    p = evidenced(hospital_user, consumable)
    with time_machine.travel(date(2026, 9, 29), tick=False):
        services.evidence_decide(user=province_user, proposal_id=p.pk, accept=True, note="证明属实")
    with time_machine.travel(LATE_ON_DEADLINE_DAY, tick=False):
        with holding_locks(lambda: services.proposal_confirm(user=maker_user, proposal_id=p.pk)) as cbox:
            assert services.withdraw_overdue(today=AFTER_DUE) == 0  # locked row skipped
        assert "error" not in cbox
        assert services.withdraw_overdue(today=AFTER_DUE) == 0
    p.refresh_from_db()
    consumable.refresh_from_db()
    assert p.status == "confirmed" and consumable.price == D("100.00")
    assert not ListingPriceChange.objects.filter(rule="NEG-4").exists()
