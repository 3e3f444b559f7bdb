"""The VBP jobs: monthly progress with reminders and the circular (VBP-6), the prepayment
ledger (VBP-7: each row created once, even on two workers), period-end judgement (VBP-8)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from notifications.models import Notification
from tests.concurrency import at_once
from vbp import jobs
from vbp.models import (
    BudgetConsequence,
    BudgetShield,
    Circular,
    CircularKind,
    Prepayment,
    ProgressClaim,
    ProgressSnapshot,
)

from .conftest import receive

pytestmark = pytest.mark.django_db


def test_vbp_6_monthly_progress_snapshot_reminder_and_idempotent(signed):
    """VBP-6: completed / agreed against elapsed share; lagging institutions reminded once."""
    w = signed
    receive(w, w.product, 60, date(2026, 2, 10))  # 10 % of 600 by the end of March (elapsed 24.66 %)
    result = jobs.progress_monthly(on=date(2026, 4, 1))
    snap = ProgressSnapshot.objects.get()
    assert (snap.month, snap.completed_qty, snap.agreed_qty) == (date(2026, 3, 1), 60, 600)
    assert (snap.completed_percent, snap.elapsed_percent, snap.lagging) == (Decimal("10.00"), Decimal("24.66"), True)
    assert result["reminded"] == 1
    assert Notification.objects.filter(recipient=w.inst_user, kind="vbp.lagging").count() == 1
    again = jobs.progress_monthly(on=date(2026, 4, 1))
    assert again["snapshots"] == 0 and again["reminded"] == 0
    assert ProgressSnapshot.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_vbp_6_two_workers_snapshot_and_remind_once(signed):
    """VBP-6: the monthly job on two workers at once — one snapshot per contract and month, one
    reminder per institution user (the bulk insert's dedupe key holds under a race); a third
    run afterwards sends nothing more."""
    w = signed
    results = at_once(lambda: jobs.progress_monthly(on=date(2026, 4, 1)))
    assert ProgressSnapshot.objects.filter(month=date(2026, 3, 1)).count() == 1
    assert sum(r["snapshots"] for r in results) == 1
    assert Notification.objects.filter(recipient=w.inst_user, kind="vbp.lagging").count() == 1
    assert sum(r["reminded"] for r in results) == Notification.objects.filter(kind="vbp.lagging").count()
    assert jobs.progress_monthly(on=date(2026, 4, 1))["reminded"] == 0
    assert Notification.objects.filter(recipient=w.inst_user, kind="vbp.lagging").count() == 1


def test_vbp_6_claim_of_a_killed_worker_is_taken_over_once_expired(signed):
    """VBP-6: a worker killed mid-job leaves its (tender, month) claim unfinished and no
    snapshot (its transaction died with it). While the claim is fresh another worker leaves the
    tender alone; once it is older than CLAIM_EXPIRES the next run takes it over, snapshots the
    contract once and marks the claim finished; a further run adds nothing."""
    w = signed
    claim = ProgressClaim.objects.create(tender=w.tender, month=date(2026, 3, 1), token="killed",
                                         claimed_at=timezone.now() - jobs.CLAIM_EXPIRES + timedelta(minutes=5))
    assert jobs.progress_monthly(on=date(2026, 4, 1))["snapshots"] == 0
    assert not ProgressSnapshot.objects.exists()

    ProgressClaim.objects.filter(pk=claim.pk).update(claimed_at=timezone.now() - jobs.CLAIM_EXPIRES - timedelta(minutes=1))
    result = jobs.progress_monthly(on=date(2026, 4, 1))
    assert result["snapshots"] == 1 and result["reminded"] == 1
    assert ProgressSnapshot.objects.filter(contract=w.contract, month=date(2026, 3, 1)).count() == 1
    claim.refresh_from_db()
    assert claim.token != "killed" and claim.finished_at is not None
    assert jobs.progress_monthly(on=date(2026, 4, 1)) == {"snapshots": 0, "reminded": 0, "circular_entries": 0}
    assert ProgressClaim.objects.count() == 1


def test_vbp_6_claim_taken_from_a_live_worker_snapshots_nothing_twice(signed):
    """VBP-6: a claim expired while its worker was still alive and that worker committed the
    tender's snapshots first: the worker that took the claim over writes nothing (the unique
    (contract, month) constraint), does not fail, and the claim ends finished."""
    w = signed
    jobs.progress_monthly(on=date(2026, 4, 1))
    snap = ProgressSnapshot.objects.get()
    ProgressClaim.objects.update(finished_at=None, claimed_at=timezone.now() - jobs.CLAIM_EXPIRES * 2)
    assert jobs.progress_monthly(on=date(2026, 4, 1))["snapshots"] == 0
    assert list(ProgressSnapshot.objects.values_list("pk", flat=True)) == [snap.pk]
    assert ProgressClaim.objects.get(tender=w.tender).finished_at is not None


def test_vbp_6_finished_claim_is_final_for_the_month(signed):
    """VBP-6: a finished (tender, month) claim is never taken again, however old — a re-run
    writes nothing, the next month is claimed afresh."""
    w = signed
    jobs.progress_monthly(on=date(2026, 4, 1))
    ProgressClaim.objects.update(claimed_at=timezone.now() - jobs.CLAIM_EXPIRES * 10)
    assert jobs.progress_monthly(on=date(2026, 4, 1))["snapshots"] == 0
    assert jobs.progress_monthly(on=date(2026, 5, 1))["snapshots"] == 1
    assert list(ProgressClaim.objects.filter(tender=w.tender).order_by("month").values_list("month", flat=True)) == [
        date(2026, 3, 1), date(2026, 4, 1)]


def test_vbp_6_reminder_text_names_count_and_worst_percent(signed):
    """VBP-6: the bulk reminder carries the institution's lagging contracts and worst completion."""
    w = signed
    jobs.progress_monthly(on=date(2026, 4, 1))
    n = Notification.objects.get(recipient=w.inst_user, kind="vbp.lagging")
    assert n.title == "带量采购进度滞后提醒" and n.level == "warning" and n.url == "/vbp/contracts/"
    assert "截至 2026-03 月末，贵机构有 1 份带量采购合同" in n.body and "最低完成 0.00%" in n.body
    assert n.dedupe_key == f"vbp-lag-{w.institution.pk}-202603"


