"""The VBP part of the benchmarks (`manage.py bench_vbp` on its own database, and section 5 of
`manage.py bench` on the orders benchmark's data at any `--scale`): one national tender of 500
varieties over the bench catalogue, every institution a signed contract per selected enterprise,
then the monthly progress job (VBP-6) against hand-written SQL doing the same work, and the
VBP-4 cap check per 1,000-line batch. Prints nothing itself: returns the figures."""

import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

VARIETIES = 500

# One national tender whose period began 180 days ago; variety k is the generic name
# 基准产品k of the bench catalogue: its first product is selected (at its listing price),
# the other products of that name are the non-selected members (VBP-4). Every institution
# has one contract per selected enterprise and a line per variety, all signed.
GENERATE = """
INSERT INTO vbp_tender (code, name, level, alliance_kind, product_kind, selection_mode, selection_rule, volume_ratio,
    period_start, period_end, status, published_at, created_by_id, created_at)
VALUES ('BENCH-01', '基准国家集采', 'national', '', 'drug', 'price_competition', '', 70,
    %(start)s, %(end)s, 'published', now(), %(user)s, now());
INSERT INTO vbp_variety (tender_id, name, spec_note, priority)
SELECT t.id, '基准产品' || k, '', 'national' FROM vbp_tender t, generate_series(1, %(varieties)s) k
WHERE t.code = 'BENCH-01';
INSERT INTO vbp_selectedproduct (variety_id, product_id, enterprise_id, price, allocation_share, listing_id)
SELECT v.id, p.id, p.manufacturer_id, l.price, 100, l.id
FROM vbp_variety v JOIN catalog_product p ON p.id = substring(v.name FROM 5)::int
JOIN listing_listing l ON l.product_id = p.id;
INSERT INTO vbp_varietyproduct (variety_id, product_id, selected)
SELECT v.id, p.id, p.id = substring(v.name FROM 5)::int
FROM vbp_variety v JOIN catalog_product p ON p.generic_name = v.name;
INSERT INTO vbp_contract (tender_id, institution_id, enterprise_id, number, status, institution_signed_at,
    enterprise_signed_at, created_at)
SELECT DISTINCT ON (i.id, sp.enterprise_id) v.tender_id, i.id, sp.enterprise_id,
       'B-' || i.id || '-' || sp.enterprise_id, 'signed', now(), now(), now()
FROM parties_organisation i CROSS JOIN vbp_selectedproduct sp JOIN vbp_variety v ON v.id = sp.variety_id
WHERE i.kind = 'institution';
INSERT INTO vbp_contractline (contract_id, selected_id, agreed_qty, added_qty, price)
SELECT c.id, sp.id, 20 + (c.institution_id * 7 + sp.id * 13) %% 200, 0, sp.price
FROM vbp_contract c JOIN vbp_selectedproduct sp ON sp.enterprise_id = c.enterprise_id;
"""

