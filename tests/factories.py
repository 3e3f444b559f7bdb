"""Test data factories (factory_boy): the one place that knows how to build a valid party,
product, listing or order for a test.

Defaults are realistic for Jiangsu: institutions sit in Nanjing (320100) and its first
county, national codes match the catalogue's format constraint (drug: X/Z + 22; consumable:
C + 26), listings are active LST-1 at 10.00 yuan. Regions are reference data loaded by
migration: `RegionFactory` only looks them up (get-or-create on the code).

Use the class directly (`ProductFactory(manufacturer=m)`) or through the fixtures of
`tests/conftest.py` (`make_org`, `make_user`, …), which are one-liners over these."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from catalog.models import Product
from experts.models import ExpertSession
from filing.models import FilingRequest
from listing.models import Listing
from negotiation.models import Proposal
from orders.models import Delivery, DeliveryLine, Invoice, Order, OrderLine, Receipt, ReceiptLine
from parties.models import Organisation, OrgKind, Region, Role, User
from qualifications.models import DistributionRelationship
from shortage.models import EmergencyPurchase
from vbp.models import Contract, Tender

PASSWORD = "Pw-123456!"

ROLE_FOR_KIND = {
    OrgKind.MANUFACTURER: Role.MANUFACTURER,
    OrgKind.DISTRIBUTOR: Role.DISTRIBUTOR,
    OrgKind.INSTITUTION: Role.INSTITUTION,
    OrgKind.COUNTY_REGULATOR: Role.COUNTY_REGULATOR,
    OrgKind.CITY_REGULATOR: Role.CITY_REGULATOR,
    OrgKind.PROVINCE_REGULATOR: Role.PROVINCE_REGULATOR,
    OrgKind.EXPERT_POOL: Role.EXPERT,
}

NANJING = "320100"
SUZHOU = "320500"


def region(code: str) -> Region:
    """A reference region by its administrative code (loaded by migration)."""
    return Region.objects.get(code=code)


def first_county(city: Region) -> Region:
    return city.children.order_by("code").first()


class RegionFactory(DjangoModelFactory):
    """Looks a reference region up; creates it only for a code the reference set lacks."""

    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = NANJING
    name = factory.LazyAttribute(lambda o: f"区划{o.code}")
    level = "city"


# --- organisations -------------------------------------------------------------------


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrgKind.MANUFACTURER
    name = factory.Sequence(lambda n: f"测试组织{n + 1}")


def _org_name(o, n):
    return f"测试{OrgKind(o.kind).label}{n}"


class _NamedOrgFactory(OrganisationFactory):
    class Meta:
        model = Organisation

    # The label in the name tells a reader (and a screenshot) what the party is.
    name = factory.LazyAttributeSequence(lambda o, n: _org_name(o, n + 1))


class InstitutionFactory(_NamedOrgFactory):
    kind = OrgKind.INSTITUTION
    city = factory.LazyFunction(lambda: region(NANJING))
    county = factory.LazyAttribute(lambda o: first_county(o.city))
    level = 3
    ownership = "public"


class ManufacturerFactory(_NamedOrgFactory):
    kind = OrgKind.MANUFACTURER


class DistributorFactory(_NamedOrgFactory):
    kind = OrgKind.DISTRIBUTOR


class CityRegulatorFactory(_NamedOrgFactory):
    kind = OrgKind.CITY_REGULATOR
    city = factory.LazyFunction(lambda: region(NANJING))


class CountyRegulatorFactory(_NamedOrgFactory):
    kind = OrgKind.COUNTY_REGULATOR
    city = factory.LazyFunction(lambda: region(NANJING))
    county = factory.LazyAttribute(lambda o: first_county(o.city))


class ProvinceRegulatorFactory(_NamedOrgFactory):
    kind = OrgKind.PROVINCE_REGULATOR


class ExpertPoolFactory(_NamedOrgFactory):
    kind = OrgKind.EXPERT_POOL


ORG_FACTORY = {
    OrgKind.INSTITUTION: InstitutionFactory,
    OrgKind.MANUFACTURER: ManufacturerFactory,
    OrgKind.DISTRIBUTOR: DistributorFactory,
    OrgKind.CITY_REGULATOR: CityRegulatorFactory,
    OrgKind.COUNTY_REGULATOR: CountyRegulatorFactory,
    OrgKind.PROVINCE_REGULATOR: ProvinceRegulatorFactory,
    OrgKind.EXPERT_POOL: ExpertPoolFactory,
}


def org(kind=OrgKind.INSTITUTION, **kw) -> Organisation:
    """An organisation of `kind` with that kind's realistic defaults (a None name, city or
    county means the default)."""
    for key in ("name", "city", "county"):
        if kw.get(key, 0) is None:
            del kw[key]
    return ORG_FACTORY[OrgKind(kind)](**kw)


# --- users ---------------------------------------------------------------------------


class UserFactory(DjangoModelFactory):
    """A user of an organisation; the role follows the organisation's kind unless given."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n + 1}")
    organisation = factory.SubFactory(InstitutionFactory)
    role = factory.LazyAttribute(lambda o: ROLE_FOR_KIND[OrgKind(o.organisation.kind)])
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # create_user hashes the password (None: unusable, as for HIS clients).
        return model_class.objects.create_user(*args, **kwargs)


