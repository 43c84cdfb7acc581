"""What every API module needs: authentication (a bearer token or a CSRF-protected session), the acting user,
the request's JSON body, rows named in the URL, and the answers views share (201 with its Location, a field refused
with 422)."""
from functools import wraps

from flask import g, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.api import bp
from app.auth.operations import token_for
from app.core.errors import InvalidInput, NotAuthenticated, NotFound
from app.core.handlers import json_error
from app.core.lookup import get_by_id
from app.extensions import csrf

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@bp.before_request
def authenticate_request():
    """A bearer token wins; a cookie session must carry a CSRF token for writes."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, raw = header.partition(" ")
        token = token_for(raw.strip()) if scheme.lower() == "bearer" and raw.strip() else None
        if token is None:
            return json_error(401, "invalid_token", str(_l("The API token is missing, unknown or expired.")))
        g._login_user = token.user  # Flask-Login's per-request user: this request acts as the token's owner
        g.api_token = token  # the token in use (DELETE /tokens/current revokes it)
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


def optional_body() -> dict:
    """The JSON object sent, or {} when the body is empty (actions whose fields are all optional)."""
    if not request.get_data(cache=True):
        return {}
    return json_body()


def refuse_unknown(payload: dict, known) -> None:
    """InvalidInput (400 unknown_fields) naming each field sent that the endpoint does not take."""
    unknown = set(payload) - set(known)
    if unknown:
        msg = str(_l("Unknown field."))
        raise InvalidInput(msg, code="unknown_fields", fields={k: [msg] for k in sorted(unknown)})


def field_error(name: str, message) -> InvalidInput:
    """A field the view itself refuses (422 through `validation_is_422`)."""
    return InvalidInput(_l("Some fields are not valid."), code="validation_failed", fields={name: [str(message)]})


def validation_is_422(view):
    """A field an operation refuses (cross-field rules, a card id's shape) answers 422 like the form's own checks."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except InvalidInput as exc:
            if exc.code == "validation_failed":
                exc.status = 422
            raise

    return wrapper


def created(data: dict, location: str):
    """201 with the new resource and its Location."""
    response = jsonify(data)
    response.headers["Location"] = location
    return response, 201


def get_or_404(model, ident, code: str = "not_found", **belongs):
    """The row with this id, or NotFound; also NotFound if it does not belong where the URL says
    (`get_or_404(Milestone, mid, proposal_id=p.id)`)."""
    row = get_by_id(model, ident)
    if row is None or any(getattr(row, name) != value for name, value in belongs.items()):
        raise NotFound(code=code)
    return row
