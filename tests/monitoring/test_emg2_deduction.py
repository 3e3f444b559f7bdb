"""EMG-2 (corrected 2026-11-29, 004 §四(一) "按规定比例"): an emergency off-platform purchase is
out of scope when its product was listed and orderable ON THE PURCHASE DATE (its status that
day, not today's); its deduction is a policy-parameter ratio (the one in force on the purchase
date) × the insurance-paid part recorded at settlement."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from openpyxl import load_workbook

from core.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from listing.models import Listing
from listing.services import status
from monitoring import rules, services
from monitoring.models import EmergencyDeduction, Flag
from orders.models import OffPlatformPurchase
from policy.models import PolicyValue
from tests import factories as f

pytestmark = pytest.mark.django_db

OCT = date(2026, 10, 1)


@pytest.fixture
def history(supply):
    """A drug listed on 2026-09-01, suspended on 2026-10-10, restored on 2026-11-20 (active today)."""
    with time_machine.travel("2026-09-01 09:00 +08:00", tick=False):
        product = f.ProductFactory(kind="drug", generic_name="应急药", dosage_form="注射剂", specification="1ml",
                                   manufacturer=supply["maker"], national_code=None)
        listing = f.ListingFactory(product=product, price=D("10.00"), category="LST-1",
                                         effective_date=date(2026, 9, 1))
    with time_machine.travel("2026-10-10 09:00 +08:00", tick=False):
        status.listing_suspend(None, listing=listing, rule="DEL-2", reason="质量抽检不合格，暂停挂网")
    with time_machine.travel("2026-11-20 09:00 +08:00", tick=False):
        status.listing_restore(None, listing=Listing.objects.get(pk=listing.pk), rule="DEL-2", reason="复检合格，恢复挂网")
    return product


def emergency(supply, institution, product, amount, on):
    return OffPlatformPurchase.objects.create(institution=institution, kind="drug", amount=D(amount), received_on=on,
                                              reason="emergency", product=product, created_by=supply["user"])


def test_emg2_scope_judged_on_the_purchase_date_status(history, supply, hospital):
    before = emergency(supply, hospital, history, "300.00", date(2026, 10, 3))  # active that day → out of scope
    during = emergency(supply, hospital, history, "500.00", date(2026, 10, 15))  # suspended that day → permitted
    assert Listing.objects.get(product=history).status == "active"  # today's status would flag both
    services.monthly_run(OCT)
    flag = Flag.objects.get(institution=hospital, category="emergency_scope")
    assert flag.rule == "EMG-2" and flag.amount == D("300.00")
    assert list(EmergencyDeduction.objects.values_list("purchase_id", flat=True)) == [before.pk]
    assert not EmergencyDeduction.objects.filter(purchase=during).exists()
    services.monthly_run(OCT)  # idempotent
    assert EmergencyDeduction.objects.count() == 1


def test_emg2_deduction_is_ratio_in_force_on_purchase_date_times_insurance_paid(
        history, supply, hospital, province_user, nanjing_regulator, suzhou_regulator, hospital_user):
    PolicyValue.objects.create(key="emg.deduction_ratio_percent", value="40", effective_from=date(2026, 10, 1),
                               reason="省医保局规定比例")
    PolicyValue.objects.create(key="emg.deduction_ratio_percent", value="60", effective_from=date(2026, 11, 1),
                               reason="调整比例")
    emergency(supply, hospital, history, "300.00", date(2026, 10, 3))
    services.monthly_run(OCT)
    row = EmergencyDeduction.objects.get()
    assert row.ratio_percent == D("40") and row.insurance_paid is None and row.deduction is None
    for bad, error in (("301", RuleViolation), ("-1", InvalidInput), ("abc", InvalidInput), ("1.234", InvalidInput)):
        with pytest.raises(error) as exc:
            services.emergency_deduction_record(user=province_user, deduction_id=row.pk, insurance_paid=bad)
        assert exc.value.code in ("EMG-2", "invalid")
    with pytest.raises(Forbidden):
        services.emergency_deduction_record(user=hospital_user, deduction_id=row.pk, insurance_paid="100")
    with pytest.raises(NotFound):  # another city's regulator: out of scope
        services.emergency_deduction_record(user=suzhou_regulator, deduction_id=row.pk, insurance_paid="100")
    row.refresh_from_db()
    assert row.insurance_paid is None  # nothing written by the refusals
    services.emergency_deduction_record(user=nanjing_regulator, deduction_id=row.pk, insurance_paid="250.00")
    row.refresh_from_db()
    assert (row.insurance_paid, row.deduction, row.recorded_by) == (D("250.00"), D("100.00"), nanjing_regulator)


@pytest.mark.parametrize("paid, ratio, deduction", [
    ("250.00", "40", "100.00"), ("100.00", "100", "100.00"), ("0.05", "50", "0.03"), ("99.99", "0", "0.00"),
])
def test_emg2_deduction_rule(paid, ratio, deduction):
    assert rules.emg_2_deduction(D(paid), D(ratio)) == D(deduction)


def test_emg2_ratio_is_a_policy_parameter_defaulting_to_the_whole_part():
    from policy.registry import PARAMETERS

    param = PARAMETERS["emg.deduction_ratio_percent"]
    assert param.rule == "EMG-2" and param.default == D("100")


def test_emg2_regulator_records_insurance_paid_on_the_page(client, history, supply, hospital, nanjing_regulator):
    emergency(supply, hospital, history, "300.00", date(2026, 10, 3))
    services.monthly_run(OCT)
    row = EmergencyDeduction.objects.get()
    client.force_login(nanjing_regulator)
    html = client.get("/monitoring/flags/").content.decode()
    assert 'data-testid="deductions"' in html and "EMG-2" in html and "应急药" in html
    bad = client.post("/monitoring/flags/", {"deduction": row.pk, "insurance_paid": "999"})
    assert bad.status_code == 200 and "不能超过采购金额" in bad.content.decode()
    client.post("/monitoring/flags/", {"deduction": row.pk, "insurance_paid": "200"})
    row.refresh_from_db()
    assert row.deduction == D("200.00")  # default ratio 100 %
    response = client.get("/monitoring/flags/", {"export": "deductions"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "月份" and rows[1][1] == hospital.name and str(rows[1][-1]) in ("200", "200.00")
