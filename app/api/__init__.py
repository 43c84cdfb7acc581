"""The JSON API v1: the web features over the same operations."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import auth, ideas, lifecycle, openapi, proposals, users  # noqa: E402,F401
