"""Notifications a new user missed: invitations, contributions to confirm, decisions, comments, updates."""
import pytest
import sqlalchemy as sa

from app.ideas.operations import add_comment, support_idea
from app.ideas.states import IDEA, IdeaStatus
from app.notifications.models import Notification
from app.notifications.operations import send_pending
from app.proposals.experts import (
    apply_as_expert, confirm_membership, decide_application, decline_membership, request_membership,
)
from app.proposals.models import Organization
from app.proposals.operations import adopt_idea, invite_member, post_update
from app.proposals.terms import record_contribution
from tests.fixtures.proposals import CLAIM


def _mails(app):
    import email
    import email.policy
    from pathlib import Path

    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted((Path(app.config["INSTANCE_DIR"]) / "mail").glob("*.eml"))]


def inbox(db, user) -> list[Notification]:
    """The user's notifications, oldest first."""
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


@pytest.fixture
def adopted(db, create_user, create_idea):
    """A proposal adopted from an idea that the rule shortlisted, with one supporter."""
    idea = create_idea()
    supporter = create_user()
    support_idea(idea, supporter)
    IDEA.move(idea, IdeaStatus.SHORTLISTED, None)
    proposal = adopt_idea(idea, create_user(roles=["expert"]))
    db.session.commit()
    return proposal, supporter


def test_a_person_invited_to_a_team_is_told(db, adopted, create_user):
    proposal, _ = adopted
    invitee = create_user(name="초대받은 사람")
    invite_member(proposal, proposal.lead_expert, role="member", user=invitee)
    db.session.commit()
    (note,) = inbox(db, invitee)
    assert note.kind == "team_invited" and proposal.title in note.message
    assert proposal.lead_expert.display_name in note.message
    assert note.link == f"/proposals/{proposal.id}#team"


def test_an_organization_invited_tells_each_confirmed_representative(db, adopted, create_user):
    proposal, _ = adopted
    steward = create_user(roles=["steward"])
    org = db.session.scalar(sa.select(Organization).where(Organization.kind == "municipality"))
    confirmed, waiting = create_user(), create_user()
    confirm_membership(request_membership(confirmed, org, **CLAIM), steward)
    request_membership(waiting, org, **CLAIM)
    invite_member(proposal, proposal.lead_expert, role="municipality_partner", organization=org)
    db.session.commit()
    assert [n.kind for n in inbox(db, confirmed)] == ["membership_confirmed", "team_invited"]
    assert inbox(db, waiting) == []


def test_a_contributor_is_asked_to_confirm(db, adopted, create_user):
    proposal, _ = adopted
    contributor = create_user()
    record_contribution(proposal, proposal.lead_expert, contributor, kind="research", points=30)
    db.session.commit()
    (note,) = inbox(db, contributor)
    assert note.kind == "contribution_to_confirm" and "30" in note.message
    assert note.link.endswith("#contributions")


@pytest.mark.parametrize("approve, kind", [(True, "expert_application_approved"),
                                           (False, "expert_application_declined")])
def test_an_expert_application_decided_tells_the_applicant_why(db, create_user, approve, kind):
    applicant, steward = create_user(), create_user(roles=["steward"])
    application = apply_as_expert(applicant, fields="도시계획", affiliation="경기연구원",
                                  evidence="스마트시티 실증 사업 세 건을 이끌었습니다.")
    decide_application(application, steward, approve, "증빙을 확인했습니다")
    db.session.commit()
    (note,) = inbox(db, applicant)
    assert note.kind == kind and "증빙을 확인했습니다" in note.message


def test_a_representative_declined_is_told_why(db, create_user):
    user, steward = create_user(), create_user(roles=["steward"])
    org = db.session.scalar(sa.select(Organization).where(Organization.kind == "municipality"))
    decline_membership(request_membership(user, org, **CLAIM), steward, "재직 증명이 없습니다")
    db.session.commit()
    (note,) = inbox(db, user)
    assert note.kind == "membership_declined" and org.name in note.message and "재직 증명" in note.message


def test_a_new_comment_tells_the_author_and_a_reply_says_who_replied(db, create_user, create_idea):
    idea = create_idea()
    first, second = create_user(name="첫째"), create_user(name="둘째")
    parent = add_comment(idea, first, "좋은 생각입니다")
    add_comment(idea, second, "저도 같은 생각입니다", parent.id)
    add_comment(idea, idea.author, "고맙습니다")  # the author's own comment tells nobody
    db.session.commit()
    assert [(n.kind, n.data["actor"]) for n in inbox(db, idea.author)] == [
        ("idea_commented", "첫째"), ("idea_commented", "둘째")]
    (reply,) = inbox(db, first)
    assert reply.kind == "comment_reply" and reply.message.startswith("둘째")
    assert reply.link == f"/ideas/{idea.id}#comment-{reply.data['comment_id']}"


def test_a_reply_to_the_authors_own_comment_is_told_once(db, create_user, create_idea):
    idea = create_idea()
    other = create_user()
    parent = add_comment(idea, idea.author, "질문 받습니다")
    add_comment(idea, other, "질문 있습니다", parent.id)
    db.session.commit()
    assert [n.kind for n in inbox(db, idea.author)] == ["comment_reply"]


def test_supporters_hear_of_updates_on_the_proposal(db, adopted):
    proposal, supporter = adopted
    post_update(proposal, proposal.lead_expert, "현장 조사를 마쳤습니다.")
    db.session.commit()
    kinds = [(n.kind, n.subject_type) for n in inbox(db, supporter)]
    assert kinds == [("idea_shortlisted", "idea"), ("idea_adopted", "idea"), ("proposal_update", "proposal")]
    assert inbox(db, supporter)[-1].link == f"/proposals/{proposal.id}#updates"


def test_the_digest_groups_by_subject(app, db, adopted, create_user):
    proposal, supporter = adopted
    supporter.notification_mode = "daily"
    post_update(proposal, proposal.lead_expert, "첫 소식")
    post_update(proposal, proposal.lead_expert, "둘째 소식")
    db.session.commit()
    assert send_pending("daily") == 1
    (body,) = [m.get_content() for m in _mails(app) if m["To"] == supporter.email]
    assert body.count(f"/proposals/{proposal.id}") == 1 and body.count(f"/ideas/{proposal.idea_id}") == 1
    assert body.count("■") == 2
