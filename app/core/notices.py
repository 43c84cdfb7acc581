"""Kinds of notification, registered by the feature that owns them (no central list to edit).

A kind has a message (a translatable sentence over the notification's `data`, e.g. %(title)s)
and a link built from the subject's id and the data. `app.notifications` stores and delivers
notifications and renders them through this registry; features never import it.
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, has_request_context


@dataclass(frozen=True)
class NoticeKind:
    """What happened, how to say it, and where it leads."""

    name: str
    #: the subject's type, e.g. "idea", "proposal", "team_member"
    subject_type: str
    message: object
    link: Callable[[int, dict], str]


KINDS: dict[str, NoticeKind] = {}


def register_notice(name: str, subject_type: str, message, link: Callable[[int, dict], str]) -> NoticeKind:
    """Declare a kind of notification (at import of the owning feature)."""
    kind = NoticeKind(name, subject_type, message, link)
    KINDS[name] = kind
    return kind


def render_message(kind: str, data: dict) -> str:
    """The sentence for a notification in the current language; unknown placeholders stay empty."""
    spec = KINDS.get(kind)
    if spec is None:
        return kind
    return str(spec.message) % _Defaults(data or {})


def link_for(kind: str, subject_id: int, data: dict) -> str | None:
    """Where a notification leads: a path on this site (built in a bare request context for CLI mail)."""
    spec = KINDS.get(kind)
    if spec is None:
        return None
    if has_request_context():
        return spec.link(subject_id, data or {})
    with current_app.test_request_context("/"):
        return spec.link(subject_id, data or {})


class _Defaults(dict):
    """A mapping that answers "" for missing keys, so an old row never breaks a message."""

    def __missing__(self, key):
        return ""