def user(org_=None, *, kind=OrgKind.INSTITUTION, **kw) -> User:
    return UserFactory(organisation=org_ or org(kind), **kw)


# --- products and listings -----------------------------------------------------------


class ProductFactory(DjangoModelFactory):
    """A drug by default; `ProductFactory(consumable=True)` for a medical consumable."""

    class Meta:
        model = Product

    class Params:
        consumable = factory.Trait(
            kind="consumable",
            national_code=factory.Sequence(lambda n: f"C091001000000002117900{n + 1:05d}"),
            generic_name="冠脉支架",
            dosage_form="",
            specification="3.0×18mm",
            consumable_class="ordinary",
        )

    kind = "drug"
    national_code = factory.Sequence(lambda n: f"XA01ABD075A0020101{n + 1:05d}")
    generic_name = "阿莫西林胶囊"
    dosage_form = "胶囊剂"
    specification = "0.25g*24粒"
    pack_unit = "盒"
    manufacturer = factory.SubFactory(ManufacturerFactory)


class ListingFactory(DjangoModelFactory):
    class Meta:
        model = Listing
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    price = Decimal("10.00")
    status = "active"
    category = "LST-1"
    effective_date = dt.date(2026, 1, 15)


# --- orders --------------------------------------------------------------------------


class OrderFactory(DjangoModelFactory):
    """An order row as order_create leaves it (a web order, submitted); add lines with
    OrderLineFactory(order=…) — or use order_create itself when the rules matter."""

    class Meta:
        model = Order

    institution = factory.SubFactory(InstitutionFactory)
    number = factory.Sequence(lambda n: f"DD20260115{n + 1:06d}")
    created_by = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..institution"))
    source = "web"
    status = "submitted"


