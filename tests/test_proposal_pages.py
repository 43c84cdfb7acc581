"""The proposal and steward pages, one verb per URL: each form posts to its own address and moves one machine."""
import pytest
import sqlalchemy as sa

from app.proposals.models import Contribution, ExpertApplication, Membership, Milestone, ReplicationRequest, TeamMember
from app.proposals.queries import share_terms_of
from tests.fixtures.proposals import (
    make_application, make_invitation, make_membership, make_milestone, municipal_org, representative,
)


@pytest.fixture
def switch_to(client, login_as):
    """Log out whoever is logged in, and log in `user`."""

    def switch(user):
        client.post_form("/auth/logout")
        return login_as(user)

    return switch


def fresh(db, model, ident):
    """The row as the database has it now."""
    db.session.expire_all()
    return db.session.get(model, ident)


@pytest.mark.parametrize("answer, status", [("accept", "accepted"), ("decline", "declined")])
def test_an_invitee_answers_at_the_invitations_own_address(client, db, proposal, create_user, switch_to,
                                                          answer, status):
    invitee = create_user()
    member = make_invitation(proposal, user=invitee)
    url = f"/proposals/{proposal.id}/team/{member.id}/{answer}"
    switch_to(create_user())
    client.post_form(url)
    assert fresh(db, TeamMember, member.id).status == "invited"  # only the invitee answers
    switch_to(invitee)
    assert client.post_form(url).headers["Location"].endswith(f"/proposals/{proposal.id}#team")
    assert fresh(db, TeamMember, member.id).status == status


def test_a_declined_invitation_is_asked_again_and_accepted(client, db, proposal, create_user, switch_to):
    invitee = create_user()
    member = make_invitation(proposal, user=invitee)
    switch_to(invitee)
    client.post_form(f"/proposals/{proposal.id}/team/{member.id}/decline")
    switch_to(proposal.lead_expert)
    client.post_form(f"/proposals/{proposal.id}/team", {"role": member.role, "user_id": str(invitee.id)})
    assert fresh(db, TeamMember, member.id).status == "invited"
    switch_to(invitee)
    client.post_form(f"/proposals/{proposal.id}/team/{member.id}/accept")
    accepted = fresh(db, TeamMember, member.id)
    assert (accepted.status, accepted.accepted_by_id) == ("accepted", invitee.id)


def test_a_city_joins_when_its_confirmed_representative_accepts(client, db, proposal, switch_to):
    city = municipal_org(proposal.municipality.code)
    member = make_invitation(proposal, organization=city)
    switch_to(representative(city))
    client.post_form(f"/proposals/{proposal.id}/team/{member.id}/accept")
    assert fresh(db, TeamMember, member.id).status == "accepted"


def test_milestone_progress_is_posted_to_the_milestone(client, db, proposal, login_as):
    milestone = make_milestone(proposal)
    url = f"/proposals/{proposal.id}/milestones/{milestone.id}"
    login_as(proposal.lead_expert)
    client.post_form(url, {"status": "in_progress"})
    assert fresh(db, Milestone, milestone.id).status == "in_progress"
    client.post_form(url, {"status": "done"})  # done needs evidence
    assert fresh(db, Milestone, milestone.id).status == "in_progress"
    client.post_form(url, {"status": "done", "evidence": "설명회 사진과 참석자 명단"})
    done = fresh(db, Milestone, milestone.id)
    assert (done.status, done.evidence) == ("done", "설명회 사진과 참석자 명단")
    assert client.post_form(f"/proposals/{proposal.id + 1}/milestones/{milestone.id}",
                            {"status": "missed"}).status_code == 404  # the milestone belongs to its proposal


def test_a_contributor_confirms_at_the_contributions_address(client, db, proposal, create_user, switch_to):
    contributor = create_user()
    switch_to(proposal.lead_expert)
    client.post_form(f"/proposals/{proposal.id}/contributions",
                     {"user_id": str(contributor.id), "kind": "design", "points": "30", "description": "로고"})
    row = db.session.scalar(sa.select(Contribution).where(Contribution.proposal_id == proposal.id))
    url = f"/proposals/{proposal.id}/contributions/{row.id}/confirm"
    client.post_form(url)
    assert fresh(db, Contribution, row.id).confirmed_at is None  # the lead does not confirm for the contributor
    switch_to(contributor)
    client.post_form(url)
    assert fresh(db, Contribution, row.id).confirmed_at is not None


def test_the_lead_freezes_the_share_terms(client, db, proposal, login_as):
    login_as(proposal.lead_expert)
    client.post_form(f"/proposals/{proposal.id}/share-terms", {  # the page speaks percent and a multiple
        "community_share_pct": "10", "proposer_pct": "20", "contributors_pct": "20", "backers_pct": "50",
        "commons_pct": "10", "backers_cap_multiple": "2"})
    assert not share_terms_of(proposal).is_frozen
    client.post_form(f"/proposals/{proposal.id}/share-terms/freeze")
    db.session.expire_all()
    assert share_terms_of(proposal).is_frozen


def test_the_lead_accepts_a_replication(client, db, create_proposal, switch_to):
    proposal = create_proposal(stage="testbed")
    goyang = municipal_org("goyang")
    switch_to(representative(goyang))
    client.post_form(f"/proposals/{proposal.id}/replications", {"organization_id": str(goyang.id)})
    request = db.session.scalar(sa.select(ReplicationRequest).where(ReplicationRequest.proposal_id == proposal.id))
    url = f"/proposals/{proposal.id}/replications/{request.id}/accept"
    client.post_form(url)
    assert fresh(db, ReplicationRequest, request.id).accepted_at is None  # the city cannot accept itself
    switch_to(proposal.lead_expert)
    client.post_form(url)
    assert fresh(db, ReplicationRequest, request.id).accepted_at is not None
    assert "고양시" in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)


@pytest.mark.parametrize("decision, status, expert", [("approve", "approved", True), ("decline", "declined", False)])
def test_a_steward_decides_an_application_at_its_address(client, db, create_user, login_as, decision, status, expert):
    application = make_application()
    login_as(create_user(roles=["steward"]))
    url = f"/experts/applications/{application.id}/{decision}"
    client.post_form(url, {"reason": "  "})  # a decision needs a reason
    assert fresh(db, ExpertApplication, application.id).status == "pending"
    assert client.post_form(url, {"reason": "경력 증빙을 확인했습니다"}).headers["Location"].endswith(
        "/experts/applications")
    decided = fresh(db, ExpertApplication, application.id)
    assert (decided.status, decided.reason) == (status, "경력 증빙을 확인했습니다")
    assert decided.user.has_role("expert") is expert


@pytest.mark.parametrize("decision, status", [("confirm", "confirmed"), ("decline", "declined")])
def test_a_steward_decides_a_membership_at_its_address(client, db, create_user, login_as, decision, status):
    membership = make_membership()
    login_as(create_user(roles=["steward"]))
    client.post_form(f"/organizations/memberships/{membership.id}/{decision}", {"reason": "재직 증명을 확인했습니다"})
    assert fresh(db, Membership, membership.id).status == status


def test_a_membership_is_not_declined_without_a_reason(client, db, create_user, login_as):
    membership = make_membership()
    login_as(create_user(roles=["steward"]))
    client.post_form(f"/organizations/memberships/{membership.id}/decline", {"reason": ""})
    assert fresh(db, Membership, membership.id).status == "pending"
