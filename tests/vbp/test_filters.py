"""Issue 14 item 4: the VBP contract list page and `GET /api/v1/vbp/contracts/` filter with one
FilterSet (vbp.filters.ContractFilter), so the same query gives the same contracts (VBP-3), and
row scoping still applies under any filter."""

import pytest

pytestmark = pytest.mark.django_db


def _api(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _page_and_api_ids(client, user, token, params):
    client.force_login(user)
    page = client.get("/vbp/contracts/", params)
    listed = client.get("/api/v1/vbp/contracts/", params, **_api(token))
    assert page.status_code == 200 and listed.status_code == 200, listed.content
    return sorted(c.pk for c in page.context["page"].object_list), sorted(r["id"] for r in listed.json()["results"])


@pytest.mark.parametrize("params, found", [
    ({}, True), ({"status": "signed"}, True), ({"status": "pending"}, False), ({"q": "阿莫西林"}, False),
    ({"q": "NUMBER"}, True), ({"q": "INSTITUTION"}, True), ({"q": "NUMBER", "status": "pending"}, False),
])
def test_vbp_3_contract_page_and_api_give_the_same_rows_for_the_same_filter(client, signed, his_token, params, found):
    w = signed
    params = {k: {"NUMBER": w.contract.number, "INSTITUTION": w.institution.name}.get(v, v) for k, v in params.items()}
    token, _ = his_token(w.institution)
    page_ids, api_ids = _page_and_api_ids(client, w.inst_user, token, params)
    assert page_ids == api_ids == ([w.contract.pk] if found else [])


def test_vbp_3_a_filter_never_reaches_another_institutions_contract(client, signed, his_token):
    w = signed
    token, _ = his_token(w.other_institution)
    params = {"q": w.contract.number}
    assert _page_and_api_ids(client, w.other_inst_user, token, params) == ([], [])


@pytest.mark.parametrize("params, found", [
    ({}, True), ({"q": "阿莫西林胶囊"}, True), ({"q": "第十批"}, True), ({"q": "布洛芬"}, False),
    ({"level": "national"}, True), ({"level": "provincial"}, False),
])
def test_vbp_1_tender_list_filters_by_search_and_level(client, published, params, found):
    w = published
    client.force_login(w.province)
    page = client.get("/vbp/", params)
    assert [t.pk for t in page.context["page"].object_list] == ([w.tender.pk] if found else [])
