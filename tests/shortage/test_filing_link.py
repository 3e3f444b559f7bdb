"""EMG-1 / 002 §19: an emergency consumable's formalities are an after-the-fact filing; when the
filing app confirms a filing that names the case, the case's formalities are complete — but a
filing never completes another institution's case."""

from types import SimpleNamespace

import pytest

from filing.models import FilingRequest
from filing.signals import filing_confirmed
from parties.models import OrgKind
from shortage.models import EmergencyPurchase, EmergencyStatus

pytestmark = pytest.mark.django_db


def confirmed(institution_id, ref, number="BA202612000001"):
    filing = SimpleNamespace(institution_id=institution_id, emergency_case_ref=ref, number=number)
    filing_confirmed.send(sender=FilingRequest, filing=filing)


def test_confirmed_filing_completes_the_named_case(declare, hospital_user):
    case = declare()
    confirmed(case.institution_id, case.number)
    case = EmergencyPurchase.objects.get(pk=case.pk)
    assert case.status == EmergencyStatus.COMPLETED and "BA202612000001" in case.formalities_ref


def test_case_named_by_id_and_idempotent(declare):
    case = declare()
    confirmed(case.institution_id, str(case.pk))
    confirmed(case.institution_id, str(case.pk), number="BA202612000002")  # a second confirmation changes nothing
    case = EmergencyPurchase.objects.get(pk=case.pk)
    assert case.status == EmergencyStatus.COMPLETED and "BA202612000001" in case.formalities_ref


def test_another_institutions_filing_cannot_complete_the_case(declare, make_org):
    case = declare()
    other = make_org(OrgKind.INSTITUTION)
    confirmed(other.pk, case.number)
    assert EmergencyPurchase.objects.get(pk=case.pk).status == EmergencyStatus.OPEN
