"""Reads for the listing app: the facts the pure rules need, and the scoped lists."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from catalog.models import OtherProvincePrice, Product
from catalog.selectors import national_lowest_price
from core.errors import NotFound
from core.filters import filter_given
from experts.selectors import negotiated_price as expert_negotiated_price
from orders.pricing import PriceQuote, rows_digest, table_stamp
from policy import services as policy
from qualifications.selectors import blocking_qualifications as qualification_blockers_of

from . import rules
from .models import (
    ApplicationStatus,
    Listing,
    ListingApplication,
    ListingStatus,
    QualityEvent,
)

LIVE = ~Q(status=ListingStatus.DELISTED)


# ------------------------------------------------------------------ other apps' contracts


def _other_prices(product, at: date, *, levels=("province",), jiangsu_cities=False):
    qs = OtherProvincePrice.objects.in_force(at).filter(product=product)  # the catalogue's "in force on a date"
    q = Q(level__in=levels)
    if jiangsu_cities:
        q |= Q(level="city", province__startswith="江苏")
    return qs.filter(q)


def _record(row) -> rules.PriceRecord | None:
    if row is None:
        return None
    if isinstance(row, Decimal | int | float | str):
        return rules.PriceRecord(Decimal(str(row)))
    if isinstance(row, dict):
        return rules.PriceRecord(Decimal(str(row["price"])), province=row.get("province", ""),
                                 effective_date=row.get("effective_date"), city=row.get("city", ""))
    return rules.PriceRecord(Decimal(row.price), province=getattr(row, "province", ""),
                             effective_date=getattr(row, "effective_date", None),
                             city=getattr(row, "city", "") or "")


def current_listing(product) -> Listing | None:
    """The product's live listing on this platform (active, pending suspension or suspended)."""
    if product is None or product.pk is None:
        return None
    return Listing.objects.filter(LIVE, product=product).order_by("-id").first()


def own_current_price(product) -> rules.PriceRecord | None:
    """§0 / LST-0.4: this province's own current listing price of the product (None when it is
    not listed here)."""
    listing = current_listing(product)
    if listing is None:
        return None
    # The label ends up in LST-0.4 messages, so it follows the active language too.
    return rules.PriceRecord(listing.price, label=_("本省现行挂网价，挂网记录 #%(pk)s，%(date)s 起执行") % {
        "pk": listing.pk, "date": f"{listing.effective_date:%Y-%m-%d}"})


def national_lowest(product, at: date, *, levels=("province",), jiangsu_cities=False) -> rules.PriceRecord | None:
    """LST-0.3 national lowest price (全国各省级现执行挂网价格中最低价), **this province's own current
    listing price included** (§0, LST-0.4). Other provinces: for drugs the catalogue's
    `catalog.selectors.national_lowest_price(product, at)` (the one definition of the platform);
    for consumables the level set differs per category (C1: provinces + Jiangsu cities;
    C3/C4: provinces and cities)."""
    if product.kind == "drug" and levels == ("province",) and not jiangsu_cities:
        other = _record(national_lowest_price(product, at=at))
    else:
        other = _record(_other_prices(product, at, levels=levels, jiangsu_cities=jiangsu_cities)
                        .order_by("price", "effective_date").first())
    own = own_current_price(product)
    if own is not None and (other is None or own.price < other.price):
        return own
    return other


def province_count(product, at: date, *, include_cities=False) -> int:
    """Provinces with a current listing record (a city record counts for a province without
    one when `include_cities` — LST-C2)."""
    levels = ("province", "city") if include_cities else ("province",)
    return _other_prices(product, at, levels=levels).values("province").distinct().count()


def has_other_records(product, at: date) -> bool:
    return _other_prices(product, at, levels=("province", "city")).exists()


def blocking_qualifications(enterprise, at: date) -> list:
    """QUA-1: the enterprise's expired or unreviewed qualifications that block new applications
    (qualifications.selectors.blocking_qualifications)."""
    return list(qualification_blockers_of(enterprise, at))


def qualification_name(q) -> str:
    if isinstance(q, str):
        return q
    for attr in ("get_kind_display", "name", "title"):
        value = getattr(q, attr, None)
        if value:
            return str(value() if callable(value) else value)
    return str(q)


# ------------------------------------------------------------------ platform prices


