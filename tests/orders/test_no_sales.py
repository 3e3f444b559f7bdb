"""DEL-1 (corrected 2026-11-29): one year without sales → the job only PROPOSES (a pending case;
the listing stays purchasable and negotiable) → the province decides → suspended → drugs
delisted later, consumables never; returns net off sales; restoration by an institution's
written request (consumables resume at once, drugs re-apply and keep their listing);
idempotent, also on two workers."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction

from core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from listing.models import Listing
from orders import selectors
from orders.models import NoSalesCase, NoSalesStatus, OrderLine, RestorationStatus
from orders.services import fulfilment, no_sales, ordering
from tests import factories as f
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


def receive(world, product, on):
    with time_machine.travel(f"{on.isoformat()} 10:00 +08:00", tick=False):
        order = ordering.order_create(world.inst_user, lines=[{"product_id": product.pk, "quantity": 1}])
        line = order.lines.get()
        ordering.order_lines_confirm(world.dist_user, order_line_ids=[line.pk])
        d = fulfilment.delivery_create(world.dist_user, order_id=order.pk, note_number=f"N{line.pk}", lines=[
            {"order_line": line.pk, "batch_number": "B", "expiry_date": "2030-01-01", "quantity": 1}])
        fulfilment.receipt_create(world.inst_user, delivery_id=d.pk)


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


def test_del_1_detect_only_proposes_and_regulator_decides(sold):
    """DEL-1: the job marks the listing for review; it stays active (orderable) until the province
    decides; only the decision suspends; a drug is delisted after the delay."""
    with time_machine.travel("2026-03-02 02:30 +08:00", tick=False):
        first = no_sales.no_sales_daily(TODAY)
        again = no_sales.no_sales_daily(TODAY)
    assert first["detected"] == 2 and again == {"detected": 0, "delisted": 0}  # product2 + no_distributor
    assert status(sold.product2) == "active"  # proposed, not suspended
    assert status(sold.product) == "active"
    listing = Listing.objects.get(product=sold.product2)
    case = NoSalesCase.objects.get(listing=listing)
    assert case.status == NoSalesStatus.PENDING and case.last_receipt_on == date(2025, 1, 26)
    # marked but still orderable (DEL-4 does not apply before the decision)
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        order = ordering.order_create(sold.inst_user, lines=[{"product_id": sold.product2.pk, "quantity": 1}])
    assert order.lines.get().listing_id == listing.pk
    # only the province decides
    with pytest.raises(Forbidden):
        no_sales.no_sales_decide(sold.nj_regulator, case_id=case.pk, suspend=True)
    case.refresh_from_db()
    assert case.status == NoSalesStatus.PENDING and status(sold.product2) == "active"
    with time_machine.travel("2026-03-03 10:00 +08:00", tick=False):
        no_sales.no_sales_decide(sold.province, case_id=case.pk, suspend=True, note="核实无销售")
    assert status(sold.product2) == "suspended"
    listing.refresh_from_db()
    assert listing.status_rule == "DEL-1" and "暂停" in listing.status_reason
    # DEL-4: no longer orderable once suspended
    with pytest.raises(ordering.BatchRefused) as exc:
        ordering.order_create(sold.inst_user, lines=[{"product_id": sold.product2.pk, "quantity": 1}])
    assert exc.value.code == "DEL-4"
    with pytest.raises(Conflict):  # decided once
        no_sales.no_sales_decide(sold.province, case_id=case.pk, suspend=False, note="再议")
    case.refresh_from_db()
    assert case.delist_due == date(2026, 8, 30)  # + del.delisting_delay_days (180)
    assert no_sales.no_sales_delist_due(date(2026, 8, 29)) == []
    assert [c.pk for c in no_sales.no_sales_delist_due(date(2026, 8, 30))] == [case.pk]
    assert no_sales.no_sales_delist_due(date(2026, 8, 31)) == []
    assert status(sold.product2) == "delisted"


def test_del_1_marked_listing_still_orderable_through_his_api(sold, his_token):
    """DEL-1: a listing marked for review is still purchasable through the HIS order endpoint,
    and refused (DEL-4) only after the province suspends it."""
    from rest_framework.test import APIClient

    no_sales.no_sales_detect(TODAY)
    case = NoSalesCase.objects.get(listing__product=sold.product2, status=NoSalesStatus.PENDING)
    token, _client = his_token(sold.institution)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = {"external_ref": "HIS-DEL1", "lines": [{"national_code": sold.product2.national_code, "quantity": 3}]}
    ok = api.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="del-1-marked")
    assert ok.status_code == 201, ok.json()
    no_sales.no_sales_decide(sold.province, case_id=case.pk, suspend=True, note="核实无销售")
    refused = api.post("/api/v1/orders/", {**body, "external_ref": "HIS-DEL1-2"}, format="json",
                       HTTP_IDEMPOTENCY_KEY="del-1-suspended")
    assert refused.status_code == 422 and refused.json()["code"] == "DEL-4"


def test_del_1_marked_listing_still_negotiable(sold):
    """DEL-1: during the review the listing can still be negotiated (NEG-1)."""
    from negotiation.services import proposal_submit

    no_sales.no_sales_detect(TODAY)
    listing = Listing.objects.get(product=sold.product2)
    assert NoSalesCase.objects.filter(listing=listing, status=NoSalesStatus.PENDING).exists()
    proposal = proposal_submit(user=sold.inst_user, listing_id=listing.pk, unit_price="25.00", quantity="10")
    assert proposal.status == "pending" and proposal.listing_id == listing.pk


def test_del_1_fully_returned_receipt_is_no_sale(world):
    """DEL-1: returns net off the receipts that count as sales — a receipt returned in full
    inside the year leaves the product without sales; a partial return still counts."""
    receive(world, world.product, date(2025, 8, 14))
    receive(world, world.product2, date(2025, 8, 14))
    line = OrderLine.objects.get(product=world.product)
    fulfilment.return_create(world.inst_user, order_line_id=line.pk, quantity=1, reason="质量问题退货", returned_on="2025-08-20")
    orm = set(selectors.no_sales_candidates(TODAY, 365).values_list("pk", flat=True))
    with connection.cursor() as cur:
        cur.execute(selectors.NO_SALES_SQL, {"cutoff": date(2025, 3, 2)})
        assert {r[0] for r in cur.fetchall()} == orm
    assert Listing.objects.get(product=world.product).pk in orm  # fully returned: no sale
    assert Listing.objects.get(product=world.product2).pk not in orm  # kept: a sale
    assert no_sales.no_sales_detect(TODAY)
    case = NoSalesCase.objects.get(listing__product=world.product)
    assert case.last_receipt_on is None  # the only receipt was undone


def test_del_1_consumable_only_suspended_and_resumes_without_reapplying(world):
    """DEL-1 / 002 §14: a consumable is suspended on the province's decision but never delisted;
    an institution's written request approved by the regulator makes it purchasable again at
    once, on the same listing, without a new application."""
    product = f.ProductFactory(
        kind="consumable", consumable_class="ordinary", national_code="C09100100000000211790000049",
        generic_name="一次性使用输液器", specification="带针 0.7mm", pack_unit="支", manufacturer=world.manufacturer, dosage_form="")
    listing = f.ListingFactory(product=product, price="3.00", status="active", category="LST-C3",
                                     effective_date=date(2024, 1, 1))
    no_sales.no_sales_detect(TODAY)
    case = NoSalesCase.objects.get(listing=listing)
    with time_machine.travel("2026-03-03 10:00 +08:00", tick=False):
        no_sales.no_sales_decide(world.province, case_id=case.pk, suspend=True, note="核实无销售")
    case.refresh_from_db()
    assert status(product) == "suspended" and case.delist_due is None
    assert no_sales.no_sales_delist_due(date(2030, 1, 1)) == []  # never delisted by DEL-1
    assert status(product) == "suspended"
    with pytest.raises(Forbidden):  # only an institution asks
        no_sales.restoration_request_create(world.mfr_user, case_id=case.pk, reason="请求恢复")
    req = no_sales.restoration_request_create(world.inst_user, case_id=case.pk, reason="临床需要，书面申请恢复采购")
    with pytest.raises(Forbidden):
        no_sales.restoration_request_decide(world.nj_regulator, request_id=req.pk, approve=True)
    no_sales.restoration_request_decide(world.province, request_id=req.pk, approve=True, note="同意恢复")
    case.refresh_from_db()
    assert case.status == NoSalesStatus.RESTORED
    assert status(product) == "active"
    listing.refresh_from_db()
    assert Listing.objects.filter(product=product).count() == 1  # no second listing
    assert not listing.applications.exists()  # no re-application
    assert listing.status_rule == "DEL-1"


def test_dismissal_keeps_listing_and_is_not_redetected_for_a_period(sold):
    """DEL-1: the province may decide not to suspend (with a reason); the listing was never touched."""
    no_sales.no_sales_detect(TODAY)
    case = NoSalesCase.objects.get(listing__product=sold.product2)
    with pytest.raises(InvalidInput):
        no_sales.no_sales_decide(sold.province, case_id=case.pk, suspend=False)
    with time_machine.travel("2026-03-03 10:00 +08:00", tick=False):
        no_sales.no_sales_decide(sold.province, case_id=case.pk, suspend=False, note="短缺监测品种，保留")
    assert status(sold.product2) == "active"
    assert no_sales.no_sales_detect(date(2026, 3, 4)) == []


def test_drug_restoration_needs_reapplication_and_reactivates_the_same_listing(sold):
    """DEL-1: an approved request lets the drug's manufacturer re-apply; when that application
    takes effect the suspended listing becomes active again — no second listing."""
    from notifications.models import Notification

    no_sales.no_sales_detect(TODAY)
    case = NoSalesCase.objects.get(listing__product=sold.product2)
    with pytest.raises(RuleViolation) as exc:  # not suspended yet
        no_sales.restoration_request_create(sold.inst_user, case_id=case.pk, reason="临床需要")
    assert exc.value.code == "DEL-1"
    no_sales.no_sales_decide(sold.province, case_id=case.pk, suspend=True)
    req = no_sales.restoration_request_create(sold.inst_user, case_id=case.pk, reason="临床抢救需要，请求恢复采购")
    no_sales.restoration_request_decide(sold.province, request_id=req.pk, approve=True, note="同意")
    req.refresh_from_db()
    case.refresh_from_db()
    assert req.status == RestorationStatus.APPROVED and case.status == NoSalesStatus.RESTORATION_APPROVED
    assert status(sold.product2) == "suspended"  # a drug waits for its re-application
    assert no_sales.no_sales_delist_due(date(2027, 1, 1)) == []  # approved: not delisted meanwhile
    assert Notification.objects.filter(recipient=sold.mfr_user, kind="orders.restoration").exists()
    _reapply_and_take_effect(sold, sold.product2, "25.50")
    listings = Listing.objects.filter(product=sold.product2)
    assert listings.count() == 1 and listings.get().status == "active"
    case.refresh_from_db()
    assert case.status == NoSalesStatus.RESTORED


def _reapply_and_take_effect(world, product, price):
    """The manufacturer's LST-1 re-application, confirmed and applied in the monthly batch."""
    from listing.models import ApplicationStatus, ListingApplication
    from listing.services.batch import _apply_application

    price = Decimal(str(price))
    app = ListingApplication.objects.create(
        product=product, enterprise=product.manufacturer, category="LST-1", declared_price=price,
        listing_price=price, status=ApplicationStatus.CONFIRMED, effective_date=date(2026, 4, 1),
        submitted_by=world.mfr_user, decided_by=world.province)
    with transaction.atomic():
        _apply_application(app)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_open_one_case_per_listing(sold):
    results = at_once(lambda: no_sales.no_sales_daily(TODAY))
    assert sum(r["detected"] for r in results) == 2
    assert NoSalesCase.objects.filter(status="pending").count() == 2
    assert Listing.objects.filter(status="active").count() == 3  # marked, not suspended
    assert no_sales.no_sales_daily(TODAY) == {"detected": 0, "delisted": 0}


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
