"""The channels' answers the payment-standard run needs, registered into `insurance.registry`
from InsuranceConfig.ready(). Insurance reads channels (filing, VBP); they know nothing of it."""

from django.db.models import Min

from filing import selectors as filing_selectors
from filing.models import FilingRequest, FilingStatus

from . import registry


def filing_price(product, on):
    """A filed product's price (INS-1 cap for a filed drug; FIL-C5 for a filed consumable): the
    lowest confirmed filing (agreed) price by `on`, and the regulator's FIL-C5 standard if set."""
    rows = FilingRequest.objects.filter(product_id=product.pk, status=FilingStatus.CONFIRMED, confirmed_on__lte=on)
    agg = rows.aggregate(agreed=Min("agreed_price"), price=Min("price"), first=Min("confirmed_on"))
    price = agg["agreed"] or agg["price"]
    if price is None:
        return None
    standard = filing_selectors.payment_standard(product, on)
    return registry.FilingPrice(price=price, filed_on=agg["first"],
                                first_sale_here=bool(standard and standard.first_sale_in_province),
                                reference=f"备案采购（{rows.count()} 家机构）",
                                set_standard=standard.amount if standard else None)


def register():
    registry.register_filing_price(filing_price)
