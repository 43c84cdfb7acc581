"""The one way pages run an operation and report the outcome."""
from dataclasses import dataclass
from typing import Any

from flask import abort, flash

from app.core.errors import DomainError
from app.extensions import db


@dataclass
class Outcome:
    """What `attempt` did: `ok`, and the operation's return value."""

    ok: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.ok


def attempt(action, success: str | None = None, *, form=None, redirecting: bool = True) -> Outcome:
    """Validate `form` (if given), run `action()`, commit and flash `success`.

    A form that fails validation, or a DomainError from the operation, rolls back and is shown:
    on the form's fields when the page re-renders the form (`redirecting=False`), else flashed,
    since a redirect would lose field errors.
    """
    if form is not None and not form.validate_on_submit():
        if redirecting:
            flash_form_errors(form)
        return Outcome(False)
    try:
        value = action()
    except DomainError as exc:
        db.session.rollback()
        _show_refusal(exc, None if redirecting else form)
        return Outcome(False)
    db.session.commit()
    if success:
        flash(success)
    return Outcome(True, value)


def _show_refusal(exc: DomainError, form) -> None:
    """Per-field messages go on the form's fields where it has them; the rest are flashed."""
    if exc.fields:
        for name, messages in exc.fields.items():
            field = getattr(form, name, None) if form is not None else None
            for message in messages:
                if field is not None and hasattr(field, "errors"):
                    field.errors = [*field.errors, str(message)]
                else:
                    flash(str(message), "error")
    else:
        flash(str(exc.message), "error")


def flash_form_errors(form) -> None:
    """Show every error of a form that failed validation."""
    for messages in form.errors.values():
        for message in messages:
            flash(str(message), "error")


def found(row, **belongs):
    """`row`, or 404 if it is None or does not belong where the URL says (`found(m, proposal_id=p.id)`)."""
    if row is None or any(getattr(row, name) != value for name, value in belongs.items()):
        abort(404)
    return row
