"""The periodic jobs of the VBP channel. Each claims its work — progress_monthly a (tender,
month) at a time in vbp_progressclaim, the others their rows with SELECT … FOR UPDATE SKIP
LOCKED in batches — and is idempotent: a second run, or a second worker at the same time,
changes nothing more (unique constraints decide races).

- progress_monthly (VBP-6): a snapshot per signed contract per month, reminders to lagging
  institutions, the circular (通报) of persistent laggards;
- prepayments (VBP-7): ledger rows, each created once with its trigger;
- period_end (VBP-6, VBP-8): non-completion judged at the end of the contract period, and
  arrears, recorded against the next year's budget; the non-completion circular."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from core.audit import audit_context
from notifications import recipients
from notifications.services import Message, notify, notify_many
from notifications.text import Text
from orders.models import Invoice
from policy import services as policy

from . import rules, selectors
from .models import (
    BudgetConsequence,
    BudgetShield,
    Circular,
    CircularEntry,
    CircularKind,
    ConsequenceKind,
    Contract,
    ContractAddition,
    ContractStatus,
    Prepayment,
    PrepaymentStage,
    ProgressClaim,
    ProgressSnapshot,
)

BATCH = 2000


def month_end(d: date) -> date:
    return (d.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _claim(qs, batch=BATCH):
    """Rows of `qs` nobody else is working on, locked for this transaction."""
    return list(qs.select_for_update(skip_locked=True, of=("self",)).order_by("pk")[:batch])


# ---------------------------------------------------------------------- VBP-6 progress


# VBP-6 per tender. A worker first claims a (tender, month) with one INSERT … ON CONFLICT into
# vbp_progressclaim (unique per tender and month), committed at once: a second worker's insert
# finds the claim and moves on to the next tender, without row locks on the contracts. (Locking
# 450,000 contracts FOR UPDATE SKIP LOCKED wrote every locked tuple and cost as much as the
# snapshots themselves at province scale.) Then ONE statement, in the transaction that marks
# the claim finished, sums the tender's receipts the way selectors.PROGRESS_SQL does — once per
# (institution, product) over the tender's period, read through receipt_line_listing_date_idx,
# hash-joined to the contract lines — computes the percentages and the lagging flag exactly as
# rules.completed_percent / elapsed_percent / vbp_6_lagging do (numeric, rounded half up to
# 0.01; test_jobs checks the two agree) and inserts the snapshots. The unique (contract, month)
# constraint still decides if two workers ever write the same contract (a claim taken over
# after CLAIM_EXPIRES from a worker that is in fact alive): the second one's insert fails
# whole and it moves on. Without ON CONFLICT DO NOTHING: its speculative insertion probed the
# unique index once more per row, 35 % of the insert's time at province scale. The period is
# passed as constants, so the receipts are read by (listing, received_on) like the hand SQL.
#
# A worker killed mid-job leaves its claim unfinished (its snapshot transaction is rolled back
# with it); after CLAIM_EXPIRES any worker may take the claim over. A finished claim is final
# for the month: contracts signed after the job ran were not signed at the month's end.
CLAIM_EXPIRES = timedelta(minutes=30)
OPEN_TENDERS_SQL = """
    SELECT t.id, t.period_start, t.period_end
    FROM vbp_tender t
    WHERE t.period_start <= %(month)s AND t.period_end >= %(month_first)s
      AND EXISTS (SELECT 1 FROM vbp_contract c WHERE c.tender_id = t.id AND c.status = 'signed')
      AND NOT EXISTS (SELECT 1 FROM vbp_progressclaim k WHERE k.tender_id = t.id AND k.month = %(month_first)s
                      AND (k.finished_at IS NOT NULL OR k.claimed_at > %(expired)s))
    ORDER BY t.id
"""
CLAIM_SQL = """
    INSERT INTO vbp_progressclaim (tender_id, month, token, claimed_at)
    VALUES (%(tender)s, %(month_first)s, %(token)s, %(now)s)
    ON CONFLICT (tender_id, month) DO UPDATE SET token = EXCLUDED.token, claimed_at = EXCLUDED.claimed_at
    WHERE vbp_progressclaim.finished_at IS NULL AND vbp_progressclaim.claimed_at <= %(expired)s
    RETURNING id
