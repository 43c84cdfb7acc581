"""Domain errors: operations raise them, the web and API layers turn them into 4xx replies."""
from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule refused the action; `message` is translatable and safe to show."""

    status = 422
    code = "rule_refused"

    def __init__(self, message=None, *, code=None, fields=None):
        super().__init__(str(message or self.default_message))
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields or {}

    default_message = _l("This action is not allowed.")


class InvalidInput(DomainError):
    """The request is malformed or a field is invalid."""

    status = 400
    code = "invalid_input"
    default_message = _l("The request is not valid.")


class NotAuthenticated(DomainError):
    """The action needs a logged-in user."""

    status = 401
    code = "not_authenticated"
    default_message = _l("Please log in first.")


class PermissionDenied(DomainError):
    """The user may not do this."""

    status = 403
    code = "forbidden"
    default_message = _l("You are not allowed to do this.")


class NotFound(DomainError):
    """The thing does not exist (or is hidden from this user)."""

    status = 404
    code = "not_found"
    default_message = _l("Not found.")


class Conflict(DomainError):
    """The action conflicts with the current state (duplicate, wrong state)."""

    status = 409
    code = "conflict"
    default_message = _l("This conflicts with the current state.")
