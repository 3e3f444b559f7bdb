"""Demo data of the insurance app: the listed drugs are in the insurance catalogue, the
province has run next year's payment standards (awaiting its review and publication), and a
few institutions have special budgets with one verified deduction. Idempotent."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from core.errors import RuleViolation
from listing.models import Listing
from parties.models import Organisation, User

from .models import Budget, CatalogueEntry, StandardRun
from .services import ledger, standards


@transaction.atomic
def load_demo():
    province = User.objects.filter(role="province_regulator", is_active=True).order_by("pk").first()
    if province is None or StandardRun.objects.exists():
        return
    drugs = Listing.objects.filter(product__kind="drug").values_list("product_id", flat=True).distinct()
    CatalogueEntry.objects.bulk_create([CatalogueEntry(product_id=pid, valid_from=date(2020, 1, 1), recorded_by=province)
                                        for pid in drugs.order_by("product_id")])
    year = timezone.localdate().year + 1
    try:
        run = standards.run_start(province, year=year)
    except RuleViolation:  # no negotiation results in the demo: nothing to run yet
        run = None
    if run is not None:
        standards.run_execute(run.pk)
    if not Budget.objects.exists():
        this_year = timezone.localdate().year
        for hospital in Organisation.objects.filter(kind="institution", level=3).order_by("pk")[:5]:
            ledger.budget_set(province, institution=hospital, year=this_year, kind="drug", amount="12000000")
            ledger.budget_set(province, institution=hospital, year=this_year, kind="consumable", amount="5000000")
        first = Organisation.objects.filter(kind="institution", level=3).order_by("pk").first()
        if first is not None:
            ledger.deduction_record(province, institution=first, kind="offline", event_year=this_year,
                                    budget_kind="drug", base="38600", source="演示：线下采购 2026-0007",
                                    reason="未经批准在平台外采购已挂网药品，经核定扣减医保基金支付部分")