"""
SNAPSHOT_SQL = """
    WITH done AS MATERIALIZED (
        SELECT rl.institution_id, li.product_id, SUM(rl.quantity) AS qty
        FROM orders_receiptline rl
        JOIN listing_listing li ON li.id = rl.listing_id
        WHERE li.product_id IN (SELECT sp.product_id FROM vbp_selectedproduct sp
                                JOIN vbp_variety v ON v.id = sp.variety_id WHERE v.tender_id = %(tender)s)
          AND rl.received_on BETWEEN %(start)s AND %(upto)s
        GROUP BY rl.institution_id, li.product_id
    ), figures AS (
        SELECT cl.contract_id, SUM(cl.agreed_qty) AS agreed_qty,
               ROUND(SUM(cl.agreed_qty * cl.price), 2) AS agreed_amount,
               SUM(LEAST(COALESCE(d.qty, 0), cl.agreed_qty)) AS completed_qty,
               ROUND(SUM(LEAST(COALESCE(d.qty, 0), cl.agreed_qty) * cl.price), 2) AS completed_amount
        FROM vbp_contractline cl
        JOIN vbp_contract c ON c.id = cl.contract_id
        JOIN vbp_selectedproduct sp ON sp.id = cl.selected_id
        LEFT JOIN done d ON d.institution_id = c.institution_id AND d.product_id = sp.product_id
        WHERE c.tender_id = %(tender)s AND c.status = 'signed'
        GROUP BY cl.contract_id
    ), pct AS (
        SELECT f.*,
               CASE WHEN f.agreed_amount = 0 THEN CASE WHEN f.completed_amount > 0 THEN 100 ELSE 0 END
                    ELSE ROUND(f.completed_amount * 100 / f.agreed_amount, 2) END AS completed_percent,
               CASE WHEN %(month)s::date < %(start)s::date THEN 0
                    WHEN %(month)s::date >= %(end)s::date THEN 100
                    ELSE ROUND((%(month)s::date - %(start)s::date + 1)::numeric * 100
                               / (%(end)s::date - %(start)s::date + 1), 2) END AS elapsed_percent
        FROM figures f
    )
    INSERT INTO vbp_progresssnapshot (contract_id, month, agreed_amount, completed_amount, agreed_qty,
                                      completed_qty, completed_percent, elapsed_percent, lagging, created_at)
    SELECT contract_id, %(month_first)s, agreed_amount, completed_amount, agreed_qty, completed_qty,
           completed_percent, elapsed_percent, elapsed_percent - completed_percent > %(threshold)s, now()
    FROM pct
