"""Issue 9 item 11 for core: its refusals follow the interface language — Chinese by default,
English when the API caller sends `Accept-Language: en` or the page user chose English (cookie).
Covers an upload refusal (core/uploads), the API error handler's own messages, and the input
sanity middleware, which answers before the locale middleware runs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from core.errors import NotFound
from tests.i18n_en import compile_catalogues

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_catalogue(settings):
    # `make` compiles the catalogues; compile core's here so the test stands alone.
    compile_catalogues("project", "catalog")
    yield
    translation.activate(settings.LANGUAGE_CODE)  # a request may leave English active in this thread


def _not_a_workbook():
    return SimpleUploadedFile("prices.xlsx", b"just some text, not a workbook" * 10)


@pytest.mark.urls("tests.core.upload_urls")
def test_upload_refusal_in_english_when_the_api_caller_asks(client, make_user):
    client.force_login(make_user())
    response = client.post("/api/v1/test-upload-check", {"file": _not_a_workbook()}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "field": "file",
                               "detail": "Wrong file type: only XLSX accepted (the content is not recognised)"}


@pytest.mark.urls("tests.core.upload_urls")
def test_upload_refusal_in_chinese_by_default(client, make_user):
    client.force_login(make_user())
    response = client.post("/api/v1/test-upload-check", {"file": _not_a_workbook()})
    assert response.status_code == 400
    assert response.json()["detail"] == "文件类型不符：仅接受 XLSX（无法识别的文件内容）"


@pytest.mark.urls("tests.core.upload_urls")
def test_an_unsupported_api_language_falls_back_to_chinese(client, make_user):
    client.force_login(make_user())
    response = client.post("/api/v1/test-upload-check", {"file": _not_a_workbook()}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json()["detail"] == "文件类型不符：仅接受 XLSX（无法识别的文件内容）"


def test_api_handler_messages_follow_accept_language(client, make_user):
    """The error handler's own texts (unknown endpoint, not authenticated) are translated too."""
    assert client.get("/api/v1/no-such-endpoint", HTTP_ACCEPT_LANGUAGE="en").json()["detail"] == "No such API endpoint"
    assert client.get("/api/v1/no-such-endpoint").json()["detail"] == "接口地址不存在"
    anonymous = client.get("/api/v1/products/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert anonymous["detail"] == "No credentials provided: sign in or send an API token"
    bad_token = client.get("/api/v1/products/", HTTP_AUTHORIZATION="Token nonsense", HTTP_ACCEPT_LANGUAGE="en").json()
    assert bad_token["code"] == "authentication_failed"
    assert bad_token["detail"] == "Malformed API token: expected “Authorization: Token sp_<id>_<secret>”"


def test_page_refusal_in_english_with_the_language_cookie(client, make_user, settings):
    """The input sanity check answers before the locale middleware, yet in the user's language."""
    client.force_login(make_user())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("catalog:product_list"), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "Field “q” contains a NUL character" in response.content.decode()
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    response = client.get(reverse("catalog:product_list"), {"q": "a\x00b"})
    assert "字段“q”含有 NUL 字符" in response.content.decode()


def test_a_domain_error_detail_is_in_the_language_active_when_raised():
    with translation.override("en"):
        assert NotFound().detail == "Not found, or you are not allowed to see it"
    assert NotFound().detail == "对象不存在或无权查看"
