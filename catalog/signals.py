"""Signals of the catalogue.

`lower_national_price_recorded(sender=OtherProvincePrice, record=..., previous_lowest=...)` is
sent (inside the recording transaction, so a receiver's writes commit or roll back with the
record) when a newly recorded other-province price becomes the product's national lowest
price (LST-0.3) below the previous one. `previous_lowest` is the record that was the lowest
before (None when the product had no record in force yet). The pricing app connects PRC-1
linkage cases to it; the date the new price takes effect is `record.effective_date`.

`product_information_confirmed(sender=Product, product=..., fields=[...], request=...)` is sent
(inside the confirming transaction) when a QUA-1 change request is confirmed and its values
have been written to the product; `fields` names the attributes that changed."""

from django.dispatch import Signal

lower_national_price_recorded = Signal()
product_information_confirmed = Signal()
