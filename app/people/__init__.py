"""People: a public profile per user and one's own activity (reads across ideas and proposals)."""
from flask import Blueprint

bp = Blueprint("people", __name__)

from app.people import receivers, routes  # noqa: E402,F401
