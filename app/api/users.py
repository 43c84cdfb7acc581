"""API: register, tokens, the current user, code lists."""
from flask import current_app, g, jsonify
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import json_body, require_user
from app.api.serializers import iso, me_json, ref_json
from app.auth.forms import LoginForm, RegisterForm
from app.auth.operations import authenticate, issue_token, register_user, send_verification_mail
from app.core.errors import NotAuthenticated
from app.core.forms import api_form
from app.core.idempotency import idempotent
from app.core.security import login_account_key, login_failed
from app.extensions import client_address, db, limiter
from app.ideas.queries import reference_lists


@bp.post("/users")
@limiter.limit(lambda: current_app.config["REGISTRATIONS_PER_ADDRESS"], key_func=client_address)
@idempotent
def create_user():
    """Register; the verification mail goes out at once."""
    form = api_form(RegisterForm, json_body())
    user = register_user(form.email.data, form.password.data, form.display_name.data, form.locale.data or "ko")
    db.session.commit()
    send_verification_mail(user)
    return jsonify(me_json(user)), 201


@bp.post("/tokens")
@limiter.limit(lambda: current_app.config["LOGIN_FAILS_PER_ACCOUNT"], key_func=login_account_key,
               deduct_when=login_failed)
@limiter.limit(lambda: current_app.config["LOGIN_FAILS_PER_ADDRESS"], key_func=client_address,
               deduct_when=login_failed)
def create_token():
    """Exchange email and password for a bearer token."""
    form = api_form(LoginForm, json_body())
    user = authenticate(form.email.data, form.password.data)
    if user is None:
        g.login_failed = True
        raise NotAuthenticated(_l("The email address or password is not correct."), code="invalid_credentials")
    raw, token = issue_token(user)
    db.session.commit()
    return jsonify({"token": raw, "expires_at": iso(token.expires_at)}), 201


@bp.get("/me")
def me():
    """The acting user, with roles and verification."""
    return jsonify(me_json(require_user()))


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