def _listing_record(listing: Listing) -> rules.PriceRecord:
    p = listing.product
    return rules.PriceRecord(listing.price, label=f"{p.manufacturer} {p}")


def same_drug_lowest(product) -> rules.PriceRecord | None:
    """LST-2.1 ②: the lowest live listing price of the same drug (generic name + form + spec)."""
    row = (Listing.objects.filter(LIVE, product__in=Product.objects.same_drug(product)).exclude(product=product)
           .select_related("product__manufacturer").order_by("price").first())
    return _listing_record(row) if row else None


def listed_generics(product) -> list[rules.PriceRecord]:
    """LST-3.2: live listings of other generics of the same national negotiated drug."""
    if product.generic_of_negotiated_id is None:
        return []
    rows = (Listing.objects.filter(LIVE, product__generic_of_negotiated_id=product.generic_of_negotiated_id)
            .exclude(product=product).select_related("product__manufacturer"))
    return [_listing_record(r) for r in rows]


def originator_price(product) -> rules.PriceRecord | None:
    """LST-5: the originator's listed price — same generic name, form and specification first,
    else same generic name and form."""
    base = Listing.objects.filter(LIVE, product__is_originator=True, product__generic_name=product.generic_name,
                                  product__dosage_form=product.dosage_form).exclude(product=product)
    row = (base.filter(product__specification=product.specification).order_by("price").first()
           or base.order_by("price").first())
    return _listing_record(row) if row else None


_MASS = {"g": Decimal(1000), "mg": Decimal(1), "μg": Decimal("0.001"), "ug": Decimal("0.001"), "mcg": Decimal("0.001")}
_NUM = r"(\d+(?:\.\d+)?)"


def parse_specification(spec: str) -> tuple[Decimal | None, Decimal | None]:
    """(strength in mg or IU, fill volume in ml) from a Chinese specification such as
    "0.25g*24粒", "10ml:0.5g", "5ml", "80万单位"."""
    s = (spec or "").replace("（", "(").replace("）", ")").replace(" ", "")
    fill = None
    m = re.search(_NUM + r"ml", s, re.I)
    if m:
        fill = Decimal(m.group(1))
    strength = None
    for m in re.finditer(_NUM + r"(mg|g|μg|ug|mcg)(?![a-z])", s, re.I):
        strength = Decimal(m.group(1)) * _MASS[m.group(2).lower()]
        break
    if strength is None:
        m = re.search(_NUM + r"(万)?(单位|IU|U)", s)
        if m:
            strength = Decimal(m.group(1)) * (10000 if m.group(2) else 1)
    return strength, fill


def presentation(product, price=None, label=None) -> rules.Presentation:
    strength, fill = parse_specification(product.specification)
    return rules.Presentation(
        label=label or f"{product.manufacturer} {product}", dosage_form=product.dosage_form,
        strength=strength, fill_volume=fill, pack_count=product.conversion or 1,
        sugar_free="无糖" in (product.specification or "") or "无糖" in (product.dosage_form or ""), price=price,
    )


def coefficients(at: date) -> rules.RatioCoefficients:
    """LST-2.2.1 coefficients in force on `at` (policy parameters lst.ratio.*)."""
    return rules.RatioCoefficients(
        strength=Decimal(str(policy.get("lst.ratio.strength", at=at))),
        fill_volume=Decimal(str(policy.get("lst.ratio.fill_volume", at=at))),
        pack_oral_solid=Decimal(str(policy.get("lst.ratio.pack_oral_solid", at=at))),
        pack_other=Decimal(str(policy.get("lst.ratio.pack_other", at=at))),
        dosage_forms=dict(policy.get("lst.ratio.dosage_forms", at=at)),
    )


