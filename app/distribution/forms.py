"""Distribution forms: the pages post them and the API validates its JSON with them (`core.forms.api_form`).

Ranges and rules (a period that has ended, no overlap, the smallest payout, the bank details' shapes) are the
operations' checks, in one place; these forms check what was sent: types, presence, lengths.
"""
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import LENGTH_MSG, OneOf, strip
from app.distribution.models import BANKS
from app.distribution.operations import MAX_EVIDENCE_BYTES, MAX_REVENUE
from app.distribution.payouts import MAX_AMOUNT

METHODS = (("bank", _l("Bank transfer")), ("connect", _l("Stripe Connect (a connected account)")))
REVENUE_MSG = _l("Revenue is a whole number of won, zero or more.")
AMOUNT_MSG = _l("Ask for a whole number of won.")


def bank_choices() -> list[SelectChoice]:
    """The banks a payout may go to, named in the current language."""
    korean = str(get_locale() or "ko") == "ko"
    return [SelectChoice(code, ko if korean else en) for code, ko, en in BANKS]


class RevenueReportForm(FlaskForm):
    """The lead expert's report of a period's revenue, with an evidence note and an optional file.

    The API sends the file as `evidence_file: {filename, content_base64}` (`operations.decode_evidence`); the page
    uploads it in `evidence`."""

    period_start = DateField(_l("Period starts"), validators=[InputRequired(_l("Give a date."))])
    period_end = DateField(_l("Period ends"), validators=[InputRequired(_l("Give a date."))])
    revenue_amount = IntegerField(_l("Revenue in the period (won)"), validators=[
        InputRequired(REVENUE_MSG), NumberRange(min=0, max=MAX_REVENUE, message=REVENUE_MSG)])
    evidence_note = TextAreaField(_l("Evidence: what the figure rests on"), filters=[strip],
                                  validators=[Length(max=5000, message=LENGTH_MSG)])
    evidence = FileField(_l("Evidence file (optional: PDF, image, CSV, spreadsheet or text, under 1.5 MB)"),
                         validators=[Optional()])

    def evidence_upload(self) -> tuple[str, bytes] | None:
        """The uploaded file as (name, bytes), read no further than the size the operation allows; None if none."""
        upload = self.evidence.data
        if upload is None or not getattr(upload, "filename", ""):
            return None
        return upload.filename, upload.stream.read(MAX_EVIDENCE_BYTES + 1)


class _ReferenceForm(FlaskForm):
    reference = StringField(_l("Transfer reference"), filters=[strip], validators=[
        DataRequired(_l("Give the transfer's reference.")), Length(min=2, max=120, message=LENGTH_MSG)])


class PoolPaidForm(_ReferenceForm):
    """A steward records that the team's transfer of a report's pool arrived (its bank reference)."""


class PayoutDecisionForm(_ReferenceForm):
    """A steward records the transfer that paid a payout (its bank reference)."""


class ReasonForm(FlaskForm):
    """A steward's reason for rejecting a report or a payout (it is shown to them and in the public log)."""

    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[
        DataRequired(_l("Please say why.")), Length(max=500, message=LENGTH_MSG)])


class PayoutForm(FlaskForm):
    """A payout request: the amount and where it goes (a Korean bank account, or a connected Stripe account)."""

    amount = IntegerField(_l("Amount (won)"), validators=[
        InputRequired(AMOUNT_MSG), NumberRange(min=1, max=MAX_AMOUNT, message=AMOUNT_MSG)])
    method = RadioField(_l("Pay it to"), choices=[SelectChoice(v, label) for v, label in METHODS], default="bank",
                        validate_choice=False,
                        validators=[InputRequired(_l("Choose one of the listed options.")), OneOf()])
    bank_code = SelectField(_l("Bank"), validate_choice=False, validators=[Optional()])
    account_number = StringField(_l("Account number"), filters=[strip], validators=[Length(max=40, message=LENGTH_MSG)])
    holder_name = StringField(_l("Account holder"), filters=[strip], validators=[Length(max=60, message=LENGTH_MSG)])
    connected_account = StringField(_l("Connected Stripe account (acct_...)"), filters=[strip],
                                    validators=[Length(max=60, message=LENGTH_MSG)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bank_code.choices = bank_choices()
