"""The commons' rules: stewards' settings with public history."""
from flask import Blueprint

bp = Blueprint("governance", __name__)

from app.governance import routes  # noqa: E402,F401
