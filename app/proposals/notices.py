"""How proposals appear elsewhere: notification kinds, audit subjects, and what they add to an idea's page."""
import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from app.core.audit import register_subject
from app.core.notices import register_notice
from app.extensions import db
from app.ideas.signals import idea_page, sitemap_pages


def _idea_link(idea_id: int, data: dict) -> str:
    return url_for("ideas.show", idea_id=idea_id)


def _proposal_link(proposal_id: int, data: dict) -> str:
    return url_for("proposals.show", proposal_id=proposal_id, _anchor=data.get("anchor"))


register_notice("idea_adopted", "idea", _l("An expert adopted “%(title)s”: it becomes a testbed proposal."), _idea_link)
# Older rows name the idea as their subject; newer ones the proposal.
register_notice("proposal_stage", "proposal", _l("The proposal from “%(title)s” moved to a new stage."),
                _proposal_link)
register_notice("proposal_update", "proposal", _l("The team behind “%(title)s” posted an update."), _proposal_link)
register_notice("team_invited", "proposal",
                _l("%(actor)s invited you to the team of “%(title)s”. Accept or decline."),
                _proposal_link)
register_notice("contribution_to_confirm", "proposal",
                _l("%(actor)s credited you with %(points)s influence points on “%(title)s”. Please confirm."),
                _proposal_link)
register_notice("expert_application_approved", "expert_application",
                _l("You are now a verified expert: %(reason)s"), lambda _id, _data: url_for("proposals.dashboard"))
register_notice("expert_application_declined", "expert_application",
                _l("Your expert application was declined: %(reason)s"), lambda _id, _data: url_for("proposals.apply"))
register_notice("membership_confirmed", "membership", _l("You are confirmed as a representative of %(title)s."),
                lambda _id, _data: url_for("proposals.organizations"))
register_notice("membership_declined", "membership",
                _l("Your request to represent %(title)s was declined: %(reason)s"),
                lambda _id, _data: url_for("proposals.organizations"))


def _titles(model, column):
    def lookup(ids: list[int]) -> dict[int, str]:
        return dict(db.session.execute(sa.select(model.id, column).where(model.id.in_(ids))).all())
    return lookup


def _register_subjects() -> None:
    from app.auth.models import User
    from app.proposals.models import (
        ExpertApplication, Membership, Milestone, Organization, Proposal, TeamMember,
    )

    register_subject("proposal", label=_l("Proposal"), titles=_titles(Proposal, Proposal.title),
                     link=lambda ident: url_for("proposals.show", proposal_id=ident))
    register_subject("expert_application", label=_l("Expert application"), titles=lambda ids: dict(
        db.session.execute(sa.select(ExpertApplication.id, User.display_name).join(
            User, User.id == ExpertApplication.user_id).where(ExpertApplication.id.in_(ids))).all()))
    register_subject("membership", label=_l("Representative"), titles=lambda ids: {
        i: f"{name} → {org}" for i, name, org in db.session.execute(
            sa.select(Membership.id, User.display_name, Organization.name)
            .join(User, User.id == Membership.user_id).join(Organization, Organization.id == Membership.organization_id)
            .where(Membership.id.in_(ids)))})
    register_subject("team_member", label=_l("Team invitation"), titles=lambda ids: dict(
        db.session.execute(sa.select(TeamMember.id, Proposal.title).join(Proposal, Proposal.id == TeamMember.proposal_id)
                           .where(TeamMember.id.in_(ids))).all()))
    register_subject("milestone", label=_l("Milestone"), titles=_titles(Milestone, Milestone.title))


_register_subjects()


@idea_page.connect
def _proposal_on_idea_page(idea, viewer=None) -> dict:
    """An adopted idea's page links to its proposal."""
    from app.proposals.queries import proposal_of_idea

    return {"proposal": proposal_of_idea(idea.id)} if idea.status == "adopted" else {}


@sitemap_pages.connect
def _proposals_in_sitemap(_sender, limit: int = 0) -> dict:
    """Every proposal page, newest first, in one query."""
    from app.proposals.models import Proposal

    rows = db.session.execute(sa.select(Proposal.id, sa.func.coalesce(Proposal.updated_at, Proposal.created_at))
                              .order_by(Proposal.id.desc()).limit(max(limit, 0))).all()
    pages = [(url_for("proposals.index", _external=True), None)]
    pages += [(url_for("proposals.show", proposal_id=ident, _external=True), changed) for ident, changed in rows]
    return {"proposals": pages[:max(limit, 0)]}
