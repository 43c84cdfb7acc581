"""Forms for experts, organizations and proposals (also used, without CSRF, to validate API input)."""
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, DecimalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation, ValidationError
from wtforms.widgets import NumberInput

from app.core.forms import LENGTH_MSG, OneOf, Visible, strip
from app.ideas.forms import municipality_choices
from app.proposals.states import CONTRIBUTION_KINDS, MILESTONE_STATUSES, ORG_KINDS, TEAM_ROLES, Stage



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
    title = StringField(_l("Your title or role there"), filters=[strip], validators=[
        DataRequired(_l("Say your title or role there (2 to 120 characters).")), Length(min=2, max=120, message=LENGTH_MSG)])
    evidence = TextAreaField(_l("What proves it (shown to the stewards only)"), filters=[strip], validators=[
        DataRequired(_l("Say what proves it (20 to 2,000 characters): a work address, a letter, a page that lists you.")),
        Length(min=20, max=2000, message=LENGTH_MSG)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality.choices = municipality_choices(blank=True)
        self.kind.choices = [SelectChoice(k, str(v)) for k, v in ORG_KINDS.items() if k != "municipality"]


class RepresentForm(FlaskForm):
    """Ask to represent an organization: one's title there and what proves it."""

    title = OrganizationForm.title
    evidence = OrganizationForm.evidence


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


def _optional_id(value):
    """Filter: a hidden id field's text as an int, or None when empty or not a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 11 else None


class InviteForm(FlaskForm):
    """Invite an organization or a person to the team, picked by name (the picker sends the id)."""

    role = SelectField(_l("Role"), validate_choice=False, validators=[DataRequired(), OneOf()],
                       choices=[SelectChoice(k, str(v)) for k, v in TEAM_ROLES.items() if k != "lead_expert"])
    organization = StringField(_l("Organization"), filters=[strip], validators=[Optional(), Length(max=120)])
    organization_id = HiddenField(filters=[_optional_id])
    person = StringField(_l("or a person"), filters=[strip], validators=[Optional(), Length(max=60)])
    user_id = HiddenField(filters=[_optional_id])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice(k, str(v)) for k, v in TEAM_ROLES.items() if k != "lead_expert"]

    def validate_person(self, field):
        """One invitation asks one organization or one person."""
        has_org = bool(self.organization.data or self.organization_id.data)
        has_person = bool(field.data or self.user_id.data)
        if has_org == has_person:
            raise ValidationError(_l("Choose an organization or a person, not both."))


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
    """Influence points for a contributor, picked by name (the picker sends the id)."""

    person = StringField(_l("Contributor"), filters=[strip], validators=[Length(max=60)])
    user_id = HiddenField(filters=[_optional_id])
    kind = SelectField(_l("Kind of contribution"), validate_choice=False, validators=[DataRequired(), OneOf()])
    points = IntegerField(_l("Points"), validators=[DataRequired(_l("Enter a number.")),
                                                    NumberRange(min=1, max=1000, message=_l("Choose a number from %(min)d to %(max)d."))])
    description = StringField(_l("What they did"), filters=[strip], validators=[Length(max=500, message=LENGTH_MSG)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(k, str(v)) for k, v in CONTRIBUTION_KINDS.items()]

    def validate_person(self, field):
        """Someone must be named."""
        if not (field.data or self.user_id.data):
            raise ValidationError(_l("Choose the contributor by name."))


#: percent -> basis points: 10.00% is 1000 bp; a multiple: 2.00x is 20000 bp
PERCENT_BP, MULTIPLE_BP = 100, 10_000
PERCENT_MSG = _l("Use a percentage from 0 to 100, with at most two decimals.")


def _finite(value):
    """Filter: NaN and infinities are no number of percent (and a signalling NaN breaks comparisons)."""
    return value if not isinstance(value, Decimal) or value.is_finite() else None


def _percent(label):
    """A percentage field: 0 to 100, in steps of 0.01 (one basis point)."""
    return DecimalField(label, places=2, widget=NumberInput(step="0.01", min=0, max=100), filters=[_finite],
                        validators=[Optional(), NumberRange(min=0, max=100, message=PERCENT_MSG)])


def _whole_bp(value: Decimal, per_unit: int) -> bool:
    """Whether the entered number is a whole number of basis points (10.005% is not)."""
    return (value * per_unit) == (value * per_unit).to_integral_value()


class ShareTermsForm(FlaskForm):
    """The revenue-share terms in percent (and the backers' cap as a multiple); stored as basis points."""

    community_share_pct = _percent(_l("Community share of revenue (%)"))
    proposer_pct = _percent(_l("Proposer: share of the pool (%)"))
    contributors_pct = _percent(_l("Contributors: share of the pool (%)"))
    backers_pct = _percent(_l("Backers: share of the pool (%)"))
    commons_pct = _percent(_l("Commons fund: share of the pool (%)"))
    backers_cap_multiple = DecimalField(
        _l("Backers' cap (times what they put in; empty for none)"), places=2,
        widget=NumberInput(step="0.01", min=1), filters=[_finite],
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("Leave empty, or use 1 or more."))])

    POOL = ("proposer_pct", "contributors_pct", "backers_pct", "commons_pct")
    #: form field -> (share terms column, basis points per unit)
    COLUMNS = {"community_share_pct": ("community_share_bp", PERCENT_BP), "proposer_pct": ("proposer_bp", PERCENT_BP),
               "contributors_pct": ("contributors_bp", PERCENT_BP), "backers_pct": ("backers_bp", PERCENT_BP),
               "commons_pct": ("commons_bp", PERCENT_BP),
               "backers_cap_multiple": ("backers_cap_multiple_bp", MULTIPLE_BP)}

    @classmethod
    def values_of(cls, terms) -> dict:
        """The form's values for stored terms: basis points shown as percent (and a multiple)."""
        values = {}
        for name, (column, per_unit) in cls.COLUMNS.items():
            bp = getattr(terms, column)
            values[name] = None if bp is None else (Decimal(bp) / per_unit).quantize(Decimal("0.01"))
        return values

    def basis_points(self) -> dict:
        """The entered terms as the basis points the operation and the API speak."""
        return {column: None if getattr(self, name).data is None else int(getattr(self, name).data * per_unit)
                for name, (column, per_unit) in self.COLUMNS.items()}

    def validate(self, extra_validators=None) -> bool:
        """Each number in range with at most two decimals; the pool's four parts add up to 100%."""
        ok = super().validate(extra_validators)
        for name, (_column, per_unit) in self.COLUMNS.items():
            field = getattr(self, name)
            if name != "backers_cap_multiple" and field.data is None and not field.errors:
                field.errors = [*field.errors, str(PERCENT_MSG)]
                ok = False
            elif field.data is not None and not field.errors and not _whole_bp(field.data, per_unit):
                field.errors = [*field.errors, str(PERCENT_MSG)]
                ok = False
        if ok and sum(getattr(self, n).data for n in self.POOL) != 100:
            self.commons_pct.errors = [*self.commons_pct.errors,
                                       str(_l("The pool's four parts must add up to 100%."))]
            ok = False
        return ok


# The JSON API's bodies. Where a page has a form, the API's form is that form with ids as numbers (the
# pages' pickers send text) and dates as YYYY-MM-DD text; bodies only the API takes have their own.


class Said:
    """Validator for a JSON yes-or-no: true or false must be sent, for a missing answer is not a "no"."""

    def __call__(self, form, field):
        if not isinstance(field.object_data, bool):
            field.errors[:] = []
            raise StopValidation(_l("Choose one of the listed options."))


class ApplicationDecisionForm(DecisionForm):
    """A steward's decision on an expert application `{approve, reason}`."""

    approve = BooleanField(validators=[Said()])


class InvitationAnswerForm(FlaskForm):
    """The invitee's answer `{accept}` to a team invitation."""

    accept = BooleanField(validators=[Said()])


class InviteByIdForm(InviteForm):
    """InviteForm for the API `{role, organization_id | user_id}`: the invitee by number."""

    organization = person = email = None
    organization_id = IntegerField(validators=[Optional()])
    user_id = IntegerField(validators=[Optional()])


class ContributionByIdForm(ContributionForm):
    """ContributionForm for the API `{user_id, kind, points, description?}`: the contributor by number."""

    person = email = None
    user_id = IntegerField(validators=[Optional()])


class MilestoneTextForm(MilestoneForm):
    """MilestoneForm for the API `{title, due_on}`: JSON has no dates, so the due date comes as YYYY-MM-DD text."""

    def filter_due_on(self, value):
        """Read YYYY-MM-DD text as a date, as the page's date field reads what the browser sends."""
        if not isinstance(value, str):
            return value
        try:
            return datetime.strptime(value.strip(), "%Y-%m-%d").date()
        except ValueError:
            raise ValueError(_l("Give a date as YYYY-MM-DD.")) from None


class MilestoneProgressForm(FlaskForm):
    """A milestone's progress `{status, evidence}` ("done" needs evidence, which the operation checks)."""

    status = SelectField(_l("Status"), validate_choice=False, validators=[DataRequired(), OneOf()])
    evidence = StringField(_l("Evidence"), filters=[strip], validators=[Length(max=5000, message=LENGTH_MSG)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice(k, v) for k, v in MILESTONE_STATUSES.items()]


class TransitionForm(FlaskForm):
    """Move a proposal to the stage `{to}`; whether it may go there is the transition table's business."""

    to = SelectField(_l("Stage"), validate_choice=False, validators=[DataRequired(), OneOf(_l("Unknown stage."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.to.choices = [SelectChoice(s.value, s.value) for s in Stage]


class ReplicationForm(FlaskForm):
    """A city's representative asks to run a proposal too `{organization_id, note?}`."""

    organization_id = IntegerField(validators=[DataRequired()])
    note = StringField(_l("A note for the lead expert"), filters=[strip],
                       validators=[Length(max=500, message=LENGTH_MSG)])


class ShareTermsBpForm(FlaskForm):
    """The share terms in basis points, as the API speaks them; ranges and sums are the operation's checks."""

    community_share_bp = IntegerField(validators=[Optional()])
    proposer_bp = IntegerField(validators=[Optional()])
    contributors_bp = IntegerField(validators=[Optional()])
    backers_bp = IntegerField(validators=[Optional()])
    commons_bp = IntegerField(validators=[Optional()])
    backers_cap_multiple_bp = IntegerField(validators=[Optional()])
