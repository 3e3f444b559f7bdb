"""BAD-2 for a whole order batch: `bad_record_bans` answers for every manufacturer of the
batch with a fixed number of queries (an HIS batch of 1,000 lines names hundreds of
manufacturers; one lookup each made ingestion ~5× slower), and gives the same answer as the
one-enterprise question."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parties.models import OrgKind
from policy.models import PolicyValue
from qualifications import services as qua
from qualifications.selectors import bad_record_ban, bad_record_bans

pytestmark = pytest.mark.django_db
AT = date(2026, 3, 2)


@pytest.fixture
def makers(make_org):
    return [make_org(OrgKind.MANUFACTURER) for _ in range(6)]


@pytest.fixture
def one_barred(makers, make_user):
    PolicyValue.objects.create(key="bad.ban_enabled", value=True, effective_from=date(2020, 5, 1),
                               reason="测试：开启不良记录禁入")
    qua.bad_record_enter(make_user(kind=OrgKind.PROVINCE_REGULATOR), enterprise=makers[2], kind="bribery",
                         severity="serious", recorded_on=date(2026, 2, 20), description="商业贿赂")
    return makers[2]


def test_bad_2_batch_answer_equals_the_single_answer(makers, one_barred):
    bans = bad_record_bans([m.pk for m in makers], AT)
    assert {pk for pk, ban in bans.items() if ban.barred} == {one_barred.pk}
    for m in makers:
        assert bans[m.pk] == bad_record_ban(m, AT)


def test_bad_2_batch_costs_the_same_queries_for_two_or_six_enterprises(makers, one_barred):
    with CaptureQueriesContext(connection) as two:
        bad_record_bans([m.pk for m in makers[:2]], AT)
    with CaptureQueriesContext(connection) as six:
        bad_record_bans([m.pk for m in makers], AT)
    assert len(six) == len(two) <= 3


def test_bad_2_off_by_default_bars_nobody(makers):
    bans = bad_record_bans([m.pk for m in makers], AT)
    assert not any(ban.barred for ban in bans.values()) and set(bans) == {m.pk for m in makers}
