"""A session case with what a reviewer reads (issue 15 item 8): the listing application behind
it with one PDF document, a live listing of the same drug by another maker and two other
provinces' prices. Shared by the case-page tests and the expert journey."""

from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile

from catalog.models import OtherProvincePrice, Product
from core.pdfs import blank_pdf
from listing.models import ApplicationDocument, Listing, ListingApplication
from parties.models import Organisation, OrgKind


def case_file(case, *, maker_user, province_user):
    product = case.product
    app = ListingApplication.objects.create(
        enterprise=product.manufacturer, product=product, category="LST-6", declared_price=Decimal("88.50"),
        note="国内首仿，临床急需", submitted_by=maker_user, expert_case=case,
        evaluation={"results": [{"rule": "LST-6", "passed": True, "message": "批准注册后一年内申报"}]},
    )
    pdf = blank_pdf()
    doc = ApplicationDocument.objects.create(
        application=app, code="quality_commitment", file=ContentFile(pdf, name="quality.pdf"),
        original_name="药品质量承诺书.pdf", mime="application/pdf", size=len(pdf), uploaded_by=maker_user)
    other_maker = Organisation.objects.create(kind=OrgKind.MANUFACTURER, name="扬子江药业集团有限公司")
    generic = Product.objects.create(kind="drug", generic_name=product.generic_name, dosage_form=product.dosage_form,
                                     specification=product.specification, manufacturer=other_maker)
    Listing.objects.create(product=generic, price=Decimal("96.00"), category="LST-1", effective_date=date(2026, 1, 1))
    for province, price, source in (("浙江省", "92.30", "浙江省药械采购平台 2026年第5号公告"),
                                    ("广东省", "90.10", "广东省药品交易中心挂网目录（2026-07）")):
        OtherProvincePrice.objects.create(product=product, province=province, price=Decimal(price),
                                          effective_date=date(2026, 7, 1), source=source, entered_by=province_user)
    return app, doc
