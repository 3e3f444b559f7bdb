"""List pages and their API lists filter with one FilterSet (issue 14 item 4): the same filter
must give the same rows on both."""

from rest_framework.test import APIClient


def same_rows_on_page_and_api(client, user, page_url, api_url, params) -> list:
    """The ids of the rows `user` sees for `params` on the list page, checked equal to the API
    list's; sorted."""
    client.force_login(user)
    page = client.get(page_url, params)
    api = APIClient()
    api.force_authenticate(user)
    listed = api.get(api_url, params)
    assert page.status_code == 200 and listed.status_code == 200, listed.content
    page_ids = sorted(row.pk for row in page.context["page"].object_list)
    assert page_ids == sorted(row["id"] for row in listed.json()["results"])
    return page_ids
