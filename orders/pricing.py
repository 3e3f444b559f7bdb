"""The price in force (ORD-1): "what may this institution pay for this product today, and why".

One selector answers it for ordering, the HIS API and the UI. Every procurement channel
contributes through a *provider*: a function

    provider(institution, product_ids: list[int], at: date) -> dict[product_id, PriceQuote]

registered with `register_provider(name, fn)`. The listing channel registers the base price
(挂网价, source "listing") with `register_listed_provider`; the negotiation (议价结果 for that
institution), VBP (中选价) and filing channels register theirs — all from their own
`AppConfig.ready()`, so orders imports no channel. For each product the lowest applicable
quote wins; a product without an orderable listing has no price in force (DEL-4:
suspended/delisted products cannot be ordered).

Providers work on many products at once, so the bulk variant costs one query per
provider whatever the number of products (no N+1)."""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.mixins import NeverDeleted


@dataclass(frozen=True)
class PriceQuote:
    price: Decimal
    source: str  # "listing" | "negotiation" | "vbp" | "filing" …
    rule: str  # the rule ID that makes this price apply (e.g. "ORD-1", "NEG-3", "VBP-2")
    reference: str  # human-readable reference: listing id, negotiation result number …
    listing_id: int | None = None
    # A channel that makes a product purchasable by itself, without a listing (SHO-1 self-
    # sourcing, filing): such quotes answer only when the caller asks for unlisted products.
    grants_access: bool = False

    @property
    def source_label(self) -> str:
        return source_label(self.source)

    def as_tuple(self):
        return self.price, self.source, self.rule, self.reference


SOURCE_LABELS = {
    "listing": _("挂网价"),
    "negotiation": _("议价结果"),
    "vbp": _("带量采购中选价"),
    "filing": _("备案采购价"),
    "shortage": _("短缺药品自主采购议价"),
}


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


Provider = Callable[[object, list, date], dict]
_PROVIDERS: dict[str, Provider] = {}
# Channels whose rows make a product orderable for every institution — the listing (挂网):
# their quotes (with listing_id) are the base price every other channel's quote competes with.
_LISTED_PROVIDERS: dict[str, Provider] = {}
# Channels whose confirmed rows make a product orderable for one institution although it has
# no listing (filing procurement, FIL-3/FIL-C4: "whoever files buys"). Their quotes are the
# base price for that institution only.
_BASE_PROVIDERS: dict[str, Provider] = {}
# Channels that can explain why a product has no price in force for an institution (ORD-4
# "outside the institution's filing"): fn(institution, product_ids, at) -> {pid: (rule, text)}.
_REFUSALS: dict[str, Callable[[object, list, date], dict]] = {}


def register_provider(name: str, fn: Provider) -> None:
    """Register (or replace) a channel's provider; idempotent by name."""
    _PROVIDERS[name] = fn


def providers() -> dict[str, Provider]:
    """Every registered provider: listed (listing), price providers and base providers (filing)."""
    return {**_LISTED_PROVIDERS, **_PROVIDERS, **{f"base:{k}": v for k, v in _BASE_PROVIDERS.items()}}


def register_listed_provider(name: str, fn: Provider) -> None:
    """Register the channel whose quotes make a product orderable for every institution (the
    listing); idempotent by name."""
    _LISTED_PROVIDERS[name] = fn


def listed_prices(institution, product_ids, at) -> dict:
    """{product_id: PriceQuote} from the listed providers: the lowest quote per product."""
    out: dict = {}
    for fn in _LISTED_PROVIDERS.values():
        for pid, quote in fn(institution, product_ids, at).items():
            if pid not in out or quote.price < out[pid].price:
                out[pid] = quote
    return out


# DEL-4: the status of a product's listing (not delisted), answered by the listing channel:
# fn(product_ids) -> {product_id: status}. Explains why a product has no price in force.
_LISTING_STATUSES: dict[str, Callable[[list], dict]] = {}


def register_listing_status(name: str, fn: Callable[[list], dict]) -> None:
    """Register (or replace) a channel's listing-status answer; idempotent by name."""
    _LISTING_STATUSES[name] = fn


def listing_statuses(product_ids) -> dict:
    ids = sorted({getattr(p, "pk", p) for p in product_ids})
    out: dict = {}
    if not ids:
        return out
    for fn in _LISTING_STATUSES.values():
        for pid, status in fn(ids).items():
            out.setdefault(pid, status)
    return out


