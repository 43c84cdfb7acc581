"""Proposal pages: the list, a proposal, adoption, and the lead expert's workspace (one verb per URL)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.models import User
from app.core.forms import ActionForm
from app.core.fragments import rendered_for
from app.core.lookup import get_by_id
from app.core.pagination import page_args
from app.core.web import attempt, found
from app.ideas.models import Idea
from app.ideas.queries import reference_lists
from app.proposals import bp
from app.proposals.forms import ContributionForm, InviteForm, MilestoneForm, ProposalForm, ShareTermsForm, UpdateForm
from app.proposals.lookups import organization_named, people_named
from app.proposals.models import Contribution, Milestone, Organization, Proposal, ReplicationRequest, ShareTerms, TeamMember
from app.proposals.operations import (
    accept_replication, add_milestone, adopt_idea, answer_invitation, edit_proposal, invite_member, post_update,
    request_replication, transition_proposal, update_milestone,
)
from app.proposals.queries import (
    confirmed_points, contributions_of, has_municipal_partner, milestones_of, my_organizations, open_replications,
    proposal_list, running_cities, share_terms_of, team_of, timeline, updates_of,
)
from app.proposals.states import CONTRIBUTION_KINDS, LABELS, MILESTONE_STATUSES, ORG_KINDS, PROPOSAL, TEAM_ROLES, WHO, Stage
from app.proposals.terms import (
    SUGGESTED, confirm_contribution, freeze_share_terms, record_contribution, set_share_terms, worked_example,
)

EXAMPLE_REVENUE = 100_000_000


def _proposal_or_404(proposal_id) -> Proposal:
    return found(get_by_id(Proposal, proposal_id))


def _back(proposal: Proposal, anchor: str | None = None):
    return redirect(url_for("proposals.show", proposal_id=proposal.id, _anchor=anchor))


@bp.route("/proposals")
def index():
    """Proposals by stage, newest first."""
    stage = request.args.get("stage") or None
    if stage and stage not in {s.value for s in Stage}:
        abort(400)
    page, per_page = page_args(20)
    proposals, has_next = proposal_list(stage, page, per_page)
    stages = PROPOSAL.names()
    # the stage links are the same for every reader: one per language and stage shown
    stage_links = rendered_for("proposals/_stages.html", stage, "stage", stages=stages)
    return render_template("proposals/index.html", proposals=proposals, page=page, has_next=has_next, stage=stage,
                           stages=stages, stage_links=stage_links)


@bp.route("/ideas/<int:idea_id>/adopt", methods=["POST"])
@login_required
def adopt(idea_id):
    """An expert adopts a shortlisted idea."""
    idea = found(get_by_id(Idea, idea_id))
    done = attempt(lambda: adopt_idea(idea, current_user),
                   _("You adopted the idea. Build the team and the plan here."), form=ActionForm())
    if done:
        return _back(done.value)
    return redirect(url_for("ideas.show", idea_id=idea.id))


def _next_stages(proposal: Proposal, lead: bool) -> list[Stage]:
    """The stages this viewer may offer to move to (conditions are explained when they fail)."""
    steward = proposal.can_approve_review(current_user)
    return [to for to in PROPOSAL.targets(proposal.stage)
            if (WHO[(Stage(proposal.stage), to)] == "lead" and lead) or (WHO[(Stage(proposal.stage), to)] == "steward" and steward)]


@bp.route("/proposals/<int:proposal_id>")
def show(proposal_id):
    """A proposal: substance, team, cities, milestones, terms, contributions, updates, timeline."""
    proposal = _proposal_or_404(proposal_id)
    terms = share_terms_of(proposal)
    shown_terms = terms or ShareTerms(**SUGGESTED)
    contributors = confirmed_points(proposal)
    lead = proposal.can_edit(current_user)
    team_member = proposal.can_post_update(current_user)
    next_stages = _next_stages(proposal, lead)
    contributions = contributions_of(proposal)
    confirmed_total = sum(points for _uid, _name, points in contributors)
    pending_shares = {c.id: 100 * c.points / (confirmed_total + c.points) for c in contributions if not c.confirmed_at}
    events = timeline(proposal)
    context = {
        "proposal": proposal, "team": team_of(proposal), "terms": terms, "contributors": contributors,
        "cities": running_cities(proposal), "milestones": milestones_of(proposal), "updates": updates_of(proposal),
        "events": events, "contributions": contributions, "pending_shares": pending_shares,
        "example": worked_example(shown_terms, EXAMPLE_REVENUE, contributors), "shown_terms": shown_terms,
        "example_revenue": EXAMPLE_REVENUE, "lead": lead, "team_member": team_member, "next_stages": next_stages,
        "has_partner": bool(next_stages) and has_municipal_partner(proposal),
        "my_municipal_orgs": my_organizations(current_user, kind="municipality"),
        "city_names": _city_names(events),
        "labels": {"stages": {s.value: label for s, label in LABELS.items()}, "roles": TEAM_ROLES,
                   "kinds": CONTRIBUTION_KINDS, "org_kinds": ORG_KINDS, "milestones": MILESTONE_STATUSES},
        "form": ActionForm(), "stepper": _stepper(proposal, events),
        "update_form": UpdateForm() if team_member else None,
    }
    if lead:  # most readers are not the lead: they neither see nor pay for the workspace
        context |= _workspace(proposal, shown_terms)
    return render_template("proposals/show.html", **context)


def _workspace(proposal: Proposal, shown_terms: ShareTerms) -> dict:
    """What only the lead expert's page shows: open replication requests and the workspace forms."""
    return {
        "replications": open_replications(proposal),
        "proposal_form": ProposalForm(data=_proposal_values(proposal)), "invite_form": InviteForm(),
        "milestone_form": MilestoneForm(), "contribution_form": ContributionForm(),
        "terms_form": ShareTermsForm(data=ShareTermsForm.values_of(shown_terms)),
    }


