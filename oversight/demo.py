"""Demo price-risk signals: one shortage drug's price rise (LST-8.1, the only way up, which
BAD-1 still asks a regulator to look at), then the nightly detection over the demo data.
Idempotent: the rise is made once and signals are keyed by their evidence."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from listing.models import Listing, ListingPriceChange
from listing.services.status import listing_change_price
from parties.models import User

from . import services


@transaction.atomic
def load_demo():
    province = User.objects.filter(role="province_regulator", is_active=True).order_by("pk").first()
    listing = Listing.objects.orderable().filter(product__kind="drug").order_by("pk").first()
    if province and listing and not ListingPriceChange.objects.filter(new_price__gt=F("old_price")).exists():
        listing_change_price(user=province, listing=listing, new_price=(listing.price * 112 / 100).quantize(listing.price),
                             effective_date=timezone.localdate() - timedelta(days=20), rule="LST-8.1",
                             reason="短缺药品供货稳价申报：原料药成本上涨（演示数据）")
    services.run_nightly()