def register_base_provider(name: str, fn: Provider) -> None:
    """Register a channel that makes unlisted products orderable for some institutions
    (quotes carry listing_id=None); idempotent by name."""
    _BASE_PROVIDERS[name] = fn


def register_refusal(name: str, fn: Callable[[object, list, date], dict]) -> None:
    """Register a channel's explanation of "no price in force" (ORD-4); idempotent by name."""
    _REFUSALS[name] = fn


def refusal_reasons(institution, product_ids, at: date | None = None) -> dict[int, tuple[str, str]]:
    """{product_id: (rule_id, Chinese message)} for products a channel refuses to this
    institution (e.g. filed by other institutions only — FIL-3)."""
    at = at or timezone.localdate()
    ids = sorted({getattr(p, "pk", p) for p in product_ids})
    out: dict[int, tuple[str, str]] = {}
    if not ids:
        return out
    for fn in _REFUSALS.values():
        for pid, reason in fn(institution, ids, at).items():
            out.setdefault(pid, reason)
    return out


# Purchase restrictions: a channel may say a product it lists is not purchasable by a given
# institution at all (e.g. LST-C3/C4: a city-confirmed consumable only by that city's
# institutions). restriction(institution, product_ids, at) -> {product_id: (rule_id, message)}.
Restriction = Callable[[object, list, date], dict]
_RESTRICTIONS: dict[str, Restriction] = {}


def register_restriction(name: str, fn: Restriction) -> None:
    """Register (or replace) a channel's purchase restriction; idempotent by name."""
    _RESTRICTIONS[name] = fn


def purchase_restrictions(institution, products: Iterable, at: date | None = None) -> dict[int, tuple[str, str]]:
    """{product_id: (rule_id, message)} for the products `institution` may not buy on `at`."""
    at = at or timezone.localdate()
    ids = sorted({getattr(p, "pk", p) for p in products})
    out: dict[int, tuple[str, str]] = {}
    if not ids:
        return out
    for fn in _RESTRICTIONS.values():
        for pid, reason in fn(institution, ids, at).items():
            out.setdefault(pid, reason)
    return out


# Catalogue versions (issue 16 item 10, INT-1): every source that can change what the catalogue
# pull shows an institution (a listing row, a price in force, a restriction, a distributor)
# registers a cheap token fn(institution) -> str that changes whenever its rows do. The HIS's
# repeated pull compares the combined token (with the date: prices come into force on dates)
# and answers 304 without building the page.
Version = Callable[[object], object]  # a str, a SqlToken, or a tuple of them
_VERSIONS: dict[str, Version] = {}


def register_version(name: str, fn: Version) -> None:
    """Register (or replace) a source's catalogue version token; idempotent by name."""
    _VERSIONS[name] = fn


@dataclass(frozen=True)
class SqlToken:
    """A version token still to be computed: one scalar SELECT. catalogue_version runs every
    source's tokens as subqueries of ONE statement (one round trip for the whole validator)."""

    sql: str
    params: tuple


def rows_digest(qs, *fields: str) -> SqlToken:
    """An md5 of `fields` of every row of `qs`, computed by the database: for the small tables
    whose rows change in place without an updated_at (negotiation results, VBP prices,
    relationships) — any insert, update or delete of a row changes it."""
    sql, params = qs.order_by().values_list(*fields).query.sql_with_params()
    return SqlToken(f"SELECT coalesce(md5(string_agg(s::text, ',' ORDER BY s.id)), '-') FROM ({sql}) s", params)


def table_stamp(qs, updated_field: str = "updated_at") -> SqlToken:
    """max(id) / max(updated_at) of `qs`: enough for a table whose every change goes through
    save() (auto_now) — an insert moves max(id), an update max(updated_at) — and whose rows are
    never deleted (NeverDeleted, refused by a trigger). Both are read from the end of an index
    (PostgreSQL's min/max shortcut); a count(*) would read the whole table on every pull (40 ms
    per request for products and listings at 100,000 each, measured by `make bench`). A table
    whose rows can be deleted keeps the count, which sees a delete."""
    sql, params = qs.order_by().values_list("id", updated_field).query.sql_with_params()
    count = "" if issubclass(qs.model, NeverDeleted) else "count(*) || '/' || "
    return SqlToken(f"SELECT {count}coalesce(max(s.id)::text, '') || '/' || "
                    f"coalesce(max(s.{updated_field})::text, '') FROM ({sql}) s", params)


