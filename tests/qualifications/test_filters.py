"""Issue 14 item 4: the qualification list (QUA-1) filters with
qualifications.filters.QualificationFilter — status, a search over enterprise and number, the
"expiring" to-do rows — and row scoping still holds: an enterprise never finds another's
qualification, whatever it searches for. An unknown status filters nothing, as before."""

from datetime import date

import pytest
from django.urls import reverse

from parties.models import OrgKind
from qualifications import services

from .conftest import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def quals(frozen, maker_user, make_user, province_user):
    mine = services.qualification_submit(maker_user, kind="gsp", number="苏GSP-0001", valid_from=date(2021, 1, 1),
                                         file=pdf())
    expiring = services.qualification_submit(maker_user, kind="drug_manufacturing", number="苏20160001",
                                             valid_from=date(2021, 7, 1), valid_until=date(2026, 12, 10), file=pdf())
    services.qualification_review(province_user, expiring, approve=True)
    other_user = make_user(kind=OrgKind.MANUFACTURER)
    theirs = services.qualification_submit(other_user, kind="gsp", number="苏GSP-0002", valid_from=date(2021, 1, 1),
                                           file=pdf())
    return mine, expiring, theirs, other_user


def _listed(client, user, params):
    client.force_login(user)
    response = client.get(reverse("qualifications:qualification_list"), params)
    assert response.status_code == 200
    return {q.pk for q in response.context["page"].object_list}


@pytest.mark.parametrize("params, expected", [
    ({}, {0, 1, 2}), ({"q": "GSP"}, {0, 2}), ({"q": "20160001"}, {1}), ({"status": "approved"}, {1}),
    ({"status": "pending"}, {0, 2}), ({"status": "nonsense"}, {0, 1, 2}), ({"q": "GSP", "status": "pending"}, {0, 2}),
])
def test_qua_1_regulator_filters_qualifications(client, province_user, quals, params, expected):
    assert _listed(client, province_user, params) == {quals[i].pk for i in expected}


def test_qua_1_expiring_shows_the_rows_the_to_do_counts(client, province_user, quals):
    assert _listed(client, province_user, {"expiring": "1"}) == {quals[1].pk}


def test_qua_1_an_enterprise_never_finds_another_enterprises_qualification(client, maker_user, quals):
    mine, expiring, theirs, other_user = quals
    assert _listed(client, maker_user, {"q": "GSP"}) == {mine.pk}
    assert _listed(client, maker_user, {"q": theirs.number}) == set()
    assert _listed(client, other_user, {"q": "GSP"}) == {theirs.pk}
