"""Demo orders for `make run`: for 江苏省人民医院 (the demo HIS token's institution) and two
other Nanjing hospitals, orders in every state — awaiting confirmation, confirmed, shipped,
partially received, received and paid, received with an overdue invoice, declined — plus
the dedicated procurement account, two off-platform purchases and two lines in the demo
buyer's cart. Idempotent: each demo
order is found again by its HIS reference (external_ref "DEMO-…")."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.audit import audit_context
from parties.models import Organisation, Role, User

from . import selectors
from .models import CartLine, InstitutionAccount, OffPlatformPurchase, Order
from .pricing import prices_in_force
from .services import cart, fulfilment, ordering, settlement

INSTITUTIONS = ["江苏省人民医院", "南京市第一人民医院", "南京市中医院"]


def _orderable_products(institution, n):
    from listing.models import Listing

    listings = list(Listing.objects.orderable().select_related("product").order_by("id")[:200])
    products = [li.product for li in listings]
    quotes = prices_in_force(institution, products)
    dist = selectors.distributors_for({p.manufacturer_id for p in products}, institution)
    return [(p, dist[p.manufacturer_id]) for p in products if p.pk in quotes and p.manufacturer_id in dist][:n]


def _user(org, role):
    return User.objects.filter(organisation=org, role=role, is_active=True).order_by("id").first()


def _place(inst_user, ref, items, days_ago=0):
    existing = Order.objects.filter(institution=inst_user.organisation, external_ref=ref).first()
    if existing:
        return existing, False
    order = ordering.order_create(inst_user, lines=[{"product_id": p.pk, "quantity": q} for p, q in items],
                                  external_ref=ref, note="演示订单")
    if days_ago:
        Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return order, True


def _dist_user(line):
    # A self-delivering manufacturer (QUA-2) confirms and ships its own lines.
    role = Role.MANUFACTURER if line.distributor.kind == "manufacturer" else Role.DISTRIBUTOR
    return _user(line.distributor, role)


def _confirm(order):
    for line in order.lines.all():
        ordering.order_lines_confirm(_dist_user(line), order_line_ids=[line.pk])


def _ship(order, note, shipped_on, fraction=1.0):
    deliveries = []
    for n, line in enumerate(order.lines.all(), start=1):
        qty = max(1, int(line.quantity * fraction))
        deliveries.append(fulfilment.delivery_create(
            _dist_user(line), order_id=order.pk, note_number=f"{note}-{n}", shipped_on=shipped_on,
            lines=[{"order_line": line.pk, "batch_number": f"B{shipped_on:%y%m%d}{n:02d}",
                    "expiry_date": (shipped_on + timedelta(days=730)).isoformat(), "quantity": qty}],
        ))
    return deliveries


def load_demo():
    from listing.demo import load_demo as listing_demo

    listing_demo()  # listings come from the listing app's demo (idempotent); ours build on them
    today = timezone.localdate()
    with transaction.atomic(), audit_context(reason="加载演示数据：订单与结算"):
        for idx, name in enumerate(INSTITUTIONS):
            institution = Organisation.objects.filter(name=name, kind="institution").first()
            inst_user = institution and _user(institution, Role.INSTITUTION)
            if inst_user is None:
                continue
            products = _orderable_products(institution, 8)
            if len(products) < 4:
                continue
            if not InstitutionAccount.objects.filter(institution=institution).exists():
                settlement.account_set(inst_user, bank_name="中国工商银行南京分行", account_name=name,
                                     account_number=f"4301010{idx:02d}9000012345")
            p = [prod for prod, _d in products]
            tag = f"DEMO-{idx}"

            _place(inst_user, f"{tag}-01", [(p[0], 20), (p[1], 10)])  # awaiting confirmation

            order, new = _place(inst_user, f"{tag}-02", [(p[2], 30)], days_ago=1)
            if new:
                _confirm(order)

            order, new = _place(inst_user, f"{tag}-03", [(p[3], 50), (p[0], 12)], days_ago=3)
            if new:
                _confirm(order)
                _ship(order, f"SH{idx}03", today - timedelta(days=1))

            order, new = _place(inst_user, f"{tag}-04", [(p[1], 40)], days_ago=6)
            if new:
                _confirm(order)
                (delivery,) = _ship(order, f"SH{idx}04", today - timedelta(days=4))
                dl = delivery.lines.get()
                fulfilment.receipt_create(inst_user, delivery_id=delivery.pk, received_on=today - timedelta(days=3),
                                        lines=[{"delivery_line": dl.pk, "quantity": 25}])
                # Invoiced for what was received, still within the payment term (ORD-2): the
                # hospital's home page lists it as an invoice to pay with its deadline.
                settlement.invoice_create(_dist_user(dl.order_line), delivery_id=delivery.pk, number=f"FP{idx}04",
                                        amount=round(25 * dl.order_line.unit_price, 2),
                                        issued_on=today - timedelta(days=2))

            order, new = _place(inst_user, f"{tag}-05", [(p[2], 100), (p[3], 60)], days_ago=20)
            if new:
                _confirm(order)
                for n, delivery in enumerate(_ship(order, f"SH{idx}05", today - timedelta(days=18)), start=1):
                    fulfilment.receipt_create(inst_user, delivery_id=delivery.pk, received_on=today - timedelta(days=17))
                    value = sum(dl.quantity * dl.order_line.unit_price for dl in delivery.lines.all())
                    invoice = settlement.invoice_create(_dist_user(delivery.lines.first().order_line), delivery_id=delivery.pk,
                                                      number=f"FP{idx}05{n}", amount=round(value, 2),
                                                      issued_on=today - timedelta(days=16))
                    settlement.payment_create(inst_user, invoice_id=invoice.pk, amount=invoice.amount,
                                            paid_on=today - timedelta(days=5), reference=f"ICBC{idx}05{n}")

            order, new = _place(inst_user, f"{tag}-06", [(p[0], 80)], days_ago=70)
            if new:  # received two months ago, invoiced, unpaid: overdue (ORD-2)
                _confirm(order)
                (delivery,) = _ship(order, f"SH{idx}06", today - timedelta(days=66))
                fulfilment.receipt_create(inst_user, delivery_id=delivery.pk, received_on=today - timedelta(days=65))
                value = sum(dl.quantity * dl.order_line.unit_price for dl in delivery.lines.all())
                settlement.invoice_create(_dist_user(order.lines.first()), delivery_id=delivery.pk, number=f"FP{idx}06",
                                        amount=round(value, 2), issued_on=today - timedelta(days=64))

            order, new = _place(inst_user, f"{tag}-07", [(p[1], 5)], days_ago=2)
            if new:
                line = order.lines.get()
                ordering.order_line_decline(_dist_user(line), order_line_id=line.pk, reason="该批次库存不足，建议改订其他规格")

            if idx == 0 and len(p) > 5 and not CartLine.objects.filter(user=inst_user).exists():
                # The demo buyer finds a started cart (issue 15 item 1): two lines to confirm.
                cart.cart_set(inst_user, product_id=p[4].pk, quantity=15)
                cart.cart_set(inst_user, product_id=p[5].pk, quantity=8)

            if not OffPlatformPurchase.objects.filter(institution=institution).exists():
                ordering.offplatform_create(inst_user, items=[
                    {"national_code": p[0].national_code or "", "item_name": str(p[0]), "kind": p[0].kind,
                     "amount": "860.00", "received_on": (today - timedelta(days=9)).isoformat(),
                     "reason": "emergency", "note": "夜间急诊抢救，平台配送不及"},
                    {"item_name": "一次性使用无菌手术包（特殊规格）", "kind": "consumable", "amount": "2400.00",
                     "received_on": (today - timedelta(days=12)).isoformat(), "reason": "other",
                     "note": "平台暂无同规格产品"},
                ])
