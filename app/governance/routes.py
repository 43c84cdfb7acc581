"""The rules page: lifecycle parameters, their history, and the stewards' form to change them."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length

from app.core.errors import DomainError
from app.core.forms import strip
from app.extensions import db
from app.governance import bp
from app.governance.parameters import SPECS, get_parameter, parameter_history, set_parameter


class ParameterForm(FlaskForm):
    """One parameter's new value and the reason for the change."""

    value = IntegerField(_l("New value"), validators=[DataRequired(_l("Enter a number."))])
    reason = StringField(_l("Why (shown publicly)"), filters=[strip], validators=[
        DataRequired(_l("Say why the rule changes.")), Length(max=500, message=_l("Use at most %(max)d characters."))])


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
        if form.validate_on_submit():
            try:
                change = set_parameter(key, form.value.data, current_user, form.reason.data)
            except DomainError as exc:
                db.session.rollback()
                form.value.errors.append(str(exc.message))
            else:
                db.session.commit()
                flash(_("The rule is changed and the change is recorded.") if change else _("Nothing changed."))
                return redirect(url_for("governance.settings"))
    values = {k: get_parameter(k) for k in SPECS}
    status = 400 if form.errors else 200
    return render_template("governance/settings.html", specs=SPECS, values=values, form=form, failed_key=key,
                           history=parameter_history(), can_edit=current_user.is_authenticated
                           and current_user.has_role("steward")), status
