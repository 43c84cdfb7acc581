"""Account forms (also used, without CSRF, to validate API input)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.auth.strength import password_problem
from app.core.forms import OneOf, Visible, strip

LANGUAGES = [SelectChoice("ko", "한국어"), SelectChoice("en", "English")]


def _email_field(label=None):
    return EmailField(label or _l("Email"), filters=[strip], validators=[
        DataRequired(_l("Enter your email address.")),
        Length(max=254, message=_l("Use at most %(max)d characters.")),
        Email(_l("Enter a valid email address.")),
    ])


def _repeat():
    return PasswordField(_l("Repeat password"), validators=[
        EqualTo("password", message=_l("The passwords do not match.")),
    ])


class RegisterForm(FlaskForm):
    """A new account: email, name, password, language, and the terms accepted (the API's `accept_terms` accepts
    the terms of use and the privacy notice together)."""

    email = _email_field()
    display_name = StringField(_l("Name shown to others"), filters=[strip], validators=[Visible(),
        DataRequired(_l("Enter the name others will see.")),
        Length(min=2, max=60, message=_l("Use between %(min)d and %(max)d characters.")),
    ])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password."))])
    locale = SelectField(_l("Language"), choices=LANGUAGES, default="ko", validate_choice=False, validators=[OneOf()])
    accept_terms = BooleanField(_l("I accept the terms of use."), validators=[
        DataRequired(_l("Accept the terms of use to register."))])

    def validate_password(self, field):
        """Refuse weak passwords with the reason."""
        problem = password_problem(field.data or "", self.email.data or "", self.display_name.data or "")
        if problem:
            raise ValidationError(problem)


class RegisterPageForm(RegisterForm):
    """The registration page also asks for the password twice and for the privacy consent on its own."""

    confirm = _repeat()
    accept_privacy = BooleanField(_l("I agree to the collection and use of my personal data as the privacy notice "
                                     "describes."), validators=[
        DataRequired(_l("Agree to the privacy notice to register: without it we cannot keep an account for you."))])


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), filters=[strip], validators=[DataRequired(_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me logged in"))


class ResendForm(FlaskForm):
    """Ask for a new verification mail."""


class ResetRequestForm(FlaskForm):
    """Ask for a link to choose a new password."""

    email = _email_field()


class ResetForm(FlaskForm):
    """Choose a new password from a reset link (its strength is checked by the operation, which knows the user)."""

    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password."))])


class ResetPageForm(ResetForm):
    """The page asks twice."""

    confirm = _repeat()


class PasswordChangeForm(FlaskForm):
    """A new password, knowing the current one."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your password."))])
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password."))])


class PasswordChangePageForm(PasswordChangeForm):
    """The page asks twice."""

    confirm = _repeat()


class EmailChangeForm(FlaskForm):
    """A new address, knowing the password."""

    email = _email_field(_l("New email address"))
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class LocaleForm(FlaskForm):
    """The account's language."""

    locale = SelectField(_l("Language"), choices=LANGUAGES, validate_choice=False, validators=[OneOf()])


class DeleteAccountForm(FlaskForm):
    """Delete the account, knowing the password."""

    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
