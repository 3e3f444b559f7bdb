"""Journey (MON-2, issue 16 item 2): a hospital uploads its monthly-report workbook in the
browser; the page hands it to the worker and shows the import's state and progress; a second
file with a bad row lands on the same kind of page listing the row, nothing imported."""


import pytest
import time_machine

from monitoring import services
from monitoring.models import ReportVersion
from parties.models import Organisation, OrgKind, Region, Role, User
from tests.e2e.conftest import login, shot
from tests.xlsx import xlsx_bytes

PASSWORD = "Journey-2026!"


def _book(path, rows):
    path.write_bytes(xlsx_bytes(rows, services.UPLOAD_HEADERS))
    return str(path)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_monthly_report_import_runs_on_the_worker_with_progress(page, reference_regions, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    nanjing = Region.objects.get(code="320100")
    hospital = Organisation.objects.create(kind=OrgKind.INSTITUTION, name="南京市第一人民医院", city=nanjing,
                                           county=Region.objects.get(code="320104"), level=3, ownership="public")
    User.objects.create_user(username="hosp", password=PASSWORD, organisation=hospital, role=Role.INSTITUTION)
    with time_machine.travel("2026-11-24 10:00 +0800", tick=True):
        login(page, "hosp", PASSWORD)
        page.goto("/monitoring/reports/upload/")
        page.get_by_test_id("file").set_input_files(_book(tmp_path / "月报.xlsx", [
            ["2026-09", 1000, 900, 0, 500, 450, 0, None], ["2026-10", 1000, 950, 0, 500, 480, 0, None]]))
        with page.expect_navigation():
            page.get_by_test_id("upload").click()
        assert "/jobs/imports/" in page.url
        assert page.get_by_test_id("import-progress").get_attribute("data-state") == "done"
        assert "已导入 2 个月的采购数据" in page.get_by_test_id("import-message").inner_text()
        shot(page, "import-done")
        assert ReportVersion.objects.count() == 2

        page.get_by_test_id("import-again").click()
        page.get_by_test_id("file").set_input_files(_book(tmp_path / "月报2.xlsx", [
            ["2026-08", "一千", 900, 0, 0, 0, 0, None]]))
        with page.expect_navigation():
            page.get_by_test_id("upload").click()
        assert page.get_by_test_id("import-progress").get_attribute("data-state") == "failed"
        assert "须为数字" in page.get_by_test_id("row-errors").inner_text()
        shot(page, "import-row-errors")
    assert ReportVersion.objects.count() == 2
    assert page.js_errors == []