def catalogue_version(institution, at: date | None = None) -> str:
    """A strong ETag for `institution`'s catalogue on `at`: a hash of every registered source's
    tokens, all computed in one statement — never the page itself."""
    at = at or timezone.localdate()
    tokens = [f"at={at.isoformat()}", f"institution={getattr(institution, 'pk', institution)}"
              f"/{getattr(institution, 'city_id', None)}/{getattr(institution, 'county_id', None)}"]
    pending: list[tuple[str, SqlToken]] = []
    for name, fn in sorted(_VERSIONS.items()):
        answer = fn(institution)
        for token in answer if isinstance(answer, tuple | list) else (answer,):
            if isinstance(token, SqlToken):
                pending.append((name, token))
            else:
                tokens.append(f"{name}={token}")
    if pending:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(f"({t.sql})" for _n, t in pending),
                           [p for _n, t in pending for p in t.params])
            values = cursor.fetchone()
        tokens += [f"{name}={value}" for (name, _t), value in zip(pending, values, strict=True)]
    return hashlib.blake2b("\n".join(tokens).encode(), digest_size=16).hexdigest()


def prices_in_force(institution, products: Iterable, at: date | None = None, *,
                    include_unlisted: bool = False) -> dict[int, PriceQuote]:
    """Bulk variant: {product_id: PriceQuote} for every product (ids or Product objects) that
    has a price in force for `institution` on `at`. Products missing from the answer have
    no orderable listing. One query per provider.

    With `include_unlisted`, a product without a listing is answered too when a channel
    grants this institution access to it by itself (quote.grants_access, listing_id None:
    SHO-1 self-sourcing, filing); ordering such lines needs an order line without a listing."""
    at = at or timezone.localdate()
    ids = sorted({getattr(p, "pk", p) for p in products})
    if not ids:
        return {}
    base = listed_prices(institution, ids, at)  # the listing is what makes a product orderable
    restricted = purchase_restrictions(institution, list(base), at)
    base = {pid: q for pid, q in base.items() if pid not in restricted}  # not purchasable by this institution
    unlisted = [pid for pid in ids if pid not in base]
    for fn in _BASE_PROVIDERS.values():
        if not unlisted:
            break
        for pid, quote in fn(institution, unlisted, at).items():
            if pid not in base or quote.price < base[pid].price:
                base[pid] = quote
        unlisted = [pid for pid in ids if pid not in base]
    best = dict(base)
    asked = ids if include_unlisted else list(base)
    for fn in _PROVIDERS.values():
        for pid, quote in fn(institution, asked, at).items():
            if pid in base:
                # On a tie with the listing price the channel's quote names the reason (e.g. a VBP
                # selected product is listed at its selected price: the source is "vbp").
                if quote.price < best[pid].price or (quote.price == best[pid].price and best[pid].source == "listing"):
                    best[pid] = PriceQuote(quote.price, quote.source, quote.rule, quote.reference,
                                           listing_id=base[pid].listing_id)
            elif include_unlisted and quote.grants_access and (pid not in best or quote.price < best[pid].price):
                best[pid] = quote
    return best


def price_in_force(institution, product, at: date | None = None):
    """(price, source, rule, reference) for one product, or None when the product cannot be
    ordered (no active listing — DEL-4)."""
    quote = prices_in_force(institution, [product], at).get(getattr(product, "pk", product))
    return quote.as_tuple() if quote else None


def quote_in_force(institution, product, at: date | None = None, *, include_unlisted: bool = False) -> PriceQuote | None:
    return prices_in_force(institution, [product], at, include_unlisted=include_unlisted).get(
        getattr(product, "pk", product))


# What an institution may browse and pull (INT-1 catalogue, the shop page): the listing
# channel's orderable listings. One source answers (the listing channel registers it):
# catalogue(institution, *, updated_since=None, q="") -> queryset of listing rows;
# shop(institution, *, q="") -> queryset of listings with their products.
_CATALOGUES: dict[str, Callable] = {}
_SHOPS: dict[str, Callable] = {}


def register_catalogue(name: str, fn: Callable) -> None:
    """Register (or replace) the catalogue source; idempotent by name."""
    _CATALOGUES[name] = fn


def register_shop(name: str, fn: Callable) -> None:
    """Register (or replace) the shop page's source; idempotent by name."""
    _SHOPS[name] = fn


def catalogue(institution, *, updated_since=None, q=""):
    (fn,) = _CATALOGUES.values()  # exactly one catalogue source (the listing channel)
    return fn(institution, updated_since=updated_since, q=q)


def shop_rows(institution, *, q=""):
    (fn,) = _SHOPS.values()  # exactly one shop source (the listing channel)
    return fn(institution, q=q)

