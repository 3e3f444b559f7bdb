"""Pages of shortage and emergency purchasing: who may see what (and the denials), the forms
going through the services, the .xlsx exports, the dashboard (EMG-1, EMG-2, SHO-1)."""

from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from shortage.models import EmergencyPurchase, EmergencyStatus

from .conftest import pdf
from .test_shortage import xlsx

pytestmark = pytest.mark.django_db


def test_emg1_declare_over_the_browser_shows_provisional_due(client, hospital_user):
    form = {"kind": "drug", "item_name": "注射用甲磺酸酚妥拉明 10mg", "supplier": "某制药", "emergency_kind": "rescue",
            "emergency_note": "抢救", "clinical_necessity": "无替代", "approved_by": "张院长",
            "approval_date": "2026-12-24", "purchase_date": "2026-12-24", "quantity": "20", "amount": "3600.00",
            "insurance_paid": "0"}
    with time_machine.travel(date(2026, 12, 24), tick=False):
        client.force_login(hospital_user)  # sessions expire: sign in on the travelled-to day
        r = client.post(reverse("shortage:emergency_create"), {**form, "approval_document": pdf()})
        assert r.status_code == 302
        case = EmergencyPurchase.objects.get()
        page = client.get(r["Location"]).content.decode()
    assert "2027-01-21" in page and "暂定" in page and case.documents.filter(code="approval").exists()


def test_emg1_browser_bad_amount_shown_next_to_field_nothing_written(client, hospital_user):
    with time_machine.travel(date(2026, 12, 24), tick=False):
        client.force_login(hospital_user)
        r = client.post(reverse("shortage:emergency_create"), {
            "kind": "drug", "item_name": "x", "supplier": "y", "emergency_kind": "rescue", "emergency_note": "抢救",
            "clinical_necessity": "z", "approved_by": "张院长", "approval_date": "2026-12-24",
            "purchase_date": "2026-12-24", "quantity": "1", "amount": "1,000"})
    assert r.status_code == 200
    assert "EMG-1" in r.content.decode() and "金额" in r.content.decode()
    assert not EmergencyPurchase.objects.exists()


def test_emg1_pages_scoped_and_denied(client, declare, hospital_user, other_hospital_user, nanjing_regulator,
                                      suzhou_regulator, maker_user):
    case = declare()
    url = reverse("shortage:emergency_detail", args=[case.pk])
    for user, status in ((hospital_user, 200), (nanjing_regulator, 200), (other_hospital_user, 404), (suzhou_regulator, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status
    client.force_login(maker_user)
    assert client.get(reverse("shortage:emergency_list")).status_code == 403
    assert client.get(reverse("shortage:dashboard")).status_code == 403
    client.force_login(hospital_user)
    assert client.get(reverse("shortage:emergency_create")).status_code == 200
    client.force_login(nanjing_regulator)
    assert client.get(reverse("shortage:emergency_create")).status_code == 403


def test_emg1_formalities_and_close_over_the_browser(client, declare, hospital_user, nanjing_regulator):
    case = declare()
    url = reverse("shortage:emergency_detail", args=[case.pk])
    with time_machine.travel(date(2027, 1, 5), tick=False):
        client.force_login(hospital_user)
        assert client.post(url, {"formalities": "1", "ref": "采购凭证补报", "document": pdf()}).status_code == 302
    client.force_login(nanjing_regulator)
    assert client.post(url, {"review": "close", "scope": "in", "note": "符合范围"}).status_code == 302
    case.refresh_from_db()
    assert case.status == EmergencyStatus.CLOSED and case.scope == "in"


def test_emg1_export_xlsx(client, declare, nanjing_regulator):
    declare()
    client.force_login(nanjing_regulator)
    r = client.get(reverse("shortage:emergency_list") + "?export=xlsx")
    rows = list(load_workbook(BytesIO(b"".join(r.streaming_content))).active.values)
    assert rows[0][0] == "编号" and len(rows) == 2 and rows[1][10] is not None and rows[1][11] == "是"


def test_dashboard_by_city_and_month_with_export(client, declare, nanjing_regulator, province_user):
    declare()
    declare(on=date(2026, 12, 1), purchase_date=date(2026, 12, 1), approval_date=date(2026, 12, 1))
    with time_machine.travel(date(2026, 12, 28), tick=False):
        client.force_login(province_user)
        page = client.get(reverse("shortage:dashboard") + "?year=2026").content.decode()
        r = client.get(reverse("shortage:dashboard") + "?year=2026&export=xlsx")
    assert "南京市" in page
    wb = load_workbook(BytesIO(b"".join(r.streaming_content)))
    city = list(wb.worksheets[0].values)
    months = list(wb.worksheets[1].values)
    assert city[1][0] == "南京市" and city[1][1] == 2
    assert [m[0] for m in months[1:]] == ["2026-12"] and months[1][1] == 2


def test_sho1_list_import_page_shows_row_errors(client, province_user, hospital_user):
    client.force_login(province_user)
    r = client.post(reverse("shortage:list_import"), {"kind": "shortage", "source": "苏卫药政〔2026〕1号",
                                                      "effective_from": "2026-01-01",
                                                      "file": xlsx([("甲药", "片剂", "", "", ""), ("", "片剂", "", "", "")])})
    assert r.status_code == 200 and "通用名不能为空" in r.content.decode()
    r = client.post(reverse("shortage:list_import"), {"kind": "shortage", "source": "苏卫药政〔2026〕1号",
                                                      "effective_from": "2026-01-01",
                                                      "file": xlsx([("甲药", "片剂", "", "", "")])})
    assert r.status_code == 302
    client.force_login(hospital_user)
    assert client.get(reverse("shortage:list_import")).status_code == 403
    assert "甲药" in client.get(reverse("shortage:list_index")).content.decode()


def test_sho1_need_pages(client, list_drug, hospital_user, maker_user, make_product):
    list_drug()
    make_product()
    client.force_login(hospital_user)
    r = client.post(reverse("shortage:need_create"), {"generic_name": "注射用甲磺酸酚妥拉明", "dosage_form": "注射剂",
                                                      "specification": "10mg", "quantity": "100"})
    assert r.status_code == 302
    client.force_login(maker_user)
    assert "注射用甲磺酸酚妥拉明" in client.get(reverse("shortage:need_list")).content.decode()
    r = client.post(reverse("shortage:need_create"), {"generic_name": "x", "dosage_form": "y", "quantity": "1"})
    assert r.status_code == 403


def test_public_bulletins_without_sign_in(client):
    assert client.get(reverse("shortage:public_bulletins")).status_code == 200
