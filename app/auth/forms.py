"""Registration and login forms (also used, without CSRF, to validate API input)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.auth.operations import password_problem
from app.core.forms import OneOf, Visible, strip


class RegisterForm(FlaskForm):
    """A new account: email, name, password, language."""

    email = EmailField(_l("Email"), filters=[strip], validators=[
        DataRequired(_l("Enter your email address.")),
        Length(max=254, message=_l("Use at most %(max)d characters.")),
        Email(_l("Enter a valid email address.")),
    ])
    display_name = StringField(_l("Name shown to others"), filters=[strip], validators=[Visible(),
        DataRequired(_l("Enter the name others will see.")),
        Length(min=2, max=60, message=_l("Use between %(min)d and %(max)d characters.")),
    ])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password."))])
    locale = SelectField(_l("Language"), choices=[SelectChoice("ko", "한국어"), SelectChoice("en", "English")], default="ko",
                         validate_choice=False, validators=[OneOf()])

    def validate_password(self, field):
        """Refuse weak passwords with the reason."""
        problem = password_problem(field.data or "", self.email.data or "")
        if problem:
            raise ValidationError(problem)


class RegisterPageForm(RegisterForm):
    """The registration page also asks for the password twice."""

    confirm = PasswordField(_l("Repeat password"), validators=[
        EqualTo("password", message=_l("The passwords do not match.")),
    ])


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), filters=[strip], validators=[DataRequired(_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me logged in"))


class ResendForm(FlaskForm):
    """Ask for a new verification mail."""
