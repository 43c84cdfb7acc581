"""The terms of use and the privacy notice: their current versions and their pages (/terms, /privacy).

A new version is a new dated string here and a new text in templates/auth/; accounts record the versions they
accepted and when (`User.terms_version`, `User.privacy_version`).
"""
from flask import Blueprint, render_template

from flask_babel import get_locale

#: the version of the terms of use a registration accepts
TERMS_VERSION = "2026-11-25"
#: the version of the privacy notice (개인정보 수집·이용 동의) a registration accepts
PRIVACY_VERSION = "2026-11-25"

legal_bp = Blueprint("legal", __name__)


def _in_language(name: str, version: str):
    language = "en" if str(get_locale()) == "en" else "ko"
    return render_template(f"auth/{name}_{language}.html", version=version)


@legal_bp.route("/terms")
def terms():
    """The terms of use."""
    return _in_language("terms", TERMS_VERSION)


@legal_bp.route("/privacy")
def privacy():
    """The privacy notice: what is collected, why, for how long, and the right to refuse."""
    return _in_language("privacy", PRIVACY_VERSION)
