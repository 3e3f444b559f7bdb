"""Issue 9 item 11 for VBP: a rule refusal reaches the user in the interface language —
Chinese by default, English with Accept-Language (API) or the language cookie (pages)."""

import pytest
from django.conf import settings

from vbp import services
from vbp.models import BaseVolume, Tender

from .conftest import tender_fields, xlsx

pytestmark = pytest.mark.django_db


def _post_base_volume(client, token, tender, **headers):
    return client.post("/api/v1/vbp/base-volumes/",
                       {"tender_code": tender.code, "variety": "阿莫西林胶囊", "quantity": 5},
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def test_vbp_2_api_refusal_in_english_with_accept_language(client, published, his_token):
    """VBP-2: a base volume that differs from the platform's receipts without a reason is refused;
    the detail follows Accept-Language, the code stays the rule ID, nothing is written."""
    w = published
    token, _key = his_token(w.institution)
    r = _post_base_volume(client, token, w.tender, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "VBP-2"
    assert body["detail"] == ("The reported volume 5 differs from the platform's receipts (0); "
                              "give the reason for the correction")
    assert not BaseVolume.objects.exists()


def test_vbp_2_api_refusal_in_chinese_without_header(client, published, his_token):
    w = published
    token, _key = his_token(w.institution)
    r = _post_base_volume(client, token, w.tender)
    assert r.status_code == 422
    assert r.json()["code"] == "VBP-2"
    assert r.json()["detail"] == "填报量 5 与平台入库数据 0 不一致，请填写更正理由"


def test_vbp_1_import_page_refusal_in_english_with_language_cookie(client, vbp_world):
    """VBP-1: a national result with a price of 0 is refused row by row, in English when the
    user chose English; nothing is imported."""
    w = vbp_world
    client.force_login(w.province)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = {k: str(v) for k, v in tender_fields().items()}
    bad = xlsx([services.RESULT_HEADERS, ["阿莫西林胶囊", w.product.national_code, "0", "100"]])
    r = client.post("/vbp/import/", {**data, "file": bad})
    page = r.content.decode()
    assert r.status_code == 200
    assert "The selected price must be greater than 0; got 0" in page
    assert "nothing in the file was imported" in page
    assert "中选价须大于 0" not in page
    assert not Tender.objects.exists()


def test_vbp_9_rule_message_in_english_and_chinese(settings):
    """VBP-9: the rule function's message follows the active language (pure function, gettext)."""
    from django.utils import translation

    from vbp import rules

    with translation.override("en"):
        assert rules.vbp_9_alliance("regional_ivd", 5, 4)[1] == (
            "The lead city must file the plan with the provincial healthcare security bureau at least 5 working "
            "days before publishing the procurement documents; it filed only 4 working days before")
    with translation.override("zh-hans"):
        assert rules.vbp_9_alliance("regional_ivd", 5, 4)[1] == (
            "牵头市须在发布采购文件前至少 5 个工作日报省医保局备案，实际仅提前 4 个工作日")


def test_vbp_pages_in_english_with_language_cookie(client, signed):
    """The VBP pages' own texts have English translations (not only the refusals)."""
    w = signed
    client.force_login(w.province)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = {"/vbp/": "No VBP tenders" if not Tender.objects.exists() else "VBP tenders",
             f"/vbp/tenders/{w.tender.pk}/": "Varieties and selected products",
             "/vbp/dashboard/": "Completion against time elapsed",
             "/vbp/ledger/": "VBP insurance prepayment ledger",
             f"/vbp/contracts/{w.contract.pk}/": "Insurance prepayment"}
    for url, text in pages.items():
        page = client.get(url).content.decode()
        assert text in page, url
    assert "品种与中选产品" not in client.get(f"/vbp/tenders/{w.tender.pk}/").content.decode()
