"""Issue 15 item 9 for VBP-3: the signed contract prints as a purchase agreement (HTML and a
PDF whose Chinese text reads back), with both signatures, visible only to its two parties and
their regulators."""

from io import BytesIO

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.django_db


def test_vbp_3_signed_contract_prints_as_a_purchase_agreement(client, signed):
    w = signed
    client.force_login(w.mfr_user)
    html = client.get(f"/vbp/contracts/{w.contract.pk}/print/").content.decode()
    assert "集中带量采购购销协议" in html and w.contract.number in html
    assert "测试省人民医院" in html and "测试制药" in html
    assert "6.50" in html and "3,900.00" in html  # 600 agreed × 6.50 selected price
    assert "未签订" not in html  # both sides signed in the platform
    response = client.get(f"/vbp/contracts/{w.contract.pk}/print/", {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    assert "购销协议" in text and w.contract.number in text and "3,900.00" in text


def test_vbp_3_unsigned_side_shows_as_unsigned(client, locked):
    w = locked
    client.force_login(w.inst_user)
    html = client.get(f"/vbp/contracts/{w.contract.pk}/print/").content.decode()
    assert html.count("未签订") == 2


def test_vbp_3_agreement_refused_to_other_parties(client, signed):
    w = signed
    for user in (w.other_inst_user, w.other_mfr_user, w.sz_regulator):
        client.force_login(user)
        assert client.get(f"/vbp/contracts/{w.contract.pk}/print/").status_code == 404, user
