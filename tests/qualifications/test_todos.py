"""QUA-1 on the home page (issue 15 item 6): an enterprise sees its qualifications expiring
within the reminder window (qua.expiry_reminder_days, 30 days) with the first expiry date, and
the link lists exactly those; another enterprise sees none of them; the province sees the
qualifications waiting for its review, a city (which cannot review) does not."""

from datetime import date, timedelta

import pytest

from qualifications import services
from tests.todos import home_todos as _todos

from .conftest import pdf

pytestmark = pytest.mark.django_db

EXPIRING = "即将到期的资质"
TO_REVIEW = "待审核的企业资质"


def _approved(user, province_user, number, until):
    q = services.qualification_submit(user, kind="gsp", number=number, valid_from=date(2021, 1, 1),
                                      valid_until=until, file=pdf())
    return services.qualification_review(province_user, q, approve=True)


def test_qua_1_expiring_qualifications_with_their_first_expiry(client, frozen, distributor_user,
                                                               other_distributor_user, province_user):
    _approved(distributor_user, province_user, "GSP-SOON", frozen + timedelta(days=10))
    _approved(distributor_user, province_user, "GSP-EDGE", frozen + timedelta(days=30))  # last day of the window
    _approved(distributor_user, province_user, "GSP-LATER", frozen + timedelta(days=31))
    _approved(other_distributor_user, province_user, "GSP-OTHER", frozen + timedelta(days=5))
    item = _todos(client, distributor_user)[EXPIRING]
    assert item["count"] == 2 and item["due"] == frozen + timedelta(days=10)
    listed = client.get(item["url"]).content.decode()
    assert "GSP-SOON" in listed and "GSP-EDGE" in listed
    assert "GSP-LATER" not in listed and "GSP-OTHER" not in listed
    assert _todos(client, other_distributor_user)[EXPIRING]["count"] == 1  # only its own


def test_qua_1_province_reviews_pending_qualifications_city_does_not(client, frozen, distributor_user,
                                                                   province_user, make_user, make_org):
    from parties.models import OrgKind

    services.qualification_submit(distributor_user, kind="gsp", number="GSP-NEW", valid_from=date(2021, 1, 1),
                                  valid_until=date(2031, 1, 1), file=pdf())
    item = _todos(client, province_user)[TO_REVIEW]
    assert item["count"] == 1 and "GSP-NEW" in client.get(item["url"]).content.decode()
    city = make_user(make_org(OrgKind.CITY_REGULATOR))
    assert TO_REVIEW not in _todos(client, city)
    assert TO_REVIEW not in _todos(client, distributor_user) and EXPIRING not in _todos(client, distributor_user)
