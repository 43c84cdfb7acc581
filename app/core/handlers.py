"""Error handlers: JSON for /api/, pages for the rest; nothing a client sends yields a 500."""
from flask import abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.core.errors import DomainError
from app.extensions import db


def wants_json() -> bool:
    """API paths answer in JSON."""
    return request.path.startswith("/api/") or request.path.startswith("/stripe/")


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    """The API error body: {"error": {"code", "message", "fields"}}."""
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return jsonify(body), status


HTTP_CODES = {
    400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "rule_refused", 429: "rate_limited",
}


def _http_message(status: int) -> str:
    return {
        400: _("The request is not valid."),
        401: _("Please log in first."),
        403: _("You are not allowed to do this."),
        404: _("The page you asked for does not exist."),
        405: _("This method is not allowed here."),
        413: _("The request is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
    }.get(status, _("Something went wrong."))


def refuse_nul_bytes():
    """No text field may hold a NUL character (PostgreSQL refuses them); refuse such requests early."""
    values = [*request.args.values()]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [v for k, v in request.form.items(multi=True) if k != "password"]
    if any("\x00" in v for v in values):
        abort(400)


def register_error_handlers(app) -> None:
    """Install the handlers on the app."""
    app.before_request(refuse_nul_bytes)

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        if wants_json():
            return json_error(exc.status, exc.code, str(exc.message), exc.fields)
        return render_template("errors/error.html", message=exc.message, status=exc.status), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        if wants_json():
            return json_error(401, "csrf_failed", _("Send a valid CSRF token or an API token."))
        msg = _("Your form expired or came from another site. Please go back, reload and try again.")
        return render_template("errors/error.html", message=msg, status=400), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if wants_json():
            response = json_error(status, HTTP_CODES.get(status, "error"), _http_message(status))
        else:
            response = render_template("errors/error.html", message=_http_message(status), status=status), status
        response = app.make_response(response)
        for name, value in exc.get_headers():  # e.g. Allow on 405, Retry-After on 429
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        if app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise exc
        if wants_json():
            return json_error(500, "internal_error", _("Something went wrong on our side."))
        return render_template("errors/error.html", message=_("Something went wrong on our side."), status=500), 500
