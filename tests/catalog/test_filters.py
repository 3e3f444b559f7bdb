"""Issue 14 item 4: the catalogue page and `GET /api/v1/products/` filter with one FilterSet
(catalog.filters.ProductFilter; the API's strict form refuses unknown values), so the same
CAT-3 query gives the same products; the change-request queue (QUA-1) filters with
ChangeRequestFilter and a manufacturer never finds another's request, whatever it searches."""

import pytest
from django.urls import reverse

from catalog import services
from parties.models import OrgKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(make_product, make_org):
    other = make_org(OrgKind.MANUFACTURER)
    return [
        make_product(generic_name="阿莫西林胶囊", is_essential=True),
        make_product(generic_name="阿莫西林克拉维酸钾片", manufacturer=other),
        make_product(kind="consumable", generic_name="冠脉支架"),
        make_product(generic_name="布洛芬缓释胶囊", national_code=None),
    ]


@pytest.mark.parametrize("params, expected", [
    ({}, [0, 1, 2, 3]), ({"q": "阿莫西林"}, [0, 1]), ({"q": "amxl"}, [0, 1]), ({"kind": "consumable"}, [2]),
    ({"flag": "is_essential"}, [0]), ({"flag": "code_pending"}, [3]), ({"manufacturer": "OTHER"}, [1]),
    ({"q": "amxl", "flag": "is_essential"}, [0]), ({"national_code": "CODE0"}, [0]), ({"q": "CODE0"}, [0]),
    ({"consumable_class": "hv6"}, [2]),
])
def test_cat_3_page_and_api_give_the_same_products_for_the_same_filter(client, make_user, products, params,
                                                                       expected):
    subs = {"OTHER": str(products[1].manufacturer_id), "CODE0": products[0].national_code}
    params = {k: subs.get(v, v) for k, v in params.items()}
    client.force_login(make_user(kind=OrgKind.INSTITUTION))
    page = client.get(reverse("catalog:product_list"), params)
    listed = client.get("/api/v1/products/", params)
    assert page.status_code == 200 and listed.status_code == 200, listed.content
    page_ids = sorted(p.pk for p in page.context["page"].object_list)
    assert page_ids == sorted(r["id"] for r in listed.json()["results"]) == sorted(products[i].pk for i in expected)


@pytest.mark.parametrize("params", [{"kind": "food"}, {"flag": "is_cheap"}, {"manufacturer": "abc"},
                                    {"consumable_class": "hv7"}])
def test_cat_3_the_page_ignores_an_unknown_value_the_api_refuses(client, make_user, products, params):
    client.force_login(make_user(kind=OrgKind.INSTITUTION))
    page = client.get(reverse("catalog:product_list"), params)
    assert len(page.context["page"].object_list) == len(products)
    refused = client.get("/api/v1/products/", params)
    assert refused.status_code == 400 and refused.json()["field"] == next(iter(params))


def test_cat_3_the_catalogue_is_not_open_to_anonymous_callers(client, products):
    assert client.get("/api/v1/products/", {"q": "阿莫西林"}).status_code in (401, 403)


def test_qua_1_change_queue_filters_and_never_shows_another_manufacturers_request(
        client, maker_user, other_maker_user, province_user, make_product):
    mine = services.product_change_propose(maker_user, make_product(generic_name="注射用紫杉醇"),
                                           changes={"is_essential": True}, reason="新版基本药物目录")
    theirs = services.product_change_propose(
        other_maker_user, make_product(generic_name="紫杉醇注射液", manufacturer=other_maker_user.organisation),
        changes={"is_essential": True}, reason="新版基本药物目录")

    def listed(user, **params):
        client.force_login(user)
        return {cr.pk for cr in client.get(reverse("catalog:change_list"), params).context["page"].object_list}

    assert listed(province_user, q="紫杉醇") == {mine.pk, theirs.pk}
    assert listed(province_user, q="注射用") == {mine.pk}
    assert listed(province_user, enterprise=str(theirs.enterprise_id)) == {theirs.pk}
    assert listed(province_user, status="confirmed") == set()
    assert listed(maker_user, q="紫杉醇") == {mine.pk}
    assert listed(maker_user, q="紫杉醇注射液") == set()
