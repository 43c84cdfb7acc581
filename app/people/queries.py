"""Reads for the profile and activity pages and the API: what a person did across ideas and proposals.

Each list holds the latest `LIMIT` rows, newest first, in one query (with its joined rows).
"""
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.auth.models import User
from app.core.errors import NotFound
from app.core.lookup import get_by_id
from app.extensions import db
from app.ideas.models import Comment, Idea, Support
from app.ideas.queries import ideas_query
from app.proposals.models import Contribution, Proposal, TeamMember
from app.proposals.queries import invitations_for
from app.proposals.states import InvitationStatus

#: rows per list on a profile or activity page
LIMIT = 50


@dataclass
class Profile:
    """What anyone may see of a person: name, badges, public ideas, proposals led, confirmed contributions."""

    user: User
    ideas: list[Idea] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    contributions: list[tuple[Contribution, Proposal]] = field(default_factory=list)


@dataclass
class Activity:
    """One's own activity: ideas (drafts too), supports, comments, proposals one is on, invitations to answer."""

    user: User
    ideas: list[Idea] = field(default_factory=list)
    supports: list[tuple[Support, Idea]] = field(default_factory=list)
    comments: list[tuple[Comment, Idea]] = field(default_factory=list)
    proposals: list[tuple[Proposal, str]] = field(default_factory=list)
    invitations: list[tuple[TeamMember, Proposal]] = field(default_factory=list)


def person_or_404(user_id) -> User:
    """The user with this id, or NotFound."""
    user = get_by_id(User, user_id)
    if user is None:
        raise NotFound(code="user_not_found")
    return user


def profile_of(user: User) -> Profile:
    """The public profile; no email, nothing hidden or in draft."""
    ideas = db.session.scalars(ideas_query(sort="new", author_id=user.id).limit(LIMIT)).all()
    proposals = db.session.scalars(sa.select(Proposal).where(Proposal.lead_expert_id == user.id)
                                   .order_by(Proposal.id.desc()).limit(LIMIT)).all()
    contributions = db.session.execute(
        sa.select(Contribution, Proposal).join(Proposal, Proposal.id == Contribution.proposal_id)
        .where(Contribution.user_id == user.id, Contribution.confirmed_at.is_not(None))
        .order_by(Contribution.confirmed_at.desc(), Contribution.id.desc()).limit(LIMIT)).all()
    return Profile(user, list(ideas), list(proposals), [tuple(r) for r in contributions])


def activity_of(user: User) -> Activity:
    """Everything of one's own, for the activity page and GET /me/activity."""
    ideas = db.session.scalars(sa.select(Idea).where(Idea.author_id == user.id)  # drafts and hidden ones too
                               .order_by(Idea.id.desc()).limit(LIMIT)).all()
    supports = db.session.execute(sa.select(Support, Idea).join(Idea, Idea.id == Support.idea_id)
                                  .where(Support.user_id == user.id).order_by(Support.id.desc()).limit(LIMIT)).all()
    comments = db.session.execute(sa.select(Comment, Idea).join(Idea, Idea.id == Comment.idea_id)
                                  .where(Comment.author_id == user.id).order_by(Comment.id.desc()).limit(LIMIT)).all()
    return Activity(user, list(ideas), [tuple(r) for r in supports], [tuple(r) for r in comments],
                    proposals_on(user), invitations_for(user))


def proposals_on(user: User) -> list[tuple[Proposal, str]]:
    """Proposals the user leads or is an accepted team member of, with the role (newest first)."""
    member = (sa.select(TeamMember.proposal_id, sa.func.min(TeamMember.role).label("role"))
              .where(TeamMember.user_id == user.id, TeamMember.status == InvitationStatus.ACCEPTED.value)
              .group_by(TeamMember.proposal_id).subquery())
    rows = db.session.execute(
        sa.select(Proposal, member.c.role).outerjoin(member, member.c.proposal_id == Proposal.id)
        .where(sa.or_(Proposal.lead_expert_id == user.id, member.c.proposal_id.is_not(None)))
        .order_by(Proposal.id.desc()).limit(LIMIT)).all()
    return [(p, "lead_expert" if p.lead_expert_id == user.id else role) for p, role in rows]
