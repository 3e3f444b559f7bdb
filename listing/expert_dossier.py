"""The listing channel's answer to the expert case page (experts.dossier, issue 15 item 8):
the listing application a case came from (EXP-1 / EXP-2), its current documents, this
province's listing price and the reference products' prices. Registered from `ListingConfig.ready()`."""

from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from experts.dossier import CaseDocument, CaseDossier, PriceLine
from experts.models import SessionCase

from . import selectors
from .models import Listing, ListingApplication

REFERENCE_LIMIT = 10


def _listing_line(listing: Listing, label: str) -> PriceLine:
    return PriceLine(label, listing.price, _("挂网记录 #%(pk)s（%(category)s）") % {
        "pk": listing.pk, "category": listing.category}, listing.effective_date)


def _document(doc) -> CaseDocument:
    return CaseDocument(key=f"listing-{doc.pk}", label=str(doc.label), name=doc.original_name, mime=doc.mime,
                        size=doc.size, open=lambda: doc.file.open("rb"))


def _facts(app: ListingApplication) -> list:
    facts = [(_("产品"), f"{app.product}（{app.product.national_code or _('尚无国家医保编码')}）"),
             (_("申报企业"), str(app.enterprise)),
             (_("挂网类别"), f"{app.category} {app.category_label}"),
             (_("申请状态"), app.get_status_display())]
    if app.submitted_at:
        facts.append((_("提交时间"), f"{app.submitted_at:%Y-%m-%d}"))
    if app.note:
        facts.append((_("申报说明"), app.note))
    # The platform's check of the declared price: the reasons the rules gave, as the regulator reads them.
    reasons = [r.get("message") for r in (app.evaluation or {}).get("results", []) if r.get("message")]
    if reasons:
        facts.append((_("规则校验"), "；".join(reasons)))
    return facts


def _references(app, product) -> list[PriceLine]:
    lines = []
    if app is not None and app.reference_listing_id:
        ref = app.reference_listing
        lines.append(_listing_line(ref, _("参照挂网产品：%(product)s（%(maker)s）") % {
            "product": ref.product, "maker": ref.product.manufacturer}))
    same = (Listing.objects.filter(selectors.LIVE, product__in=Product.objects.same_drug(product))
            .exclude(product=product).select_related("product__manufacturer").order_by("price")[:REFERENCE_LIMIT])
    for listing in same:
        if app is None or listing.pk != app.reference_listing_id:
            lines.append(_listing_line(listing, _("同品种已挂网：%(product)s（%(maker)s）") % {
                "product": listing.product, "maker": listing.product.manufacturer}))
    return lines


def case_dossier(case: SessionCase) -> CaseDossier | None:
    """The application attached to the case (or, for a case added by product only, the product's
    prices on this platform); None for a case without a product or application."""
    app = (ListingApplication.objects.filter(expert_case=case)
           .select_related("product__manufacturer", "enterprise", "reference_listing__product__manufacturer")
           .order_by("-id").first())
    product = app.product if app is not None else case.product
    if product is None:
        return None
    listing = selectors.current_listing(product)
    prices = [_listing_line(listing, _("本省现行挂网价"))] if listing else []
    # LST-0.3 / §0: the national lowest price as the listing rules use it (this province's own
    # listing price included); the page lists the other provinces' records beside it.
    lowest = selectors.national_lowest(product, timezone.localdate())
    if lowest is not None:
        prices.append(PriceLine(_("全国最低价（含本省）"), lowest.price, f"{lowest.province}{lowest.city}" or lowest.label,
                                lowest.effective_date))
    if app is None:
        return CaseDossier(title=_("本省挂网情况"), listing_prices=prices, references=_references(None, product))
    source = _("挂网申请 #%(pk)s") % {"pk": app.pk}
    prices.insert(0, PriceLine(_("企业申报价"), app.declared_price, source,
                               timezone.localdate(app.submitted_at) if app.submitted_at else None))
    if app.listing_price is not None:
        prices.append(PriceLine(_("拟挂网价（规则校验）"), app.listing_price, source))
    return CaseDossier(
        title=_("挂网申请 #%(pk)s（%(category)s）") % {"pk": app.pk, "category": app.category},
        facts=_facts(app), listing_prices=prices, references=_references(app, product), url=app.get_absolute_url(),
        documents=[_document(d) for d in app.documents.filter(superseded_at__isnull=True).order_by("code", "id")],
    )