def ratio_derivation(product, enterprise, at: date, reference_listing=None):
    """LST-2.2 ②: the derived price cap and whether it is based on the enterprise's own
    listed product (same enterprise, same form, other specification). Candidates are only the
    listed products of the applicant's dosage-form family with a defined ratio (LST-2.2.1);
    without one the applicant falls back to the 8-province condition — never an error.
    Returns (Derivation | None, own_product: bool, problem: str | None)."""
    coef = coefficients(at)
    target = presentation(product)
    group = list(Listing.objects.filter(LIVE, product__kind="drug", product__generic_name=product.generic_name).exclude(
        product=product).select_related("product__manufacturer"))
    comparable = [lst for lst in group if rules.comparable(lst.product.dosage_form, product.dosage_form, coef)]
    own = [lst for lst in comparable
           if lst.product.manufacturer_id == enterprise.pk and lst.product.dosage_form == product.dosage_form]
    if reference_listing is not None and reference_listing in comparable:
        candidates, is_own = [reference_listing], reference_listing.product.manufacturer_id == enterprise.pk
    elif own:
        candidates, is_own = own, True
    else:
        candidates, is_own = comparable, False
    chosen = rules.choose_representative([presentation(lst.product, lst.price) for lst in candidates], coef, target)
    if chosen is None:
        problem = rules.representative_problem(product.dosage_form, [lst.product.dosage_form for lst in group], coef) \
            if group else None
        return None, False, problem
    try:
        return rules.derive_price(chosen, target, coef), is_own, None
    except (rules.UnknownDosageForm, ArithmeticError, ValueError) as exc:
        # Defensive: `comparable` already excludes these; a refusal names LST-2.2, never a 500.
        return None, False, _("%(problem)s，按8省采购条件审核") % {"problem": exc}


def evaluated_makers(product) -> int:
    """LST-5: manufacturers of the product's variety (generic name + dosage form) with a
    consistency-evaluated product."""
    return (Product.objects.filter(kind="drug", is_consistency_evaluated=True, generic_name=product.generic_name,
                                   dosage_form=product.dosage_form)
            .values("manufacturer_id").distinct().count())


def quality_facts(product, enterprise) -> list[rules.QualityFact]:
    rows = QualityEvent.objects.filter(Q(product=product) | Q(enterprise=enterprise))
    return [rules.QualityFact(kind=e.kind, event_date=e.event_date, authority_level=e.authority_level,
                              same_product=e.product_id == product.pk, description=e.description) for e in rows]


def product_facts(product, at: date) -> rules.ProductFacts:
    live = Listing.objects.filter(LIVE)
    approved_within_year = bool(product.approval_date and (at - product.approval_date).days <= 366)
    return rules.ProductFacts(
        kind=product.kind,
        listed_here=live.filter(product=product).exists(),
        same_drug_listed=live.filter(product__in=Product.objects.same_drug(product)).exclude(product=product).exists(),
        same_generic_listed=live.filter(product__kind=product.kind, product__generic_name=product.generic_name)
        .exclude(product=product).exists(),
        is_national_negotiated=product.is_national_negotiated,
        generic_of_negotiated=product.generic_of_negotiated_id is not None,
        is_innovative=product.is_innovative,
        is_reference_or_evaluated=product.is_reference or product.is_consistency_evaluated,
        approved_within_year=approved_within_year,
        is_designated_or_reserve=product.is_designated_production or product.is_provincial_reserve,
        is_shortage=product.is_shortage,
        is_emergency=product.is_emergency,
        is_narcotic_psychotropic=product.is_narcotic_psychotropic,
        consumable_class=product.consumable_class,
        same_registration_listed=bool(product.approval_number) and live.filter(
            product__kind="consumable", product__approval_number=product.approval_number).exclude(product=product).exists(),
    )


def same_registration_listing(product):
    """LST-C5: the live listing of a product under the same registration certificate."""
    if not product.approval_number:
        return None
    return (Listing.objects.filter(LIVE, product__kind="consumable", product__approval_number=product.approval_number)
            .exclude(product=product).order_by("price").first())


# ------------------------------------------------------------------ lists


def applications_for(user, *, status=None, category=None, q=None):
    qs = filter_given(ListingApplication.objects.visible_to(user), status=status, category=category).select_related(
        "product", "enterprise", "product__manufacturer")
    if q:
        qs = qs.filter(Q(product__generic_name__icontains=q) | Q(enterprise__name__icontains=q)
                       | Q(product__national_code__icontains=q))
    return qs


def review_queue(user):
    return applications_for(user).filter(status=ApplicationStatus.SUBMITTED).order_by("submitted_at", "id")