"""
FINISH_SQL = "UPDATE vbp_progressclaim SET finished_at = %(now)s WHERE id = %(claim)s AND finished_at IS NULL"


def progress_monthly(on: date | None = None) -> dict:
    """Snapshot the progress of every signed contract in its period at the end of the month
    before `on` (the job runs on the 1st), tender by tender. A tender already claimed for that
    month — finished, or being worked on by another worker — is skipped, so the job can be
    re-run and shared between workers; a claim left unfinished by a killed worker is taken
    over once it is older than CLAIM_EXPIRES."""
    on = on or timezone.localdate()
    month = on.replace(day=1) - timedelta(days=1)
    month_first = month.replace(day=1)
    threshold = Decimal(str(policy.get("vbp.lag_threshold_points", at=month)))
    token = uuid.uuid4().hex
    dates = {"month": month, "month_first": month_first}
    with connection.cursor() as cur:
        cur.execute(OPEN_TENDERS_SQL, {**dates, "expired": timezone.now() - CLAIM_EXPIRES})
        tenders = cur.fetchall()
    done = 0
    for tender, start, end in tenders:
        # The claim commits on its own, so that the other workers see it at once and pass.
        with transaction.atomic(), connection.cursor() as cur:
            now = timezone.now()
            cur.execute(CLAIM_SQL, {**dates, "tender": tender, "token": token, "now": now,
                                    "expired": now - CLAIM_EXPIRES})
            row = cur.fetchone()
        if row is None:
            continue  # another worker has it, or finished it since the list was read
        try:
            with transaction.atomic(), audit_context(None, reason="带量采购月度进度统计（VBP-6）"), \
                    connection.cursor() as cur:
                # The receipts' per-(institution, product) sums are hashed in memory; the
                # default work_mem would spill them to disk at province scale.
                cur.execute("SET LOCAL work_mem = '64MB'")
                cur.execute(SNAPSHOT_SQL, {**dates, "tender": tender, "start": start, "end": end,
                                           "upto": min(end, month), "threshold": threshold})
                written = cur.rowcount
                cur.execute(FINISH_SQL, {"claim": row[0], "now": timezone.now()})
        except IntegrityError:
            # vbp_snapshot_once_per_month: the worker we took the expired claim from was alive
            # after all and committed the tender's snapshots first — all of them, in one
            # transaction like ours. Ours rolled back; the tender is done.
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(FINISH_SQL, {"claim": row[0], "now": timezone.now()})
            continue
        done += written
    reminded = remind_laggards(month_first)
    circulars = publish_persistent_laggards(month_first)
    return {"snapshots": done, "reminded": reminded, "circular_entries": circulars}


def remind_laggards(month_first: date) -> int:
    """VBP-6: one reminder per lagging institution and month (not one per contract), sent to
    every user of the institution in ONE insert (notifications.services.notify_many). The
    dedupe key (institution, month) with the partial unique index keeps it once when the job
    runs twice or on two workers; returns the notifications created now."""
    rows = (ProgressSnapshot.objects.filter(month=month_first, lagging=True).values("contract__institution")
            .annotate(n=Count("id"), worst=Min("completed_percent")).order_by("contract__institution"))
    figures = {r["contract__institution"]: r for r in rows}
    if not figures:
        return 0
    messages = []
    for user in recipients.users_of_many(list(figures)):
        r = figures[user.organisation_id]
        messages.append(Message(
            recipient_id=user.pk, kind="vbp.lagging", level="warning", title=gettext_lazy("带量采购进度滞后提醒"),
            body=Text(gettext_noop("截至 %(month)s 月末，贵机构有 %(n)s 份带量采购合同完成进度落后于时间进度"
                                   "（最低完成 %(worst)s%%），请优先采购中选产品。依据：VBP-6"),
                      month=f"{month_first:%Y-%m}", n=r["n"], worst=r["worst"]),
            url="/vbp/contracts/", dedupe_key=f"vbp-lag-{user.organisation_id}-{month_first:%Y%m}"))
    return notify_many(messages)


def publish_persistent_laggards(month_first: date) -> int:
    """VBP-6: institutions lagging in each of the last N monthly snapshots are published in
    the month's circular (通报), once per tender and month."""
    months = policy.get("vbp.persistent_lag_months", at=month_first)
    window, m = [], month_first.replace(day=1)
    for _ in range(months):
        window.append(m)
        m = (m - timedelta(days=1)).replace(day=1)
    # A tender's contracts have a month's snapshots only if its claim for that month finished
    # (migration 0007 recorded the months snapshotted before claims existed), so only tenders
    # finished in every month of the window can have persistent laggards: one look at the
    # claims, and the snapshots are read for those tenders alone — none in a tender's first
    # months, instead of every lagging snapshot of the window.
    tenders = (ProgressClaim.objects.filter(month__in=window, finished_at__isnull=False).values("tender_id")
               .annotate(n=Count("id")).filter(n=months).values_list("tender_id", flat=True))
    tenders = list(tenders)
    if not tenders:
        return 0
    # Only contracts lagging in every month of the window can be persistent laggards (one
    # snapshot per contract and month): the database picks them, the rule decides on their
    # history alone — not on every contract lagging this month.
    lagging_now = (ProgressSnapshot.objects.filter(month__in=window, lagging=True, contract__tender_id__in=tenders)
                   .values("contract_id").annotate(n=Count("id")).filter(n=months).values("contract_id"))
    history: dict[int, dict] = {}
    for contract_id, m, lag, done, elapsed in (
        ProgressSnapshot.objects.filter(month__in=window, contract_id__in=lagging_now)
        .values_list("contract_id", "month", "lagging", "completed_percent", "elapsed_percent")
    ):
        history.setdefault(contract_id, {})[m] = (lag, done, elapsed)
    persistent = {
        cid: by_month[month_first] for cid, by_month in history.items()
        if len(by_month) == months and rules.vbp_6_persistent([by_month[m][0] for m in sorted(by_month)], months)
    }
    contracts = Contract.objects.in_bulk(list(persistent))
    return _publish(CircularKind.PERSISTENT_LAG, month_first, [
        (contracts[cid], done, elapsed) for cid, (_lag, done, elapsed) in persistent.items()])


