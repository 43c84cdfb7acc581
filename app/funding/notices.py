"""How funding appears elsewhere: notification kinds and the audit log's subjects (rounds, pools, category requests)."""
import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from app.core.audit import register_subject
from app.core.notices import register_notice
from app.extensions import db


def _round_link(round_id: int, data: dict) -> str:
    return url_for("funding.show", round_id=round_id, _anchor=data.get("anchor"))


def _portfolio_link(_round_id: int, _data: dict) -> str:
    return url_for("funding.portfolio")


def _investor_link(_profile_id: int, _data: dict) -> str:
    return url_for("funding.investor")


# backers
register_notice("pledge_paid", "round", _l("Your pledge of %(amount)s won to “%(title)s” is paid into escrow."),
                _portfolio_link)
register_notice("pledge_failed", "round", _l("Your pledge to “%(title)s” did not go through: %(error)s"),
                _round_link)
register_notice("pledge_refunded", "round", _l("Your pledge of %(amount)s won to “%(title)s” is refunded."),
                _portfolio_link)
register_notice("round_opened", "round", _l("A funding round for “%(title)s” is open."), _round_link)
register_notice("round_succeeded", "round",
                _l("The round for “%(title)s” is funded: your pledge becomes units of the proposal."), _portfolio_link)
register_notice("round_failed", "round",
                _l("The round for “%(title)s” did not reach its target: your pledge will be refunded."), _portfolio_link)
register_notice("round_cancelled", "round",
                _l("The round for “%(title)s” was cancelled (%(reason)s): your pledge will be refunded."), _portfolio_link)
# the team
register_notice("round_approved", "round", _l("A steward approved your round for “%(title)s”; it opens on time."),
                _round_link)
register_notice("round_returned", "round", _l("Your round for “%(title)s” was returned for changes: %(reason)s"),
                _round_link)
register_notice("round_question", "round", _l("%(actor)s asked the team a question about the round for “%(title)s”."),
                _round_link)
register_notice("round_answer", "round", _l("The team answered your question about the round for “%(title)s”."),
                _round_link)
# investors and organizations
register_notice("investor_category_verified", "investor_profile",
                _l("Your investor category is verified: %(category)s. %(reason)s"), _investor_link)
register_notice("investor_category_declined", "investor_profile",
                _l("Your request for the category %(category)s was declined: %(reason)s"), _investor_link)
register_notice("matching_pool_active", "round",
                _l("The deposit of %(org)s arrived: its matching for “%(title)s” is active."), _round_link)


def _register_subjects() -> None:
    from app.funding.forms import CATEGORY_LABELS
    from app.funding.models import InvestorProfile, MatchingPool, Round
    from app.proposals.models import Organization, Proposal

    register_subject("round", label=_l("Funding round"), titles=lambda ids: dict(db.session.execute(
        sa.select(Round.id, Proposal.title).join(Proposal, Proposal.id == Round.proposal_id)
        .where(Round.id.in_(ids))).all()), link=lambda ident: url_for("funding.show", round_id=ident))
    register_subject("matching_pool", label=_l("Matching pool"), titles=lambda ids: {
        ident: f"{org} → {title}" for ident, org, title in db.session.execute(
            sa.select(MatchingPool.id, Organization.name, Proposal.title)
            .join(Organization, Organization.id == MatchingPool.organization_id)
            .join(Round, Round.id == MatchingPool.round_id).join(Proposal, Proposal.id == Round.proposal_id)
            .where(MatchingPool.id.in_(ids)))})
    # who asked stays out of the public log (an investor category says something about their money)
    register_subject("investor_profile", label=_l("Investor category request"), titles=lambda ids: {
        ident: str(CATEGORY_LABELS.get(category, category)) for ident, category in db.session.execute(
            sa.select(InvestorProfile.id, InvestorProfile.requested_category).where(InvestorProfile.id.in_(ids)))})


_register_subjects()
