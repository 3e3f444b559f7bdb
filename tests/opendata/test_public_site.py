"""PUB-1 public site and OCDS feed: no sign-in, nothing institution-private, valid OCDS 1.1,
paged by date without gaps, ETag/304, clear errors for bad parameters."""

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from decimal import Decimal as D
from io import BytesIO
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qualifications.services import bad_record_revoke

from .conftest import SECRET_INSTITUTION

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "ocds_1_1_subset.json").read_text())
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("OCDS date-times carry a time zone")
    return True


def validate(package):
    jsonschema.validate(package, SCHEMA, format_checker=FORMATS)


# Every key the feed may publish: a new key must be added here on purpose (and checked to be
# free of institution data) — the test fails otherwise.
ALLOWED_KEYS = {
    "uri", "version", "publishedDate", "publisher", "name", "license", "publicationPolicy", "releases", "links", "next",
    "records", "compiledRelease", "ocid", "id", "date", "tag", "initiationType", "language", "parties", "roles",
    "buyer", "tender", "title", "status", "procurementMethod", "procurementMethodDetails", "mainProcurementCategory",
    "items", "description", "classification", "scheme", "procuringEntity", "awards", "value", "amount", "currency",
    "suppliers", "contracts", "awardID", "period", "startDate", "endDate", "quantity", "unit",
}