def _publish(kind, month_first, entries) -> int:
    by_tender: dict[int, list] = {}
    for contract, done, elapsed in entries:
        by_tender.setdefault(contract.tender_id, []).append((contract, done, elapsed))
    created = 0
    for tender_id, items in by_tender.items():
        with transaction.atomic(), audit_context(None, reason=f"带量采购通报：{CircularKind(kind).label}（VBP-6）"):
            circular, new = Circular.objects.get_or_create(tender_id=tender_id, kind=kind, month=month_first)
            if not new:
                continue
            CircularEntry.objects.bulk_create([
                CircularEntry(circular=circular, contract=c, institution_id=c.institution_id, completed_percent=d,
                              elapsed_percent=e) for c, d, e in items])
            created += len(items)
            notify(recipients.province_regulators(), kind="vbp.circular", title=gettext_lazy("带量采购通报已发布"),
                   body=Text(gettext_noop("%(kind)s：%(n)s 家医疗机构。"), kind=CircularKind(kind).label, n=len(items)), target=circular,
                   dedupe_key=f"vbp-circular-{circular.pk}")
    return created


# ---------------------------------------------------------------------- VBP-7 prepayment


def prepayments(on: date | None = None) -> int:
    """Create the prepayment rows due on `on` (daily). Rows are immutable and unique per
    contract and stage: a re-run or a second worker creates nothing more."""
    on = on or timezone.localdate()
    shares = policy.get("vbp.prepayment_shares", at=on)
    minimum = policy.get("vbp.prepayment_min_first_percent", at=on)
    schedule = rules.vbp_7_schedule(shares, minimum)
    created = 0
    last_pk = 0
    while True:
        with transaction.atomic(), audit_context(None, reason="带量采购医保预付（VBP-7）"):
            claimed = _claim(Contract.objects.filter(
                status=ContractStatus.SIGNED, pk__gt=last_pk, tender__period_start__lte=on,
                tender__period_end__gte=on - timedelta(days=1),
            ).select_related("tender"))
            if not claimed:
                break
            last_pk = claimed[-1].pk
            figures = selectors.contract_progress([c.pk for c in claimed], on)
            existing = set(Prepayment.objects.filter(contract__in=claimed).values_list("contract_id", "stage"))
            rows = []
            for c in claimed:
                f = figures.get(c.pk)
                if f is None:
                    continue
                for due in rules.vbp_7_due(schedule, period_start=c.tender.period_start,
                                           period_end=c.tender.period_end, on=min(on, c.tender.period_end),
                                           completed_amount=f["completed_amount"], agreed_amount=f["agreed_amount"],
                                           signed=True):
                    if (c.pk, due.stage) in existing:
                        continue
                    rows.append(Prepayment(contract=c, stage=due.stage, kind=due.stage, percent=due.percent,
                                           base_amount=f["agreed_amount"],
                                           amount=rules.vbp_7_amount(f["agreed_amount"], due.percent),
                                           trigger=due.trigger, triggered_on=on))
            # Jilin 003 §三(四): prepayment continues on volume added after completion, until the period ends.
            for add in ContractAddition.objects.filter(line__contract__in=claimed).select_related("line"):
                stage = f"addon-{add.pk}"
                if (add.line.contract_id, stage) in existing or on > add.line.contract.tender.period_end:
                    continue
                base = (add.line.price * add.quantity).quantize(Decimal("0.01"))
                rows.append(Prepayment(contract_id=add.line.contract_id, stage=stage, kind=PrepaymentStage.ADDON,
                                       percent=schedule["start"], base_amount=base,
                                       amount=rules.vbp_7_amount(base, schedule["start"]), trigger="addition",
                                       triggered_on=on))
            created += len(Prepayment.objects.bulk_create(rows, ignore_conflicts=True))
    return created


# ---------------------------------------------------------------------- VBP-8 period end


