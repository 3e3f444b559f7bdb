"""Listings (阳光挂网): a product purchasable on the platform at a ceiling price (挂网价)."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parties.scoping import ScopedQuerySet


class ListingStatus(models.TextChoices):
    ACTIVE = "active", _("挂网")
    PENDING_SUSPENSION = "pending_suspension", _("拟暂停（待审核）")
    SUSPENDED = "suspended", _("暂停采购")
    DELISTED = "delisted", _("撤网")


class ListingQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Listing results are published (PUB-1): every signed-in party sees every listing."""
        return self.all() if user is not None and user.is_authenticated else self.none()

    def editable_by(self, user):
        """Rows an enterprise may act on: its own products' listings (regulators: all)."""
        return super().visible_to(user)

    def orderable(self):
        """DEL-4: only active listings can be ordered or negotiated."""
        return self.filter(status=ListingStatus.ACTIVE)


@pghistory.track()
class Listing(models.Model):
    """One product listed on the platform. Province-wide and visible to every signed-in
    party (institutions buy from it); enterprises change only their own (scope_enterprise).
    Price changes are written through listing.services and kept in ListingPriceChange."""

    scope_enterprise = ("product__manufacturer",)

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="listings", verbose_name=_("产品")
    )
    price = models.DecimalField(_("挂网价"), max_digits=14, decimal_places=4)
    status = models.CharField(
        _("状态"), max_length=20, choices=ListingStatus.choices, default=ListingStatus.ACTIVE, db_index=True
    )
    category = models.CharField(_("挂网类别（规则）"), max_length=12)  # rule ID: LST-1 … LST-C5
    effective_date = models.DateField(_("挂网生效日期"))
    status_reason = models.TextField(_("状态说明"), blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        ordering = ["product__generic_name", "id"]
        verbose_name = _("挂网产品")
        verbose_name_plural = _("挂网产品")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="listing_price_positive"),
            # At most one live listing per product; delisted ones stay as history.
            models.UniqueConstraint(
                fields=["product"], condition=~Q(status="delisted"), name="listing_one_live_per_product"
            ),
        ]
        triggers = [pgtrigger.Protect(name="listing_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.product} @ {self.price}"

    @property
    def is_orderable(self):
        return self.status == ListingStatus.ACTIVE


class ListingPriceChange(models.Model):
    """Every change of a listing price, with its cause (application, linkage, negotiation,
    general adjustment) and the rule that drove it."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="price_changes")
    old_price = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    new_price = models.DecimalField(max_digits=14, decimal_places=4)
    effective_date = models.DateField()
    rule = models.CharField(max_length=12, blank=True)
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["listing", "-changed_at"]
        constraints = [models.CheckConstraint(condition=Q(new_price__gt=0), name="listing_change_price_positive")]
        triggers = [
            pgtrigger.Protect(name="listing_price_change_never_deleted", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="listing_price_change_never_edited", operation=pgtrigger.Update),
        ]
