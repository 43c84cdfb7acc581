"""Nobody decides on their own matter: one steward holding every role is refused each self-dealing step."""
import pytest
import sqlalchemy as sa

from app.core.errors import DomainError
from app.core.parties import PartyToMatter
from app.ideas.lifecycle import answer_idea, merge_ideas
from app.ideas.operations import create_idea
from app.ideas.states import IDEA, IdeaStatus
from app.proposals.experts import apply_as_expert, confirm_membership, decide_application, decline_membership, request_membership
from app.proposals.models import Organization
from app.proposals.operations import adopt_idea, answer_invitation, invite_member, transition_proposal
from app.proposals.terms import confirm_contribution, freeze_share_terms, record_contribution, set_share_terms
from tests.fixtures.proposals import CLAIM

TERMS = {"community_share_bp": 1000, "proposer_bp": 0, "contributors_bp": 10000, "backers_bp": 0,
         "commons_bp": 0, "backers_cap_multiple_bp": None}
IDEA_TEXT = {"title": "내 아이디어를 내가 채택", "summary": "운영위원이 자기 아이디어를 스스로 채택해 보려는 시험입니다.",
             "body": "## 문제\n\n자기 일에 자기가 결정하면 안 됩니다.", "category": "governance", "municipality": "suwon"}


@pytest.fixture
def everyone(db, create_user):
    """A steward who is also an expert, and an honest second steward."""
    return create_user(roles=["steward", "expert"], name="만능 운영위원"), create_user(roles=["steward"])


def _city(db):
    return db.session.scalar(sa.select(Organization).where(Organization.kind == "municipality"))


def _own_idea(db, me):
    idea = create_idea(me, **IDEA_TEXT)
    IDEA.move(idea, IdeaStatus.SHORTLISTED, None)
    return idea


def _own_proposal(db, me, other):
    """`me` leads a proposal on someone else's idea (adopting one's own is refused below)."""
    idea = create_idea(other, **IDEA_TEXT)
    IDEA.move(idea, IdeaStatus.SHORTLISTED, None)
    return adopt_idea(idea, me)


SELF_DEALING = {
    "approve one's own expert application": lambda db, me, other: _approve_own_application(db, me),
    "confirm one's own membership of a city": lambda db, me, other: confirm_membership(request_membership(me, _city(db), **CLAIM), me),
    "decline one's own membership": lambda db, me, other: decline_membership(request_membership(me, _city(db), **CLAIM), me, "사유"),
    "adopt one's own idea": lambda db, me, other: adopt_idea(_own_idea(db, me), me),
    "answer one's own idea": lambda db, me, other: answer_idea(_own_idea(db, me), me, "좋습니다"),
    "hide one's own idea": lambda db, me, other: IDEA.move(_own_idea(db, me), IdeaStatus.HIDDEN, me),
    "merge one's own idea": lambda db, me, other: merge_ideas(create_idea(other, **IDEA_TEXT), _own_idea(db, me), me),
    "accept one's own city as partner": lambda db, me, other: _accept_own_city(db, me, other),
    "confirm points credited to oneself": lambda db, me, other: _self_credit(db, me, other),
    "approve one's own proposal for funding": lambda db, me, other: _approve_own(db, me, other),
}


def _approve_own_application(db, me):
    from app.auth.models import UserRole

    db.session.delete(db.session.get(UserRole, (me.id, "expert")))  # a steward who is not an expert yet
    db.session.flush()
    db.session.expire(me, ["role_rows"])
    application = apply_as_expert(me, fields="행정", affiliation="경기도", evidence="행정 경력 이십 년, 스마트시티 사업 담당.")
    decide_application(application, me, True, "자격 충분")


def _accept_own_city(db, me, other):
    city = _city(db)
    confirm_membership(request_membership(me, city, **CLAIM), other)
    proposal = _own_proposal(db, me, other)
    answer_invitation(invite_member(proposal, me, role="municipality_partner", organization=city), me, True)


def _self_credit(db, me, other):
    proposal = _own_proposal(db, me, other)
    confirm_contribution(record_contribution(proposal, me, me, kind="research", points=1000), me)


def _approve_own(db, me, other):
    city = _city(db)
    proposal = _own_proposal(db, me, other)
    rep = other  # the honest steward speaks for the city
    confirm_membership(request_membership(rep, city, **CLAIM), me)
    answer_invitation(invite_member(proposal, me, role="municipality_partner", organization=city), rep, True)
    transition_proposal(proposal, me, "review")
    set_share_terms(proposal, me, TERMS)
    freeze_share_terms(proposal, me)
    transition_proposal(proposal, me, "funding")


@pytest.mark.parametrize("step", SELF_DEALING)
def test_a_party_is_refused(db, everyone, step):
    me, other = everyone
    with pytest.raises(DomainError) as refused:
        SELF_DEALING[step](db, me, other)
    assert refused.value.status == 403
    assert isinstance(refused.value, PartyToMatter) or refused.value.code == "self_credit"


def test_another_steward_may_decide_the_same_matters(db, everyone):
    me, other = everyone
    confirm_membership(request_membership(me, _city(db), **CLAIM), other)
    proposal = _own_proposal(db, me, other)
    contribution = record_contribution(proposal, me, me, kind="research", points=1000)
    confirm_contribution(contribution, other)
    assert contribution.confirmed_at is not None


def test_points_per_contribution_are_capped(db, everyone, create_user):
    me, other = everyone
    proposal = _own_proposal(db, me, other)
    with pytest.raises(DomainError) as refused:
        record_contribution(proposal, me, create_user(), kind="research", points=10_000)
    assert "points" in refused.value.fields
