"""Demo VBP data for `make run`: a national batch imported from its result (three drug
varieties whose selected products are listed demo products), base volumes for the demo
hospitals, the allocation locked, contracts signed by both sides, a few VBP orders
received, and the jobs run (progress, reminders, prepayments). Idempotent: skipped once
the demo batch exists."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from listing.models import Listing
from orders.models import Order
from orders.services import fulfilment, ordering
from parties.models import Organisation, Role, User

from . import jobs, services
from .models import Contract, Tender

CODE = "GJ-DEMO-09"
HOSPITALS = ["江苏省人民医院", "南京市第一人民医院", "南京市中医院"]


def _user(org, role):
    return User.objects.filter(organisation=org, role=role, is_active=True).order_by("id").first()


def _xlsx(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("demo-result.xlsx", buf.getvalue())


def _receive(inst_user, product, qty, on):
    ref = f"DEMO-VBP-{product.pk}-{inst_user.organisation_id}"
    if Order.objects.filter(external_ref=ref).exists():
        return
    order = ordering.order_create(inst_user, lines=[{"product_id": product.pk, "quantity": qty}], external_ref=ref,
                                note="演示：带量采购中选产品")
    line = order.lines.get()
    dist = _user(line.distributor, Role.DISTRIBUTOR)
    if dist is None:
        return
    ordering.order_lines_confirm(dist, order_line_ids=[line.pk])
    d = fulfilment.delivery_create(dist, order_id=order.pk, note_number=f"VBP{line.pk}", shipped_on=on, lines=[
        {"order_line": line.pk, "batch_number": "VB01", "expiry_date": (on + timedelta(days=700)).isoformat(),
         "quantity": qty}])
    fulfilment.receipt_create(inst_user, delivery_id=d.pk, received_on=on)


def load_demo():
    if Tender.objects.filter(code=CODE).exists():
        return
    province = User.objects.filter(role=Role.PROVINCE_REGULATOR, is_active=True).order_by("id").first()
    listings = list(Listing.objects.orderable().filter(product__kind="drug", product__national_code__isnull=False)
                    .exclude(product__is_national_negotiated=True).select_related("product").order_by("id")[:40])
    by_name = {}
    for li in listings:
        by_name.setdefault(li.product.generic_name, li)
    picks = list(by_name.values())[:3]
    if province is None or not picks:
        return
    today = timezone.localdate()
    start = date(today.year, 1, 1)
    rows = [services.RESULT_HEADERS] + [
        [li.product.generic_name, li.product.national_code, str((li.price * Decimal("0.6")).quantize(Decimal("0.01"))),
         "100"] for li in picks]
    with transaction.atomic():
        tender = services.national_result_import(
            province, _xlsx(rows), code=CODE, name="第九批国家组织药品集中带量采购（江苏执行）", product_kind="drug",
            volume_ratio="70", period_start=start, period_end=date(today.year + 1, 12, 31),
            selection_rule="申报价格最低的企业中选；约定采购量为医疗机构上年度采购量的70%")
        hospitals = list(Organisation.objects.filter(name__in=HOSPITALS).order_by("id"))
        for n, hospital in enumerate(hospitals):
            user = _user(hospital, Role.INSTITUTION)
            if user is None:
                continue
            for m, li in enumerate(picks):
                services.base_volume_report(user, tender, variety=li.product.generic_name,
                                            quantity=2000 + 500 * n + 300 * m, reason="按医院HIS上年度用量填报")
        services.allocation_lock(province, tender)
        for contract in Contract.objects.filter(tender=tender).select_related("institution", "enterprise"):
            inst_user = _user(contract.institution, Role.INSTITUTION)
            ent_user = _user(contract.enterprise, Role.MANUFACTURER)
            if inst_user:
                services.contract_sign(inst_user, contract)
            if ent_user and inst_user:
                services.contract_sign(ent_user, contract)
        for n, hospital in enumerate(hospitals):
            user = _user(hospital, Role.INSTITUTION)
            if user is None:
                continue
            for m, li in enumerate(picks):
                qty = [900, 300, 120][(n + m) % 3]
                try:
                    _receive(user, li.product, qty, max(start, today - timedelta(days=20)))
                except Exception:  # noqa: BLE001 — a demo hospital without a distributor just has no orders
                    continue
    _extend_to_similar(province, tender, picks, listings, today)
    jobs.progress_monthly(on=today)
    jobs.prepayments(on=today)


def _extend_to_similar(province, tender, picks, listings, today):
    """VBP-9 (002 §24): the first variety's result extended to a product of another generic
    name at its selected price, accepted by that product's manufacturer."""
    taken = {li.product.generic_name for li in picks}
    similar = next((li.product for li in listings if li.product.generic_name not in taken), None)
    variety = tender.varieties.order_by("id").first()
    if similar is None or variety is None:
        return
    price = min(variety.selected.values_list("price", flat=True))
    extension = services.similar_extend(province, variety, product=similar, price=price,
                                        reason="同类产品全省价格协同（演示）", today=today)
    maker = _user(similar.manufacturer, Role.MANUFACTURER)
    if maker is not None:
        services.similar_respond(maker, extension, accept=True)
