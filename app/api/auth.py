"""API authentication (bearer tokens or a CSRF-protected session), request bodies, idempotency."""
import hashlib
from functools import wraps

import sqlalchemy as sa
from flask import Response, g, make_response, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.api import bp
from app.api.models import IdempotencyRecord
from app.auth.operations import user_for_token
from app.core.errors import Conflict, InvalidInput, NotAuthenticated
from app.core.handlers import json_error
from app.extensions import client_address, csrf, db

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@bp.before_request
def authenticate_request():
    """A bearer token wins; a cookie session must carry a CSRF token for writes."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, raw = header.partition(" ")
        user = user_for_token(raw.strip()) if scheme.lower() == "bearer" and raw.strip() else None
        if user is None:
            return json_error(401, "invalid_token", str(_l("The API token is missing, unknown or expired.")))
        g._login_user = user  # Flask-Login's per-request user: this request acts as the token's owner
        g.api_token_auth = True
        return None
    if request.method in WRITE_METHODS and current_user.is_authenticated:
        csrf.protect()
    return None


def require_user():
    """The acting user, or NotAuthenticated (401)."""
    if not current_user.is_authenticated:
        raise NotAuthenticated()
    return current_user._get_current_object()


def json_body() -> dict:
    """The request's JSON object, or InvalidInput (400)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput(_l("Send a JSON object with Content-Type: application/json."), code="invalid_json")
    return data


def idempotent(view):
    """Honour an Idempotency-Key header: same key and body replay the first response; another body is a 409."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if not key:
            return view(*args, **kwargs)
        if len(key) > 200:
            raise InvalidInput(_l("The Idempotency-Key is too long."), code="invalid_idempotency_key")
        scope = f"user:{current_user.id}" if current_user.is_authenticated else f"addr:{client_address()}"
        fingerprint = hashlib.sha256(
            request.method.encode() + b" " + request.path.encode() + b"\n" + request.get_data()
        ).hexdigest()
        record = db.session.scalar(
            sa.select(IdempotencyRecord).where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
        )
        if record is not None:
            if record.fingerprint != fingerprint:
                raise Conflict(_l("This Idempotency-Key was used with a different request."), code="idempotency_key_reused")
            if record.status_code is None:
                raise Conflict(_l("A request with this Idempotency-Key is still in progress."), code="idempotency_in_progress")
            return Response(record.response_body, status=record.status_code, mimetype="application/json")
        record = IdempotencyRecord(scope=scope, key=key, fingerprint=fingerprint)
        db.session.add(record)
        try:
            db.session.commit()  # claim the key before acting, so a concurrent retry cannot act too
        except sa.exc.IntegrityError:
            db.session.rollback()
            raise Conflict(_l("A request with this Idempotency-Key is still in progress."), code="idempotency_in_progress") from None
        record_id = record.id
        try:
            response = view(*args, **kwargs)
        except Exception:
            db.session.rollback()
            db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
            db.session.commit()
            raise
        response = make_response(response)
        db.session.execute(
            sa.update(IdempotencyRecord).where(IdempotencyRecord.id == record_id)
            .values(status_code=response.status_code, response_body=response.get_data(as_text=True))
        )
        db.session.commit()
        return response

    return wrapper