@pytest.mark.parametrize("received,on", [(200, date(2026, 4, 1)), (1, date(2026, 2, 1)), (599, date(2026, 7, 1)),
                                         (600, date(2027, 1, 1))])
def test_vbp_6_sql_job_agrees_with_the_rule_functions(signed, received, on):
    """VBP-6: the job aggregates in SQL; its figures are exactly the rule functions' (rounding
    half up to 0.01, the lag threshold compared strictly) — at 1/3, near 0, near 100 and after the period."""
    from vbp import rules, selectors
    from vbp.jobs import month_end

    w = signed
    receive(w, w.product, received, date(2026, 1, 5))
    jobs.progress_monthly(on=on)
    snap = ProgressSnapshot.objects.get()
    month = on.replace(day=1) - timedelta(days=1)
    assert month == month_end(month)
    f = selectors.contract_progress([w.contract.pk], month)[w.contract.pk]
    done = rules.completed_percent(f["completed_amount"], f["agreed_amount"])
    elapsed = rules.elapsed_percent(w.tender.period_start, w.tender.period_end, month)
    assert (snap.agreed_amount, snap.completed_amount, snap.completed_qty) == (
        f["agreed_amount"], f["completed_amount"], f["completed_qty"])
    assert (snap.completed_percent, snap.elapsed_percent) == (done, elapsed)
    assert snap.lagging == rules.vbp_6_lagging(done, elapsed, 10)


def test_vbp_6_on_track_contract_is_not_reminded(signed):
    w = signed
    receive(w, w.product, 150, date(2026, 2, 10))  # 25 % ≥ 24.66 %
    jobs.progress_monthly(on=date(2026, 4, 1))
    assert ProgressSnapshot.objects.get().lagging is False
    assert not Notification.objects.filter(kind="vbp.lagging").exists()


def test_vbp_6_persistent_laggard_published_in_circular(signed):
    """VBP-6: lagging 3 months running → published in the circular (通报), once."""
    w = signed
    for on in (date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)):
        jobs.progress_monthly(on=on)
    circular = Circular.objects.get(kind=CircularKind.PERSISTENT_LAG)
    assert circular.month == date(2026, 4, 1)
    assert list(circular.entries.values_list("institution", flat=True)) == [w.institution.pk]
    jobs.publish_persistent_laggards(date(2026, 4, 1))
    assert Circular.objects.count() == 1