def period_end(on: date | None = None) -> dict:
    """Judge contracts whose period ended before `on` (VBP-8: at the end of the CONTRACT
    period): non-completion → a budget consequence for the next year and the circular;
    arrears (overdue invoices of the contract's products) → a consequence when they occur."""
    on = on or timezone.localdate()
    judged = arrears = 0
    ended = Contract.objects.filter(status=ContractStatus.SIGNED, tender__period_end__lt=on).exclude(
        consequences__kind=ConsequenceKind.NOT_COMPLETED).exclude(
        pk__in=BudgetConsequence.objects.filter(kind=ConsequenceKind.NOT_COMPLETED).values("contract_id"))
    failed_for_circular = []
    last_pk = 0
    while True:
        with transaction.atomic(), audit_context(None, reason="采购周期届满认定（VBP-8）"):
            claimed = _claim(ended.filter(pk__gt=last_pk).select_related("tender"))
            if not claimed:
                break
            last_pk = claimed[-1].pk
            figures = selectors.contract_progress([c.pk for c in claimed], on)
            rows = []
            for c in claimed:
                f = figures.get(c.pk)
                if f is None or not rules.vbp_8_not_completed(c.tender.period_end, on, f["completed_amount"],
                                                              f["agreed_amount"]):
                    continue
                judged_on = c.tender.period_end + timedelta(days=1)
                pct = rules.completed_percent(f["completed_amount"], f["agreed_amount"])
                rows.append(BudgetConsequence(
                    contract=c, institution_id=c.institution_id, kind=ConsequenceKind.NOT_COMPLETED,
                    judged_on=judged_on, budget_year=rules.vbp_8_budget_year(judged_on),
                    detail=f"采购周期 {c.tender.period_start:%Y-%m-%d} 至 {c.tender.period_end:%Y-%m-%d} 完成 {pct}%"))
                failed_for_circular.append((c, pct, Decimal("100")))
            judged += len(BudgetConsequence.objects.bulk_create(rows, ignore_conflicts=True))
    if failed_for_circular:
        _publish(CircularKind.NOT_COMPLETED, on.replace(day=1), failed_for_circular)
    shields = _record_shields(on)
    # Arrears, when they occur: an overdue invoice of a selected product under a signed contract.
    with transaction.atomic(), audit_context(None, reason="带量采购未按时回款（VBP-8）"):
        owing = (Contract.objects.filter(status=ContractStatus.SIGNED)
                 .exclude(consequences__kind=ConsequenceKind.ARREARS)
                 .filter(institution_id__in=Invoice.objects.overdue(on).values("institution_id"))
                 .select_related("tender"))
        rows = []
        for c in owing:
            overdue = Invoice.objects.overdue(on).filter(
                institution_id=c.institution_id,
                delivery__order__lines__product__vbp_selections__contract_lines__contract=c).distinct()
            if overdue.exists():
                rows.append(BudgetConsequence(
                    contract=c, institution_id=c.institution_id, kind=ConsequenceKind.ARREARS, judged_on=on,
                    budget_year=rules.vbp_8_budget_year(on),
                    detail=f"逾期未回款发票 {overdue.count()} 张"))
        arrears = len(BudgetConsequence.objects.bulk_create(rows, ignore_conflicts=True))
    return {"not_completed": judged, "arrears": arrears, "shields": shields}


def _record_shields(on: date) -> int:
    """VBP-8: institutions whose every contract of an ended tender was completed, with no
    arrears recorded, keep their budget control index for the year the period ended."""
    ended = Contract.objects.filter(status=ContractStatus.SIGNED, tender__period_end__lt=on)
    flagged = set(BudgetConsequence.objects.filter(contract__in=ended).values_list("institution_id", "contract__tender_id"))
    pairs = set(ended.values_list("institution_id", "tender_id", "tender__period_end"))
    rows = [BudgetShield(institution_id=i, tender_id=t, year=end.year) for i, t, end in pairs if (i, t) not in flagged]
    with transaction.atomic(), audit_context(None, reason="完成约定量且按时回款，保留医保总额控制指标（VBP-8）"):
        before = BudgetShield.objects.count()
        BudgetShield.objects.bulk_create(rows, ignore_conflicts=True)
        return BudgetShield.objects.count() - before