class OrderLineFactory(DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    line_no = factory.Sequence(lambda n: n + 1)
    listing = factory.SubFactory(ListingFactory)
    product = factory.SelfAttribute("listing.product")
    quantity = 10
    unit_price = factory.SelfAttribute("listing.price")
    amount = factory.LazyAttribute(lambda o: (o.unit_price * o.quantity).quantize(Decimal("0.01")))
    price_source = "listing"
    price_rule = "LST-1"
    distributor = factory.SubFactory(DistributorFactory)
    status = "submitted"


class DeliveryFactory(DjangoModelFactory):
    """A delivery note of the order's distributor (shipped the day after the order by default);
    add lines with DeliveryLineFactory(delivery=…) — or use the fulfilment services when the
    rules (ORD-4 batches, expiry) matter."""

    class Meta:
        model = Delivery

    order = factory.SubFactory(OrderFactory)
    distributor = factory.SubFactory(DistributorFactory)
    note_number = factory.Sequence(lambda n: f"SH20260116{n + 1:06d}")
    shipped_on = dt.date(2026, 1, 16)
    created_by = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..distributor"))


class DeliveryLineFactory(DjangoModelFactory):
    """A delivered order line: the whole quantity by default."""

    class Meta:
        model = DeliveryLine

    order_line = factory.SubFactory(OrderLineFactory)
    delivery = factory.SubFactory(DeliveryFactory, order=factory.SelfAttribute("..order_line.order"),
                                  distributor=factory.SelfAttribute("..order_line.distributor"))
    batch_number = "B1"
    expiry_date = dt.date(2030, 1, 1)
    quantity = factory.SelfAttribute("order_line.quantity")


class _OfDeliveryFactory(DjangoModelFactory):
    """A document about one delivery, between the ordering institution and the distributor."""

    class Meta:
        abstract = True

    delivery = factory.SubFactory(DeliveryFactory)
    institution = factory.SelfAttribute("delivery.order.institution")


class ReceiptFactory(_OfDeliveryFactory):
    """The institution's goods receipt (入库) of a delivery."""

    class Meta:
        model = Receipt

    received_on = factory.SelfAttribute("delivery.shipped_on")
    created_by = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..institution"))


class ReceiptLineFactory(DjangoModelFactory):
    """A received delivery line (the whole delivered quantity at the ordered price): the
    numerator of MON-1's platform purchases. The order line's and the delivery line's
    received quantities are the caller's to set when they matter."""

    class Meta:
        model = ReceiptLine

    delivery_line = factory.SubFactory(DeliveryLineFactory)
    receipt = factory.SubFactory(ReceiptFactory, delivery=factory.SelfAttribute("..delivery_line.delivery"))
    order_line = factory.SelfAttribute("delivery_line.order_line")
    listing = factory.SelfAttribute("order_line.listing")
    institution = factory.SelfAttribute("receipt.institution")
    quantity = factory.SelfAttribute("delivery_line.quantity")
    amount = factory.LazyAttribute(lambda o: (o.order_line.unit_price * o.quantity).quantize(Decimal("0.01")))
    received_on = factory.SelfAttribute("receipt.received_on")


class InvoiceFactory(_OfDeliveryFactory):
    """An open invoice of a delivery, issued on the shipping day."""

    class Meta:
        model = Invoice

    distributor = factory.SelfAttribute("delivery.distributor")
    number = factory.Sequence(lambda n: f"FP2026{n + 1:08d}")
    issued_on = factory.SelfAttribute("delivery.shipped_on")
    amount = Decimal("100.00")
    created_by = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..distributor"))


# --- negotiation ---------------------------------------------------------------------


class ProposalFactory(DjangoModelFactory):
    """A pending proposal as proposal_create leaves it for the manufacturer to answer (NEG-1/NEG-3):
    below the listing price, due in 5 working days. Use negotiation's services when the
    confirmation path or the zone matters."""

    class Meta:
        model = Proposal

    institution = factory.SubFactory(InstitutionFactory)
    listing = factory.SubFactory(ListingFactory)
    product = factory.SelfAttribute("listing.product")
    manufacturer = factory.SelfAttribute("listing.product.manufacturer")
    listing_price = factory.SelfAttribute("listing.price")
    unit_price = factory.LazyAttribute(lambda o: (o.listing_price * Decimal("0.9")).quantize(Decimal("0.0001")))
    quantity = Decimal("100")
    path = "enterprise"
    rule = "NEG-3"
    status = "pending"
    due_start = dt.date(2026, 1, 15)
    due_days = 5
    due = dt.date(2026, 1, 22)
    created_by = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..institution"))


# --- filing, shortage, VBP -----------------------------------------------------------


class FilingRequestFactory(DjangoModelFactory):
    """A high-value consumable filing request awaiting the regulator's review (FIL-1), confirmed
    by the province. Use filing's services when the review steps matter."""

    class Meta:
        model = FilingRequest

    number = factory.Sequence(lambda n: f"BA20260115{n + 1:06d}")
    kind = "high_value"
    institution = factory.SubFactory(InstitutionFactory)
    product = factory.SubFactory(ProductFactory, consumable=True)
    enterprise = factory.SelfAttribute("product.manufacturer")
    price = Decimal("100.00")
    quantity = 10
    confirming_body = "province"
    status = "submitted"
    submitted_by = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..institution"))


class EmergencyPurchaseFactory(DjangoModelFactory):
    """An emergency purchase (EMG-1) recorded by an institution, formalities still open."""

    class Meta:
        model = EmergencyPurchase

    number = factory.Sequence(lambda n: f"YJ20260115{n + 1:06d}")
    institution = factory.SubFactory(InstitutionFactory)
    kind = "drug"
    item_name = "注射用甲磺酸酚妥拉明 10mg"
    supplier = "某医药公司"
    emergency_kind = "rescue"
    emergency_note = "急诊抢救"
    approved_by = "王院长"
    approval_date = dt.date(2026, 1, 15)
    purchase_date = dt.date(2026, 1, 15)
    quantity = Decimal("10")
    amount = Decimal("500.00")
    formalities_kind = "filing"
    scope_auto = "in"
    due_start = dt.date(2026, 1, 15)
    due_days = 5
    due = dt.date(2026, 1, 22)
    created_by = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..institution"))


class TenderFactory(DjangoModelFactory):
    """A published provincial volume-based procurement batch (VBP-1)."""

    class Meta:
        model = Tender

    code = factory.Sequence(lambda n: f"JC2026-{n + 1:03d}")
    name = factory.Sequence(lambda n: f"第{n + 1}批省级集中带量采购")
    level = "provincial"
    product_kind = "drug"
    volume_ratio = Decimal("0.80")
    period_start = dt.date(2026, 1, 1)
    period_end = dt.date(2027, 12, 31)
    status = "published"
    created_by = factory.LazyFunction(lambda: user(kind=OrgKind.PROVINCE_REGULATOR))


class ContractFactory(DjangoModelFactory):
    """A VBP purchase contract between an institution and a selected enterprise, to be signed."""

    class Meta:
        model = Contract

    tender = factory.SubFactory(TenderFactory)
    institution = factory.SubFactory(InstitutionFactory)
    enterprise = factory.SubFactory(ManufacturerFactory)
    number = factory.Sequence(lambda n: f"HT2026{n + 1:06d}")


# --- distribution, experts -----------------------------------------------------------


class DistributionRelationshipFactory(DjangoModelFactory):
    """An active distribution relationship (manufacturer → distributor for a city, QUA-3) as the
    answer of the distributor leaves it; `status="proposed", answered_at=None` for one not yet answered.
    Counties: `rel.counties.set([...])` after creation."""

    class Meta:
        model = DistributionRelationship
        skip_postgeneration_save = True

    manufacturer = factory.SubFactory(ManufacturerFactory)
    distributor = factory.SubFactory(DistributorFactory)
    city = factory.LazyFunction(lambda: region("320100"))
    status = "active"
    proposed_by = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..manufacturer"))
    answered_at = factory.LazyFunction(timezone.now)


class ExpertSessionFactory(DjangoModelFactory):
    """A planned expert review session of the province (EXP-1); draw experts through experts' services."""

    class Meta:
        model = ExpertSession

    purpose = "consumable_review"
    title = "品种遴选"
    date = dt.date(2025, 11, 1)
    created_by = factory.LazyFunction(lambda: user(kind=OrgKind.PROVINCE_REGULATOR))