def _city_names(events) -> dict[str, str]:
    """City names by code, for timeline entries that name a city by its code (read only when one does)."""
    if not any(e.action == "proposal.replicated" for e in events):
        return {}
    _categories, municipalities = reference_lists()
    return {m.code: m.name for m in municipalities}


#: the way a proposal goes when all is well; closing can happen at any of them
PATH = (Stage.DRAFTING, Stage.REVIEW, Stage.FUNDING, Stage.TESTBED, Stage.MARKET)


def _stepper(proposal: Proposal, events) -> list[dict]:
    """The stages along the path, each done, current or ahead; a closed proposal shows where it stopped."""
    closed = proposal.stage == Stage.CLOSED.value
    if closed:
        moves = [e.data.get("from") for e in events if (e.data or {}).get("to") == Stage.CLOSED.value]
        reached = moves[-1] if moves and moves[-1] in {s.value for s in PATH} else Stage.DRAFTING.value
    else:
        reached = proposal.stage
    at = [s.value for s in PATH].index(reached)
    here = "stopped" if closed else "current"
    return [{"value": s.value, "label": LABELS[s], "state": "done" if i < at else here if i == at else "ahead"}
            for i, s in enumerate(PATH)]


def _proposal_values(proposal: Proposal) -> dict:
    """The workspace form's values: the proposal's own (its city by code, not the related row)."""
    fields = ("title", "problem", "solution", "site", "budget_amount", "expected_impact", "risks")
    return {**{name: getattr(proposal, name) for name in fields}, "municipality": proposal.municipality.code}


@bp.route("/proposals/<int:proposal_id>/edit", methods=["POST"])
@login_required
def edit(proposal_id):
    """The lead expert saves the proposal's substance."""
    proposal = _proposal_or_404(proposal_id)
    form = ProposalForm()
    attempt(lambda: edit_proposal(
        proposal, current_user, municipality=form.municipality.data, budget_amount=form.budget_amount.data or 0,
        **{k: getattr(form, k).data for k in ("title", "problem", "solution", "site", "expected_impact", "risks")}),
        _("Your changes are saved."), form=form)
    return _back(proposal, "workspace")


@bp.route("/proposals/<int:proposal_id>/transition", methods=["POST"])
@login_required
def transition(proposal_id):
    """Move the proposal to the stage named by `to`."""
    proposal = _proposal_or_404(proposal_id)
    attempt(lambda: transition_proposal(proposal, current_user, request.form.get("to", "")),
            _("The proposal moved to its new stage."), form=ActionForm())
    return _back(proposal, "timeline")


def _picked(model, ident, name, named):
    """The row the picker chose (its id), or the one row with exactly the typed name (a form sent without a
    script); None, after saying why, when there is no such row or several share the name."""
    if ident:
        row = get_by_id(model, ident)
    else:
        rows = named(name)
        if len(rows) > 1:
            flash(_("Several are called “%(name)s”: type more of the name and choose one from the list.", name=name),
                  "error")
            return None
        row = rows[0] if rows else None
    if row is None:
        flash(_("There is no such organization or person."), "error")
    return row


@bp.route("/proposals/<int:proposal_id>/team", methods=["POST"])
@login_required
def invite(proposal_id):
    """The lead expert invites an organization or a person, chosen by name."""
    proposal = _proposal_or_404(proposal_id)
    form = InviteForm()
    org = person = None
    if form.validate_on_submit():
        if form.organization_id.data or form.organization.data:
            org = _picked(Organization, form.organization_id.data, form.organization.data, organization_named)
        else:
            person = _picked(User, form.user_id.data, form.person.data, people_named)
        if org is None and person is None:
            return _back(proposal, "team")
    attempt(lambda: invite_member(proposal, current_user, role=form.role.data, organization=org, user=person),
            _("The invitation is sent; they join when they accept."), form=form)
    return _back(proposal, "team")


def _answer(proposal_id, member_id, accept: bool):
    proposal = _proposal_or_404(proposal_id)
    member = found(get_by_id(TeamMember, member_id), proposal_id=proposal.id)
    attempt(lambda: answer_invitation(member, current_user, accept), _("Your answer is recorded."), form=ActionForm())
    return _back(proposal, "team")


