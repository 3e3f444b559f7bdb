"""QUA-1: enterprise qualifications — declared by the enterprise, reviewed by the province,
re-reviewed after a change; expired or unreviewed ones block new applications."""

from datetime import date

import pytest

from core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from notifications.models import Notification
from parties.models import OrgKind
from qualifications import services
from qualifications.models import Qualification
from qualifications.selectors import blocking_qualifications

from .conftest import pdf

pytestmark = pytest.mark.django_db


def submit(user, number="苏20160001", kind="drug_manufacturing", until=date(2026, 6, 30), **kw):
    return services.qualification_submit(user, kind=kind, number=number, valid_from=date(2021, 7, 1),
                                         valid_until=until, file=kw.pop("file", pdf()), **kw)


def test_qua_1_unreviewed_then_expired_qualification_blocks(frozen, maker_user, province_user, maker):
    q = submit(maker_user)
    assert blocking_qualifications(maker, date(2026, 5, 1)) == ["资质“药品生产许可证（苏20160001）”尚未通过审核"]
    services.qualification_review(province_user, q, approve=True)
    assert blocking_qualifications(maker, date(2026, 6, 30)) == []  # valid through its last day
    assert blocking_qualifications(maker, date(2026, 7, 1)) == ["资质“药品生产许可证（苏20160001）”已于 2026-06-30 过期"]
    assert blocking_qualifications(maker) == ["资质“药品生产许可证（苏20160001）”已于 2026-06-30 过期"]  # today


def test_qua_1_each_problem_is_named(frozen, maker_user, province_user, maker):
    expired = submit(maker_user, number="苏A")
    services.qualification_review(province_user, expired, approve=True)
    rejected = submit(maker_user, kind="business_licence", number="9132", until=None)
    services.qualification_review(province_user, rejected, approve=False, reason="扫描件不清晰")
    good = submit(maker_user, kind="gmp", number="JS2021", until=date(2030, 1, 1))
    services.qualification_review(province_user, good, approve=True)
    messages = blocking_qualifications(maker, frozen)
    assert "资质“药品生产许可证（苏A）”已于 2026-06-30 过期" in messages
    assert "资质“营业执照（9132）”审核未通过（扫描件不清晰），请修改后重新提交" in messages
    assert len(messages) == 2


def test_qua_1_approved_renewal_replaces_the_expired_one(frozen, maker_user, province_user, maker):
    old = submit(maker_user)
    services.qualification_review(province_user, old, approve=True)
    new = submit(maker_user, number="苏20260001", until=date(2031, 6, 30), replaces=old)
    assert len(blocking_qualifications(maker, frozen)) == 2  # old expired + new unreviewed
    services.qualification_review(province_user, new, approve=True)
    assert blocking_qualifications(maker, frozen) == []
    old.refresh_from_db()
    assert old.status == "withdrawn"


def test_qua_1_change_goes_back_to_review(frozen, maker_user, province_user, maker):
    q = submit(maker_user, until=date(2030, 1, 1))
    services.qualification_review(province_user, q, approve=True)
    services.qualification_change(maker_user, q, valid_until=date(2031, 1, 1))
    q.refresh_from_db()
    assert q.status == "pending" and q.reviewed_by is None
    assert blocking_qualifications(maker, frozen) == ["资质“药品生产许可证（苏20160001）”尚未通过审核"]
    assert q.events.count() >= 3  # pghistory keeps every version (AUD-1)


def test_qua_1_only_the_province_reviews(frozen, maker_user, make_user):
    q = submit(maker_user)
    for user in (maker_user, make_user(kind=OrgKind.CITY_REGULATOR)):
        with pytest.raises(Forbidden):
            services.qualification_review(user, q, approve=True)
    q.refresh_from_db()
    assert q.status == "pending"


def test_qua_1_rejection_needs_a_reason(frozen, maker_user, province_user):
    q = submit(maker_user)
    with pytest.raises(InvalidInput) as exc:
        services.qualification_review(province_user, q, approve=False, reason=" ")
    assert exc.value.field == "reason"
    with pytest.raises(Conflict):
        services.qualification_review(province_user, services.qualification_review(province_user, q, approve=True),
                                      approve=True)


def test_qua_1_another_enterprise_cannot_change_it(frozen, maker_user, make_user):
    q = submit(maker_user)
    other = make_user(kind=OrgKind.MANUFACTURER)
    with pytest.raises(NotFound):
        services.qualification_change(other, q, number="X")
    with pytest.raises(NotFound):
        services.qualification_withdraw(other, q, "no")
    q.refresh_from_db()
    assert q.number == "苏20160001" and q.status == "pending"
    assert not Qualification.objects.visible_to(other).exists()


@pytest.mark.parametrize("content,name", [
    (b"MZ\x90\x00" + b"\x00" * 200, "licence.pdf"),          # an executable named .pdf
    (b"PK\x03\x04" + b"\x00" * 200, "licence.pdf"),          # a zip named .pdf
    (b"just some text pretending", "licence.pdf"),
])
def test_qua_1_file_is_checked_by_content(frozen, maker_user, content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(InvalidInput) as exc:
        submit(maker_user, file=SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert exc.value.field == "file" and "文件类型不符" in exc.value.detail
    assert not Qualification.objects.exists()


def test_qua_1_validity_must_be_ordered(frozen, maker_user):
    with pytest.raises(RuleViolation) as exc:
        services.qualification_submit(maker_user, kind="gsp", number="1", valid_from=date(2026, 1, 1),
                                      valid_until=date(2025, 1, 1), file=pdf())
    assert exc.value.code == "QUA-1" and exc.value.field == "valid_until"


def test_qua_1_institutions_cannot_declare(frozen, make_user):
    with pytest.raises(Forbidden):
        submit(make_user(kind=OrgKind.INSTITUTION))


def test_qua_1_daily_reminder_30_days_before_expiry_once(frozen, maker_user, province_user):
    soon = submit(maker_user, number="S", until=date(2026, 12, 20))
    later = submit(maker_user, number="L", until=date(2027, 3, 1))
    for q in (soon, later):
        services.qualification_review(province_user, q, approve=True)
    Notification.objects.all().delete()
    assert services.remind_expiring(frozen) == 1
    assert services.remind_expiring(frozen) == 0  # a retried job notifies once (dedupe_key)
    n = Notification.objects.get(recipient=maker_user)
    assert "S" in n.title and "2026-12-20" in n.body
    assert services.remind_expiring(date(2027, 1, 31)) == 1  # the later one enters the 30-day window


def test_qua_1_require_any(frozen, maker):
    assert blocking_qualifications(maker, frozen) == []
    assert blocking_qualifications(maker, frozen, require_any=True) == ["企业尚未登记经审核通过的资质"]


def test_qua_1_reminder_task_is_scheduled():
    from core.schedules import SCHEDULES
    from qualifications import tasks  # noqa: F401

    assert SCHEDULES["platform:qualifications-expiry-reminder"].task == (
        "qualifications.tasks.remind_expiring_qualifications")
