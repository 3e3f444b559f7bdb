"""Fixtures of the expert pool: a province regulator, experts in every category, a session
with one case of a manufacturer's product."""

import itertools
from datetime import date

import pytest

from experts import services
from parties.models import OrgKind
from tests.factories import ProductFactory

_n = itertools.count(1)


@pytest.fixture
def pool_org(make_org):
    return make_org(OrgKind.EXPERT_POOL)


@pytest.fixture
def make_expert(make_user, pool_org, province_user):
    def make(category="clinical", employer="南京鼓楼医院", **kw):
        user = make_user(pool_org, full_name=kw.pop("full_name", f"专家{next(_n)}"))
        return services.expert_profile_save(province_user, expert_user=user, category=category, employer=employer, **kw)

    return make


@pytest.fixture
def product(maker):
    return ProductFactory(kind="drug", generic_name="新药甲", dosage_form="片剂", specification="10mg",
                          manufacturer=maker, approval_date=date(2026, 6, 1), national_code=None)


@pytest.fixture
def pool(make_expert):
    """3 experts per category."""
    return {c: [make_expert(c) for _ in range(3)] for c in ("insurance", "clinical", "pharmacy", "management")}


@pytest.fixture
def session(province_user, product):
    s = services.session_create(province_user, purpose="new_drug", title="2026年11月新药价格谈判", date=date(2026, 11, 20))
    services.session_add_case(province_user, s, product=product, description="挂网申请 LA-2026-0031")
    return s
