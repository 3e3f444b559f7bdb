import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from parties.models import OrgKind, Region


def compile_project_messages():
    """Compile the project-level English catalogue if it is newer than its .mo (the same
    step `make migrate` runs with compilemessages), so the i18n tests see current strings."""
    po = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
        subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)


@pytest.fixture(scope="session", autouse=True)
def _compiled_messages():
    compile_project_messages()


@pytest.fixture
def world(make_org, make_user, nanjing, suzhou):
    """Two cities, a county, institutions in each, an enterprise, and one user per role."""
    xuanwu = Region.objects.get(code="320102")
    jiangning = Region.objects.get(code="320115")
    nj_hosp = make_org(OrgKind.INSTITUTION, name="南京测试第一医院", city=nanjing, county=xuanwu)
    nj_hosp2 = make_org(OrgKind.INSTITUTION, name="江宁测试医院", city=nanjing, county=jiangning, level=2)
    sz_hosp = make_org(OrgKind.INSTITUTION, name="苏州测试医院", city=suzhou, county=Region.objects.get(code="320508"))
    maker = make_org(OrgKind.MANUFACTURER, name="测试制药有限公司")
    other_maker = make_org(OrgKind.MANUFACTURER, name="另一制药有限公司")
    dist = make_org(OrgKind.DISTRIBUTOR, name="测试配送有限公司")
    return {
        "nj_hosp": nj_hosp, "nj_hosp2": nj_hosp2, "sz_hosp": sz_hosp, "maker": maker, "other_maker": other_maker,
        "province": make_user(make_org(OrgKind.PROVINCE_REGULATOR, name="测试省医保局"), username="prov"),
        "nj_city": make_user(make_org(OrgKind.CITY_REGULATOR, name="南京测试医保局", city=nanjing), username="njcity"),
        "xuanwu_county": make_user(
            make_org(OrgKind.COUNTY_REGULATOR, name="玄武测试医保局", city=nanjing, county=xuanwu), username="xuanwu"
        ),
        "nj_hosp_user": make_user(nj_hosp, username="njhosp"),
        "maker_user": make_user(maker, username="maker"),
        "dist_user": make_user(dist, username="dist"),
        "expert": make_user(make_org(OrgKind.EXPERT_POOL, name="测试专家库"), username="expert"),
    }
