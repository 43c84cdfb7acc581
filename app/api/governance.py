"""API: the commons' rules (parameters and their history) and the public audit log."""
from urllib.parse import urljoin

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import json_body, require_user
from app.api.serializers import iso, page_json, user_public_json
from app.core.audit import describe, events_query, subject_types
from app.core.errors import InvalidInput
from app.core.forms import api_form
from app.core.pagination import page_args
from app.core.parameters import SPECS, get_parameter
from app.extensions import db
from app.governance.forms import ParameterForm
from app.governance.operations import parameter_history, set_parameter

#: audit subject ids are 64-bit
MAX_SUBJECT_ID = 2**63 - 1


@bp.get("/parameters")
def parameters():
    """The lifecycle rules in force, and their public history."""
    return jsonify({
        "items": [{"key": k, "value": get_parameter(k), "minimum": s.minimum, "maximum": s.maximum}
                  for k, s in SPECS.items()],
        "history": [{"key": c.data["key"], "old_value": c.data["old"], "new_value": c.data["new"], "reason": c.reason,
                     "changed_by": c.actor.display_name if c.actor else None, "changed_at": iso(c.created_at)}
                    for c in parameter_history()],
    })


@bp.put("/parameters/<key>")
def put_parameter(key):
    """A steward changes a rule `{value, reason}`; the change and its reason go to the public log."""
    user = require_user()
    form = api_form(ParameterForm, json_body())
    set_parameter(key, form.value.data, user, form.reason.data)
    db.session.commit()
    return jsonify({"key": key, "value": get_parameter(key)})


def _refuse(field: str, code: str, message) -> InvalidInput:
    return InvalidInput(message, code=code, fields={field: [str(message)]})


def _subject_filter() -> tuple[str | None, int | None]:
    """`?subject_type=&subject_id=` from the query string; unknown types and non-ids are refused."""
    kind = request.args.get("subject_type") or None
    if kind is not None and kind not in {*subject_types(), "parameter"}:
        raise _refuse("subject_type", "invalid_subject_type", _l("Choose one of the listed options."))
    raw = request.args.get("subject_id") or None
    if raw is None:
        return kind, None
    if not (raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_SUBJECT_ID):
        raise _refuse("subject_id", "invalid_subject_id", _l("This field has the wrong type."))
    return kind, int(raw)


def audit_json(row: dict) -> dict:
    """One entry of the log as `describe` tells it: who (by display name only), what, on which subject, why."""
    event = row["event"]
    return {
        "id": event.id, "action": event.action,
        "actor": user_public_json(event.actor) if event.actor else None,
        "subject": {"type": event.subject_type, "id": event.subject_id, "title": row["title"],
                    "url": urljoin(request.host_url, row["link"]) if row["link"] else None},
        "reason": event.reason, "data": event.data or {}, "created_at": iso(event.created_at),
    }


@bp.get("/audit")
def audit_log():
    """The public log of decisions and transitions, newest first; `?subject_type=&subject_id=` filter."""
    kind, subject_id = _subject_filter()
    page, per_page = page_args()
    pagination = db.paginate(events_query(kind, subject_id), page=page, per_page=per_page, error_out=False)
    return jsonify(page_json([audit_json(row) for row in describe(pagination.items)], page, per_page,
                             pagination.total))
