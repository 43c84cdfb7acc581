"""Influence points and revenue-share terms (frozen before the first round opens)."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.errors import Conflict, InvalidInput, PermissionDenied
from app.proposals.revenue_split import Terms, split_pool
from app.core.timeutil import utcnow
from app.extensions import db
from app.proposals.models import BP, Contribution, Proposal, ShareTerms
from app.proposals.signals import contribution_recorded
from app.proposals.states import CONTRIBUTION_KINDS

POOL_FIELDS = ("proposer_bp", "contributors_bp", "backers_bp", "commons_bp")
#: a starting point offered on the form: 10% of revenue to the pool; 20/20/50/10 within it; backers capped at 2x
SUGGESTED = {"community_share_bp": 1000, "proposer_bp": 2000, "contributors_bp": 2000, "backers_bp": 5000,
             "commons_bp": 1000, "backers_cap_multiple_bp": 20000}
TERM_FIELDS = ("community_share_bp", *POOL_FIELDS)
#: no single contribution outweighs a thousand points: credit is spread, not concentrated
MAX_POINTS = 1_000


def record_contribution(proposal: Proposal, lead, contributor, *, kind: str, points: int,
                        description: str = "") -> Contribution:
    """The lead expert credits a contributor with influence points; the contributor confirms."""
    if not proposal.can_edit(lead):
        raise PermissionDenied(_l("Only the lead expert records contributions."), code="not_lead")
    fields = {}
    if kind not in CONTRIBUTION_KINDS:
        fields["kind"] = [str(_l("Choose one of the listed options."))]
    if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= MAX_POINTS:
        fields["points"] = [str(_l("Choose a number from %(min)d to %(max)d.", min=1, max=MAX_POINTS))]
    if fields:
        raise InvalidInput(_l("Some fields are not valid."), code="validation_failed", fields=fields)
    contribution = Contribution(proposal_id=proposal.id, user_id=contributor.id, kind=kind, points=points,
                                description=(description or "").strip()[:500], recorded_by_id=lead.id)
    db.session.add(contribution)
    db.session.flush()
    contribution_recorded.send(contribution, proposal=proposal, actor=lead)
    return contribution


def confirm_contribution(contribution: Contribution, user) -> None:
    """The contributor confirms; points the lead expert credited to themselves need another team member or a
    steward. Unconfirmed points do not count."""
    if contribution.confirmed_at is not None:
        raise Conflict(_l("This contribution is already confirmed."), code="already_confirmed")
    if not contribution.can_confirm(user):
        if contribution.is_self_credit:
            raise PermissionDenied(_l("Points you credited to yourself are confirmed by another team member or a "
                                      "steward."), code="self_credit")
        raise PermissionDenied(_l("Only the contributor confirms a contribution."), code="not_contributor")
    contribution.confirmed_at = utcnow()
    db.session.flush()
    if contribution.is_self_credit:
        audit.record(user, "contribution.confirmed", contribution,
                     data={"proposal_id": contribution.proposal_id, "points": contribution.points})


def _check(values: dict) -> dict:
    fields = {}
    for name in TERM_FIELDS:
        v = values.get(name)
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= BP:
            fields[name] = [str(_l("Use a whole number of basis points from 0 to 10000."))]
    cap = values.get("backers_cap_multiple_bp")
    if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < BP):
        fields["backers_cap_multiple_bp"] = [str(_l("Leave empty, or use 10000 (1x) or more."))]
    if not fields and sum(values[n] for n in POOL_FIELDS) != BP:
        msg = str(_l("The pool's four parts must add up to 10000 (100 percent)."))
        fields.update({n: [msg] for n in POOL_FIELDS})
    return fields


def set_share_terms(proposal: Proposal, lead, values: dict) -> ShareTerms:
    """The lead expert sets the revenue-share terms, until they are frozen."""
    if not proposal.can_edit(lead):
        raise PermissionDenied(_l("Only the lead expert sets the share terms."), code="not_lead")
    terms = db.session.get(ShareTerms, proposal.id)
    if terms is not None and terms.is_frozen:
        raise Conflict(_l("The share terms are frozen and can no longer change."), code="terms_frozen")
    fields = _check(values)
    if fields:
        raise InvalidInput(_l("Some fields are not valid."), code="validation_failed", fields=fields)
    if terms is None:
        terms = ShareTerms(proposal_id=proposal.id)
        db.session.add(terms)
    for name in (*TERM_FIELDS, "backers_cap_multiple_bp"):
        setattr(terms, name, values.get(name))
    terms.updated_at = utcnow()
    db.session.flush()
    return terms


def freeze_share_terms(proposal: Proposal, user) -> ShareTerms:
    """Publish and freeze the terms (done before the first round opens); they never change again."""
    if not proposal.can_edit(user):
        raise PermissionDenied(_l("Only the lead expert freezes the share terms."), code="not_lead")
    terms = db.session.get(ShareTerms, proposal.id)
    if terms is None:
        raise Conflict(_l("Set the share terms first."), code="no_terms")
    if terms.is_frozen:
        raise Conflict(_l("The share terms are frozen and can no longer change."), code="terms_frozen")
    terms.frozen_at = utcnow()
    db.session.flush()
    audit.record(user, "proposal.terms_frozen", proposal, data={k: getattr(terms, k) for k in
                                                                 (*TERM_FIELDS, "backers_cap_multiple_bp")})
    return terms


def worked_example(terms: ShareTerms, revenue_amount: int, contributors: list[tuple[int, str, int]],
                   backers: list | None = None, withholding_bp: int = 0) -> dict:
    """What a revenue report of `revenue_amount` won would pay under these terms, exact to the won: the same
    split (`revenue_split.split_pool`) a real distribution makes. `contributors` are (user id, name, points);
    `backers` the cap table as `revenue_split.Backer`s (none: the backers' part is shown whole)."""
    split = split_pool(revenue_amount, Terms.of(terms), proposer=("user", 0),
                       contributors=[(("user", uid), points) for uid, _name, points in contributors],
                       backers=backers or [], withholding_bp=withholding_bp)
    parts = {"proposer_bp": split.parts["proposer"], "contributors_bp": split.parts["contributor"],
             "backers_bp": split.parts["backer"], "commons_bp": split.parts["commons"]}
    paid = {line.key: line.gross_amount for line in split.lines if line.role == "contributor"}
    return {"revenue_amount": revenue_amount, "pool_amount": split.pool_amount, "parts": parts, "split": split,
            "contributors": [(name, paid.get(("user", uid), 0)) for uid, name, _points in contributors],
            "backers": [line for line in split.lines if line.role == "backer"],
            "commons_amount": split.total("commons"), "capped_to_commons_amount": split.capped_to_commons_amount}
