"""Issue 15 item 8 (ACT-6, EXP-1, EXP-2, LST-0.3): the expert's case page shows what a reviewer
needs — the application, its documents (shown in the browser), the listing and national lowest
prices with their sources, the reference products' prices, previous rounds — and only to the
people of the case."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from catalog.models import Product
from experts import services
from listing.models import Listing
from parties.models import OrgKind

from .casefile import case_file


@pytest.fixture(autouse=True)
def _media(tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def drawn(province_user, pool, session, maker_user):
    draw = services.session_draw(province_user, session, {"clinical": 1})
    expert = next(e for e in pool["clinical"] if e.pk == draw.drawn["clinical"][0])
    outsider = next(e for e in pool["clinical"] if e.pk != expert.pk)
    case = session.cases.get()
    app, doc = case_file(case, maker_user=maker_user, province_user=province_user)
    return case, expert, outsider, doc


def _doc_url(case, doc):
    return reverse("experts:case_document", args=[case.pk, f"listing-{doc.pk}"])


@pytest.mark.django_db
def test_drawn_expert_sees_application_documents_and_prices(client, drawn):
    """ACT-6: the drawn expert reads the application, its documents and every price with its source."""
    case, expert, _outsider, doc = drawn
    client.force_login(expert.user)
    response = client.get(reverse("experts:case_detail", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    # the application: enterprise, declared price, reasons
    assert "挂网申请 #" in html and "国内首仿，临床急需" in html and "批准注册后一年内申报" in html
    assert "88.50" in html
    # its document, opened in the browser
    assert "药品质量承诺书.pdf" in html and _doc_url(case, doc) in html
    # national lowest price with its source, every province's record
    assert "90.10" in html and "广东省药品交易中心挂网目录（2026-07）" in html
    assert "92.30" in html and "浙江省药械采购平台 2026年第5号公告" in html
    assert response.context["national_lowest"].province == "广东省"
    # LST-0.3 / §0: the listing rules' national lowest (this province's listing included) beside them
    listing_lines = [(p.label, p.price) for d in response.context["dossiers"] for p in d.listing_prices]
    assert ("全国最低价（含本省）", 90.10) in [(label, float(price)) for label, price in listing_lines]
    # the same drug's live listing as a reference price
    assert "96.00" in html and "扬子江药业集团有限公司" in html
    # the application's own page is the regulators' (the expert gets no link to it)
    assert reverse("listing:application_detail", args=[doc.application_id]) not in html


@pytest.mark.django_db
def test_document_is_shown_inline_as_pdf(client, drawn):
    case, expert, _outsider, doc = drawn
    client.force_login(expert.user)
    response = client.get(_doc_url(case, doc))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_document_for_regulator_and_owner_enterprise(client, drawn, province_user, maker_user):
    case, _expert, _outsider, doc = drawn
    for user in (province_user, maker_user):
        client.force_login(user)
        assert client.get(_doc_url(case, doc)).status_code == 200


@pytest.mark.django_db
def test_document_refused_to_expert_not_drawn_and_other_enterprise(client, drawn, make_user):
    """ACT-6: an expert not drawn for the session, another enterprise and a hospital get 404."""
    case, _expert, outsider, doc = drawn
    for user in (outsider.user, make_user(kind=OrgKind.MANUFACTURER), make_user()):
        client.force_login(user)
        assert client.get(_doc_url(case, doc)).status_code == 404
    client.logout()
    assert client.get(_doc_url(case, doc)).status_code == 302  # to the login page


@pytest.mark.django_db
def test_unknown_document_key_is_404(client, drawn):
    case, expert, _outsider, doc = drawn
    client.force_login(expert.user)
    assert client.get(reverse("experts:case_document", args=[case.pk, "listing-999999"])).status_code == 404


@pytest.mark.django_db
def test_other_verdicts_hidden_until_conclusion_and_previous_round_kept(client, province_user, pool, session):
    """EXP-1: verdicts are given independently (an expert sees only their own until the
    conclusion); a redraw keeps the superseded round's verdicts on record."""
    first = services.session_draw(province_user, session, {"clinical": 2})
    case = session.cases.get()
    a, b = (next(e for e in pool["clinical"] if e.pk == pk) for pk in first.drawn["clinical"])
    services.verdict_record(a.user, case, verdict="pass", reason="疗效确切")
    services.session_draw(province_user, session, {"clinical": 1}, reason="专家乙临时回避")
    second = session.current_draw()
    c = next(e for e in pool["clinical"] if e.pk == second.drawn["clinical"][0])
    services.verdict_record(c.user, case, verdict="fail", reason="价格偏高")
    client.force_login(c.user)
    ctx = client.get(reverse("experts:case_detail", args=[case.pk])).context
    assert ctx["verdict_rows"] == []  # others' verdicts of the current round: not yet
    assert ctx["own_verdict"].reason == "价格偏高"
    [(draw, rows)] = ctx["previous_rounds"]
    assert draw.pk == first.pk and {(m.expert_id, v.reason if v else None) for m, v in rows} == {
        (a.pk, "疗效确切"), (b.pk, None)}
    client.force_login(province_user)
    assert len(client.get(reverse("experts:case_detail", args=[case.pk])).context["verdict_rows"]) == 1


