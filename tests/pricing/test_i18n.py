"""Chinese is the source language; English comes from pricing/ and experts/ catalogues."""

import pytest
from django.urls import reverse
from django.utils import translation


@pytest.mark.django_db
def test_public_pages_in_english(client):
    client.cookies["django_language"] = "en"
    content = client.get(reverse("pricing:public_complaints")).content.decode()
    assert "Published answers to complaints" in content and "申投诉答复公开" not in content
    client.cookies["django_language"] = "zh-hans"
    assert "申投诉答复公开" in client.get(reverse("pricing:public_complaints")).content.decode()


def test_model_labels_translated():
    from experts.models import ExpertCategory, SessionPurpose
    from pricing.models import LinkageStatus

    with translation.override("en"):
        assert str(LinkageStatus.OVERDUE.label) == "Overdue (escalated to the regulator)"
        assert str(ExpertCategory.PHARMACY.label) == "Pharmacy"
        assert str(SessionPurpose.NEW_DRUG.label).startswith("New-drug price negotiation")
