"""The account mails, each in its reader's language, sent after the change they tell of is committed."""
from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from app.auth.credentials import EmailChange, email_change_token, password_reset_token
from app.auth.models import User
from app.auth.operations import SignUp, verification_token
from app.core.mail import send_mail


def _send(user: User, to: str, subject, template: str, **context) -> None:
    with force_locale(user.locale):
        send_mail(to, str(subject()), render_template(template, user=user, **context))


def send_verification_mail(user: User) -> None:
    """Mail the verification link."""
    link = url_for("auth.verify", token=verification_token(user), _external=True)
    _send(user, user.email, lambda: _("Confirm your GOPS email address"), "auth/verify_email.txt", link=link)


def send_sign_up_mail(result: SignUp) -> None:
    """After a registration: the verification link to a new account, or to an address that already has one, a
    note saying so, with the way to a new password (and a verification link if it still needs one)."""
    user = result.user
    if not result.existing:
        send_verification_mail(user)
        return
    verify = url_for("auth.verify", token=verification_token(user), _external=True) if not user.is_verified else None
    _send(user, user.email, lambda: _("Someone tried to register at GOPS with your address"),
          "auth/already_registered.txt", reset_link=url_for("auth.reset_request", _external=True), verify_link=verify)


def send_reset_mail(user: User) -> None:
    """Mail a single-use link to choose a new password (valid for an hour)."""
    link = url_for("auth.reset_password", token=password_reset_token(user), _external=True)
    _send(user, user.email, lambda: _("Choose a new GOPS password"), "auth/reset_password.txt", link=link)


def send_email_change_mails(change: EmailChange) -> None:
    """The link to the new address and a note to the current one; if the new address is taken, a note to its
    owner instead of the link (the asker sees the same answer either way)."""
    user = change.user
    if change.owner is not None:
        _send(change.owner, change.owner.email, lambda: _("Someone tried to use your address at GOPS"),
              "auth/address_in_use.txt", reset_link=url_for("auth.reset_request", _external=True))
        return
    link = url_for("auth.confirm_email", token=email_change_token(user), _external=True)
    _send(user, change.new_email, lambda: _("Confirm your new GOPS email address"), "auth/change_email.txt",
          link=link)
    _send(user, user.email, lambda: _("Your GOPS email address is about to change"), "auth/email_change_notice.txt",
          new_email=change.new_email, link=url_for("account.index", _external=True))
