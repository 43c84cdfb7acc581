"""API: the account's credentials: password reset and change, email change, API tokens, deleting the account."""
from flask import current_app, g, jsonify
from flask_babel import lazy_gettext as _l
from flask_login import logout_user

from app.api import bp
from app.api.auth import json_body, require_user
from app.api.serializers import iso
from app.auth.credentials import change_password, request_email_change, reset_password
from app.auth.erasure import erase_account
from app.auth.forms import DeleteAccountForm, EmailChangeForm, PasswordChangeForm, ResetForm, ResetRequestForm
from app.auth.mails import send_email_change_mails, send_reset_mail
from app.auth.operations import revoke_token, user_by_email
from app.auth.queries import tokens_of
from app.auth.sessions import fresh_session, remembered, start_session
from app.core.errors import NotFound
from app.core.forms import api_form
from app.core.lookup import MAX_ID
from app.core.security import guard_password, login_succeeded, request_email_key, user_key
from app.extensions import client_address, db, limiter


@bp.post("/password-resets")
@limiter.shared_limit(lambda: current_app.config["PASSWORD_RESETS_PER_EMAIL"], scope="password-reset-email",
                      key_func=request_email_key)
@limiter.shared_limit(lambda: current_app.config["PASSWORD_RESETS_PER_ADDRESS"], scope="password-reset-address",
                      key_func=client_address)
def request_password_reset():
    """Mail a link to choose a new password if the address has an account; 202 whatever the address."""
    form = api_form(ResetRequestForm, json_body())
    user = user_by_email(form.email.data)
    if user is not None and user.is_active:
        send_reset_mail(user)
    return jsonify({"message": str(_l("If an account uses this address, we sent it a link to choose a new "
                                      "password. The link works for an hour."))}), 202


@bp.post("/password-resets/<token>")
def use_password_reset(token):
    """Choose a new password with the token from the mailed link (once, within an hour): sessions end, API tokens
    are revoked."""
    form = api_form(ResetForm, json_body())
    user = reset_password(token, form.password.data)
    db.session.commit()
    login_succeeded(user.email)
    return "", 204


@bp.put("/me/password")
def put_password():
    """Change the password, knowing the current one: other sessions end, other tokens are revoked."""
    user = require_user()
    form = api_form(PasswordChangeForm, json_body())
    keep_remembering = remembered()
    guard_password(user.email, lambda: change_password(user, form.current_password.data, form.password.data,
                                                       keep_token=g.get("api_token")))
    db.session.commit()
    if g.get("api_token") is None:  # a browser session goes on, in the new generation
        start_session(user, remember=keep_remembering)
    return "", 204


@bp.post("/me/email")
@limiter.shared_limit(lambda: current_app.config["EMAIL_CHANGES_PER_USER"], scope="email-change", key_func=user_key)
def post_email():
    """Ask to change the address; it changes when the link mailed to the new address is followed."""
    user = require_user()
    form = api_form(EmailChangeForm, json_body())
    change = guard_password(user.email, lambda: request_email_change(user, form.email.data, form.password.data))
    db.session.commit()
    send_email_change_mails(change)
    return jsonify({"pending_email": change.new_email, "message": str(_l(
        "We sent a link to %(email)s. Your address changes when it is followed.", email=change.new_email))}), 202


@bp.get("/me/tokens")
def my_tokens():
    """My unexpired API tokens (never their values), newest first; `current` marks the one in use."""
    user = require_user()
    current = g.get("api_token")
    return jsonify({"items": [{"id": t.id, "created_at": iso(t.created_at), "expires_at": iso(t.expires_at),
                               "current": current is not None and t.id == current.id} for t in tokens_of(user)]})


@bp.delete("/tokens/<int:token_id>")
def delete_token(token_id):
    """Revoke one of my tokens."""
    user = require_user()
    if token_id > MAX_ID or not revoke_token(user, token_id):
        raise NotFound(code="token_not_found")
    db.session.commit()
    return "", 204


@bp.delete("/me")
def delete_me():
    """Delete the account, knowing its password: personal data erased, contributions kept under an anonymous name."""
    user = require_user()
    form = api_form(DeleteAccountForm, json_body())
    guard_password(user.email, lambda: erase_account(user, form.password.data))
    db.session.commit()
    if g.get("api_token") is None:
        logout_user()
        fresh_session(logging_out=True)
    return "", 204
