"""Fixtures of shortage and emergency purchasing: a Nanjing hospital (and its users, a HIS
client, another hospital), the Nanjing city regulator, a manufacturer with drugs, shortage
lists, and helpers to declare an emergency on a frozen date."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from parties.models import OrgKind
from shortage import services
from shortage.models import ShortageList, ShortageListEntry
from tests.factories import ListingFactory, ProductFactory
from tests.his import his_client
from tests.pdf import MINIMAL_PDF

_n = itertools.count(1)
PDF = MINIMAL_PDF  # uploads must parse as PDF (core.uploads)


def pdf(name="doc.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def hospital(make_org, nanjing):
    return make_org(OrgKind.INSTITUTION, city=nanjing, level=3, name=f"南京测试医院{next(_n)}")


@pytest.fixture
def hospital_user(make_user, hospital):
    return make_user(hospital)


@pytest.fixture
def other_hospital_user(make_user, make_org, suzhou):
    return make_user(make_org(OrgKind.INSTITUTION, city=suzhou))


@pytest.fixture
def his(hospital):
    return his_client(hospital)


@pytest.fixture
def make_product(db, maker):
    def make(generic_name="注射用甲磺酸酚妥拉明", dosage_form="注射剂", specification="10mg", kind="drug",
             national_code=None, manufacturer=None, **kw):
        if kind == "consumable":
            kw["national_code"] = national_code
        elif national_code:
            kw["national_code"] = national_code
        return ProductFactory(consumable=kind == "consumable", generic_name=generic_name, dosage_form=dosage_form,
                              specification=specification, pack_unit="", manufacturer=manufacturer or maker, **kw)

    return make


@pytest.fixture
def list_drug(db, province_user):
    """Put a drug on a list issue in force from `effective_from` (as an import would)."""

    def put(generic_name="注射用甲磺酸酚妥拉明", dosage_form="注射剂", specification="", kind="shortage",
            effective_from=date(2026, 1, 1)):
        issue, _ = ShortageList.objects.get_or_create(
            kind=kind, effective_from=effective_from,
            defaults={"source": "苏卫药政〔2026〕1号", "file_name": "list.xlsx", "imported_by": province_user})
        ShortageListEntry.objects.create(shortage_list=issue, row=issue.entries.count() + 2, generic_name=generic_name,
                                         dosage_form=dosage_form, specification=specification)
        return issue

    return put


@pytest.fixture
def list_product(db):
    def make(product, price="10.00", status="active", effective_date=date(2026, 1, 15)):
        return ListingFactory(product=product, price=Decimal(price), status=status, effective_date=effective_date)

    return make


def declaration(**kw):
    base = {"kind": "drug", "item_name": "注射用甲磺酸酚妥拉明 10mg", "supplier": "某制药有限公司",
            "emergency_kind": "rescue", "emergency_note": "急诊抢救", "clinical_necessity": "无替代品种",
            "approved_by": "张院长", "approval_date": date(2026, 12, 24), "purchase_date": date(2026, 12, 24),
            "quantity": "20", "amount": "3600.00", "insurance_paid": "2520.00"}
    base.update(kw)
    return base


@pytest.fixture
def declare(hospital_user):
    def run(on=date(2026, 12, 24), user=None, **kw):
        with time_machine.travel(on, tick=False):
            return services.emergency_declare(user or hospital_user, **declaration(**kw))

    return run
