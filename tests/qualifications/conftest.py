import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parties.models import OrgKind
from tests.pdf import MINIMAL_PDF

PDF = MINIMAL_PDF  # parses as a PDF (core.uploads.check_pdf)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def frozen():
    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield dt.date(2026, 11, 24)


def pdf(name="licence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def distributor(make_org):
    return make_org(OrgKind.DISTRIBUTOR)


@pytest.fixture
def distributor_user(make_user, distributor):
    return make_user(distributor)


@pytest.fixture
def other_distributor_user(make_user, make_org):
    return make_user(make_org(OrgKind.DISTRIBUTOR))
