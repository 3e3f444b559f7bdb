"""The small world of the listing journeys: a manufacturer (user "maker") with its amoxicillin
0.25 g capsules, and the provincial bureau (user "prov") — both sign in with PASSWORD — and
the documents of an application uploaded as PDFs."""

from types import SimpleNamespace

from parties.models import Organisation, OrgKind, Role, User
from tests.factories import ProductFactory
from tests.pdf import MINIMAL_PDF

PASSWORD = "Journey-2026!"


def listing_world(**product_fields) -> SimpleNamespace:
    maker = Organisation.objects.create(kind=OrgKind.MANUFACTURER, name="江苏康宁制药有限公司")
    province = Organisation.objects.create(kind=OrgKind.PROVINCE_REGULATOR, name="江苏省医疗保障局")
    maker_user = User.objects.create_user(username="maker", password=PASSWORD, organisation=maker,
                                          role=Role.MANUFACTURER)
    prov = User.objects.create_user(username="prov", password=PASSWORD, organisation=province,
                                    role=Role.PROVINCE_REGULATOR)
    product = ProductFactory(kind="drug", national_code="XJ01CAA040E001010200511", generic_name="阿莫西林胶囊",
                             dosage_form="胶囊剂", specification="0.25g", conversion=24, pack_unit="盒",
                             manufacturer=maker, **product_fields)
    return SimpleNamespace(maker=maker, province=province, maker_user=maker_user, prov=prov, product=product)


def upload_documents(page, tmp_path, codes):
    """Attach a PDF (it must parse as one: core.uploads) for each document code."""
    for code in codes:
        path = tmp_path / f"{code}.pdf"
        path.write_bytes(MINIMAL_PDF)
        page.locator(f"input[name=doc_{code}]").set_input_files(str(path))
