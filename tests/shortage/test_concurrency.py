"""EMG-1: the overdue job on two workers at once marks each case once (SKIP LOCKED)."""

from datetime import date

import pytest

from notifications.models import Notification
from shortage import services
from shortage.models import EmergencyPurchase, EmergencyStatus
from tests.concurrency import at_once


@pytest.mark.django_db(transaction=True)
def test_emg1_two_concurrent_overdue_jobs_mark_each_case_once(declare, nanjing_regulator, province_user):
    cases = [declare() for _ in range(5)]
    results = at_once(lambda: services.emergency_mark_overdue(date(2027, 1, 22), batch=2))
    marked = [pk for r in results for pk in r]
    assert sorted(marked) == sorted(c.pk for c in cases)  # each once, none twice
    assert EmergencyPurchase.objects.filter(status=EmergencyStatus.OVERDUE).count() == 5
    for user in (nanjing_regulator, province_user):
        assert Notification.objects.filter(recipient=user, kind="shortage.emergency_overdue").count() == 5
    assert services.emergency_mark_overdue(date(2027, 1, 23)) == []  # a later run changes nothing
