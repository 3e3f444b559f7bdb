"""QUA-1 pages: declare, review, see blockers; other enterprises see nothing."""

from datetime import date

import pytest
from django.urls import reverse

from qualifications import services
from qualifications.models import Qualification

from .conftest import pdf

pytestmark = pytest.mark.django_db


def test_qua_1_declare_and_review_through_the_pages(client, frozen, maker_user, province_user):
    client.force_login(maker_user)
    response = client.post(reverse("qualifications:qualification_create"), {
        "kind": "drug_manufacturing", "number": "苏20160001", "valid_from": "2021-07-01",
        "valid_until": "2026-06-30", "file": pdf()})
    q = Qualification.objects.get()
    assert response.status_code == 302
    html = client.get(reverse("qualifications:qualification_list")).content.decode()
    assert "资质“药品生产许可证（苏20160001）”尚未通过审核" in html
    client.force_login(province_user)
    client.post(reverse("qualifications:qualification_detail", args=[q.pk]), {"action": "review", "decision": "reject"})
    q.refresh_from_db()
    assert q.status == "pending"  # rejection without reason refused
    client.post(reverse("qualifications:qualification_detail", args=[q.pk]),
                {"action": "review", "decision": "approve", "reason": ""})
    q.refresh_from_db()
    assert q.status == "approved"
    client.force_login(maker_user)
    html = client.get(reverse("qualifications:qualification_list")).content.decode()
    assert "已于 2026-06-30 过期" in html


def test_qua_1_wrong_file_type_shown_next_to_the_field(client, frozen, maker_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(maker_user)
    response = client.post(reverse("qualifications:qualification_create"), {
        "kind": "gsp", "number": "1", "valid_from": "2021-07-01",
        "file": SimpleUploadedFile("scan.pdf", b"MZ" + b"\x00" * 300)})
    assert 'data-testid="error-file"' in response.content.decode() and "文件类型不符" in response.content.decode()
    assert not Qualification.objects.exists()


def test_qua_1_other_enterprise_cannot_open_it(client, frozen, maker_user, make_user):
    from parties.models import OrgKind

    q = services.qualification_submit(maker_user, kind="gsp", number="1", valid_from=date(2021, 1, 1), file=pdf())
    client.force_login(make_user(kind=OrgKind.MANUFACTURER))
    assert client.get(reverse("qualifications:qualification_detail", args=[q.pk])).status_code == 404
    assert client.get(reverse("qualifications:qualification_file", args=[q.pk])).status_code == 404


def test_pages_render_for_each_role(client, frozen, maker_user, distributor_user, province_user, make_user):
    from parties.models import OrgKind

    q = services.qualification_submit(maker_user, kind="gsp", number="1", valid_from=date(2021, 1, 1), file=pdf())
    for user in (maker_user, distributor_user, province_user, make_user(kind=OrgKind.CITY_REGULATOR)):
        client.force_login(user)
        assert client.get(reverse("qualifications:qualification_list")).status_code == 200
        assert client.get(reverse("qualifications:distribution_list")).status_code == 200
    client.force_login(province_user)
    html = client.get(reverse("qualifications:qualification_detail", args=[q.pk])).content.decode()
    assert 'data-testid="review-form"' in html
    assert client.get(reverse("qualifications:qualification_file", args=[q.pk])).status_code == 200
    client.force_login(make_user(kind=OrgKind.INSTITUTION))
    assert client.get(reverse("qualifications:qualification_list")).status_code == 403
    client.force_login(maker_user)
    html = client.get(reverse("qualifications:qualification_detail", args=[q.pk])).content.decode()
    assert 'data-testid="change-form"' in html and 'data-testid="review-form"' not in html
    assert client.get(reverse("qualifications:qualification_create") + f"?replaces={q.pk}").status_code == 200


def test_qua_1_change_through_the_page_goes_back_to_review(client, frozen, maker_user, province_user):
    q = services.qualification_submit(maker_user, kind="gsp", number="A-1", valid_from=date(2021, 1, 1),
                                      valid_until=date(2026, 12, 1), file=pdf())
    services.qualification_review(province_user, q, approve=True)
    client.force_login(maker_user)
    response = client.post(reverse("qualifications:qualification_detail", args=[q.pk]), {
        "action": "change", "kind": "gsp", "number": "A-1", "valid_from": "2021-01-01", "valid_until": "2020-01-01"})
    assert "有效期至不得早于有效期起" in response.content.decode()
    q.refresh_from_db()
    assert q.status == "approved" and q.valid_until == date(2026, 12, 1)  # refused: nothing changed
    client.post(reverse("qualifications:qualification_detail", args=[q.pk]), {
        "action": "change", "kind": "gsp", "number": "A-1", "valid_from": "2021-01-01", "valid_until": "2031-12-01"})
    q.refresh_from_db()
    assert q.status == "pending" and q.valid_until == date(2031, 12, 1) and q.file


def test_qua_2_province_sees_all_relationships_and_filters_by_enterprise(client, maker_user, distributor, nanjing,
                                                                       province_user):
    from qualifications.services import distribution_propose

    rel = distribution_propose(maker_user, distributor, nanjing)
    client.force_login(province_user)
    html = client.get(reverse("qualifications:distribution_list"), {"org": distributor.pk}).content.decode()
    assert f'data-relationship="{rel.pk}"' in html and 'data-testid="propose-form"' not in html
    assert client.post(reverse("qualifications:distribution_list"), {}).status_code == 403
