"""Large imports run on a worker with progress in the browser (issue 16 item 2): the upload
pages only check the file and hand it to `jobs.tasks.run_import` (eager in these tests; the
real worker path is tests/jobs/test_worker_runs.py)."""


import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs.models import ImportJob, RunState
from monitoring import services
from monitoring.models import ReportVersion
from parties.models import OrgKind
from tests.xlsx import xlsx_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def hospital_user(make_org, make_user, nanjing):
    return make_user(make_org(OrgKind.INSTITUTION, name="南京第一人民医院", city=nanjing, level=3))


def book(rows):
    return SimpleUploadedFile("月报.xlsx", xlsx_bytes(rows, services.UPLOAD_HEADERS))


def test_mon2_upload_page_hands_the_file_to_a_worker_and_shows_progress(client, hospital_user, make_user):
    client.force_login(hospital_user)
    with time_machine.travel("2026-11-24 10:00 +0800", tick=False):
        response = client.post("/monitoring/reports/upload/", {"file": book([
            ["2026-09", 100, 90, 0, 0, 0, 0, None], ["2026-10", 100, 95, 0, 0, 0, 0, None]])})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/imports/{job.pk}/"
    assert job.state == RunState.DONE and (job.done, job.total) == (2, 2)
    assert ReportVersion.objects.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "已导入 2 个月的采购数据" in page and 'data-state="done"' in page and "hx-trigger" not in page
    fragment = client.get(f"/jobs/imports/{job.pk}/progress/").content.decode()
    assert "已处理 2 / 2 行" in fragment
    # someone else's import is not even visible
    client.force_login(make_user())
    assert client.get(f"/jobs/imports/{job.pk}/").status_code == 404


def test_mon2_refused_rows_are_listed_on_the_import_page_and_nothing_written(client, hospital_user):
    client.force_login(hospital_user)
    with time_machine.travel("2026-11-24 10:00 +0800", tick=False):
        response = client.post("/monitoring/reports/upload/", {"file": book([
            ["2026-09", 100, 90, 0, 0, 0, 0, None], ["2026-10", "many", 95, 0, 0, 0, 0, None]])}, follow=True)
    html = response.content.decode()
    assert ImportJob.objects.get().state == RunState.FAILED
    assert 'data-testid="row-errors"' in html and "须为数字" in html
    assert not ReportVersion.objects.exists()


def test_a_running_import_keeps_polling(client, hospital_user):
    job = ImportJob.objects.create(kind="monitoring.reports", user=hospital_user, filename="a.xlsx",
                                   state=RunState.RUNNING, file="imports/a.xlsx")
    client.force_login(hospital_user)
    html = client.get(f"/jobs/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in html and f"/jobs/imports/{job.pk}/progress/" in html


def test_wrong_file_type_refused_on_the_page_without_a_job(client, hospital_user):
    client.force_login(hospital_user)
    response = client.post("/monitoring/reports/upload/", {"file": SimpleUploadedFile("a.xlsx", b"hello world")})
    assert "文件类型不符" in response.content.decode() and not ImportJob.objects.exists()
