"""Funding forms: the pages post them and the API validates its JSON with them (`core.forms.api_form`).

Ranges, sums and cross-field rules are the operations' checks (one place); the forms check shapes.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeField, HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import LENGTH_MSG, strip
from app.funding.models import INVESTOR_CATEGORIES

MAX_AMOUNT = 10**13
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z",
                    "%Y-%m-%d %H:%M"]
WON = NumberRange(min=1, max=MAX_AMOUNT, message=_l("Use a whole number of won, at least 1."))
CATEGORY_LABELS = {"general": _l("General investor"), "qualified": _l("Qualified investor (소득적격투자자)"),
                   "professional": _l("Professional investor (전문투자자)")}


class RoundForm(FlaskForm):
    """A round's numbers, dates and texts (the lead expert drafts and edits)."""

    target_amount = IntegerField(_l("Target (won)"), validators=[InputRequired(), WON])
    cap_amount = IntegerField(_l("Cap (won)"), validators=[InputRequired(), WON])
    unit_price = IntegerField(_l("Price of one unit (won)"), validators=[InputRequired(), WON])
    min_units = IntegerField(_l("Smallest pledge (units)"), default=1, validators=[
        Optional(), NumberRange(min=1, max=10**9, message=_l("Use a whole number of units, at least 1."))])
    opens_at = DateTimeField(_l("Opens"), format=DATETIME_FORMATS, validators=[InputRequired()])
    closes_at = DateTimeField(_l("Closes"), format=DATETIME_FORMATS, validators=[InputRequired()])
    offering_summary = TextAreaField(_l("What backers fund, and what they receive"), filters=[strip], validators=[
        DataRequired(_l("Please write this.")), Length(max=5000, message=LENGTH_MSG)])
    risk_statement = TextAreaField(_l("Risk statement"), filters=[strip], validators=[
        DataRequired(_l("Please write this.")), Length(max=10000, message=LENGTH_MSG)])


class RoundEditForm(RoundForm):
    """The same fields, each optional (the API's PATCH)."""

    target_amount = IntegerField(validators=[Optional(), WON])
    cap_amount = IntegerField(validators=[Optional(), WON])
    unit_price = IntegerField(validators=[Optional(), WON])
    opens_at = DateTimeField(format=DATETIME_FORMATS, validators=[Optional()])
    closes_at = DateTimeField(format=DATETIME_FORMATS, validators=[Optional()])
    offering_summary = TextAreaField(filters=[strip], validators=[Optional(), Length(max=5000, message=LENGTH_MSG)])
    risk_statement = TextAreaField(filters=[strip], validators=[Optional(), Length(max=10000, message=LENGTH_MSG)])


class PledgeForm(FlaskForm):
    """Whole units, the backer's category, the risk statement accepted, and the card (a payment method id)."""

    units = IntegerField(_l("Units"), validators=[InputRequired(_l("Pledge a whole number of units, at least 1.")),
                                                  NumberRange(min=1, max=10**9,
                                                              message=_l("Pledge a whole number of units, at least 1."))])
    investor_category = RadioField(_l("I invest as"), choices=[(c, CATEGORY_LABELS[c]) for c in INVESTOR_CATEGORIES],
                                   validators=[InputRequired(_l("Choose your investor category."))])
    risk_acknowledged = BooleanField(_l("I have read the risk statement and understand I may lose what I pledge."),
                                     validators=[DataRequired(_l("Read and accept the risk statement first."))])
    #: filled by the page's script from Stripe.js (a card or PaymentMethod id); the API sends it directly
    payment_method = HiddenField(validators=[DataRequired(_l("Enter a card (the payment method is missing or "
                                                             "not valid)."))])


class ReasonForm(FlaskForm):
    """A decision's reason (a steward returning or cancelling a round, declining a request)."""

    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[
        DataRequired(_l("Please say why.")), Length(max=2000, message=LENGTH_MSG)])


class OptionalReasonForm(FlaskForm):
    """A decision whose reason may be left out (approving)."""

    reason = TextAreaField(_l("Note (optional)"), filters=[strip], validators=[Length(max=2000, message=LENGTH_MSG)])


class CategoryRequestForm(FlaskForm):
    """A backer asks to count as a qualified or professional investor."""

    category = RadioField(_l("Category"), choices=[(c, CATEGORY_LABELS[c]) for c in INVESTOR_CATEGORIES[1:]],
                          validators=[InputRequired(_l("Choose one of the listed options."))])
    evidence = TextAreaField(_l("What proves it"), filters=[strip], validators=[
        DataRequired(_l("Say what proves it (10 to 5000 characters).")),
        Length(min=10, max=5000, message=LENGTH_MSG)])


class DecisionForm(FlaskForm):
    """A steward's verdict with a reason."""

    approve = BooleanField()
    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[
        DataRequired(_l("Please give a reason.")), Length(max=500, message=LENGTH_MSG)])


class QuestionForm(FlaskForm):
    """A public question to the team."""

    body = TextAreaField(_l("Your question"), filters=[strip], validators=[
        DataRequired(_l("Please write your question.")), Length(min=5, max=2000, message=LENGTH_MSG)])


class AnswerForm(FlaskForm):
    """The team's public answer."""

    answer = TextAreaField(_l("Answer"), filters=[strip], validators=[
        DataRequired(_l("Please write the answer.")), Length(min=2, max=5000, message=LENGTH_MSG)])


class MatchingPoolForm(FlaskForm):
    """An organization's matching offer for a round."""

    organization_id = IntegerField(_l("Organization"), validators=[Optional()])
    factor_bp = IntegerField(_l("Match per won pledged (basis points; 10000 = 1:1)"), default=10_000, validators=[
        InputRequired(), NumberRange(min=1, max=100_000, message=_l("Use basis points from 1 to 100000."))])
    pledge_cap_amount = IntegerField(_l("Most matched per pledge (won)"), validators=[InputRequired(), WON])
    round_cap_amount = IntegerField(_l("Most matched in the round (won): the deposit"), validators=[InputRequired(), WON])


class DepositForm(FlaskForm):
    """A steward records that a pool's deposit arrived."""

    reference = StringField(_l("Transfer reference"), filters=[strip], validators=[
        DataRequired(_l("Give the transfer's reference.")), Length(min=2, max=120, message=LENGTH_MSG)])
