"""The account page (/account): language, notifications, API tokens, password, email, deleting the account."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.auth.credentials import change_password, request_email_change
from app.auth.erasure import erase_account
from app.auth.forms import DeleteAccountForm, EmailChangeForm, LocaleForm, PasswordChangePageForm
from app.auth.mails import send_email_change_mails
from app.auth.operations import revoke_token, set_locale_of
from app.auth.queries import tokens_of
from app.auth.sessions import fresh_session, remembered, start_session
from app.core.forms import ActionForm
from app.core.lookup import MAX_ID
from app.core.security import guard_password, user_key
from app.core.web import attempt
from app.extensions import limiter

account_bp = Blueprint("account", __name__)


def _forms(**given) -> dict:
    """Every form of the page, prefixed so their fields don't clash; `given` ones carry their errors."""
    return {
        "locale_form": given.get("locale_form") or LocaleForm(prefix="lang", locale=current_user.locale),
        "password_form": given.get("password_form") or PasswordChangePageForm(prefix="pw"),
        "email_form": given.get("email_form") or EmailChangeForm(prefix="mail"),
        "delete_form": given.get("delete_form") or DeleteAccountForm(prefix="delete"),
        "action_form": ActionForm(),
    }


def _page(status: int = 200, **given):
    return render_template("auth/account.html", tokens=tokens_of(current_user), **_forms(**given)), status


@account_bp.route("/account")
@login_required
def index():
    """The account page."""
    return _page()


@account_bp.route("/account/locale", methods=["POST"])
@login_required
def set_locale():
    """Save the account's language."""
    form = LocaleForm(prefix="lang")
    attempt(lambda: set_locale_of(current_user, form.locale.data), _("Your language is saved."), form=form)
    return redirect(url_for("account.index"))


@account_bp.route("/account/password", methods=["POST"])
@login_required
def password():
    """Change the password; other sessions end and API tokens are revoked, this session goes on."""
    form = PasswordChangePageForm(prefix="pw")
    user = current_user._get_current_object()
    keep_remembering = remembered()
    if attempt(lambda: guard_password(user.email, lambda: change_password(user, form.current_password.data,
                                                                           form.password.data)),
               form=form, redirecting=False):
        start_session(user, remember=keep_remembering)
        flash(_("Your password is changed. Every other session is ended and your API tokens are revoked."))
        return redirect(url_for("account.index"))
    return _page(400, password_form=form)


@account_bp.route("/account/email", methods=["POST"])
@login_required
@limiter.shared_limit(lambda: current_app.config["EMAIL_CHANGES_PER_USER"], scope="email-change", key_func=user_key)
def email():
    """Ask to change the address; it changes when the link mailed to the new one is followed."""
    form = EmailChangeForm(prefix="mail")
    done = attempt(lambda: guard_password(current_user.email, lambda: request_email_change(
        current_user, form.email.data, form.password.data)), form=form, redirecting=False)
    if done:
        send_email_change_mails(done.value)
        flash(_("We sent a link to %(email)s. Your address changes when it is followed.", email=done.value.new_email))
        return redirect(url_for("account.index"))
    return _page(400, email_form=form)


@account_bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id):
    """Revoke one of one's API tokens."""
    if token_id > MAX_ID:
        abort(404)
    done = attempt(lambda: revoke_token(current_user, token_id), form=ActionForm())
    if done and not done.value:
        abort(404)
    if done:
        flash(_("The token is revoked."))
    return redirect(url_for("account.index"))


@account_bp.route("/account/delete", methods=["POST"])
@login_required
def delete():
    """Delete the account: personal data erased, contributions kept under an anonymous name, logged out."""
    form = DeleteAccountForm(prefix="delete")
    if attempt(lambda: guard_password(current_user.email, lambda: erase_account(current_user, form.password.data)),
               form=form, redirecting=False):
        logout_user()
        fresh_session(logging_out=True)
        flash(_("Your account is deleted. What you posted stays under an anonymous name."))
        return redirect(url_for("ideas.index"))
    return _page(400, delete_form=form)
