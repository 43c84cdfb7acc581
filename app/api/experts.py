"""API: expert applications and the stewards' decisions; organizations and their representatives."""
import sqlalchemy as sa
from flask import jsonify

from app.api import bp
from app.api.auth import get_or_404, json_body, require_user
from app.api.serializers import org_json
from app.core.forms import api_form
from app.extensions import db
from app.proposals import experts
from app.proposals.forms import ApplicationDecisionForm, DecisionForm, ExpertApplicationForm, OrganizationForm, RepresentForm
from app.proposals.models import ExpertApplication, Membership, Organization
from app.proposals.states import MembershipStatus


def membership_json(membership: Membership) -> dict:
    """A request to represent an organization and where it stands."""
    return {"id": membership.id, "confirmed": membership.status == MembershipStatus.CONFIRMED.value,
            "status": membership.status}


@bp.post("/experts/applications")
def post_expert_application():
    """Apply to be a verified expert."""
    user = require_user()
    form = api_form(ExpertApplicationForm, json_body())
    row = experts.apply_as_expert(user, fields=form.fields.data, affiliation=form.affiliation.data,
                                  evidence=form.evidence.data)
    db.session.commit()
    return jsonify({"id": row.id, "status": row.status}), 201


@bp.post("/experts/applications/<int:application_id>/decision")
def decide_expert_application(application_id):
    """A steward approves or declines `{approve, reason}`."""
    user = require_user()
    row = get_or_404(ExpertApplication, application_id)
    form = api_form(ApplicationDecisionForm, json_body())
    experts.decide_application(row, user, form.approve.data, form.reason.data)
    db.session.commit()
    return jsonify({"id": row.id, "status": row.status, "reason": row.reason})


@bp.get("/organizations")
def list_organizations():
    """Every organization, by kind and name."""
    rows = db.session.scalars(sa.select(Organization).order_by(Organization.kind, Organization.name))
    return jsonify({"items": [org_json(o) for o in rows]})


@bp.post("/organizations")
def post_organization():
    """Register an organization `{name, kind, municipality?, title, evidence}`; the caller asks to represent it."""
    user = require_user()
    form = api_form(OrganizationForm, json_body())
    org = experts.create_organization(user, name=form.name.data, kind=form.kind.data,
                                      municipality=form.municipality.data or None, title=form.title.data,
                                      evidence=form.evidence.data)
    db.session.commit()
    return jsonify(org_json(org)), 201


@bp.post("/organizations/<int:org_id>/memberships")
def post_membership(org_id):
    """Ask to represent an organization `{title, evidence}`; a steward confirms or declines."""
    user = require_user()
    org = get_or_404(Organization, org_id)
    form = api_form(RepresentForm, json_body())
    membership = experts.request_membership(user, org, title=form.title.data, evidence=form.evidence.data)
    db.session.commit()
    return jsonify(membership_json(membership)), 201


@bp.post("/memberships/<int:membership_id>/confirm")
def confirm_membership(membership_id):
    """A steward confirms a representative."""
    user = require_user()
    membership = get_or_404(Membership, membership_id)
    experts.confirm_membership(membership, user)
    db.session.commit()
    return jsonify(membership_json(membership))


@bp.post("/organizations/memberships/<int:membership_id>/decline")
def decline_membership(membership_id):
    """A steward declines a request to represent an organization `{reason}`; the requester is told why."""
    user = require_user()
    membership = get_or_404(Membership, membership_id)
    form = api_form(DecisionForm, json_body())
    experts.decline_membership(membership, user, form.reason.data)
    db.session.commit()
    return jsonify(membership_json(membership))
