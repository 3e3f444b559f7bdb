"""Demo data loads on top of the parties, catalogue and listing demos, and loads again
without duplicating anything."""

from datetime import date

import pytest
import time_machine

from experts.models import ExpertDraw, ExpertProfile, ExpertSession
from pricing.models import Complaint, LinkageCase, LinkageStatus
from tests.demo import load_base_demos


@pytest.mark.django_db
def test_demo_is_idempotent(nanjing):
    from experts.demo import load_demo as load_experts
    from pricing.demo import load_demo as load_pricing

    with time_machine.travel(date(2026, 11, 24), tick=False):
        load_base_demos()
        for _ in range(2):
            load_experts()
            load_pricing()
    assert ExpertProfile.objects.count() == 8
    assert ExpertSession.objects.count() == 1 and ExpertDraw.objects.count() == 1
    # expert_05 declared a conflict with the session's enterprise: never drawn
    draw = ExpertDraw.objects.get()
    assert ExpertProfile.objects.get(user__username="expert_05").pk not in [p for ids in draw.drawn.values() for p in ids]
    demo_cases = LinkageCase.objects.filter(trigger_price__source__contains="演示")
    assert demo_cases.count() == 2
    assert demo_cases.filter(status=LinkageStatus.OVERDUE).count() == 1
    assert Complaint.objects.published().count() == 1
