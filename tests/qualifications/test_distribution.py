"""QUA-2: a manufacturer chooses distributors per city/county; only the named distributor
answers; either side ends it; history is kept."""

import pytest
from django.urls import reverse

from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from parties.models import OrgKind, Region
from qualifications import services
from qualifications.models import DistributionRelationship
from qualifications.selectors import distributor_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(maker_user, distributor, nanjing):
    return services.distribution_propose(maker_user, distributor, nanjing)


def test_qua_2_propose_accept_and_distributor_for(maker_user, distributor_user, distributor, proposal, make_org,
                                                   nanjing):
    hospital = make_org(OrgKind.INSTITUTION, city=nanjing)
    assert distributor_for(maker_user.organisation, hospital) is None  # not in force until accepted
    services.distribution_answer(distributor_user, proposal, True, "")
    proposal.refresh_from_db()
    assert proposal.status == "active" and proposal.answered_by == distributor_user
    assert distributor_for(maker_user.organisation, hospital) == distributor


def test_qua_2_another_distributor_cannot_answer(proposal, other_distributor_user, maker_user):
    with pytest.raises(NotFound):
        services.distribution_answer(other_distributor_user, proposal, True, "")
    with pytest.raises(Forbidden):  # the manufacturer cannot accept on the distributor's behalf
        services.distribution_answer(maker_user, proposal, True, "")
    proposal.refresh_from_db()
    assert proposal.status == "proposed" and proposal.answered_at is None


def test_qua_2_another_distributor_answering_via_the_page_changes_nothing(client, proposal, other_distributor_user):
    client.force_login(other_distributor_user)
    response = client.post(reverse("qualifications:distribution_answer", args=[proposal.pk]), {"decision": "accept"})
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_qua_2_decline_needs_a_reason(proposal, distributor_user):
    with pytest.raises(InvalidInput):
        services.distribution_answer(distributor_user, proposal, False, "")
    services.distribution_answer(distributor_user, proposal, False, "运力不足")
    proposal.refresh_from_db()
    assert proposal.status == "declined" and proposal.note == "运力不足"
    with pytest.raises(Conflict):
        services.distribution_answer(distributor_user, proposal, True, "")


def test_qua_2_either_side_ends_and_history_is_kept(proposal, distributor_user, maker_user, distributor, nanjing):
    services.distribution_answer(distributor_user, proposal, True, "")
    with pytest.raises(InvalidInput):
        services.distribution_end(distributor_user, proposal, " ")
    services.distribution_end(distributor_user, proposal, "合同到期")
    proposal.refresh_from_db()
    assert proposal.status == "ended" and proposal.ended_by == distributor_user and proposal.end_reason == "合同到期"
    assert proposal.events.count() == 3  # proposed, accepted, ended (pghistory)
    # A new proposal for the same pair and city is possible once the old one ended.
    again = services.distribution_propose(maker_user, distributor, nanjing)
    services.distribution_answer(distributor_user, again, True, "")
    services.distribution_end(maker_user, again, "更换配送企业")
    assert DistributionRelationship.objects.filter(status="ended").count() == 2


def test_qua_2_outsiders_cannot_end(proposal, distributor_user, other_distributor_user, make_user):
    services.distribution_answer(distributor_user, proposal, True, "")
    for user in (other_distributor_user, make_user(kind=OrgKind.MANUFACTURER)):
        with pytest.raises(NotFound):
            services.distribution_end(user, proposal, "x")
    proposal.refresh_from_db()
    assert proposal.status == "active"


def test_qua_2_one_open_relationship_per_pair_and_city(proposal, maker_user, distributor, nanjing):
    with pytest.raises(Conflict):
        services.distribution_propose(maker_user, distributor, nanjing)


def test_qua_2_counties_must_belong_to_the_city(maker_user, distributor, nanjing, suzhou, make_org,
                                                distributor_user):
    with pytest.raises(InvalidInput) as exc:
        services.distribution_propose(maker_user, distributor, nanjing, [Region.objects.get(code="320508")])
    assert exc.value.field == "counties"
    xuanwu = Region.objects.get(code="320102")
    rel = services.distribution_propose(maker_user, distributor, nanjing, [xuanwu])
    services.distribution_answer(distributor_user, rel, True, "")
    inside = make_org(OrgKind.INSTITUTION, city=nanjing, county=xuanwu)
    outside = make_org(OrgKind.INSTITUTION, city=nanjing, county=Region.objects.get(code="320115"))
    assert distributor_for(maker_user.organisation, inside) == distributor
    assert distributor_for(maker_user.organisation, outside) is None


def test_qua_2_only_manufacturers_propose(distributor_user, distributor, nanjing, make_user):
    for user in (distributor_user, make_user(kind=OrgKind.INSTITUTION)):
        with pytest.raises(Forbidden):
            services.distribution_propose(user, distributor, nanjing)
    assert not DistributionRelationship.objects.exists()


def test_qua_2_pages(client, maker_user, distributor_user, distributor, nanjing):
    client.force_login(maker_user)
    response = client.post(reverse("qualifications:distribution_list"),
                           {"distributor": distributor.pk, "city": nanjing.pk})
    assert response.status_code == 302
    rel = DistributionRelationship.objects.get()
    client.force_login(distributor_user)
    html = client.get(reverse("qualifications:distribution_list")).content.decode()
    assert "配送关系" in html and 'data-testid="answer-form"' in html
    client.post(reverse("qualifications:distribution_answer", args=[rel.pk]), {"decision": "accept"})
    rel.refresh_from_db()
    assert rel.status == "active"
    client.post(reverse("qualifications:distribution_end", args=[rel.pk]), {"reason": "停止合作"})
    rel.refresh_from_db()
    assert rel.status == "ended"
