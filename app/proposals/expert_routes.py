"""Pages for experts and organizations: applying, stewards' review, the adoption dashboard, memberships,
and the name lookups behind the team and contribution pickers."""
import sqlalchemy as sa
from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.forms import ActionForm
from app.core.lookup import get_by_id
from app.core.security import user_key
from app.core.web import attempt, found
from app.extensions import db, limiter
from app.ideas.models import Idea
from app.ideas.states import IdeaStatus
from app.proposals import bp
from app.proposals.experts import (
    apply_as_expert, confirm_membership, create_organization, decide_application, decline_membership,
    request_membership,
)
from app.proposals.forms import DecisionForm, ExpertApplicationForm, OrganizationForm, RepresentForm
from app.proposals.lookups import find_organizations, find_people
from app.proposals.models import ExpertApplication, Membership, Organization, Proposal
from app.proposals.queries import (
    applications_of, decided_applications, invitations_for, pending_applications, pending_memberships,
)
from app.proposals.states import ORG_KINDS, TEAM_ROLES


def _steward_only():
    if not current_user.has_role("steward"):
        abort(403)


@bp.route("/experts/apply", methods=["GET", "POST"])
@login_required
def apply():
    """Apply to be verified as an expert."""
    form = ExpertApplicationForm()
    if attempt(lambda: apply_as_expert(current_user, fields=form.fields.data, affiliation=form.affiliation.data,
                                       evidence=form.evidence.data),
               _("Your application is sent; a steward will decide and tell you why."), form=form, redirecting=False):
        return redirect(url_for("proposals.apply"))
    return render_template("proposals/apply.html", form=form, mine=applications_of(current_user)), \
        400 if form.errors else 200


@bp.route("/experts/applications")
@login_required
def applications():
    """Stewards review expert applications and representatives."""
    _steward_only()
    return render_template("proposals/applications.html", pending=pending_applications(),
                           decided=decided_applications(), form=DecisionForm(), memberships=pending_memberships(),
                           action_form=ActionForm())


def _decide(application_id: int, approve: bool):
    _steward_only()
    application = found(get_by_id(ExpertApplication, application_id))
    form = DecisionForm()
    attempt(lambda: decide_application(application, current_user, approve, form.reason.data),
            _("The decision is recorded."), form=form)
    return redirect(url_for("proposals.applications"))


@bp.route("/experts/applications/<int:application_id>/approve", methods=["POST"])
@login_required
def approve_application(application_id):
    """A steward approves an expert application, with a reason."""
    return _decide(application_id, True)


@bp.route("/experts/applications/<int:application_id>/decline", methods=["POST"])
@login_required
def decline_application(application_id):
    """A steward declines an expert application, with a reason."""
    return _decide(application_id, False)


@bp.route("/experts/dashboard")
@login_required
def dashboard():
    """An expert's desk: shortlisted ideas to adopt, and their own proposals."""
    shortlisted = db.session.scalars(sa.select(Idea).where(Idea.status == IdeaStatus.SHORTLISTED.value)
                                     .order_by(Idea.support_count.desc(), Idea.id).limit(100)).all()
    mine = db.session.scalars(sa.select(Proposal).where(Proposal.lead_expert_id == current_user.id)
                              .order_by(Proposal.created_at.desc())).all()
    return render_template("proposals/dashboard.html", shortlisted=shortlisted, mine=mine, form=ActionForm(),
                           is_expert=current_user.has_role("expert"))


@bp.route("/organizations", methods=["GET", "POST"])
def organizations():
    """Organizations; register one, ask to represent one, answer team invitations."""
    form = OrganizationForm()
    if form.is_submitted() and not current_user.is_authenticated:
        abort(401)
    if attempt(lambda: create_organization(current_user, name=form.name.data, kind=form.kind.data,
                                           municipality=form.municipality.data or None, title=form.title.data,
                                           evidence=form.evidence.data),
               _("The organization is registered; a steward will confirm that you represent it."),
               form=form, redirecting=False):
        return redirect(url_for("proposals.organizations"))
    rows = db.session.scalars(sa.select(Organization).order_by(Organization.kind, Organization.name)).all()
    mine = {}
    if current_user.is_authenticated:
        mine = {m.organization_id: m for m in db.session.scalars(
            sa.select(Membership).where(Membership.user_id == current_user.id))}
    return render_template("proposals/organizations.html", rows=rows, form=form, mine=mine, kinds=ORG_KINDS,
                           roles=TEAM_ROLES, invitations=invitations_for(current_user),
                           action_form=ActionForm(), represent_form=RepresentForm()), 400 if form.errors else 200


@bp.route("/organizations/<int:org_id>/represent", methods=["POST"])
@login_required
def represent(org_id):
    """Ask to represent an organization."""
    org = found(get_by_id(Organization, org_id))
    form = RepresentForm()
    attempt(lambda: request_membership(current_user, org, title=form.title.data, evidence=form.evidence.data),
            _("Your request is sent; a steward will confirm it."), form=form)
    return redirect(url_for("proposals.organizations"))


@bp.route("/organizations/memberships/<int:membership_id>/confirm", methods=["POST"])
@login_required
def confirm(membership_id):
    """A steward confirms a representative."""
    membership = found(get_by_id(Membership, membership_id))
    attempt(lambda: confirm_membership(membership, current_user), _("The representative is confirmed."),
            form=ActionForm())
    return redirect(url_for("proposals.applications"))


@bp.route("/organizations/memberships/<int:membership_id>/decline", methods=["POST"])
@login_required
def decline(membership_id):
    """A steward declines a request to represent an organization, with a reason."""
    membership = found(get_by_id(Membership, membership_id))
    form = DecisionForm()
    attempt(lambda: decline_membership(membership, current_user, form.reason.data),
            _("The decision is recorded."), form=form)
    return redirect(url_for("proposals.applications"))


@bp.route("/organizations/lookup")
@login_required
@limiter.limit("120 per minute", key_func=user_key)
def organization_lookup():
    """Organizations whose name contains `q`, as JSON ({"items": [{"id", "name", "detail"}]}) for the pickers."""
    return jsonify({"items": find_organizations(request.args.get("q", ""))})


@bp.route("/people/lookup")
@login_required
@limiter.limit("120 per minute", key_func=user_key)
def people_lookup():
    """People whose display name contains `q`, as JSON: id, name and a hint, never an email."""
    return jsonify({"items": find_people(request.args.get("q", ""))})