@pytest.mark.django_db
def test_round_form_marks_every_wrong_price_next_to_its_field(client, drawn):
    """EXP-2 / issue 15 item 2: a wrong offer and a wrong counter-offer are both marked, each at
    its field, and nothing is recorded."""
    case, expert, _outsider, _doc = drawn
    client.force_login(expert.user)
    response = client.post(reverse("experts:case_detail", args=[case.pk]),
                           {"round": "1", "enterprise_offer": "-5", "expert_counter_offer": "abc", "note": "x"})
    assert response.status_code == 200
    form = response.context["round_form"]
    assert "价格须为大于 0 的数值" in form.errors["enterprise_offer"][0]
    assert "价格须为大于 0 的数值" in form.errors["expert_counter_offer"][0]
    assert not form.non_field_errors()
    html = response.content.decode()
    assert 'data-testid="error-enterprise_offer"' in html and 'data-testid="error-expert_counter_offer"' in html
    assert case.rounds.count() == 0


@pytest.mark.django_db
def test_round_form_missing_offer_marked(client, drawn):
    case, expert, _outsider, _doc = drawn
    client.force_login(expert.user)
    response = client.post(reverse("experts:case_detail", args=[case.pk]), {"round": "1", "enterprise_offer": ""})
    assert response.context["round_form"].errors["enterprise_offer"] == ["请填写企业报价"]
    assert case.rounds.count() == 0


@pytest.mark.django_db
def test_conclude_form_agreed_without_price_marks_the_price(client, drawn, province_user):
    """EXP-2: an agreement without a price is refused at the price field."""
    case, expert, _outsider, _doc = drawn
    services.round_record(province_user, case, enterprise_offer="90")
    client.force_login(province_user)
    response = client.post(reverse("experts:case_detail", args=[case.pk]),
                           {"conclude": "1", "agreed": "1", "final_price": ""})
    assert "谈判成功须填写谈判价格" in response.context["conclude_form"].errors["final_price"][0]
    case.refresh_from_db()
    assert case.outcome == "open"


@pytest.mark.django_db
def test_verdict_form_marks_both_missing_fields(client, drawn):
    """EXP-1: a verdict with neither choice nor reason: both fields marked, nothing recorded."""
    case, expert, _outsider, _doc = drawn
    client.force_login(expert.user)
    response = client.post(reverse("experts:case_detail", args=[case.pk]), {"verdict_submit": "1"})
    form = response.context["verdict_form"]
    assert form.errors == {"verdict": ["请选择同意或不同意"], "reason": ["请填写评审理由"]}
    assert case.verdicts.count() == 0


@pytest.mark.django_db
def test_case_added_by_product_shows_its_listing_price(client, province_user, pool, make_org):
    """A case added by product only (no application): the product's listing price here, no documents."""
    product = Product.objects.create(kind="drug", generic_name="急救药乙", dosage_form="注射剂", specification="1ml",
                                     manufacturer=make_org(OrgKind.MANUFACTURER))
    Listing.objects.create(product=product, price=Decimal("12.34"), category="LST-8.1", effective_date=date(2026, 3, 1))
    session = services.session_create(province_user, purpose="rescue_drug", title="急抢救药品谈判",
                                      date=date(2026, 12, 1))
    case = services.session_add_case(province_user, session, product=product)
    client.force_login(province_user)
    response = client.get(reverse("experts:case_detail", args=[case.pk]))
    [dossier] = response.context["dossiers"]
    assert not dossier.documents and not dossier.facts
    assert [(p.label, p.price) for p in dossier.listing_prices][0] == ("本省现行挂网价", Decimal("12.34"))
    assert "本省尚未挂网" not in response.content.decode()


@pytest.mark.django_db
def test_case_page_in_english(client, drawn):
    case, expert, _outsider, _doc = drawn
    client.force_login(expert.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("experts:case_detail", args=[case.pk])).content.decode()
    assert "View in the browser" in html and "Lowest price in other provinces" in html
    assert "National lowest price (this province included)" in html
