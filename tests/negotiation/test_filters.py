"""Issue 14 item 4: the proposal list page and the API list filter with one FilterSet
(negotiation.filters.ProposalFilter), so the same filter gives the same rows (NEG-1 lists)."""

import pytest
from django.urls import reverse

from negotiation import services
from tests.lists import same_rows_on_page_and_api


@pytest.mark.parametrize("params", [
    {}, {"status": "pending"}, {"status": "declined"}, {"q": "测试药品"}, {"status": "pending", "q": "XA01ABD075A002010100483"},
    {"status": "no-such-status"},
])
def test_page_and_api_return_the_same_proposals_for_the_same_filter(client, hospital_user, maker_user,
                                                                    make_listing, params):
    first = services.proposal_submit(user=hospital_user, listing_id=make_listing("10.00").pk, unit_price="9",
                                     quantity="10")
    second = services.proposal_submit(user=hospital_user, listing_id=make_listing("20.00").pk, unit_price="18",
                                      quantity="5")
    services.proposal_decline(user=maker_user, proposal_id=second.pk, reason="价格过低")
    coded = make_listing("30.00")
    coded.product.national_code = "XA01ABD075A002010100483"
    coded.product.save()
    third = services.proposal_submit(user=hospital_user, listing_id=coded.pk, unit_price="25", quantity="1")
    page = same_rows_on_page_and_api(client, hospital_user, reverse("negotiation:proposal_list"),
                                     "/api/v1/negotiations/", params)
    expected = {"status": {"pending": [first.pk, third.pk], "declined": [second.pk], "no-such-status": []}}
    if params == {}:
        assert page == sorted([first.pk, second.pk, third.pk])
    elif params == {"status": "pending", "q": "XA01ABD075A002010100483"}:
        assert page == [third.pk]
    elif "status" in params:
        assert page == sorted(expected["status"][params["status"]])
