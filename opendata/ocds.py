"""OCDS 1.1 releases for every public decision (PUB-1, AUD-1).

A *source* turns one kind of public decision into releases. Each source answers one question:
"the releases dated after this cursor, oldest first, at most N" — a SQL range scan on an
indexed timestamp — so the feed pages by date like Prozorro's public feed and never loads a
table. The feed merges the sources' pages and cuts the merged page.

Identifiers are stable: `ocid` = `<pub.ocid_prefix>-p<product id>` (one contracting process
per product and its price history), a release `id` names its row and state, so a release once
published never changes; a later decision is a new release.

What is public: products, enterprises (they are public parties of the listing), prices,
rules and dates. What is not: anything identifying an institution — negotiation results are
published only as product × month aggregates, and a month with fewer institutions than
`pub.min_institutions_for_stats` is withheld (a single institution's price would be its own).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from catalog.models import Product
from filing.models import FilingEvent
from listing.models import ApplicationStatus, ListingApplication, ListingPriceChange
from negotiation.models import NegotiationResult
from policy import services as policy
from vbp.models import SelectedProduct

PUBLISHER = {"name": "江苏省医疗保障局（江苏省药品（医用耗材）阳光采购和综合监管平台）"}
BUYER = {"id": "js-nhsa", "name": "江苏省医疗保障局"}
CURRENCY = "CNY"


@dataclass(frozen=True)
class Cursor:
    """A position in the feed: releases strictly after (date, release id)."""

    date: dt.datetime
    release_id: str = ""

    def token(self) -> str:
        return f"{self.date.isoformat()}|{self.release_id}"


def ocid_for(product_id) -> str:
    return f"{policy.get('pub.ocid_prefix')}-p{product_id}"


def _amount(value) -> float | None:
    # OCDS amounts are JSON numbers; the platform keeps at most 4 decimals.
    return None if value is None else float(Decimal(value).quantize(Decimal("0.0001")))


def _iso(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return dt.datetime.combine(value, dt.time(), tzinfo=timezone.get_current_timezone()).isoformat(timespec="seconds")


def _item(product) -> dict:
    scheme = "NHSA-DRUG" if product.kind == "drug" else "NHSA-CONSUMABLE"
    item = {"id": f"p{product.pk}", "description": str(product)}
    if product.national_code:
        item["classification"] = {"scheme": scheme, "id": product.national_code, "description": product.generic_name}
    return item


def _party(org, roles) -> dict:
    return {"id": f"org-{org.pk}", "name": org.name, "roles": roles}


def _release(*, product, release_id, date, tag, parties, **sections) -> dict:
    return {
        "ocid": ocid_for(product.pk),
        "id": release_id,
        "date": _iso(date),
        "tag": tag,
        "initiationType": "tender",
        "language": "zh",
        "parties": parties,
        "buyer": {"id": BUYER["id"], "name": BUYER["name"]},
        **sections,
    }


def _buyer_party() -> dict:
    return {**BUYER, "roles": ["buyer", "procuringEntity"]}


def _tender(product, method_details) -> dict:
    return {
        "id": f"p{product.pk}-listing",
        "title": str(product),
        "status": "complete",
        "procurementMethod": "open",
        "procurementMethodDetails": method_details,
        "mainProcurementCategory": "goods",
        "items": [_item(product)],
        "procuringEntity": {"id": BUYER["id"], "name": BUYER["name"]},
    }


# ---------------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    name: str
    label: str
    fetch: Callable[..., list[tuple[dt.datetime, str, Callable[[], dict]]]]  # (cursor, limit, until, desc=False)
    by_product: Callable[[int], Iterable[dict]]


def _after(qs, field, cursor: Cursor | None, until, desc=False):
    if cursor is not None:
        qs = qs.filter(**{f"{field}__gte": cursor.date})
    if until is not None:
        qs = qs.filter(**{f"{field}__lt": until})
    return qs.order_by(f"-{field}", "-pk") if desc else qs.order_by(field, "pk")


def _listing_decision_release(app) -> dict:
    confirmed = app.status in (ApplicationStatus.CONFIRMED, ApplicationStatus.EFFECTIVE)
    state = "confirmed" if confirmed else "refused"
    price = app.listing_price if confirmed else app.declared_price
    award = {
        "id": f"listing-application-{app.pk}",
        "title": "挂网确认" if confirmed else "不予挂网",
        "status": "active" if confirmed else "unsuccessful",
        "date": _iso(app.decided_at),
        "value": {"amount": _amount(price), "currency": CURRENCY},
        "suppliers": [{"id": f"org-{app.enterprise_id}", "name": app.enterprise.name}],
        "items": [_item(app.product)],
        "description": f"挂网类别 {app.category}；{'挂网价' if confirmed else '申报价'} {price} 元"
                       + (f"；集中挂网日 {app.effective_date:%Y-%m-%d}" if confirmed and app.effective_date else ""),
    }
    return _release(product=app.product, release_id=f"listing-application-{app.pk}-{state}", date=app.decided_at,
                    tag=["award"], parties=[_buyer_party(), _party(app.enterprise, ["supplier", "tenderer"])],
                    tender=_tender(app.product, f"阳光挂网（{app.category}）"), awards=[award])


_DECIDED = (ApplicationStatus.CONFIRMED, ApplicationStatus.EFFECTIVE, ApplicationStatus.REFUSED)


def _listing_decisions(cursor, limit, until, desc=False):
    qs = _after(ListingApplication.objects.filter(status__in=_DECIDED, decided_at__isnull=False)
                .select_related("product", "enterprise"), "decided_at", cursor, until, desc)
    return [(a.decided_at, _listing_decision_id(a), (lambda a=a: _listing_decision_release(a))) for a in qs[: limit + 20]]


def _listing_decision_id(app) -> str:
    state = "refused" if app.status == ApplicationStatus.REFUSED else "confirmed"
    return f"listing-application-{app.pk}-{state}"


def _price_change_release(change) -> dict:
    listing = change.listing
    product = listing.product
    old = "—" if change.old_price is None else f"{change.old_price} 元"
    award = {
        "id": f"listing-{listing.pk}",
        "title": "挂网价格调整" if change.old_price is not None else "挂网生效",
        "status": "active",
        "date": _iso(change.changed_at),
        "value": {"amount": _amount(change.new_price), "currency": CURRENCY},
        "suppliers": [{"id": f"org-{product.manufacturer_id}", "name": product.manufacturer.name}],
        "items": [_item(product)],
        "description": f"挂网价 {old} → {change.new_price} 元；执行日期 {change.effective_date:%Y-%m-%d}；"
                       f"依据 {change.rule or '—'}；{change.reason}"[:1000],
    }
    tag = ["awardUpdate"] if change.old_price is not None else ["award"]
    return _release(product=product, release_id=f"listing-price-change-{change.pk}", date=change.changed_at, tag=tag,
                    parties=[_buyer_party(), _party(product.manufacturer, ["supplier"])],
                    tender=_tender(product, f"阳光挂网（{listing.category}）"), awards=[award])


def _price_changes(cursor, limit, until, desc=False):
    qs = _after(ListingPriceChange.objects.select_related("listing__product__manufacturer"), "changed_at", cursor, until,
                desc)
    return [(c.changed_at, f"listing-price-change-{c.pk}", (lambda c=c: _price_change_release(c))) for c in qs[: limit + 20]]


def negotiation_month_stats():
    """Product × month aggregates of confirmed negotiation results, without institutions:
    count of institutions, quantity, amount, lowest / volume-weighted mean / highest price.
    Months with fewer institutions than `pub.min_institutions_for_stats` are withheld."""
    minimum = int(policy.get("pub.min_institutions_for_stats"))
    amount = ExpressionWrapper(F("unit_price") * F("quantity"), output_field=DecimalField(max_digits=24, decimal_places=6))
    return (NegotiationResult.objects.annotate(month=TruncMonth("confirmed_at"))
            .values("product", "month")
            .annotate(institutions=Count("institution", distinct=True), results=Count("pk"), qty=Sum("quantity"),
                      total=Sum(amount), lowest=Min("unit_price"), highest=Max("unit_price"), last=Max("confirmed_at"),
                      listing=Max("proposal__listing_id"))
            .filter(institutions__gte=minimum))


def _stats_release(row, product) -> dict:
    month = timezone.localtime(row["month"]).date() if isinstance(row["month"], dt.datetime) else row["month"]
    mean = (row["total"] / row["qty"]) if row["qty"] else None
    end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    contract = {
        "id": f"negotiation-p{product.pk}-{month:%Y-%m}",
        # Negotiated prices are agreed under the product's listing (its award).
        "awardID": f"listing-{row['listing']}",
        "title": f"议价结果统计 {month:%Y-%m}",
        "status": "active",
        "period": {"startDate": _iso(month), "endDate": _iso(end)},
        "value": {"amount": _amount(row["total"]), "currency": CURRENCY},
        "items": [{**_item(product), "quantity": float(row["qty"]),
                   "unit": {"name": "最小包装", "value": {"amount": _amount(mean), "currency": CURRENCY}}}],
        "description": (f"{row['institutions']} 家医疗机构，{row['results']} 条议价结果；最低 {row['lowest']} 元，"
                        f"加权平均 {_amount(mean)} 元，最高 {row['highest']} 元（NEG-6，不含机构明细）"),
    }
    return _release(product=product, release_id=f"negotiation-p{product.pk}-{month:%Y-%m}-{row['results']}",
                    date=row["last"], tag=["contract"],
                    parties=[_buyer_party(), _party(product.manufacturer, ["supplier"])], contracts=[contract])


def _negotiation_stats(cursor, limit, until, desc=False):
    qs = negotiation_month_stats()
    if cursor is not None:
        qs = qs.filter(last__gte=cursor.date)
    if until is not None:
        qs = qs.filter(last__lt=until)
    rows = list(qs.order_by(*(("-last", "-product") if desc else ("last", "product")))[: limit + 20])
    products = Product.objects.select_related("manufacturer").in_bulk({r["product"] for r in rows})
    out = []
    for r in rows:
        product = products[r["product"]]
        month = timezone.localtime(r["month"]).date() if isinstance(r["month"], dt.datetime) else r["month"]
        out.append((r["last"], f"negotiation-p{product.pk}-{month:%Y-%m}-{r['results']}",
                    (lambda r=r, p=product: _stats_release(r, p))))
    return out


def _listing_by_product(product_id):
    qs = ListingApplication.objects.filter(product_id=product_id, status__in=_DECIDED, decided_at__isnull=False)
    return [_listing_decision_release(a) for a in qs.select_related("product", "enterprise").order_by("decided_at", "pk")]


def _changes_by_product(product_id):
    qs = ListingPriceChange.objects.filter(listing__product_id=product_id).select_related("listing__product__manufacturer")
    return [_price_change_release(c) for c in qs.order_by("changed_at", "pk")]


def _stats_by_product(product_id):
    product = Product.objects.select_related("manufacturer").get(pk=product_id)
    return [_stats_release(r, product) for r in negotiation_month_stats().filter(product=product_id).order_by("last")]


def _after_padded(qs, field, cursor: Cursor | None, until, desc, prefix: str):
    """Like `_after`, but exact at a shared timestamp: many rows can share one (a tender's
    selected products are published together), so rows at the cursor's own timestamp are cut
    in SQL by the zero-padded id in the release id (the ids sort like the primary keys)."""
    if cursor is not None:
        same = cursor.release_id.startswith(prefix)
        if same:
            last = int(cursor.release_id[len(prefix):len(prefix) + 10] or 0)
            qs = qs.filter(Q(**{f"{field}__gt": cursor.date}) | Q(**{field: cursor.date, "pk__gt": last}))
        elif prefix > cursor.release_id:
            qs = qs.filter(**{f"{field}__gte": cursor.date})
        else:
            qs = qs.filter(**{f"{field}__gt": cursor.date})
    if until is not None:
        qs = qs.filter(**{f"{field}__lt": until})
    return qs.order_by(f"-{field}", "-pk") if desc else qs.order_by(field, "pk")


def _filing_release(event) -> dict:
    filing = event.filing
    product = filing.product
    price = filing.agreed_price or filing.price
    award = {
        "id": f"filing-{filing.pk:010d}",
        "title": "备案采购确认",
        "status": "active",
        "date": _iso(event.at),
        "value": {"amount": _amount(price), "currency": CURRENCY},
        "suppliers": [{"id": f"org-{filing.enterprise_id}", "name": filing.enterprise.name}],
        "items": [_item(product)],
        "description": f"备案采购（{filing.get_kind_display()}）确认：备案价 {price} 元，仅备案医疗机构可采购（FIL-3）",
    }
    return _release(product=product, release_id=f"filing-{event.pk:010d}-confirmed", date=event.at, tag=["award"],
                    parties=[_buyer_party(), _party(filing.enterprise, ["supplier"])],
                    tender={**_tender(product, f"备案采购（{filing.get_kind_display()}）"), "procurementMethod": "limited"},
                    awards=[award])


def _filing_events():
    return (FilingEvent.objects.filter(action__in=("confirmed", "published"))
            .select_related("filing__product", "filing__enterprise"))


def _filings(cursor, limit, until, desc=False):
    qs = _after_padded(_filing_events(), "at", cursor, until, desc, "filing-")
    return [(e.at, f"filing-{e.pk:010d}-confirmed", (lambda e=e: _filing_release(e))) for e in qs[: limit + 20]]


def _filings_by_product(product_id):
    return [_filing_release(e) for e in _filing_events().filter(filing__product_id=product_id).order_by("at", "pk")]


def _vbp_release(sp) -> dict:
    tender = sp.variety.tender
    product = sp.product
    award = {
        "id": f"vbp-award-{sp.pk:010d}",
        "title": "带量采购中选",
        "status": "active",
        "date": _iso(tender.published_at),
        "value": {"amount": _amount(sp.price), "currency": CURRENCY},
        "suppliers": [{"id": f"org-{sp.enterprise_id}", "name": sp.enterprise.name}],
        "items": [_item(product)],
        "description": (f"{tender.get_level_display()} {tender.code}「{sp.variety.name}」中选价 {sp.price} 元；"
                        f"采购周期 {tender.period_start:%Y-%m-%d} 至 {tender.period_end:%Y-%m-%d}（VBP-1）"),
    }
    return _release(product=product, release_id=f"vbp-award-{sp.pk:010d}", date=tender.published_at, tag=["award"],
                    parties=[_buyer_party(), _party(sp.enterprise, ["supplier", "tenderer"])],
                    tender={**_tender(product, f"集中带量采购（{tender.get_selection_mode_display()}）"),
                            "id": f"vbp-{tender.code}", "title": tender.name},
                    awards=[award])


def _vbp_selected():
    return (SelectedProduct.objects.filter(variety__tender__status="published", variety__tender__published_at__isnull=False)
            .select_related("variety__tender", "product", "enterprise"))


def _vbp_awards(cursor, limit, until, desc=False):
    qs = _after_padded(_vbp_selected(), "variety__tender__published_at", cursor, until, desc, "vbp-award-")
    return [(sp.variety.tender.published_at, f"vbp-award-{sp.pk:010d}", (lambda sp=sp: _vbp_release(sp)))
            for sp in qs[: limit + 20]]


def _vbp_by_product(product_id):
    return [_vbp_release(sp) for sp in _vbp_selected().filter(product_id=product_id)
            .order_by("variety__tender__published_at", "pk")]


SOURCES: list[Source] = [
    Source("listing", "挂网结果", _listing_decisions, _listing_by_product),
    Source("price", "价格调整", _price_changes, _changes_by_product),
    Source("negotiation", "议价结果统计", _negotiation_stats, _stats_by_product),
    Source("filing", "备案采购结果", _filings, _filings_by_product),
    Source("vbp", "带量采购中选结果", _vbp_awards, _vbp_by_product),
]


def register(source: Source) -> None:
    """Channels built later (filing, VBP, payment standards) add their public decisions here."""
    if all(s.name != source.name for s in SOURCES):
        SOURCES.append(source)


# ---------------------------------------------------------------------- feed, records, packages


def releases_page(cursor: Cursor | None, limit: int, until: dt.datetime | None = None):
    """(releases, next cursor or None): the `limit` oldest releases after `cursor`."""
    candidates = []
    for source in SOURCES:
        for date, release_id, build in source.fetch(cursor, limit, until):
            if cursor is not None and (date, release_id) <= (cursor.date, cursor.release_id):
                continue
            candidates.append((date, release_id, build))
    candidates.sort(key=lambda c: (c[0], c[1]))
    page = candidates[:limit]
    nxt = Cursor(page[-1][0], page[-1][1]) if len(candidates) > limit else None
    return [build() for _, _, build in page], nxt


def summarise(release: dict) -> dict:
    """What a person reads of a release: its date, kind of decision, product and description."""
    section = (release.get("awards") or release.get("contracts") or [{}])[0]
    items = section.get("items") or [{}]
    return {"date": release["date"][:10], "title": section.get("title", release["tag"][0]),
            "product": items[0].get("description", ""), "description": section.get("description", ""),
            "ocid": release["ocid"], "id": release["id"]}


def latest(n: int):
    """The n newest releases over every source, newest first, as (date, id, build)."""
    candidates = [c for source in SOURCES for c in source.fetch(None, n, None, desc=True)]
    candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
    return candidates[:n]


def last_change() -> str:
    """A cheap fingerprint of everything the feed publishes: the newest timestamp of each
    source (one indexed MAX each). ETags are built from it."""
    return "|".join(str(c[0][0].timestamp()) if c else "-" for c in (s.fetch(None, 1, None, desc=True) for s in SOURCES))


def _package_metadata(uri: str) -> dict:
    """What a release package and a record package both begin with (OCDS 1.1 package metadata)."""
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": _iso(timezone.now()),
        "publisher": PUBLISHER,
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": "https://example.invalid/opendata/policy",
    }


def package(releases, *, uri: str, next_uri: str | None = None) -> dict:
    pkg = {**_package_metadata(uri), "releases": releases}
    if next_uri:
        pkg["links"] = {"next": next_uri}
    return pkg


def product_releases(product_id) -> list[dict]:
    releases = [r for s in SOURCES for r in s.by_product(product_id)]
    releases.sort(key=lambda r: (r["date"], r["id"]))
    return releases


def merge(releases: list[dict]) -> dict:
    """The compiled release: OCDS merge rules in their simple form — later values win, arrays of
    objects with an `id` merge by id, other arrays are replaced whole."""
    compiled: dict = {}
    for release in releases:
        compiled = _merge(compiled, {k: v for k, v in release.items() if k not in ("id", "date", "tag")})
    if releases:
        compiled["id"] = f"{releases[-1]['ocid']}-compiled"
        compiled["date"] = releases[-1]["date"]
        compiled["tag"] = ["compiled"]
    return compiled


def _merge(base, new):
    if isinstance(base, dict) and isinstance(new, dict):
        out = dict(base)
        for k, v in new.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    if isinstance(base, list) and isinstance(new, list) and all(isinstance(x, dict) and "id" in x for x in base + new):
        by_id = {x["id"]: x for x in base}
        order = [x["id"] for x in base]
        for x in new:
            if x["id"] in by_id:
                by_id[x["id"]] = _merge(by_id[x["id"]], x)
            else:
                by_id[x["id"]] = x
                order.append(x["id"])
        return [by_id[i] for i in order]
    return new


def record_package(product_id, *, uri: str) -> dict:
    releases = product_releases(product_id)
    return {**_package_metadata(uri),
            "records": [{"ocid": ocid_for(product_id), "releases": releases, "compiledRelease": merge(releases)}]}
