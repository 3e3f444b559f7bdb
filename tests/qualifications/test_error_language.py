"""Issue 9 item 11 for qualifications: refusals and BAD-1/BAD-2/QUA-1 rule messages follow the
interface language — Chinese by default, English when chosen."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from core.errors import RuleViolation
from qualifications import rules, services
from qualifications.models import BadRecord, Qualification
from qualifications.selectors import blocking_qualifications
from tests.i18n_en import english_catalogues

from .conftest import pdf

pytestmark = pytest.mark.django_db
_english = english_catalogues("qualifications")


def test_qua_1_page_refusal_of_a_wrong_file_type_in_english(client, frozen, maker_user, settings):
    client.force_login(maker_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("qualifications:qualification_create"), {
        "kind": "gsp", "number": "1", "valid_from": "2021-07-01",
        "file": SimpleUploadedFile("scan.pdf", b"MZ" + b"\x00" * 300)})
    html = response.content.decode()
    assert 'data-testid="error-file"' in html
    assert "Wrong file type: only JPG, PDF, PNG accepted (the content is EXE)" in html
    assert not Qualification.objects.exists()


def test_qua_1_blocker_messages_in_the_users_language(frozen, maker_user, maker):
    services.qualification_submit(maker_user, kind="gsp", number="A1", valid_from=date(2021, 1, 1), file=pdf())
    with translation.override("en"):
        [english] = blocking_qualifications(maker)
    assert english.startswith("Qualification “") and english.endswith(" (A1)” has not been approved yet")
    [chinese] = blocking_qualifications(maker)
    assert chinese.startswith("资质“") and chinese.endswith("（A1）”尚未通过审核")


def test_bad_2_ban_message_in_english():
    with translation.override("en"):
        ban = rules.bad_2_ban([date(2026, 3, 1)], at=date(2026, 11, 24), enabled=True, years=2)
    assert ban.message == ("The enterprise is on the bad-record list (2026-03-01) and may not take part in procurement "
                           "by the province's public medical institutions for 2 years (until 2028-03-01)")
    chinese = rules.bad_2_ban([date(2026, 3, 1)], at=date(2026, 11, 24), enabled=True, years=2)
    assert chinese.message == "企业列入不良记录名单（2026-03-01），2 年内（至 2028-03-01 前）不得参与本省公立医疗机构采购"


def test_bad_1_decision_refusal_in_english(frozen, province_user, maker):
    """BAD-1: suspending a listing is a sanction for a serious case; refused in English, nothing written."""
    args = dict(enterprise=maker, kind="supply_failure", severity="warning", sanction="suspend", scope="product",
                recorded_on=date(2026, 11, 1), description="断供")
    with translation.override("en"), pytest.raises(RuleViolation) as english:
        services.bad_record_enter(province_user, **args)
    assert english.value.code == "BAD-1" and english.value.field == "severity"
    assert english.value.detail == ("Suspending or cancelling a listing is a sanction for a serious case; "
                                    "the enterprise must also be put on the bad-record list")
    with pytest.raises(RuleViolation) as chinese:
        services.bad_record_enter(province_user, **args)
    assert chinese.value.detail == "暂停或取消挂网属情节严重的处理，须同时列入不良记录名单"
    assert not BadRecord.objects.exists()
