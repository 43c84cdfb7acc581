"""In-app notifications, with mail immediately, as a daily digest, or not at all."""
from flask import Blueprint

bp = Blueprint("notifications", __name__)

from app.notifications import receivers, routes  # noqa: E402,F401
