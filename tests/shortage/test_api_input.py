"""Issue 14 item 4: the EMG-1 API serializers validate the body themselves (EmergencyIn,
FormalitiesIn) with the service's parsers and rule checks — a malformed amount, quantity or date
is refused with its field and nothing is written — and a caller who may not act is refused (403)
before its body is looked at."""

from datetime import date

import pytest
import time_machine
from rest_framework.test import APIClient

from shortage.models import EmergencyPurchase, EmergencyStatus

from .conftest import declaration

pytestmark = pytest.mark.django_db

URL = "/api/v1/shortage/emergency-purchases/"


def _body(**kw):
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in declaration(**kw).items()}


@pytest.mark.parametrize("override, status, code, field", [
    ({"amount": "-3600"}, 422, "EMG-1", "amount"),
    ({"amount": "3600.001"}, 422, "EMG-1", "amount"),
    ({"amount": "1e12"}, 422, "EMG-1", "amount"),
    ({"quantity": "0"}, 422, "EMG-1", "quantity"),
    ({"insurance_paid": "-1"}, 422, "EMG-1", "insurance_paid"),
    ({"insurance_paid": "3600.01"}, 422, "EMG-1", "insurance_paid"),
    ({"purchase_date": "2026-13-45"}, 400, "invalid", "purchase_date"),
    ({"supplier": ""}, 400, "invalid", "supplier"),
])
def test_emg_1_serializer_refuses_a_malformed_value_with_its_field_and_writes_nothing(his, override, status, code,
                                                                                       field):
    with time_machine.travel(date(2026, 12, 24), tick=False):
        r = his.post(URL, _body(**override), format="json")
    assert r.status_code == status, r.content
    assert r.json()["code"] == code and r.json()["field"] == field
    assert not EmergencyPurchase.objects.exists()


def test_emg_1_a_regulator_is_refused_before_its_malformed_body_is_read(nanjing_regulator):
    client = APIClient()
    client.force_authenticate(nanjing_regulator)
    r = client.post(URL, _body(amount="三千", purchase_date="not a date"), format="json")
    assert r.status_code == 403 and r.json()["code"] == "EMG-1"
    assert not EmergencyPurchase.objects.exists()


def test_emg_1_formalities_of_another_institution_refused_before_the_missing_documents(declare, his,
                                                                                        other_hospital_user):
    case = declare(user=other_hospital_user)
    r = his.post(f"{URL}{case.pk}/formalities/", {"ref": ""}, format="multipart")
    assert r.status_code == 403 and r.json()["code"] == "EMG-1"


def test_emg_1_formalities_without_documents_or_ref_refused_with_the_field(declare, his, hospital_user):
    case = declare(user=hospital_user)
    r = his.post(f"{URL}{case.pk}/formalities/", {"ref": "采购凭证补报"}, format="multipart")
    assert r.status_code == 422 and r.json()["code"] == "EMG-1" and r.json()["field"] == "documents"
    r = his.post(f"{URL}{case.pk}/formalities/", {"ref": "  "}, format="multipart")
    assert r.status_code == 400 and r.json()["field"] == "ref"
    case.refresh_from_db()
    assert case.status == EmergencyStatus.OPEN