@bp.route("/proposals/<int:proposal_id>/team/<int:member_id>/accept", methods=["POST"])
@login_required
def accept_invitation(proposal_id, member_id):
    """The invited person or organization joins the team."""
    return _answer(proposal_id, member_id, True)


@bp.route("/proposals/<int:proposal_id>/team/<int:member_id>/decline", methods=["POST"])
@login_required
def decline_invitation(proposal_id, member_id):
    """The invited person or organization declines."""
    return _answer(proposal_id, member_id, False)


@bp.route("/proposals/<int:proposal_id>/milestones", methods=["POST"])
@login_required
def add_milestone_view(proposal_id):
    """The lead expert adds a milestone."""
    proposal = _proposal_or_404(proposal_id)
    form = MilestoneForm()
    attempt(lambda: add_milestone(proposal, current_user, title=form.title.data, due_on=form.due_on.data),
            _("The plan is updated."), form=form)
    return _back(proposal, "milestones")


@bp.route("/proposals/<int:proposal_id>/milestones/<int:milestone_id>", methods=["POST"])
@login_required
def milestone_progress(proposal_id, milestone_id):
    """The lead expert records a milestone's progress and evidence."""
    proposal = _proposal_or_404(proposal_id)
    milestone = found(get_by_id(Milestone, milestone_id), proposal_id=proposal.id)
    attempt(lambda: update_milestone(milestone, proposal, current_user, status=request.form.get("status", ""),
                                     evidence=request.form.get("evidence", "")),
            _("The plan is updated."), form=ActionForm())
    return _back(proposal, "milestones")


@bp.route("/proposals/<int:proposal_id>/updates", methods=["POST"])
@login_required
def update(proposal_id):
    """The team posts a progress update."""
    proposal = _proposal_or_404(proposal_id)
    form = UpdateForm()
    attempt(lambda: post_update(proposal, current_user, form.body.data),
            _("Your update is posted; supporters are told."), form=form)
    return _back(proposal, "updates")


@bp.route("/proposals/<int:proposal_id>/contributions", methods=["POST"])
@login_required
def contribution(proposal_id):
    """The lead expert records a contribution; the contributor confirms it."""
    proposal = _proposal_or_404(proposal_id)
    form = ContributionForm()
    person = None
    if form.validate_on_submit():
        person = _picked(User, form.user_id.data, form.person.data, people_named)
        if person is None:
            return _back(proposal, "contributions")
    attempt(lambda: record_contribution(proposal, current_user, person, kind=form.kind.data, points=form.points.data,
                                        description=form.description.data),
            _("The contribution is recorded."), form=form)
    return _back(proposal, "contributions")


@bp.route("/proposals/<int:proposal_id>/contributions/<int:contribution_id>/confirm", methods=["POST"])
@login_required
def confirm_contribution_view(proposal_id, contribution_id):
    """A contributor confirms their contribution."""
    proposal = _proposal_or_404(proposal_id)
    row = found(get_by_id(Contribution, contribution_id), proposal_id=proposal.id)
    attempt(lambda: confirm_contribution(row, current_user), _("The contribution is recorded."), form=ActionForm())
    return _back(proposal, "contributions")


@bp.route("/proposals/<int:proposal_id>/share-terms", methods=["POST"])
@login_required
def share_terms(proposal_id):
    """The lead expert saves the share terms."""
    proposal = _proposal_or_404(proposal_id)
    form = ShareTermsForm()
    attempt(lambda: set_share_terms(proposal, current_user, form.basis_points()),
            _("The share terms are saved."), form=form)
    return _back(proposal, "terms")


@bp.route("/proposals/<int:proposal_id>/share-terms/freeze", methods=["POST"])
@login_required
def freeze_terms(proposal_id):
    """The lead expert publishes and freezes the share terms."""
    proposal = _proposal_or_404(proposal_id)
    attempt(lambda: freeze_share_terms(proposal, current_user), _("The share terms are published and frozen."),
            form=ActionForm())
    return _back(proposal, "terms")


@bp.route("/proposals/<int:proposal_id>/replications", methods=["POST"])
@login_required
def replicate(proposal_id):
    """A city's representative asks to run the proposal too (`organization_id`)."""
    proposal = _proposal_or_404(proposal_id)
    raw = request.form.get("organization_id", "")
    org = found(get_by_id(Organization, int(raw)) if raw.isdigit() else None)
    attempt(lambda: request_replication(proposal, current_user, org, request.form.get("note", "")),
            _("Your request is sent to the lead expert."), form=ActionForm())
    return _back(proposal, "cities")


@bp.route("/proposals/<int:proposal_id>/replications/<int:request_id>/accept", methods=["POST"])
@login_required
def accept_replication_view(proposal_id, request_id):
    """The lead expert welcomes another city."""
    proposal = _proposal_or_404(proposal_id)
    row = found(get_by_id(ReplicationRequest, request_id), proposal_id=proposal.id)
    attempt(lambda: accept_replication(row, proposal, current_user),
            _("The city is welcome: it now runs the proposal too."), form=ActionForm())
    return _back(proposal, "cities")
