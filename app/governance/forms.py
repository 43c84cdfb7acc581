"""Governance forms (also used, without CSRF, to validate API input)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, StopValidation

from app.core.forms import strip


class Given:
    """Validator: a number must be given; unlike DataRequired, 0 counts (the rule's range decides)."""

    def __init__(self, message=None):
        self.message = message or _l("Enter a number.")

    def __call__(self, form, field):
        if field.data is None:
            field.errors[:] = []
            raise StopValidation(self.message)


class ParameterForm(FlaskForm):
    """One parameter's new value and the reason for the change (its range is the parameter's own)."""

    value = IntegerField(_l("New value"), validators=[Given()])
    reason = StringField(_l("Why (shown publicly)"), filters=[strip], validators=[
        DataRequired(_l("Say why the rule changes.")), Length(max=500, message=_l("Use at most %(max)d characters."))])
