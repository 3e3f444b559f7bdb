"""Issue 15 item 12: every notification an app sends is kept as its Chinese msgid and parameters
and shown in the reader's language. Per app: no notify call site passes Chinese text built in
the sender's language (an f-string or a plain literal), every notification msgid has an English
translation in the app's catalogue, and one real notification of the app reaches an English
reader in English (and a Chinese reader in Chinese, as stored)."""

import ast
import re
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.utils import translation

from notifications.models import Notification

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

# app -> the modules whose notifications were converted
MODULES = {
    "orders": ["orders/services/ordering.py", "orders/services/fulfilment.py", "orders/services/no_sales.py"],
    "filing": ["filing/services.py"],
    "shortage": ["shortage/services.py"],
    "experts": ["experts/services.py"],
    "qualifications": ["qualifications/services.py"],
    "listing": ["listing/services/_shared.py", "listing/services/applications.py", "listing/services/batch.py",
                "listing/services/status.py"],
    "insurance": ["insurance/tasks.py"],
    "workcalendar": ["workcalendar/services.py"],
    "oversight": ["oversight/services.py"],
    "monitoring": ["monitoring/services.py"],
    "pricing": ["pricing/services.py"],
    "negotiation": ["negotiation/services.py"],
}


def _calls(path):
    tree = ast.parse((ROOT / path).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            yield name, node


def _chinese_literal(node) -> bool:
    """A title/body given as Chinese text fixed in the sender's language."""
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return CJK.search(ast.unparse(node)) is not None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return CJK.search(node.value) is not None
    if isinstance(node, ast.IfExp):
        return _chinese_literal(node.body) or _chinese_literal(node.orelse)
    return False


@pytest.mark.parametrize("app", MODULES)
def test_no_notification_is_sent_as_fixed_chinese_text(app):
    fixed = []
    for path in MODULES[app]:
        for name, call in _calls(path):
            if not name or "notify" not in name:
                continue
            args = [kw.value for kw in call.keywords if kw.arg in ("title", "body")] + list(call.args[1:3])
            fixed += [f"{path}:{call.lineno}" for a in args if _chinese_literal(a)]
    assert fixed == []


@pytest.mark.parametrize("app", MODULES)
def test_every_notification_msgid_has_an_english_translation(app):
    msgids = {call.args[0].value for path in MODULES[app] for name, call in _calls(path)
              if name == "gettext_noop" and call.args and isinstance(call.args[0], ast.Constant)}
    assert msgids
    with translation.override("en"):
        untranslated = [m for m in msgids if CJK.search(translation.gettext(m))]
    assert untranslated == []


@pytest.mark.django_db
def test_a_workcalendar_reminder_reads_in_english(province_user):
    from workcalendar.services import remind_unconfirmed_next_year

    with time_machine.travel(datetime(2026, 11, 2, 9, 0), tick=False):
        remind_unconfirmed_next_year()
    n = Notification.objects.get(kind="workcalendar.year_unconfirmed", recipient=province_user)
    assert n.title == "2027 年工作日历尚未确认"  # the stored column keeps the Chinese rendering
    with translation.override("en"):
        assert n.shown_title == "The 2027 working-day calendar has not been confirmed"
        assert "deadlines that run into 2027 are provisionally counted" in n.shown_body
    with translation.override("zh-hans"):
        assert n.shown_title == n.title and n.shown_body == n.body


@pytest.mark.django_db
def test_an_insurance_reminder_reads_in_english(province_user):
    from insurance import tasks

    with time_machine.travel(datetime(2026, 12, 1, 9, 0), tick=False):
        year = tasks.flag_unpublished_year()
    assert year == 2027  # INS-1: in December, next year's standards are due and none is published
    n = Notification.objects.get(kind="insurance.unpublished", recipient=province_user)
    assert n.title == f"{year} 年医保支付标准尚未发布"
    with translation.override("en"):
        assert n.shown_title == f"The {year} medical insurance payment standards have not been published"
        assert not CJK.search(n.shown_body)