# The same work as jobs.progress_monthly, written by hand the shortest way a DBA would: one
# statement that sums the receipts of the selected products in the (single, known) period per
# (institution, product), joins them to every contract line, computes the same percentages and
# lag flag (same rounding, same threshold) and INSERTs the same 4,500/45,000 snapshot rows;
# then one INSERT … SELECT of the reminders (one per user of each lagging institution, same
# dedupe key). What it skips that the job must do: claiming each (tender, month) for a second
# worker and marking it finished, periods differing per tender, and the persistent-laggard
# circular.
HAND_SQL = """
INSERT INTO vbp_progresssnapshot (contract_id, month, agreed_amount, completed_amount, agreed_qty, completed_qty,
                                  completed_percent, elapsed_percent, lagging, created_at)
SELECT f.contract_id, %(month_first)s, f.aa, f.ca, f.aq, f.cq, f.cp, f.ep, f.ep - f.cp > %(threshold)s, now()
FROM (
    SELECT g.*, CASE WHEN g.aa = 0 THEN CASE WHEN g.ca > 0 THEN 100 ELSE 0 END
                     ELSE ROUND(g.ca * 100 / g.aa, 2) END AS cp,
           ROUND((%(upto)s::date - %(start)s::date + 1)::numeric * 100 / (%(end)s::date - %(start)s::date + 1), 2) AS ep
    FROM (
        SELECT cl.contract_id, SUM(cl.agreed_qty) AS aq, ROUND(SUM(cl.agreed_qty * cl.price), 2) AS aa,
               SUM(LEAST(COALESCE(r.qty, 0), cl.agreed_qty)) AS cq,
               ROUND(SUM(LEAST(COALESCE(r.qty, 0), cl.agreed_qty) * cl.price), 2) AS ca
        FROM vbp_contractline cl
        JOIN vbp_contract c ON c.id = cl.contract_id
        JOIN vbp_selectedproduct sp ON sp.id = cl.selected_id
        LEFT JOIN (
            SELECT rl.institution_id, li.product_id, SUM(rl.quantity) AS qty
            FROM orders_receiptline rl JOIN listing_listing li ON li.id = rl.listing_id
            WHERE li.product_id IN (SELECT product_id FROM vbp_selectedproduct)
              AND rl.received_on BETWEEN %(start)s AND %(upto)s
            GROUP BY rl.institution_id, li.product_id
        ) r ON r.institution_id = c.institution_id AND r.product_id = sp.product_id
        GROUP BY cl.contract_id
    ) g
) f;
INSERT INTO notifications_notification (recipient_id, level, kind, title, body, url, target_id, dedupe_key, created_at,
                                        i18n)
SELECT u.id, 'warning', 'vbp.lagging', '带量采购进度滞后提醒',
       '截至 ' || to_char(%(month_first)s::date, 'YYYY-MM') || ' 月末，贵机构有 ' || x.n
       || ' 份带量采购合同完成进度落后于时间进度（最低完成 ' || x.worst || '%%），请优先采购中选产品。依据：VBP-6',
       '/vbp/contracts/', '', 'vbp-lag-' || x.institution_id || '-' || to_char(%(month_first)s::date, 'YYYYMM'), now(),
       -- the msgid and parameters the job stores, so each reader sees it in their language
       jsonb_build_object('title', jsonb_build_object('msgid', '带量采购进度滞后提醒', 'params', '{}'::jsonb),
                          'body', jsonb_build_object('msgid', %(body_msgid)s, 'params', jsonb_build_object(
                              'month', to_char(%(month_first)s::date, 'YYYY-MM'), 'n', x.n::text,
                              'worst', x.worst::text)))
FROM (SELECT c.institution_id, COUNT(*) AS n, MIN(s.completed_percent) AS worst
      FROM vbp_progresssnapshot s JOIN vbp_contract c ON c.id = s.contract_id
      WHERE s.month = %(month_first)s AND s.lagging GROUP BY c.institution_id) x
JOIN parties_user u ON u.organisation_id = x.institution_id AND u.is_active AND u.role <> 'his'
ON CONFLICT (recipient_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING;
"""

LAG_MSGID = ("截至 %(month)s 月末，贵机构有 %(n)s 份带量采购合同完成进度落后于时间进度"
             "（最低完成 %(worst)s%%），请优先采购中选产品。依据：VBP-6")  # vbp.jobs.remind_laggards

# Every bench institution gets a user, so the reminders go to 150/1,500 inboxes as in production.
USERS_SQL = """
INSERT INTO parties_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                          date_joined, full_name, organisation_id, role, phone)
SELECT '!', false, 'bench_inst_' || o.id, '', '', '', false, true, now(), '', o.id, 'institution', ''
FROM parties_organisation o
WHERE o.kind = 'institution' AND NOT EXISTS (SELECT 1 FROM parties_user u WHERE u.organisation_id = o.id)
"""


