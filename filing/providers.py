"""What filing contributes to ordering (FIL-3, FIL-C4, ORD-4): the filed price in force for the
filing institution(s) only, and the refusal for every other institution."""

from orders.pricing import PriceQuote, table_stamp

from . import rules
from .models import FilingRequest, FilingStatus


def filed_prices(institution, product_ids, at):
    """orders.pricing base provider: {product_id: PriceQuote} of this institution's confirmed
    filings in force on `at` (a consumable's agreed price, else the filed price)."""
    rows = (FilingRequest.objects.filter(institution=institution, product_id__in=product_ids,
                                         status=FilingStatus.CONFIRMED, confirmed_on__lte=at)
            .order_by().values_list("product_id", "price", "agreed_price", "number"))
    out = {}
    for pid, price, agreed, number in rows:
        quote = PriceQuote(agreed if agreed is not None else price, "filing", "FIL-3", f"备案 {number}")
        if pid not in out or quote.price < out[pid].price:
            out[pid] = quote
    return out


def outside_filing(institution, product_ids, at):
    """orders.pricing refusal (ORD-4 "outside the institution's filing"): products confirmed for
    other institutions' filings and not this one's are refused naming FIL-3."""
    others = set(FilingRequest.objects.filter(product_id__in=product_ids, status=FilingStatus.CONFIRMED)
                 .exclude(institution=institution).order_by().values_list("product_id", flat=True))
    own = set(FilingRequest.objects.filter(product_id__in=list(others), institution=institution,
                                           status=FilingStatus.CONFIRMED).order_by().values_list("product_id", flat=True))
    return {pid: rules.fil_3_outside_filing(True) for pid in others - own}


def catalogue_version(institution):
    """orders.pricing version token (INT-1 304): filings change through save() (updated_at);
    every institution's confirmed filings matter (outside_filing)."""
    return table_stamp(FilingRequest.objects.all())