def _stages():
    return {p.stage: (p.percent, p.amount, p.trigger) for p in Prepayment.objects.all()}


def test_vbp_7_start_then_45_by_volume_then_5_on_completion(signed):
    """VBP-7: 50 % at the start; 45 % when half the volume is done before half time; 5 % on completion."""
    w = signed  # agreed 600 × 6.50 = 3,900.00
    jobs.prepayments(on=date(2026, 1, 1))
    assert _stages() == {"start": (Decimal("50"), Decimal("1950.00"), "period_start")}
    receive(w, w.product, 300, date(2026, 3, 10))
    jobs.prepayments(on=date(2026, 3, 11))
    assert _stages()["midterm"] == (Decimal("45"), Decimal("1755.00"), "half_volume")
    receive(w, w.product, 299, date(2026, 4, 10))
    jobs.prepayments(on=date(2026, 4, 11))
    assert "final" not in _stages()
    receive(w, w.product, 1, date(2026, 4, 12))
    jobs.prepayments(on=date(2026, 4, 13))
    assert _stages()["final"] == (Decimal("5"), Decimal("195.00"), "completion")
    assert jobs.prepayments(on=date(2026, 4, 14)) == 0
    assert Prepayment.objects.count() == 3


def test_vbp_7_45_by_time_when_half_period_passes_first(signed):
    jobs.prepayments(on=date(2026, 7, 1))
    assert set(_stages()) == {"start"}
    jobs.prepayments(on=date(2026, 7, 2))
    assert _stages()["midterm"][2] == "half_time"


def test_vbp_7_ledger_rows_are_immutable(signed):
    from django.db import InternalError, ProgrammingError, transaction

    jobs.prepayments(on=date(2026, 1, 1))
    row = Prepayment.objects.get()
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        Prepayment.objects.filter(pk=row.pk).update(amount=0)


def test_vbp_3_added_volume_keeps_prepayment_jilin(signed):
    """VBP-3/VBP-7 (Jilin 003 §三(四)): prepayment continues on volume added after completion."""
    from vbp import services
    from vbp.models import ContractLine

    w = signed
    receive(w, w.product, 600, date(2026, 3, 10))
    line = ContractLine.objects.get()
    services.contract_add_volume(w.inst_user, line, quantity=100, reason="临床需求", today=date(2026, 3, 11))
    jobs.prepayments(on=date(2026, 3, 12))
    addon = Prepayment.objects.get(kind="addon")
    assert (addon.base_amount, addon.amount, addon.trigger) == (Decimal("650.00"), Decimal("325.00"), "addition")


@pytest.mark.django_db(transaction=True)
def test_vbp_7_each_prepayment_created_once_on_two_workers(signed):
    """VBP-7: two workers run the job at once; each stage exists exactly once."""
    at_once(lambda: jobs.prepayments(on=date(2026, 7, 2)))
    assert sorted(Prepayment.objects.values_list("stage", flat=True)) == ["midterm", "start"]


def test_vbp_8_non_completion_judged_at_period_end_for_next_year(signed):
    """VBP-8: not on the last day of the period; the day after, recorded against the next year's budget."""
    w = signed
    receive(w, w.product, 100, date(2026, 5, 10))
    jobs.period_end(on=date(2026, 12, 31))
    assert not BudgetConsequence.objects.exists()
    jobs.period_end(on=date(2027, 1, 1))
    c = BudgetConsequence.objects.get()
    assert (c.kind, c.judged_on, c.budget_year, c.institution) == ("not_completed", date(2027, 1, 1), 2028,
                                                                      w.institution)
    assert Circular.objects.filter(kind=CircularKind.NOT_COMPLETED).count() == 1
    assert not BudgetShield.objects.exists()  # non-completion: no shield
    jobs.period_end(on=date(2027, 1, 2))
    assert BudgetConsequence.objects.count() == 1


def test_vbp_8_completed_contract_keeps_budget(signed):
    w = signed
    receive(w, w.product, 600, date(2026, 5, 10))
    jobs.period_end(on=date(2027, 1, 1))
    assert not BudgetConsequence.objects.exists()
    shield = BudgetShield.objects.get()
    assert (shield.institution, shield.year) == (w.institution, 2026)
    jobs.period_end(on=date(2027, 1, 2))
    assert BudgetShield.objects.count() == 1
