"""Demo data of the listing app (idempotent): most demo catalogue products listed at the
national lowest price (or their category's price), and a few listing applications in each
status. Needs parties.demo and catalog.demo first."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from catalog.models import Product
from core import pending
from core.audit import audit_context
from core.models import FormDraft
from core.pdfs import blank_pdf
from parties.models import Region, Role, User

from . import rules, selectors
from .forms import APPLICATION_DRAFT_KIND
from .models import (
    ApplicationDocument,
    ApplicationEvent,
    ApplicationStatus,
    Listing,
    ListingApplication,
    ListingPriceChange,
    ListingStatus,
    PriceRiseFlag,
)
from .services import applications, batch
from .services import status as status_services

DEMO_PDF = blank_pdf()

# Products (generic name, specification) kept unlisted for the demo applications, by status.
APPLICATION_PLAN = [
    ("阿莫西林胶囊", "0.5g", ApplicationStatus.SUBMITTED, ""),
    ("银杏叶片", "9.6mg", ApplicationStatus.SUBMITTED, ""),
    ("连花清瘟胶囊", "0.35g", ApplicationStatus.RETURNED, "所有已挂网省份挂网记录缺少四川省挂网公告截图，请补充后重新提交。"),
    ("缬沙坦胶囊", "80mg", ApplicationStatus.CONFIRMED, "企业和产品资质审核通过。"),
    ("一次性使用无菌注射器", "5ml 带针", ApplicationStatus.CONFIRMED, "资质审核通过。"),
    ("布洛芬缓释胶囊", "0.3g", ApplicationStatus.REFUSED, "申报价高于全国最低价，且未提供8个省份采购记录，不予挂网。"),
    ("可吸收缝合线", "3-0 带针 75cm", ApplicationStatus.WITHDRAWN, ""),
]


def _category(product, today):
    facts = selectors.product_facts(product, today)
    return rules.suggest_categories(facts)[0]


def _price_for(product, category, today):
    lowest = selectors.national_lowest(product, today)
    if category == "LST-3.1" and product.nn_payment_standard:
        return product.nn_payment_standard
    if category in ("LST-C1", "LST-C2"):
        lowest = selectors.national_lowest(product, today, jiangsu_cities=True) or lowest
    if category in ("LST-C3", "LST-C4"):
        lowest = selectors.national_lowest(product, today, levels=("province", "city")) or lowest
    if lowest is not None:
        return lowest.price
    return None


def _maker_user(product):
    return User.objects.filter(organisation=product.manufacturer, role=Role.MANUFACTURER).order_by("id").first()


def _documents(app, user):
    for code, _name in rules.required_documents(app.category, via_reference=app.via_reference):
        if not app.documents.filter(code=code).exists():
            ApplicationDocument.objects.create(
                application=app, code=code, file=ContentFile(DEMO_PDF, name=f"{code}.pdf"),
                original_name=f"{rules.DOCUMENTS[code]}.pdf", mime="application/pdf", size=len(DEMO_PDF),
                uploaded_by=user,
            )


def load_demo():
    today = timezone.localdate()
    reviewer = User.objects.filter(username="sheng_ybj").first()
    # Products under filing procurement (the filing demo's) are unlisted by definition (FIL-1).
    products = list(Product.objects.filter(national_code__isnull=False, filings__isnull=True).distinct()
                    .select_related("manufacturer").order_by("id"))
    if reviewer is None or not products:
        raise RuntimeError("listing demo needs parties.demo and catalog.demo first")
    held = {(g, s) for g, s, _st, _r in APPLICATION_PLAN}
    last_batch = batch.next_batch_date(today - timedelta(days=40))
    created = 0
    with audit_context(reviewer, reason="加载演示数据：挂网产品"):
        for product in products:
            if (product.generic_name, product.specification) in held or Listing.objects.filter(product=product).exists():
                continue
            category = _category(product, today)
            price = _price_for(product, category, today)
            if price is None:
                continue
            listing = Listing.objects.create(product=product, price=price, category=category,
                                             effective_date=last_batch)
            ListingPriceChange.objects.create(listing=listing, old_price=None, new_price=price, effective_date=last_batch,
                                              rule=category, reason="演示数据：集中挂网", changed_by=reviewer)
            created += 1
        # LST-0.4 / BAD-1: a shortage drug's confirmed rise, flagged for the regulator
        if not PriceRiseFlag.objects.exists():
            risen = (Listing.objects.filter(status=ListingStatus.ACTIVE, product__kind="drug")
                     .order_by("id").first())
            if risen is not None:
                status_services.listing_change_price(
                    user=reviewer, listing=risen, new_price=(risen.price * Decimal("1.12")).quantize(Decimal("0.01")),
                    effective_date=last_batch, rule="LST-8.1",
                    reason="演示：短缺药品申报（附供货稳价承诺书），经省医保局确认上调")
        # LST-C3 / LST-C4: one ordinary consumable confirmed by Nanjing, purchasable there only
        if not Listing.objects.filter(scope_cities__isnull=False).exists():
            nanjing = Region.objects.filter(code="320100").first()
            ordinary = (Listing.objects.filter(product__kind="consumable", category__in=("LST-C3", "LST-C4"))
                        .order_by("id").first())
            if nanjing is not None and ordinary is not None:
                ordinary.scope_cities.add(nanjing)
        # one listing suspended for a quality problem (DEL-2), history visible (DEL-4)
        suspended = Listing.objects.filter(product__generic_name="甲硝唑片", status=ListingStatus.ACTIVE).first()
        if suspended is not None:
            status_services.listing_set_status(reviewer, listing=suspended, action="suspend", rule="DEL-2",
                                reason="演示：省药监局抽检溶出度不合格，暂停挂网")

    for generic, spec, status, reason in APPLICATION_PLAN:
        product = next((p for p in products if p.generic_name == generic and p.specification == spec), None)
        if product is None or ListingApplication.objects.filter(product=product).exists():
            continue
        user = _maker_user(product)
        if user is None:
            continue
        category = _category(product, today)
        price = _price_for(product, category, today) or Decimal("10.00")
        if status == ApplicationStatus.REFUSED:
            price = (price * Decimal("1.08")).quantize(Decimal("0.01"))
        with audit_context(user, reason=f"演示数据：挂网申请（{category}）"):
            ev = applications.application_evaluate(enterprise=product.manufacturer, product=product, category=category,
                                   declared_price=price, on=today)
            app = ListingApplication.objects.create(
                enterprise=product.manufacturer, product=product, category=category, declared_price=price,
                status=status, evaluation=ev.as_json(), listing_price=ev.listing_price or price, submitted_by=user,
                submitted_at=timezone.now() - timedelta(days=3),
                decided_by=reviewer if status in (ApplicationStatus.CONFIRMED, ApplicationStatus.REFUSED,
                                                  ApplicationStatus.RETURNED) else None,
                decided_at=timezone.now() - timedelta(days=1) if reason else None, decision_reason=reason,
                effective_date=batch.next_batch_date(today) if status == ApplicationStatus.CONFIRMED else None,
            )
            _documents(app, user)
            ApplicationEvent.objects.create(application=app, action="submitted", user=user)
            action = {ApplicationStatus.RETURNED: "returned", ApplicationStatus.CONFIRMED: "confirmed",
                      ApplicationStatus.REFUSED: "refused", ApplicationStatus.WITHDRAWN: "withdrawn"}.get(status)
            if action:
                ApplicationEvent.objects.create(application=app, action=action, reason=reason,
                                                user=user if action == "withdrawn" else reviewer)
    # Applications that took effect: the history of two listed products.
    missing = 0 if ListingApplication.objects.filter(status=ApplicationStatus.EFFECTIVE).exists() else 2
    for listing in Listing.objects.filter(applications__isnull=True).order_by("id")[:missing]:
        user = _maker_user(listing.product)
        if user is None:
            continue
        with audit_context(user, reason="演示数据：已挂网的申请"):
            app = ListingApplication.objects.create(
                enterprise=listing.product.manufacturer, product=listing.product, category=listing.category,
                declared_price=listing.price, listing_price=listing.price, status=ApplicationStatus.EFFECTIVE,
                evaluation={"passed": True, "results": [], "blockers": [], "warnings": []}, submitted_by=user,
                submitted_at=timezone.now() - timedelta(days=60), decided_by=reviewer,
                decided_at=timezone.now() - timedelta(days=50), decision_reason="资质审核通过。",
                effective_date=listing.effective_date, listing=listing,
            )
            _documents(app, user)
            for action in ("submitted", "confirmed", "effective"):
                ApplicationEvent.objects.create(application=app, action=action,
                                                user=user if action == "submitted" else reviewer)
    _demo_draft(products, today)
    return created


def _demo_draft(products, today):
    """A half-filled application saved as a draft (issue 15 item 2): the enterprise resumes it from
    "新建挂网申请"; submitting it runs every check."""
    if FormDraft.objects.filter(kind=APPLICATION_DRAFT_KIND).exists():
        return
    busy = set(ListingApplication.objects.active().values_list("product_id", flat=True))
    product = next((p for p in products if p.pk not in busy and p.kind == "drug" and _maker_user(p)), None)
    if product is None:
        return
    data = {"category": _category(product, today), "declared_price": "", "files": {},
            "note": "拟按新规格申报：\n1. 已取得药品注册证书；\n2. 外省挂网记录整理中，待补充后提交。"}
    pending.save_draft(_maker_user(product), kind=APPLICATION_DRAFT_KIND, subject=product.pk, title=str(product),
                       data=data)
