"""QUA-2 self-delivery (自行配送, 000 annex §七(十八), 002 §35): a manufacturer names itself as
the distributor for an area; orders of its products there are routed to it, and it — and no
other enterprise — sees, confirms and ships those lines."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from orders.models import LineStatus
from orders.selectors import distributors_for
from orders.services import fulfilment, ordering, settlement
from parties.models import OrgKind
from qualifications import services as qua
from qualifications.models import DistributionRelationship, DistributionStatus
from qualifications.selectors import distributor_for
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_march_2")]


@pytest.fixture
def self_maker(make_org, make_user, make_product):
    maker = make_org(OrgKind.MANUFACTURER, name="自配制药")
    user = make_user(maker)
    product = make_product(maker, price="12.00", name="自配胶囊")
    return maker, user, product


def test_qua_2_self_delivery_is_in_force_at_once_and_routes_the_area_to_the_manufacturer(
        world, self_maker, nanjing):
    maker, user, _product = self_maker
    rel = qua.distribution_self_deliver(user, nanjing, note="本企业自有物流")
    assert rel.status == DistributionStatus.ACTIVE and rel.is_self_delivery
    assert rel.distributor_id == rel.manufacturer_id == maker.pk and rel.answered_by == user
    assert distributor_for(maker, world.institution) == maker
    assert distributors_for([maker.pk], world.institution) == {maker.pk: maker.pk}
    # only the area named: a Suzhou hospital still has no distributor for this maker
    assert distributor_for(maker, world.other_institution) is None


def test_qua_2_naming_itself_on_the_ordinary_form_is_self_delivery(self_maker, nanjing):
    maker, user, _product = self_maker
    rel = qua.distribution_propose(user, maker, nanjing)
    assert rel.is_self_delivery and rel.status == DistributionStatus.ACTIVE


def test_qua_2_self_delivering_manufacturer_confirms_and_ships_its_lines(world, self_maker, nanjing):
    maker, user, product = self_maker
    qua.distribution_self_deliver(user, nanjing)
    order = ordering.order_create(world.inst_user, lines=[{"product_id": product.pk, "quantity": 5}])
    line = order.lines.get()
    assert line.distributor_id == maker.pk
    # another manufacturer and the area's ordinary distributor cannot touch the line
    with pytest.raises(NotFound):
        ordering.order_lines_confirm(world.mfr_user, order_line_ids=[line.pk])
    with pytest.raises(NotFound):
        ordering.order_lines_confirm(world.dist_user, order_line_ids=[line.pk])
    ordering.order_lines_confirm(user, order_line_ids=[line.pk])
    delivery = fulfilment.delivery_create(user, order_id=order.pk, note_number="ZP-1", lines=[
        {"order_line": line.pk, "batch_number": "B1", "expiry_date": "2028-01-31", "quantity": 5}])
    line.refresh_from_db()
    assert delivery.distributor_id == maker.pk
    assert (line.status, line.shipped_qty) == (LineStatus.SHIPPED, 5)
    # the institution receives it and the manufacturer invoices it, as a distributor would (ORD-2)
    fulfilment.receipt_create(world.inst_user, delivery_id=delivery.pk)
    invoice = settlement.invoice_create(user, delivery_id=delivery.pk, number="ZP-INV-1", amount="60.00")
    assert invoice.distributor_id == maker.pk
    with pytest.raises(NotFound):  # another manufacturer cannot invoice it
        settlement.invoice_create(world.mfr_user, delivery_id=delivery.pk, number="X-1", amount="1.00")


def test_qua_2_self_delivery_pages_show_only_the_manufacturers_own_lines(client, world, self_maker, nanjing):
    maker, user, product = self_maker
    qua.distribution_self_deliver(user, nanjing)
    mine = ordering.order_create(world.inst_user, lines=[{"product_id": product.pk, "quantity": 3}])
    theirs = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 4}])
    client.force_login(user)
    page = client.get(reverse("orders:deliveries")).content.decode()
    assert mine.number in page and theirs.number not in page
    assert client.get(reverse("orders:payments")).status_code == 200
    detail = client.get(reverse("orders:order_detail", args=[mine.pk])).content.decode()
    # issue 15 item 7: confirm first; the ship form appears once the line is confirmed
    assert 'data-testid="confirm"' in detail and 'data-testid="ship-form"' not in detail
    ordering.order_lines_confirm(user, order_line_ids=[mine.lines.get().pk])
    detail = client.get(reverse("orders:order_detail", args=[mine.pk])).content.decode()
    assert 'data-testid="ship-form"' in detail and 'data-testid="confirm"' not in detail
    # a manufacturer that delivers nothing itself gets an empty work list and no ship form
    client.force_login(world.mfr_user)
    page = client.get(reverse("orders:deliveries")).content.decode()
    assert mine.number not in page
    assert client.get(reverse("orders:order_detail", args=[mine.pk])).status_code == 404


def test_qua_2_self_delivery_form_on_the_distribution_page(client, self_maker, nanjing):
    maker, user, _product = self_maker
    client.force_login(user)
    response = client.post(reverse("qualifications:distribution_list"),
                           {"self_delivery": "on", "city": nanjing.pk, "note": ""})
    assert response.status_code == 302
    rel = DistributionRelationship.objects.get(manufacturer=maker)
    assert rel.is_self_delivery and rel.status == DistributionStatus.ACTIVE
    assert "自行配送" in client.get(reverse("qualifications:distribution_list")).content.decode()


def test_qua_2_self_delivery_bad_input_changes_nothing(world, self_maker, nanjing, suzhou):
    maker, user, _product = self_maker
    with pytest.raises(Forbidden):  # a distributor cannot "self-deliver" a manufacturer's products
        qua.distribution_self_deliver(world.dist_user, nanjing)
    with pytest.raises(InvalidInput):  # another manufacturer is not a distributor
        qua.distribution_propose(user, world.manufacturer, nanjing)
    with pytest.raises(InvalidInput):  # a county of another city
        qua.distribution_self_deliver(user, nanjing, counties=[suzhou.children.first()])
    assert not DistributionRelationship.objects.filter(manufacturer=maker).exists()
    qua.distribution_self_deliver(user, nanjing)
    with pytest.raises(Conflict):  # twice for the same city
        qua.distribution_self_deliver(user, nanjing)
    assert DistributionRelationship.objects.filter(manufacturer=maker).count() == 1


def test_qua_2_self_delivery_can_never_be_left_waiting_for_an_answer(self_maker, nanjing):
    """The database refuses a self-delivery row in the "proposed" state (nobody else answers)."""
    maker, user, _product = self_maker
    with pytest.raises(IntegrityError), transaction.atomic():
        f.DistributionRelationshipFactory(manufacturer=maker, distributor=maker, city=nanjing,
                                          proposed_by=user, status="proposed", answered_at=None)


def test_qua_2_ending_self_delivery_stops_routing(world, self_maker, nanjing):
    maker, user, product = self_maker
    rel = qua.distribution_self_deliver(user, nanjing)
    qua.distribution_end(user, rel, "改由配送企业配送")
    rel.refresh_from_db()
    assert rel.status == DistributionStatus.ENDED and rel.ended_at <= timezone.now()
    assert distributor_for(maker, world.institution) is None
