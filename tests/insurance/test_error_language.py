"""Issue 9 item 11 for insurance: refusals reach the user in their language — Chinese by
default, English when an HIS sends Accept-Language: en or the regulator chose English — while
the stored explanations of a run stay in the source language (a rerun keeps its digest)."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from insurance import rules
from insurance.services import standards

pytestmark = pytest.mark.django_db


def test_api_refusal_follows_accept_language(client, insurance_world, make_user):
    """INS-1 read API: a standard not yet published is refused in the HIS's language."""
    client.force_login(make_user(insurance_world["hospitals"][0]))
    url = reverse("insurance-api:standard-in-force")
    query = {"national_code": insurance_world["a"].national_code, "date": "2027-03-01"}

    english = client.get(url, query, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 404
    assert english.json()["code"] == "not_found"
    assert english.json()["detail"] == "The insurance payment standard of this product for 2027 has not been published yet"

    chinese = client.get(url, query)
    assert chinese.json()["detail"] == "2027 年该产品的医保支付标准尚未发布"

    unknown = client.get(url, {"national_code": "XA01ABD075A002019999999"}, HTTP_ACCEPT_LANGUAGE="en")
    assert unknown.json()["detail"] == "No product has this national insurance code"


def test_page_refusal_follows_the_language_cookie(client, insurance_world, province_user):
    """INS-1: a run for a year without last year's results is refused on the page in English
    when the regulator chose English, and nothing is started."""
    client.force_login(province_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(reverse("insurance:run_list"), {"year": "2030"}, follow=True).content.decode()
    assert "There are no confirmed negotiation results in 2029, so the 2030 payment standards cannot be computed" in page
    assert "Start the run" in page  # the page itself is English too
    assert not standards.StandardRun.objects.exists()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.post(reverse("insurance:run_list"), {"year": "2030"}, follow=True).content.decode()
    assert "2029 年没有已确认的议价结果，不能测算 2030 年医保支付标准" in page


def test_rule_explanations_are_translated_but_a_run_stores_the_source_text(insurance_world, province_user):
    """INS-4's explanation reads in English when asked; the run writes the Chinese source text
    even when started under English, so the digest does not depend on who clicked."""
    with translation.override("en"):
        step = rules.ins_4(selected=10, last_price=15, year=2027, is_selected=False).steps[0]
        assert step == "Last year-end price 15.0000 yuan is 1–2 × the selected price 10.0000 yuan: the selected price"
        first = standards.run_start(province_user, year=2027)
        first = standards.run_execute(first.pk)
    row = first.standards.get(product=insurance_world["a"])
    assert row.explanation["steps"][0].startswith("上年已确认议价结果 2 条")
    standards.run_publish(province_user, run=first)
    second = standards.run_execute(standards.run_start(province_user, year=2027).pk)
    assert second.digest == first.digest
