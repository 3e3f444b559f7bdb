"""Demo data of listing-price dynamics: a couple of PRC-1 linkage cases (one open, one
overdue) on existing listings, and one answered, published complaint. Idempotent.

Cases are opened the way production opens them: a lower other-province price is recorded
through catalog.services.price_record, whose signal opens the case."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.audit import audit_context
from parties.models import User

from . import services
from .models import Complaint, LinkageCase, LinkageStatus


@transaction.atomic
def load_demo():
    from catalog.selectors import national_lowest_price
    from catalog.services import price_record
    from listing.models import Listing

    province = User.objects.filter(username="sheng_ybj").first()
    if province is None:
        raise RuntimeError("pricing demo needs parties.demo.load_demo() first")
    today = timezone.localdate()
    listings = list(Listing.objects.filter(status="active").select_related("product__manufacturer").order_by("id")[:2])
    with audit_context(province, reason="加载演示数据"):
        for listing, days_ago, province_name in zip(listings, (10, 45), ("浙江省", "安徽省"), strict=False):
            if LinkageCase.objects.filter(listing=listing).exists():
                continue
            current = national_lowest_price(listing.product, at=today)
            base = min(listing.price, current.price) if current is not None else listing.price
            record = price_record(
                province, listing.product, province=province_name,
                price=(base * Decimal("0.92")).quantize(Decimal("0.0001")),
                effective_date=today - timedelta(days=days_ago), source=f"{province_name}医药集中采购平台公告（演示）",
            )
            services.linkage_open_for_record(record)  # no-op when the catalogue's signal opened it
        # the older case is past its deadline: let the daily job escalate it
        services.linkage_escalate_overdue(today)
        case = LinkageCase.objects.filter(status__in=[LinkageStatus.OPEN, LinkageStatus.OVERDUE]).first()
        maker_user = (
            User.objects.filter(organisation=case.listing.product.manufacturer, role="manufacturer").first()
            if case else None
        )
        if case and maker_user and not Complaint.objects.filter(linkage_case=case).exists():
            complaint = services.complaint_file(
                maker_user, subject="linkage", title="关于外省最低价执行日期的说明（演示）",
                text="该省价格为限时挂网价，已于执行后两周停止执行，请核实。", linkage_case=case,
            )
            services.complaint_assign(province, complaint, assignee=province)
            services.complaint_answer(province, complaint, answer="经核实，该省价格仍在执行，维持联动要求。",
                                      outcome="rejected")
