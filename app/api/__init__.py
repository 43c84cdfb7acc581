"""The JSON API v1: the web features over the same operations, one module per feature."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import (  # noqa: E402,F401
    auth, experts, governance, ideas, notifications, openapi, openapi_revenue, pledges, proposals, revenue, rounds,
    search, users, wallet,
)