def public_listings(*, q=None, category=None, kind=None, month=None, status=None):
    """PUB-1: published listing results (no sign-in): product, enterprise, price, category,
    effective date; suspended/delisted ones stay visible with their status (DEL-4)."""
    qs = Listing.objects.select_related("product", "product__manufacturer").order_by("-effective_date", "id")
    if q:
        qs = qs.filter(Q(product__generic_name__icontains=q) | Q(product__manufacturer__name__icontains=q)
                       | Q(product__national_code__icontains=q) | Q(product__name_initials__icontains=q))
    qs = filter_given(qs, category=category, product__kind=kind, status=status)
    if month:
        m = re.fullmatch(r"(\d{4})-(\d{2})", month)
        if m:
            qs = qs.filter(effective_date__year=int(m.group(1)), effective_date__month=int(m.group(2)))
    return qs


# ------------------------------------------------------------------ purchase scope (LST-C3 / LST-C4)


def city_scope_restrictions(institution, product_ids, at: date) -> dict[int, tuple[str, str]]:
    """LST-C3 / LST-C4 (registered with orders.pricing.register_restriction): a consumable
    listed by a city's confirmation (before the catalogue is unified) is purchasable by that
    city's institutions only; for any other institution: {product_id: (rule, message)}."""
    city_id = getattr(institution, "city_id", None)
    rows = (Listing.objects.filter(LIVE, product_id__in=product_ids, scope_cities__isnull=False)
            .values_list("product_id", "category", "scope_cities__name", "scope_cities__id"))
    scopes: dict[int, tuple[str, dict]] = {}
    for pid, category, city_name, cid in rows:
        scopes.setdefault(pid, (category, {}))[1][cid] = city_name
    out = {}
    for pid, (category, cities) in scopes.items():
        if city_id not in cities:
            rule = category if category in ("LST-C3", "LST-C4") else "LST-C4"
            names = _("、").join(sorted(cities.values()))
            out[pid] = (rule, _("该产品由%(cities)s医保部门评审确认挂网（耗材目录统一前），仅供%(cities)s范围内医疗机构采购，"
                                "本机构不能采购") % {"cities": names})
    return out


def city_scope_version(institution) -> str:
    """orders.pricing version token (INT-1 304) of the LST-C3 / LST-C4 restriction: the listings'
    city scopes (an M2M: adding or removing a city does not touch listing.updated_at)."""
    return rows_digest(Listing.scope_cities.through.objects.all(), "id", "listing_id", "region_id")


CITY_REVIEW_CATEGORIES = frozenset({"LST-C3", "LST-C4"})


def city_review_required(category, on) -> bool:
    """LST-C3 / LST-C4 (lst.consumable_city_review): until the consumable catalogue is unified,
    city regulators review and confirm ordinary consumables / IVD reagents (002 §5, §10)."""
    return category in CITY_REVIEW_CATEGORIES and bool(policy.get("lst.consumable_city_review", at=on))


# Categories whose price is set by an expert negotiation (EXP-2) and those reviewed by experts
# (EXP-1) before the province confirms; the session purpose each needs.
EXPERT_NEGOTIATION_CATEGORIES = frozenset({"LST-6", "LST-8.2"})


EXPERT_REVIEW_CATEGORIES = frozenset({"LST-C2", "LST-C4"})


EXPERT_SESSION_PURPOSE = {"LST-6": "new_drug", "LST-8.2": "rescue_drug", "LST-C2": "consumable_review",
                          "LST-C4": "consumable_review"}


def needs_expert(app) -> bool:
    """LST-6, LST-C2, LST-C4 always; LST-8.2 only when the province put it in the yearly
    rescue-drug negotiation (attached it to a rescue-drug session), never because of anything
    the enterprise typed."""
    if app.category == "LST-8.2":
        return app.expert_case_id is not None
    return app.category in rules.EXPERT_CATEGORIES


def may_enter_expert(app) -> bool:
    """Categories whose application can be attached to an expert session (LST-8.2: the
    province's choice to put it in the rescue-drug negotiation)."""
    return app.category in EXPERT_SESSION_PURPOSE


def expert_price(app):
    """EXP-2: the agreed price of the attached case, else the product's latest agreed expert
    negotiation price (experts.selectors.negotiated_price); None while there is none."""
    case = app.expert_case
    if case is not None and case.outcome == "agreed":
        return case.final_price
    return negotiated_price(app.product)


