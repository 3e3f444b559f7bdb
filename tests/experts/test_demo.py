"""Issue 15 item 8: the demo draws the README's expert_01 into an open session with a case to
review (a new-drug application with its documents); loading twice adds nothing."""

from datetime import date

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from experts.models import ExpertSession, SessionCase, SessionStatus
from listing.models import ApplicationDocument, ListingApplication
from tests.demo import load_base_demos


@pytest.mark.django_db
def test_demo_draws_expert_01_into_an_open_session(client, nanjing, tmp_path):
    from experts.demo import load_demo as load_experts

    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(date(2026, 11, 24), tick=False):
        load_base_demos()
        load_experts()
        counts = (ExpertSession.objects.count(), SessionCase.objects.count(), ListingApplication.objects.count(),
                  ApplicationDocument.objects.count())
        load_experts()
        assert (ExpertSession.objects.count(), SessionCase.objects.count(), ListingApplication.objects.count(),
                ApplicationDocument.objects.count()) == counts
    session = ExpertSession.objects.get(draws__members__expert__user__username="expert_01")
    assert session.status == SessionStatus.DRAWN
    case = session.cases.get()
    app = ListingApplication.objects.get(expert_case=case)
    assert app.category == "LST-6" and app.documents.exists()
    client.force_login(case.session.draws.get().members.get(expert__user__username="expert_01").expert.user)
    response = client.get(reverse("experts:case_detail", args=[case.pk]))
    assert response.status_code == 200 and response.context["can_give_verdict"]
    assert response.context["dossiers"][0].documents