def keys(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from keys(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from keys(v)


def all_releases(client, **params):
    url, releases, pages = reverse("opendata:ocds_releases"), [], 0
    resp = client.get(url, params)
    while True:
        assert resp.status_code == 200
        pkg = resp.json()
        validate(pkg)
        releases += pkg["releases"]
        pages += 1
        if "links" not in pkg:
            return releases, pages
        resp = client.get(pkg["links"]["next"])


PUBLIC_URLS = ["opendata:index", "opendata:policies", "opendata:negotiation_stats", "opendata:bad_records",
               "opendata:vbp_results", "opendata:vbp_results_export", "filing:published", "insurance:public",
               "opendata:feed", "opendata:ocds_releases", "listing:public", "opendata:negotiation_stats_export",
               "opendata:bad_records_export"]


@pytest.mark.parametrize("name", PUBLIC_URLS)
def test_pub1_public_without_sign_in_and_nothing_private(client, world, name):
    resp = client.get(reverse(name))
    assert resp.status_code == 200
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    if name.endswith("_export"):
        wb = load_workbook(BytesIO(body))
        body = "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row).encode()
    assert SECRET_INSTITUTION.encode() not in body
    for hospital in world["hospitals"]:
        assert hospital.name.encode() not in body


def test_feed_keys_are_all_allowed_and_name_no_institution(client, world):
    releases, _ = all_releases(client, page_size=500)
    record = client.get(reverse("opendata:ocds_record", args=[releases[0]["ocid"]])).json()
    for pkg in (releases, record):
        assert set(keys(pkg)) <= ALLOWED_KEYS
        text = json.dumps(pkg, ensure_ascii=False)
        assert all(h.name not in text for h in world["hospitals"])


def test_ocds_releases_cover_every_public_decision(client, world):
    releases, _ = all_releases(client, page_size=500)
    ids = [r["id"] for r in releases]
    assert f"listing-application-{world['confirmed'].pk}-confirmed" in ids
    assert f"listing-application-{world['refused'].pk}-refused" in ids
    assert f"listing-price-change-{world['cut'].pk}" in ids
    amox, _, ibu = world["products"]
    assert any(i.startswith(f"negotiation-p{amox.pk}-2026-10") for i in ids)
    # One institution's result alone would be its own price: that month is withheld.
    assert not any(i.startswith(f"negotiation-p{ibu.pk}-") for i in ids)
    refused = next(r for r in releases if r["id"].endswith("-refused"))
    assert refused["awards"][0]["status"] == "unsuccessful"
    stats = next(r for r in releases if r["id"].startswith(f"negotiation-p{amox.pk}"))
    unit = stats["contracts"][0]["items"][0]["unit"]["value"]["amount"]
    assert unit == 9.5  # (11 + 10 + 9 + 8) × 100 / 400, volume-weighted
    assert [r["date"] for r in releases] == sorted(r["date"] for r in releases)


def test_paging_by_date_has_no_gaps_or_repeats(client, world):
    every, _ = all_releases(client, page_size=500)
    paged, pages = all_releases(client, page_size=2)
    assert pages == (len(every) + 1) // 2 and pages > 2
    assert [r["id"] for r in paged] == [r["id"] for r in every]


def test_since_and_until_select_by_date(client, world):
    releases, _ = all_releases(client, since="2026-11-01", page_size=500)
    assert [r["id"] for r in releases] == [f"listing-price-change-{world['cut'].pk}"]
    releases, _ = all_releases(client, until="2026-09-30", page_size=500)
    assert {r["id"].rsplit("-", 1)[-1] for r in releases} == {"confirmed", "refused"}


def test_record_compiles_the_products_releases(client, world):
    amox = world["products"][0]
    ocid = f"ocds-jsyg01-p{amox.pk}"
    pkg = client.get(reverse("opendata:ocds_record", args=[ocid])).json()
    validate(pkg)
    record = pkg["records"][0]
    assert record["ocid"] == ocid and len(record["releases"]) >= 3
    awards = {a["id"]: a for a in record["compiledRelease"]["awards"]}
    assert awards[f"listing-{world['listing'].pk}"]["value"]["amount"] == 11.2  # the latest price wins
    assert client.get(reverse("opendata:ocds_record", args=["ocds-other-p1"])).status_code == 404
    assert client.get(reverse("opendata:ocds_record", args=["ocds-jsyg01-p999999"])).status_code == 404


@pytest.mark.parametrize("params,field", [
    ({"page_size": "0"}, "page_size"), ({"page_size": "501"}, "page_size"), ({"page_size": "abc"}, "page_size"),
    ({"since": "9999-99-99"}, "since"), ({"until": "2026-13-01"}, "until"), ({"offset": "garbage"}, "offset"),
    ({"since": "2026-10-01", "until": "2026-09-01"}, "until"), ({"since": "x" * 500}, "since"),
])
def test_bad_feed_parameters_get_a_clear_400(client, world, params, field):
    resp = client.get(reverse("opendata:ocds_releases"), params)
    assert resp.status_code == 400
    assert resp.json()["field"] == field and resp.json()["detail"]


def test_etag_answers_304_until_something_is_published(client, world, province_user):
    url = reverse("opendata:ocds_releases")
    first = client.get(url)
    etag = first["ETag"]
    assert "max-age=300" in first["Cache-Control"] and "public" in first["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    world["listing"].price_changes.create(old_price=D("11.20"), new_price=D("11.00"), effective_date="2026-11-20",
                                          rule="PRC-1", reason="再次联动", changed_by=province_user)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_atom_feed_lists_new_publications(client, world):
    resp = client.get(reverse("opendata:feed"))
    assert resp["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(resp.content)
    entries = root.findall("{http://www.w3.org/2005/Atom}entry")
    titles = [e.find("{http://www.w3.org/2005/Atom}title").text for e in entries]
    assert len(entries) >= 4 and any("挂网价格调整" in t for t in titles)


def test_negotiation_stats_search_and_withheld_months(client, world):
    page = client.get(reverse("opendata:negotiation_stats"), {"q": "amxl"}).content.decode()  # pinyin initials
    assert "阿莫西林" in page and "9.50" in page
    page = client.get(reverse("opendata:negotiation_stats"), {"q": "布洛芬"}).content.decode()
    assert "没有符合条件的统计" in page
    assert client.get(reverse("opendata:negotiation_stats"), {"month": "2026-99"}).status_code == 400


def test_bad_record_list_is_public_and_revoked_entries_leave_it(client, world, province_user):
    page = client.get(reverse("opendata:bad_records")).content.decode()
    assert "公开测试制药有限公司" in page and "价格异常上涨" in page
    bad_record_revoke(province_user, world["bad"], "认定错误")
    assert "名单中暂无记录" in client.get(reverse("opendata:bad_records")).content.decode()


def test_filing_and_vbp_decisions_are_released_even_at_one_shared_timestamp(client, world, province_user):
    """PUB-1 / OCDS: a filing confirmed and a VBP award are releases; three selected products
    published at the same instant page one by one without gaps or repeats."""
    from datetime import date, datetime

    import time_machine
    from django.utils import timezone

    from filing.models import FilingEvent, FilingRequest
    from vbp.models import SelectedProduct, Tender, Variety

    maker, (amox, cef, ibu), hospital = world["maker"], world["products"], world["hospitals"][1]
    published = timezone.make_aware(datetime(2026, 11, 10, 9))
    tender = Tender.objects.create(code="GJ-11", name="第十一批国家集采", level="national", product_kind="drug",
                                   selection_mode="price_competition", volume_ratio=70, period_start=date(2026, 12, 1),
                                   period_end=date(2028, 11, 30), status="published", published_at=published,
                                   created_by=province_user)
    for product, price in ((amox, "3.10"), (cef, "4.20"), (ibu, "0.90")):
        variety = Variety.objects.create(tender=tender, name=f"{product.generic_name} 胶囊")
        SelectedProduct.objects.create(variety=variety, product=product, enterprise=maker, price=D(price))
    filing = FilingRequest.objects.create(number="BA2026110001", kind="drug", institution=hospital, product=cef,
                                          enterprise=maker, price=D("28"), quantity=100, status="confirmed",
                                          confirmed_on=date(2026, 11, 15), confirming_body="province",
                                          submitted_by=province_user)
    with time_machine.travel(timezone.make_aware(datetime(2026, 11, 15, 0, 30)), tick=False):
        FilingEvent.objects.create(filing=filing, action="confirmed", reason="集中确认")
    every, _ = all_releases(client, since="2026-11-05", page_size=500)
    one_by_one, pages = all_releases(client, since="2026-11-05", page_size=1)
    ids = [r["id"] for r in every]
    assert [r["id"] for r in one_by_one] == ids and pages == len(ids)
    assert sum(i.startswith("vbp-award-") for i in ids) == 3
    assert any(i.startswith("filing-") and i.endswith("-confirmed") for i in ids)
    assert all(hospital.name not in json.dumps(r, ensure_ascii=False) for r in every)


def test_pub1_listing_results_and_price_adjustments_export(client, world):
    """PUB-1: the public listing results export to .xlsx without sign-in (no institution in it)."""
    resp = client.get(reverse("listing:public"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(b"".join(resp.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][0] == "产品" and any("阿莫西林" in str(r[0]) for r in rows[1:])
    assert all(h.name not in str(rows) for h in world["hospitals"])
