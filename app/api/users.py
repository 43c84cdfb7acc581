"""API: register, log in and out (tokens), the current user, code lists."""
from flask import current_app, g, jsonify, url_for
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import json_body, require_user
from app.api.serializers import iso, me_json, ref_json
from app.auth.forms import LocaleForm, LoginForm, RegisterForm
from app.auth.legal import PRIVACY_VERSION, TERMS_VERSION
from app.auth.mails import send_sign_up_mail
from app.auth.operations import authenticate, issue_token, normalize_email, revoke_token, set_locale_of, sign_up
from app.core.errors import InvalidInput, NotAuthenticated
from app.core.forms import api_form
from app.core.handlers import json_error
from app.core.idempotency import after_commit, commit, idempotent
from app.core.security import login_failed, login_succeeded, login_wait, wait_message
from app.extensions import client_address, db, limiter
from app.ideas.queries import reference_lists


def account_json(user) -> dict:
    """The acting user's own record, with the account's state."""
    return {**me_json(user), "pending_email": user.pending_email,
            "terms_version": user.terms_version, "privacy_version": user.privacy_version}


@bp.post("/users")
@limiter.limit(lambda: current_app.config["REGISTRATIONS_PER_ADDRESS"], key_func=client_address)
@idempotent
def create_user():
    """Register (`accept_terms: true` accepts the current terms of use and privacy notice). The answer is the same
    202 whether or not the address has an account: a new one gets the verification link, an existing one a note."""
    form = api_form(RegisterForm, json_body())
    result = sign_up(form.email.data, form.password.data, form.display_name.data, form.locale.data or "ko")
    after_commit(lambda: send_sign_up_mail(result))
    commit()
    email = normalize_email(form.email.data)
    return jsonify({"email": email, "terms_version": TERMS_VERSION, "privacy_version": PRIVACY_VERSION,
                    "message": str(_l("We sent a message to %(email)s: follow its link to verify your address, "
                                      "then log in.", email=email))}), 202


def _too_many(wait: int):
    """429 for a login refused by the failed-login counters: how long to wait, and the way to a new password."""
    message = f"{wait_message(wait)} {url_for('auth.reset_request', _external=True)}"
    response, status = json_error(429, "rate_limited", message)
    response.headers["Retry-After"] = str(wait)
    return response, status


@bp.post("/tokens")
def create_token():
    """Exchange email and password for a bearer token; failures count with the login page's."""
    form = api_form(LoginForm, json_body())
    wait = login_wait(form.email.data)
    if wait:
        return _too_many(wait)
    user = authenticate(form.email.data, form.password.data)
    if user is None:
        login_failed(form.email.data)
        raise NotAuthenticated(_l("The email address or password is not correct."), code="invalid_credentials")
    login_succeeded(form.email.data)
    raw, token = issue_token(user)
    db.session.commit()
    return jsonify({"token": raw, "expires_at": iso(token.expires_at)}), 201


@bp.delete("/tokens/current")
def revoke_current_token():
    """Revoke the token this request is made with (logging out of the API)."""
    user = require_user()
    token = g.get("api_token")
    if token is None:
        raise InvalidInput(_l("This request carries no API token."), code="no_token")
    revoke_token(user, token.id)
    db.session.commit()
    return "", 204


@bp.get("/me")
def me():
    """The acting user, with roles and verification."""
    return jsonify(account_json(require_user()))


@bp.patch("/me")
def patch_me():
    """Change the account's language."""
    user = require_user()
    form = api_form(LocaleForm, json_body())
    set_locale_of(user, form.locale.data)
    db.session.commit()
    return jsonify(account_json(user))


@bp.get("/municipalities")
def municipalities():
    """Gyeonggi's 31 cities and counties."""
    _categories, rows = reference_lists()
    return jsonify({"items": [{**ref_json(m), "kind": m.kind} for m in rows]})


@bp.get("/categories")
def categories():
    """Idea categories."""
    rows, _municipalities = reference_lists()
    return jsonify({"items": [ref_json(c) for c in rows]})


# The account's other routes live beside this module, one subject each.
from app.api import accounts, people  # noqa: E402,F401