def ensure_contracts(log) -> None:
    """The tender and its contracts over the bench orders already in the database (once), and a
    user per institution (so reminders reach as many inboxes as in production)."""
    from parties.models import User

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM vbp_contractline")
        contract_lines = cur.fetchone()[0]
    if not contract_lines:
        started = time.perf_counter()
        today = timezone.localdate()
        user = User.objects.filter(username="bench_province").first()
        with connection.cursor() as cur:
            cur.execute("SET session_replication_role = replica")  # no audit triggers for synthetic rows
            cur.execute(GENERATE, {"start": today - timedelta(days=180), "end": today + timedelta(days=184),
                                   "user": user.pk, "varieties": VARIETIES})
            cur.execute("SET session_replication_role = DEFAULT")
            cur.execute("ANALYZE")
        log(f"vbp bench: tender and contracts generated in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        cur.execute(USERS_SQL)
        cur.execute("SET session_replication_role = DEFAULT")


def hand_sql_params(on) -> dict:
    """HAND_SQL's parameters for the job run on `on` (the 1st of a month: the past month)."""
    from policy import services as policy
    from vbp.models import Tender

    tender = Tender.objects.get(code="BENCH-01")
    month = on - timedelta(days=1)
    return {"start": tender.period_start, "end": tender.period_end, "upto": min(month, tender.period_end),
            "month_first": month.replace(day=1), "body_msgid": LAG_MSGID,
            "threshold": Decimal(str(policy.get("vbp.lag_threshold_points", at=month)))}


def reset() -> None:
    """No snapshot, claim or lag reminder: both sides write everything afresh."""
    from vbp.models import ProgressClaim, ProgressSnapshot

    with connection.cursor() as cur:
        # The month's claims too, or the job would find every tender already done.
        cur.execute(f"TRUNCATE {ProgressSnapshot._meta.db_table}, {ProgressClaim._meta.db_table}")
        cur.execute("DELETE FROM notifications_notification WHERE kind = 'vbp.lagging'")
        cur.execute(f"ANALYZE {ProgressSnapshot._meta.db_table}")


def measure(repeat: int = 3) -> dict:
    """VBP-6 job vs hand SQL (medians of `repeat`, each run writing everything afresh) and the
    VBP-4 cap check; returns the figures."""
    from orders.hooks import BatchLine
    from parties.models import Organisation
    from policy import services as policy
    from vbp import jobs, providers

    on = timezone.localdate().replace(day=1)
    params = hand_sql_params(on)
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*), COUNT(DISTINCT contract_id) FROM vbp_contractline")
        n_lines, n_contracts = cur.fetchone()
        cur.execute("SELECT COUNT(*) FROM orders_orderline")
        n_orders = cur.fetchone()[0]

    hand, ours, snap_only = [], [], []
    for _ in range(repeat):
        reset()
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(HAND_SQL, params)
        hand.append(time.perf_counter() - t0)
        reset()
        t0 = time.perf_counter()
        result = jobs.progress_monthly(on=on)
        ours.append(time.perf_counter() - t0)
        # The snapshot statements alone (reminders and circular excluded), for the report.
        reset()
        original_remind, original_publish = jobs.remind_laggards, jobs.publish_persistent_laggards
        jobs.remind_laggards = jobs.publish_persistent_laggards = lambda month_first: 0
        try:
            t0 = time.perf_counter()
            jobs.progress_monthly(on=on)
            snap_only.append(time.perf_counter() - t0)
        finally:
            jobs.remind_laggards, jobs.publish_persistent_laggards = original_remind, original_publish
    h, o, so = statistics.median(hand), statistics.median(ours), statistics.median(snap_only)

    # VBP-4: one 1,000-line batch, half selected and half non-selected products, in refuse mode.
    mode = policy.get("vbp.non_selected_cap_mode")
    with connection.cursor() as cur:
        cur.execute("SELECT product_id, selected FROM vbp_varietyproduct ORDER BY variety_id, product_id LIMIT 1000")
        members = cur.fetchall()
    institution = Organisation.objects.filter(kind="institution").order_by("id").first()
    lines = [BatchLine(i, pid, 1) for i, (pid, _s) in enumerate(members)]
    original = policy.get
    policy.get = lambda key, at=None: "refuse" if key == "vbp.non_selected_cap_mode" else original(key, at)
    try:
        cap = []
        for _ in range(max(5, repeat)):
            t0 = time.perf_counter()
            providers.cap_check(institution, lines, timezone.localdate())
            cap.append(time.perf_counter() - t0)
    finally:
        policy.get = original
    return {"contracts": n_contracts, "contract_lines": n_lines, "order_lines": n_orders, "repeat": repeat,
            "hand_sql_s": h, "job_s": o, "snapshots_only_s": so, "ratio": o / h, "snapshots": result["snapshots"],
            "reminded": result["reminded"], "cap_mode": mode, "cap_check_ms": statistics.median(cap) * 1000}


def report(f: dict) -> str:
    return (
        f"VBP-6 progress job: {f['contracts']:,} contracts, {f['contract_lines']:,} contract lines, "
        f"{f['order_lines']:,} order lines\n"
        f"  hand-written SQL (same snapshot rows and reminders written): {f['hand_sql_s']:6.2f} s "
        f"(median of {f['repeat']})\n"
        f"  jobs.progress_monthly (claims, computes, writes {f['snapshots']:,} snapshots, "
        f"{f['reminded']:,} reminders, circular): {f['job_s']:6.2f} s -> ratio {f['ratio']:.2f}x (target <= 1.5x)\n"
        f"    of which the snapshot statements alone: {f['snapshots_only_s']:6.2f} s "
        f"({f['snapshots_only_s'] / f['hand_sql_s']:.2f}x)\n"
        f"VBP-4 cap check (mode in force: {f['cap_mode']}; measured in refuse mode): one query per 1,000-line "
        f"batch, median {f['cap_check_ms']:.1f} ms"
    )