def negotiated_price(product):
    """EXP-2: the agreed expert-negotiation price of the product (experts app), if any."""
    return expert_negotiated_price(product)


def product_for_enterprise(user, pk):
    try:
        return Product.objects.editable_by(user).get(pk=pk)
    except (Product.DoesNotExist, ValueError):
        raise NotFound(_("产品不存在或不属于本企业")) from None


# ---------------------------------------------------------------------- answers for the apps below

LIVE_STATUSES = (ListingStatus.ACTIVE, ListingStatus.PENDING_SUSPENSION, ListingStatus.SUSPENDED)


def live_listings(*, product_id=None, above=None):
    """PRC-1 / PRC-2 (pricing.hooks.register_live_listings): the live listings, with product and
    manufacturer; only `product_id`'s, only those priced above `above`."""
    qs = Listing.objects.filter(status__in=LIVE_STATUSES)
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if above is not None:
        qs = qs.filter(price__gt=above)
    return qs.select_related("product__manufacturer")


def listing_prices(institution, product_ids, at):
    """ORD-1 base case (orders.pricing.register_listed_provider): the listing price (挂网价) of
    each product's orderable listing."""
    rows = (
        Listing.objects.orderable()
        .filter(product_id__in=product_ids, effective_date__lte=at)
        .order_by()
        .values_list("product_id", "id", "price")
    )
    return {
        pid: PriceQuote(price, "listing", "ORD-1", f"挂网记录 #{lid}", listing_id=lid) for pid, lid, price in rows
    }


def listing_version(institution):
    """INT-1: every listing row (the pull with updated_since shows non-orderable ones too):
    status, price and effective date changes go through save(), which bumps updated_at."""
    return table_stamp(Listing.objects.all())


def listing_statuses(product_ids) -> dict:
    """DEL-4 (orders.pricing.register_listing_status): {product_id: status} of each product's
    listing that is not delisted — why a product without a price in force cannot be ordered."""
    return dict(Listing.objects.filter(product_id__in=list(product_ids)).exclude(status=ListingStatus.DELISTED)
                .order_by().values_list("product_id", "status"))


CATALOGUE_ID_LIMIT = 20_000


def catalogue_rows(institution, *, updated_since=None, q=""):
    """INT-1 catalogue pull (orders.pricing.register_catalogue): orderable listings (with
    products and national codes), most recently changed last; the prices in force are added per
    page by the caller in bulk."""
    qs = Listing.objects.all()
    if updated_since is not None:
        # Changed listings, including ones that stopped being orderable (the HIS must learn that).
        # Two index scans (listing.updated_at, product.updated_at → listing.product_id) instead of
        # one OR that would scan every listing; changes since the last pull are few.
        via_product = set(Listing.objects.filter(product__updated_at__gt=updated_since).order_by()
                          .values_list("pk", flat=True)[:CATALOGUE_ID_LIMIT + 1])
        changed = via_product | set(Listing.objects.filter(updated_at__gt=updated_since).order_by()
                                    .values_list("pk", flat=True)[:CATALOGUE_ID_LIMIT + 1]) if via_product else None
        if not via_product:
            # The common case: only listings changed — an ordered range scan of updated_at.
            qs = qs.filter(updated_at__gt=updated_since)
        elif len(changed) <= CATALOGUE_ID_LIMIT:
            qs = qs.filter(pk__in=changed)
        else:  # a very old `updated_since`: let the database do it in one pass
            changed_products = Product.objects.filter(updated_at__gt=updated_since).values("id")
            qs = qs.filter(Q(updated_at__gt=updated_since) | Q(product_id__in=changed_products))
    else:
        qs = qs.orderable()
    if q:
        qs = qs.filter(Q(product__generic_name__icontains=q) | Q(product__national_code__icontains=q)
                       | Q(product__name_initials__icontains=q))
    return qs


def shop_rows(institution, *, q=""):
    """The shop page (orders.pricing.register_shop): orderable listings with product and
    manufacturer, searched by name, code, initials or manufacturer."""
    listings = Listing.objects.orderable().select_related("product", "product__manufacturer")
    if q:
        listings = listings.filter(Q(product__generic_name__icontains=q) | Q(product__national_code__icontains=q)
                                   | Q(product__name_initials__icontains=q.upper())
                                   | Q(product__manufacturer__name__icontains=q))
    return listings
