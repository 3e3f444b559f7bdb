"""Issue 15 item 2 "forms never lose work" on the listing application (LST-0.1): every error at
once, a line break counted as one character, files kept as pending uploads of their user (and of
no one else), drafts saved, resumed and submitted through every check."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core import pending
from core.errors import NotFound, RuleViolation
from core.models import FormDraft, PendingUpload
from listing import rules
from listing.models import ListingApplication
from listing.services import applications

from .conftest import pdf

pytestmark = pytest.mark.django_db

DOCS = ("qualification", "province_records", "lowest_price_commitment", "quality_commitment")
REQUIRED = ("qualification", "province_records", "lowest_price_commitment", "quality_commitment")


@pytest.fixture(autouse=True)
def _day_and_media(settings, tmp_path):
    """Kept files land in a temporary media folder; the day is the one the prices are set for."""
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=False):
        yield


@pytest.fixture
def product(priced_product):
    return priced_product


def _url(product):
    return reverse("listing:apply") + f"?product={product.pk}"


def _note(length, *, crlf=True):
    """A note of `length` characters as the user sees it, with a line break every 50."""
    text = ""
    while len(text) < length:
        chunk = "说明" * 25
        text = (text + "\n" + chunk) if text else chunk
    text = text[:length]
    return text.replace("\n", "\r\n") if crlf else text


# ------------------------------------------------------------ all errors at once (service and form)


def test_service_refuses_with_price_and_every_missing_document_at_once(maker_user, product):
    """LST-2.3 price above the national lowest AND three required documents missing: one refusal
    listing all four, for the form and for API callers."""
    with pytest.raises(RuleViolation) as caught:
        applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price="11.81",
                                         documents={})
    exc = caught.value
    fields = [e["field"] for e in exc.errors]
    assert exc.code == "LST-2.3" and exc.field == "declared_price"
    assert fields[0] == "declared_price" and {f"doc_{c}" for c in REQUIRED} <= set(fields)
    assert "errors" in exc.as_dict() and not ListingApplication.objects.exists()


def test_form_shows_price_error_and_missing_documents_together(client, maker_user, product):
    client.force_login(maker_user)
    html = client.post(_url(product), {"product": product.pk, "category": "LST-2.3",
                                       "declared_price": "11.81"}).content.decode()
    assert 'data-testid="price-error"' in html and "高于全国最低价 11.80 元" in html
    for code in REQUIRED:
        assert f'data-testid="doc-error-{code}"' in html
    assert "缺少必需材料" in html and not ListingApplication.objects.exists()


def test_malformed_price_still_names_missing_documents(client, maker_user, product):
    client.force_login(maker_user)
    html = client.post(_url(product), {"product": product.pk, "category": "LST-2.3",
                                       "declared_price": "-3"}).content.decode()
    assert 'data-testid="price-error"' in html
    assert 'data-testid="doc-error-qualification"' in html


# ------------------------------------------------------------ a line break is one character


def test_note_of_exactly_the_limit_with_crlf_is_accepted(client, maker_user, product):
    """2000 characters as the browser counts them (CRLF submitted): accepted, stored with LF."""
    note = _note(rules.NOTE_MAX_LENGTH)
    assert "\r\n" in note and len(note) > rules.NOTE_MAX_LENGTH
    client.force_login(maker_user)
    data = {"product": product.pk, "category": "LST-2.3", "declared_price": "11.50", "note": note}
    data.update({f"doc_{c}": pdf(f"{c}.pdf") for c in DOCS})
    resp = client.post(_url(product), data)
    assert resp.status_code == 302
    app = ListingApplication.objects.get()
    assert len(app.note) == rules.NOTE_MAX_LENGTH and "\r" not in app.note


def test_note_one_over_the_limit_is_refused_with_a_visible_message(client, maker_user, product):
    client.force_login(maker_user)
    data = {"product": product.pk, "category": "LST-2.3", "declared_price": "11.50",
            "note": _note(rules.NOTE_MAX_LENGTH + 1)}
    data.update({f"doc_{c}": pdf(f"{c}.pdf") for c in DOCS})
    html = client.post(_url(product), data).content.decode()
    assert 'data-testid="note-error"' in html and "不得超过 2000 字（换行计为 1 字），当前 2001 字" in html
    assert not ListingApplication.objects.exists()
    # the browser agrees: the textarea carries the same maxlength and a counter
    assert 'maxlength="2000"' in html and "data-counter" in html and "js/textcount" in html


def test_service_counts_a_line_break_as_one(maker_user, product):
    ok = applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price="11.50",
                                         documents={c: pdf() for c in DOCS}, note=_note(rules.NOTE_MAX_LENGTH))
    assert len(ok.note) == rules.NOTE_MAX_LENGTH


# ------------------------------------------------------------ pending uploads


def test_files_survive_a_refused_submission_and_need_not_be_chosen_again(client, maker_user, product):
    client.force_login(maker_user)
    data = {"product": product.pk, "category": "LST-2.3", "declared_price": "11.81"}
    data.update({f"doc_{c}": pdf(f"{c}.pdf") for c in DOCS})
    html = client.post(_url(product), data).content.decode()
    kept = {u.original_name: u for u in PendingUpload.objects.filter(owner=maker_user)}
    assert set(kept) == {f"{c}.pdf" for c in DOCS}
    assert "已上传：qualification.pdf" in html and f'name="doc_qualification__pending" value="{kept["qualification.pdf"].pk}"' in html
    # second try: only the corrected price, the files come back by their ids
    retry = {"product": product.pk, "category": "LST-2.3", "declared_price": "11.50"}
    retry.update({f"doc_{c}__pending": kept[f"{c}.pdf"].pk for c in DOCS})
    resp = client.post(_url(product), retry)
    assert resp.status_code == 302
    app = ListingApplication.objects.get()
    assert set(app.documents.values_list("code", flat=True)) == set(DOCS)
    assert app.documents.get(code="qualification").original_name == "qualification.pdf"
    assert not PendingUpload.objects.exists()  # attached, so no longer pending


def test_kept_file_can_be_removed(client, maker_user, product):
    client.force_login(maker_user)
    client.post(_url(product), {"product": product.pk, "category": "LST-2.3", "declared_price": "11.81",
                                "doc_qualification": pdf("q.pdf")})
    kept = PendingUpload.objects.get()
    html = client.post(_url(product), {"product": product.pk, "category": "LST-2.3", "declared_price": "11.81",
                                       "doc_qualification__pending": kept.pk,
                                       "doc_qualification__remove": "1"}).content.decode()
    assert not PendingUpload.objects.exists() and "已上传：q.pdf" not in html


def test_another_users_pending_upload_cannot_be_attached(client, maker_user, other_maker_user, product):
    """Denial: a pending id of another user is refused as unknown and attaches nothing."""
    theirs = pending.keep_upload(other_maker_user, pdf("secret.pdf"))
    client.force_login(maker_user)
    data = {"product": product.pk, "category": "LST-2.3", "declared_price": "11.50",
            "doc_qualification__pending": theirs.pk}
    data.update({f"doc_{c}": pdf(f"{c}.pdf") for c in DOCS if c != "qualification"})
    html = client.post(_url(product), data).content.decode()
    assert "此前上传的文件不存在或无权使用" in html and "secret.pdf" not in html
    assert not ListingApplication.objects.exists()
    assert PendingUpload.objects.filter(pk=theirs.pk, owner=other_maker_user).exists()


def test_refused_file_is_not_kept(client, maker_user, product):
    from .conftest import fake_pdf

    client.force_login(maker_user)
    html = client.post(_url(product), {"product": product.pk, "category": "LST-2.3", "declared_price": "11.50",
                                       "doc_qualification": fake_pdf()}).content.decode()
    assert 'data-testid="doc-error-qualification"' in html and "文件类型不符" in html
    assert not PendingUpload.objects.exists()


def test_abandoned_pending_uploads_are_purged_drafts_keep_theirs(maker_user, django_capture_on_commit_callbacks):
    from core.tasks import purge_pending_uploads

    old = pending.keep_upload(maker_user, pdf("old.pdf"))
    held = pending.keep_upload(maker_user, pdf("held.pdf"))
    pending.save_draft(maker_user, kind="listing.application", data={}, uploads=[held])
    PendingUpload.objects.update(created_at=timezone.now() - timedelta(days=8))
    fresh = pending.keep_upload(maker_user, pdf("fresh.pdf"))
    with django_capture_on_commit_callbacks(execute=True):  # files go once the deletion commits
        assert purge_pending_uploads() == 1
    assert set(PendingUpload.objects.values_list("pk", flat=True)) == {held.pk, fresh.pk}
    assert not old.file.storage.exists(old.file.name)
    assert purge_pending_uploads() == 0  # idempotent


# ------------------------------------------------------------ drafts


def test_draft_save_resume_and_submit_runs_every_check(client, maker_user, product):
    client.force_login(maker_user)
    data = {"product": product.pk, "category": "LST-2.3", "declared_price": "11.81", "note": "第一行\r\n第二行",
            "save_draft": "1", "doc_qualification": pdf("q.pdf")}
    resp = client.post(_url(product), data)
    draft = FormDraft.objects.get()
    assert resp.status_code == 302 and f"draft={draft.pk}" in resp["Location"]
    assert draft.organisation_id == maker_user.organisation_id and draft.data["declared_price"] == "11.81"
    assert not ListingApplication.objects.exists()
    # listed on step 1 and resumed with the typed values and the kept file
    assert f"draft={draft.pk}" in client.get(reverse("listing:apply")).content.decode()
    html = client.get(resp["Location"]).content.decode()
    assert 'value="11.81"' in html and "已上传：q.pdf" in html and 'data-testid="draft-banner"' in html
    # submitting the draft runs every check: the price and the missing documents
    kept = draft.uploads.get()
    sub = {"product": product.pk, "category": "LST-2.3", "declared_price": "11.81", "draft": draft.pk,
           "doc_qualification__pending": kept.pk}
    html = client.post(_url(product), sub).content.decode()
    assert 'data-testid="price-error"' in html and 'data-testid="doc-error-quality_commitment"' in html
    sub.update({"declared_price": "11.50", "doc_lowest_price_commitment": pdf("l.pdf"),
                "doc_quality_commitment": pdf("m.pdf"), "doc_province_records": pdf("p.pdf")})
    assert client.post(_url(product), sub).status_code == 302
    assert ListingApplication.objects.get().documents.count() == 4
    assert not FormDraft.objects.exists() and not PendingUpload.objects.exists()


def test_draft_is_visible_only_to_its_enterprise(client, maker_user, other_maker_user, product):
    draft = pending.save_draft(maker_user, kind="listing.application", subject=product.pk, title=str(product),
                               data={"category": "LST-2.3", "declared_price": "9"})
    client.force_login(other_maker_user)
    assert f"draft={draft.pk}" not in client.get(reverse("listing:apply")).content.decode()
    assert client.get(reverse("listing:apply") + f"?product={product.pk}&draft={draft.pk}").status_code == 404
    with pytest.raises(NotFound):
        pending.draft_for(other_maker_user, "listing.application", draft.pk)


def test_size_limit_is_stated_from_the_policy_value(client, maker_user, product):
    client.force_login(maker_user)
    html = client.get(_url(product)).content.decode()
    assert "单个文件不超过 20 MB" in html


def test_all_errors_and_kept_files_in_english(client, maker_user, product, settings):
    client.force_login(maker_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.post(_url(product), {"product": product.pk, "category": "LST-2.3", "declared_price": "11.81",
                                       "note": _note(rules.NOTE_MAX_LENGTH + 1),
                                       "doc_qualification": pdf("q.pdf")}).content.decode()
    assert "is above the national lowest price 11.80 yuan" in html
    assert "A required document is missing" in html
    assert "At most 2000 characters (a line break counts as one); this text has 2001." in html
    assert "Uploaded: q.pdf" in html and "at most 20 MB per file" in html and "Save draft" in html
