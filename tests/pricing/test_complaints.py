"""PRC-3: complaints (申投诉) — filed, assigned, answered, published without attachments;
enterprises see only their own."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.errors import Forbidden, InvalidInput
from parties.models import OrgKind
from pricing import services
from pricing.models import Complaint, ComplaintStatus
from tests.pdf import MINIMAL_PDF

PDF = MINIMAL_PDF  # parses as a PDF (core.uploads.check_pdf)


def file_one(user, listing, **kw):
    return services.complaint_file(user, subject="listing_decision", title=kw.pop("title", "挂网价格核定有误"),
                                   text="申报材料显示的外省价格已过期", listing=listing, **kw)


@pytest.mark.django_db
def test_prc3_full_cycle_and_public_page_without_attachment(client, listing, maker_user, province_user, make_user):
    complaint = file_one(maker_user, listing, attachment=SimpleUploadedFile("证明.pdf", PDF))
    assert complaint.status == ComplaintStatus.FILED and complaint.attachment
    city_reg = make_user(kind=OrgKind.CITY_REGULATOR)
    services.complaint_assign(province_user, complaint, assignee=city_reg)
    public = client.get(reverse("pricing:public_complaints")).content.decode()
    assert "挂网价格核定有误" not in public  # not answered yet: not public
    services.complaint_answer(city_reg, complaint, answer="经复核，维持原决定", outcome="rejected")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED and complaint.published
    public = client.get(reverse("pricing:public_complaints")).content.decode()
    assert "挂网价格核定有误" in public and "维持原决定" in public
    assert "attachment" not in public and "证明" not in public
    # the attachment is never public
    assert client.get(reverse("pricing:complaint_attachment", args=[complaint.pk])).status_code == 302  # login


@pytest.mark.django_db
def test_prc3_enterprise_sees_only_its_own_complaints(client, listing, maker_user, other_maker_user, make_listing):
    mine = file_one(maker_user, listing)
    theirs = file_one(other_maker_user, make_listing(), title="他人的申投诉")
    client.force_login(maker_user)
    listed = [c.pk for c in client.get(reverse("pricing:complaint_list")).context["page"]]
    assert listed == [mine.pk]
    assert client.get(reverse("pricing:complaint_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("pricing:complaint_attachment", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("pricing:complaint_detail", args=[mine.pk])).status_code == 200


@pytest.mark.django_db
def test_prc3_institution_may_file_and_sees_only_its_own(listing, hospital_user, maker_user):
    ours = file_one(hospital_user, listing)
    file_one(maker_user, listing)
    assert list(Complaint.objects.visible_to(hospital_user)) == [ours]


@pytest.mark.django_db
def test_prc3_only_assignee_or_province_answers(listing, maker_user, province_user, make_user):
    complaint = file_one(maker_user, listing)
    stranger = make_user(kind=OrgKind.CITY_REGULATOR)
    with pytest.raises(Forbidden):
        services.complaint_answer(stranger, complaint, answer="x", outcome="upheld")
    with pytest.raises(Forbidden):
        services.complaint_answer(maker_user, complaint, answer="x", outcome="upheld")
    with pytest.raises(Forbidden):
        services.complaint_assign(maker_user, complaint, assignee=stranger)


@pytest.mark.django_db
def test_prc3_attachment_checked_by_content(listing, maker_user):
    with pytest.raises(InvalidInput) as err:
        file_one(maker_user, listing, attachment=SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 not a pdf at all"))
    assert err.value.field == "attachment"
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_prc3_regulators_and_experts_cannot_file(listing, province_user):
    with pytest.raises(Forbidden):
        file_one(province_user, listing)


@pytest.mark.django_db
def test_prc3_filing_through_the_page(client, listing, maker_user):
    client.force_login(maker_user)
    response = client.post(reverse("pricing:complaint_create") + f"?listing={listing.pk}", {
        "subject": "listing_decision", "title": "页面提交", "text": "内容", "listing": listing.pk,
    })
    assert response.status_code == 302
    assert Complaint.objects.get().listing == listing
    response = client.post(reverse("pricing:complaint_create"), {"subject": "listing_decision", "title": "", "text": ""})
    assert response.status_code == 200 and "error-title" in response.content.decode()


@pytest.mark.django_db
def test_prc3_city_regulator_assigned_an_enterprise_complaint_can_answer_on_page(client, listing, maker_user,
                                                                                 province_user, make_user):
    complaint = file_one(maker_user, listing)
    city_reg = make_user(kind=OrgKind.CITY_REGULATOR)
    other_city_reg = make_user(kind=OrgKind.CITY_REGULATOR)
    services.complaint_assign(province_user, complaint, assignee=city_reg)
    client.force_login(other_city_reg)
    assert client.get(reverse("pricing:complaint_detail", args=[complaint.pk])).status_code == 404
    client.force_login(city_reg)
    url = reverse("pricing:complaint_detail", args=[complaint.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"answer_submit": "1", "outcome": "partly", "answer": "部分采纳", "publish": "on"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED and complaint.outcome == "partly"
    # the decision's history (AUD-1) is readable by the regulator
    history = client.get(reverse("object_history", args=["pricing", "complaint", complaint.pk]))
    assert history.status_code == 200 and "PRC-3" in history.content.decode()


@pytest.mark.django_db
def test_prc3_page_refuses_another_enterprises_linkage_case_with_a_message(client, listing, record_price,
                                                                          other_maker_user):
    from pricing.services import linkage_open_for_record

    case = linkage_open_for_record(record_price(listing.product, "8", date(2026, 9, 21)))[0]
    client.force_login(other_maker_user)
    response = client.post(reverse("pricing:complaint_create"), {
        "subject": "linkage", "title": "试图申投诉他人案件", "text": "x", "linkage_case": case.pk,
    })
    assert response.status_code == 200 and "error-linkage_case" in response.content.decode()
    assert not Complaint.objects.exists()
