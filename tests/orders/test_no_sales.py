"""DEL-1: one year without sales → pending suspension for review → suspended → delisted;
restoration by an institution's written request; idempotent, also on two workers."""

import threading
from datetime import date

import pytest
import time_machine
from django.db import connection

from core.errors import Forbidden
from listing.models import Listing
from orders import selectors, services
from orders.models import NoSalesCase, NoSalesStatus, RestorationStatus

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


def receive(world, product, on):
    with time_machine.travel(f"{on.isoformat()} 10:00 +08:00", tick=False):
        order = services.order_create(world.inst_user, [{"product_id": product.pk, "quantity": 1}])
        line = order.lines.get()
        services.order_lines_confirm(world.dist_user, [line.pk])
        d = services.delivery_create(world.dist_user, order.pk, note_number=f"N{line.pk}", lines=[
            {"order_line": line.pk, "batch_number": "B", "expiry_date": "2030-01-01", "quantity": 1}])
        services.receipt_create(world.inst_user, d.pk)


@pytest.fixture
def sold(world):
    """product sold 200 days ago; product2 last sold 400 days ago; the rest never sold."""
    receive(world, world.product, date(2025, 8, 14))
    receive(world, world.product2, date(2025, 1, 26))
    return world


def status(product):
    return Listing.objects.filter(product=product).values_list("status", flat=True).get()


def test_selection_matches_hand_written_sql(sold):
    orm = set(selectors.no_sales_candidates(TODAY, 365).values_list("pk", flat=True))
    with connection.cursor() as cur:
        cur.execute(selectors.NO_SALES_SQL, {"cutoff": date(2025, 3, 2)})
        sql = {r[0] for r in cur.fetchall()}
    assert orm == sql
    assert Listing.objects.get(product=sold.product).pk not in orm
    assert Listing.objects.get(product=sold.product2).pk in orm
    assert Listing.objects.get(product=sold.suspended).pk not in orm  # only active listings


def test_detect_is_idempotent_and_regulator_decides(sold):
    with time_machine.travel("2026-03-02 02:30 +08:00", tick=False):
        first = services.no_sales_daily(TODAY)
        again = services.no_sales_daily(TODAY)
    assert first["detected"] == 2 and again == {"detected": 0, "delisted": 0}  # product2 + no_distributor
    assert status(sold.product2) == "pending_suspension"
    assert status(sold.product) == "active"
    listing = Listing.objects.get(product=sold.product2)
    assert listing.status_rule == "DEL-1" and "无销售" in listing.status_reason
    case = NoSalesCase.objects.get(listing=listing)
    assert case.last_receipt_on == date(2025, 1, 26)
    # only the province decides
    with pytest.raises(Forbidden):
        services.no_sales_decide(sold.nj_regulator, case.pk, suspend=True)
    with time_machine.travel("2026-03-03 10:00 +08:00", tick=False):
        services.no_sales_decide(sold.province, case.pk, suspend=True, note="核实无销售")
    assert status(sold.product2) == "suspended"
    # DEL-4: no longer orderable
    with pytest.raises(services.BatchRefused) as exc:
        services.order_create(sold.inst_user, [{"product_id": sold.product2.pk, "quantity": 1}])
    assert exc.value.code == "DEL-4"
    case.refresh_from_db()
    assert case.delist_due == date(2026, 8, 30)  # + del.delisting_delay_days (180)
    assert services.no_sales_delist_due(date(2026, 8, 29)) == []
    assert [c.pk for c in services.no_sales_delist_due(date(2026, 8, 30))] == [case.pk]
    assert services.no_sales_delist_due(date(2026, 8, 31)) == []
    assert status(sold.product2) == "delisted"


def test_dismissal_restores_and_is_not_redetected_for_a_period(sold):
    services.no_sales_detect(TODAY)
    case = NoSalesCase.objects.get(listing__product=sold.product2)
    with time_machine.travel("2026-03-03 10:00 +08:00", tick=False):
        services.no_sales_decide(sold.province, case.pk, suspend=False, note="短缺监测品种，保留")
    assert status(sold.product2) == "active"
    assert services.no_sales_detect(date(2026, 3, 4)) == []


def test_restoration_request_and_approval_lets_manufacturer_reapply(sold):
    from notifications.models import Notification

    services.no_sales_detect(TODAY)
    case = NoSalesCase.objects.get(listing__product=sold.product2)
    from core.errors import RuleViolation

    with pytest.raises(RuleViolation) as exc:  # not suspended yet
        services.restoration_request(sold.inst_user, case.pk, reason="临床需要")
    assert exc.value.code == "DEL-1"
    services.no_sales_decide(sold.province, case.pk, suspend=True)
    req = services.restoration_request(sold.inst_user, case.pk, reason="临床抢救需要，请求恢复采购")
    services.restoration_decide(sold.province, req.pk, approve=True, note="同意")
    req.refresh_from_db()
    case.refresh_from_db()
    assert req.status == RestorationStatus.APPROVED and case.status == NoSalesStatus.RESTORATION_APPROVED
    assert Notification.objects.filter(recipient=sold.mfr_user, kind="orders.restoration").exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_open_one_case_per_listing(sold):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(services.no_sales_daily(TODAY))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r["detected"] for r in results) == 2
    assert NoSalesCase.objects.count() == 2
    assert Listing.objects.filter(status="pending_suspension").count() == 2
    assert services.no_sales_daily(TODAY) == {"detected": 0, "delisted": 0}


def test_no_sales_job_is_scheduled_daily():
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("sync_schedules")
    task = PeriodicTask.objects.get(name="platform:orders-no-sales-daily")
    assert task.task == "orders.tasks.no_sales_daily" and task.enabled
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_month) == ("2", "30", "*")


def test_celery_task_runs_the_daily_job(sold):
    from orders.tasks import no_sales_daily

    with time_machine.travel("2026-03-02 02:30 +08:00", tick=False):
        assert no_sales_daily.delay().get() == {"detected": 2, "delisted": 0}
        assert no_sales_daily.delay().get() == {"detected": 0, "delisted": 0}
