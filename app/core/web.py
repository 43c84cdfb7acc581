"""Helpers for pages: run an operation and report the outcome the same way everywhere."""
from flask import flash

from app.core.errors import DomainError
from app.extensions import db


def perform(action, success: str | None = None) -> bool:
    """Run `action()`; commit and flash `success`, or roll back and flash why it was refused."""
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        flash_refusal(exc)
        return False
    db.session.commit()
    if success:
        flash(success)
    return True


def flash_refusal(exc: DomainError) -> None:
    """Show a refusal: its per-field messages if it has them, else its message."""
    if exc.fields:
        for messages in exc.fields.values():
            for message in messages:
                flash(str(message), "error")
    else:
        flash(str(exc.message), "error")


def flash_form_errors(form) -> None:
    """Show every error of a form that failed validation."""
    for messages in form.errors.values():
        for message in messages:
            flash(str(message), "error")
