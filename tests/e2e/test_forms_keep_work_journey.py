"""Journey (issue 15 item 2, LST-0.1/LST-2.3): a listing form with a long multi-line note and a
wrong price shows every error at once and keeps its files. The manufacturer types a 1,988-character
note with line breaks, a price above the national lowest, and chooses only three of the four
documents: the refusal marks the price AND the missing document, the note is accepted (a line
break is one character), the three PDFs are shown as kept. It saves a draft, resumes it, corrects
the price, adds the fourth document and submits — without choosing the three files again. Then
the same pages in English (language cookie)."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.conf import settings

from catalog.models import OtherProvincePrice
from core.models import FormDraft, PendingUpload
from listing.models import ListingApplication

from .conftest import login, shot
from .listing_world import PASSWORD, listing_world, upload_documents

KEPT = ("qualification", "lowest_price_commitment", "quality_commitment")
PROVINCES = ["江西省", "浙江省", "安徽省", "山东省", "广东省", "福建省", "湖北省", "四川省"]


def _note(length=1988):
    text = ""
    while len(text) < length:
        line = "本品已在多省挂网，质量稳定，供应充足，申报价格不高于全国最低价。"
        text = f"{text}\n{line}" if text else line
    return text[:length]


def _setup():
    w = listing_world(approval_number="国药准字H20203456")
    product, prov = w.product, w.prov
    for i, name in enumerate(PROVINCES):
        OtherProvincePrice.objects.create(product=product, province=name, price=D("11.80") + i,
                                          effective_date=date(2026, 8, 1), source=f"{name}医药集中采购平台",
                                          entered_by=prov)
    return product


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_listing_form_keeps_work(page, reference_regions, tmp_path, settings_media, language):
    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=True):
        _journey(page, tmp_path, language)


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _journey(page, tmp_path, language):
    english = language == "en"
    page.set_viewport_size({"width": 1440, "height": 900})
    product = _setup()
    login(page, "maker", PASSWORD)
    if english:
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": page.url}])
    page.goto(f"/listing/applications/new/?product={product.pk}&category=LST-2.3")
    limit = page.get_by_test_id("size-limit").inner_text()
    assert ("20 MB per file" in limit) if english else ("单个文件不超过 20 MB" in limit)

    # --- a long note with line breaks, a price one fen too high, three of the four documents
    note = _note()
    page.locator("textarea[name=note]").fill(note)
    counter = page.get_by_test_id("counter-note").inner_text()
    assert "1988 / 2000" in counter
    page.locator("input[name=declared_price]").fill("11.81")
    upload_documents(page, tmp_path, KEPT)
    shot(page, "filled-in")
    with page.expect_navigation():
        page.get_by_test_id("submit-button").click()

    # --- every error at once: the price and the missing document, each at its field
    price_error = page.get_by_test_id("price-error").inner_text()
    missing = page.get_by_test_id("doc-error-province_records").inner_text()
    if english:
        assert "11.80" in price_error and "LST-2.3" in price_error
        assert "A required document is missing" in missing
    else:
        assert "高于全国最低价 11.80 元" in price_error and "缺少必需材料" in missing
    assert page.get_by_test_id("note-error").count() == 0
    assert page.locator("textarea[name=note]").input_value() == note  # the note came back whole
    for code in KEPT:
        assert f"{code}.pdf" in page.get_by_test_id(f"kept-doc_{code}").inner_text()
    assert PendingUpload.objects.count() == 3 and not ListingApplication.objects.exists()
    shot(page, "all-errors-files-kept")

    # --- save a draft, leave, resume it from step 1
    with page.expect_navigation():
        page.get_by_test_id("draft-button").click()
    draft = FormDraft.objects.get()
    page.goto("/listing/applications/new/")
    shot(page, "draft-listed")
    with page.expect_navigation():
        page.get_by_test_id(f"resume-{draft.pk}").click()
    page.get_by_test_id("draft-banner").wait_for()
    assert page.locator("input[name=declared_price]").input_value() == "11.81"
    shot(page, "draft-resumed")

    # --- correct the price, add the fourth document: submit without choosing the three again
    page.locator("input[name=declared_price]").fill("11.80")
    upload_documents(page, tmp_path, ("province_records",))
    with page.expect_navigation():
        page.get_by_test_id("submit-button").click()
    app = ListingApplication.objects.get()
    assert app.documents.count() == 4 and len(app.note) == 1988
    assert not FormDraft.objects.exists() and not PendingUpload.objects.exists()
    shot(page, "submitted")
    assert page.js_errors == []
