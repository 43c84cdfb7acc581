"""Experts, organizations, and testbed proposals developed from adopted ideas."""
from flask import Blueprint

bp = Blueprint("proposals", __name__)

from app.proposals import expert_routes, notices, routes  # noqa: E402,F401
