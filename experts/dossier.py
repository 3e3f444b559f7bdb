"""What a reviewer needs beside a case (issue 15 item 8): the application the case came from,
its documents, the listing price and the reference products' prices.

`experts` sits below the channels (docs/adr/0011-layers.md): it cannot read a listing
application. Same shape as `orders/pricing.py`: a channel registers a *provider* from its own
`AppConfig.ready()`:

    dossier.register_provider("listing", listing_dossier)

A provider is `fn(case) -> CaseDossier | None` (None when the case is not the channel's). The
case page shows every dossier that answers; the document view serves a document only when a
provider lists it for that case, so the channel decides which files belong to the case and the
experts app decides who may read them (`experts.view_case_document`)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class CaseDocument:
    key: str  # unique within the case, used in the URL ("listing-12")
    label: str  # the document type ("药品注册证书")
    name: str  # the uploaded file's name
    mime: str
    size: int
    open: Callable  # () -> binary file object


@dataclass(frozen=True)
class PriceLine:
    label: str  # what the price is ("本省挂网价", a reference product's name)
    price: Decimal
    source: str = ""  # where it comes from (a listing record, a province's announcement …)
    date: object = None  # in force since


@dataclass(frozen=True)
class CaseDossier:
    title: str  # "挂网申请 #12（LST-6）"
    facts: list = field(default_factory=list)  # [(label, value)] — product, enterprise, declared price, reasons …
    documents: list = field(default_factory=list)  # [CaseDocument]
    listing_prices: list = field(default_factory=list)  # [PriceLine] — this province's listing price(s)
    references: list = field(default_factory=list)  # [PriceLine] — reference products' prices
    url: str = ""  # the application's own page, for users who may open it


Provider = Callable[[object], "CaseDossier | None"]
_PROVIDERS: dict[str, Provider] = {}


def register_provider(name: str, fn: Provider) -> None:
    """Register (or replace) a provider; idempotent by name."""
    _PROVIDERS[name] = fn


def providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


def dossiers_for(case) -> list[CaseDossier]:
    return [d for fn in _PROVIDERS.values() if (d := fn(case)) is not None]


def document_for(case, key: str) -> CaseDocument | None:
    return next((doc for d in dossiers_for(case) for doc in d.documents if doc.key == key), None)
