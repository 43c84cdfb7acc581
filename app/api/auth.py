"""What every API module needs: authentication (a bearer token or a CSRF-protected session), the acting user,
the request's JSON body, and rows named in the URL."""
from flask import g, request
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


def get_or_404(model, ident, code: str = "not_found", **belongs):
    """The row with this id, or NotFound; also NotFound if it does not belong where the URL says
    (`get_or_404(Milestone, mid, proposal_id=p.id)`)."""
    row = get_by_id(model, ident)
    if row is None or any(getattr(row, name) != value for name, value in belongs.items()):
        raise NotFound(code=code)
    return row
