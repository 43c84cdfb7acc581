"""The rules page (parameters, their history, the stewards' form) and the public audit log."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.audit import describe, events_query, subject_labels
from app.core.pagination import page_args
from app.core.parameters import SPECS, get_parameter
from app.core.web import attempt
from app.extensions import db
from app.governance import bp
from app.governance.forms import ParameterForm
from app.governance.operations import parameter_history, set_parameter

audit_bp = Blueprint("audit", __name__)


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Everyone sees the rules and their history; stewards change them."""
    form = ParameterForm()
    key = request.form.get("key")
    if request.method == "POST":
        if not (current_user.is_authenticated and current_user.has_role("steward")):
            abort(403)
        if key not in SPECS:
            abort(400)
        done = attempt(lambda: set_parameter(key, form.value.data, current_user, form.reason.data),
                       form=form, redirecting=False)
        if done:
            flash(_("The rule is changed and the change is recorded.") if done.value else _("Nothing changed."))
            return redirect(url_for("governance.settings"))
    values = {k: get_parameter(k) for k in SPECS}
    return render_template("governance/settings.html", specs=SPECS, values=values, form=form, failed_key=key,
                           history=parameter_history(), can_edit=current_user.is_authenticated
                           and current_user.has_role("steward")), 400 if form.errors else 200


@audit_bp.route("/audit")
def index():
    """The public log of decisions and transitions: who, what, when, why; filterable by subject."""
    page, per_page = page_args(50)
    kind = request.args.get("subject_type") or None
    kinds = {**subject_labels(), "parameter": str(_l("Rule"))}
    if kind and kind not in kinds:
        abort(400)
    raw_id = request.args.get("subject_id") or ""
    subject_id = int(raw_id) if raw_id.isdigit() and int(raw_id) < 2**63 else None
    pagination = db.paginate(events_query(kind, subject_id), page=page, per_page=per_page, error_out=False)
    return render_template("governance/audit.html", pagination=pagination, rows=describe(pagination.items),
                           subject_type=kind, subject_id=subject_id, kinds=kinds)
