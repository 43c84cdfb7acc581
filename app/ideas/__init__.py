"""Ideas, supports and comments."""
from flask import Blueprint

bp = Blueprint("ideas", __name__)

from app.ideas import feeds, notices, parameters, routes, tallies  # noqa: E402,F401
