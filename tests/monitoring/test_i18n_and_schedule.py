"""English catalogue complete (docs/adr/0002) and the beat entries of the monitoring jobs."""

import re
from pathlib import Path

from django.conf import settings

import monitoring
from core.schedules import SCHEDULES
from tests.i18n import assert_all_translated, read_po

PO = Path(monitoring.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _catalogue():
    return read_po(PO)


def test_every_string_translated_with_same_placeholders():
    entries = _catalogue()
    assert len(entries) > 150
    assert_all_translated(entries)


def test_every_template_string_is_in_the_catalogue():
    known = _catalogue()
    shell = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    text = shell.read_text(encoding="utf-8") if shell.exists() else ""
    pattern = re.compile(r"""{%\s*translate\s+["'](.+?)["']\s*%}""")
    missing = [(t.name, s) for t in (Path(settings.BASE_DIR) / "templates" / "monitoring").glob("*.html")
               for s in pattern.findall(t.read_text(encoding="utf-8")) if s not in known and f'"{s}"' not in text]
    assert missing == []


def test_monthly_job_on_the_first_and_deadline_check_daily():
    import monitoring.tasks  # noqa: F401 — registers the entries

    monthly = SCHEDULES["platform:monitoring-monthly"]
    assert monthly.task == "monitoring.tasks.monthly_run" and monthly.crontab["day_of_month"] == 1
    daily = SCHEDULES["platform:monitoring-deadlines"]
    assert daily.task == "monitoring.tasks.deadline_check" and "day_of_month" not in daily.crontab
