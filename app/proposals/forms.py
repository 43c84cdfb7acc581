"""Forms for experts, organizations and proposals (also used, without CSRF, to validate API input)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.core.forms import LENGTH_MSG, OneOf, Visible, strip
from app.ideas.forms import municipality_choices
from app.proposals.states import CONTRIBUTION_KINDS, ORG_KINDS, TEAM_ROLES



class ExpertApplicationForm(FlaskForm):
    """Ask to be verified as an expert."""

    fields = StringField(_l("Fields of expertise"), filters=[strip], validators=[
        DataRequired(_l("Name your fields.")), Length(min=2, max=200, message=LENGTH_MSG)])
    affiliation = StringField(_l("Affiliation"), filters=[strip], validators=[
        DataRequired(_l("Name your organization or say independent.")), Length(min=2, max=200, message=LENGTH_MSG)])
    evidence = TextAreaField(_l("Evidence (publications, projects, licences, links)"), filters=[strip], validators=[
        DataRequired(_l("Show what makes you an expert.")), Length(min=20, max=5000, message=LENGTH_MSG)])


class DecisionForm(FlaskForm):
    """A steward's decision with its reason."""

    reason = StringField(_l("Reason (shown to the applicant)"), filters=[strip], validators=[
        DataRequired(_l("Give a reason.")), Length(max=500, message=LENGTH_MSG)])


class OrganizationForm(FlaskForm):
    """Register an organization."""

    name = StringField(_l("Name"), filters=[strip], validators=[Visible(),
        DataRequired(_l("Give the organization's name.")), Length(min=2, max=120, message=LENGTH_MSG)])
    kind = SelectField(_l("Kind"), validate_choice=False, validators=[DataRequired(), OneOf()],
                       choices=[SelectChoice(k, str(v)) for k, v in ORG_KINDS.items() if k != "municipality"])
    municipality = SelectField(_l("City or county"), validate_choice=False, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality.choices = municipality_choices(blank=True)
        self.kind.choices = [SelectChoice(k, str(v)) for k, v in ORG_KINDS.items() if k != "municipality"]


class ProposalForm(FlaskForm):
    """The proposal's substance."""

    title = StringField(_l("Title"), filters=[strip], validators=[Visible(),
        DataRequired(_l("Give the proposal a title.")), Length(min=4, max=120, message=LENGTH_MSG)])
    problem = TextAreaField(_l("Problem"), filters=[strip], validators=[Length(max=20000, message=LENGTH_MSG)])
    solution = TextAreaField(_l("Solution"), filters=[strip], validators=[Length(max=20000, message=LENGTH_MSG)])
    site = StringField(_l("Testbed site"), filters=[strip], validators=[Length(max=200, message=LENGTH_MSG)])
    municipality = SelectField(_l("City or county"), validate_choice=False, validators=[DataRequired(), OneOf()])
    budget_amount = IntegerField(_l("Budget (won)"), validators=[
        Optional(), NumberRange(min=0, max=10**13, message=_l("The budget is a whole number of won, zero or more."))])
    expected_impact = TextAreaField(_l("Expected impact"), filters=[strip], validators=[Length(max=20000, message=LENGTH_MSG)])
    risks = TextAreaField(_l("Risks"), filters=[strip], validators=[Length(max=20000, message=LENGTH_MSG)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality.choices = municipality_choices()


class InviteForm(FlaskForm):
    """Invite an organization or a person to the team."""

    role = SelectField(_l("Role"), validate_choice=False, validators=[DataRequired(), OneOf()],
                       choices=[SelectChoice(k, str(v)) for k, v in TEAM_ROLES.items() if k != "lead_expert"])
    organization_id = IntegerField(_l("Organization number"), validators=[Optional()])
    email = StringField(_l("or a person's email"), filters=[strip], validators=[Optional(), Length(max=254)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice(k, str(v)) for k, v in TEAM_ROLES.items() if k != "lead_expert"]


class MilestoneForm(FlaskForm):
    """A milestone of the plan."""

    title = StringField(_l("Milestone"), filters=[strip], validators=[Visible(),
        DataRequired(_l("Name the milestone.")), Length(min=2, max=200, message=LENGTH_MSG)])
    due_on = DateField(_l("Due date"), validators=[DataRequired(_l("Give a date as YYYY-MM-DD."))])


class UpdateForm(FlaskForm):
    """A progress update."""

    body = TextAreaField(_l("Update (Markdown)"), filters=[strip], validators=[
        DataRequired(_l("Write something first.")), Length(min=1, max=20000, message=LENGTH_MSG)])


class ContributionForm(FlaskForm):
    """Influence points for a contributor."""

    email = StringField(_l("Contributor's email"), filters=[strip], validators=[DataRequired(_l("Enter your email address."))])
    kind = SelectField(_l("Kind of contribution"), validate_choice=False, validators=[DataRequired(), OneOf()])
    points = IntegerField(_l("Points"), validators=[DataRequired(_l("Enter a number.")),
                                                    NumberRange(min=1, max=1000, message=_l("Choose a number from %(min)d to %(max)d."))])
    description = StringField(_l("What they did"), filters=[strip], validators=[Length(max=500, message=LENGTH_MSG)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(k, str(v)) for k, v in CONTRIBUTION_KINDS.items()]


class ShareTermsForm(FlaskForm):
    """The revenue-share terms in basis points."""

    community_share_bp = IntegerField(_l("Community share of revenue (bp)"), validators=[Optional()])
    proposer_bp = IntegerField(_l("Proposer (bp of the pool)"), validators=[Optional()])
    contributors_bp = IntegerField(_l("Contributors (bp of the pool)"), validators=[Optional()])
    backers_bp = IntegerField(_l("Backers (bp of the pool)"), validators=[Optional()])
    commons_bp = IntegerField(_l("Commons fund (bp of the pool)"), validators=[Optional()])
    backers_cap_multiple_bp = IntegerField(_l("Backers' cap (bp of what they put in; empty for none)"),
                                           validators=[Optional()])
