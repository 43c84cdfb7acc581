"""The bell's pages: the list, marking as read, and how mail arrives."""
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.forms import ActionForm
from app.core.lookup import MAX_ID
from app.core.pagination import page_args
from app.core.web import attempt, safe_next
from app.extensions import db
from app.notifications import bp
from app.notifications.models import MODES
from app.notifications.operations import mark_read, notifications_query, set_mode


@bp.route("/")
@login_required
def index():
    """The user's notifications, newest first."""
    page, per_page = page_args(30)
    pagination = db.paginate(notifications_query(current_user), page=page, per_page=per_page, error_out=False)
    return render_template("notifications/index.html", pagination=pagination, form=ActionForm())


@bp.route("/read", methods=["POST"])
@login_required
def read():
    """Mark one notification (`id`) or all of them as read; `next` follows a notification's link."""
    if not ActionForm().validate_on_submit():
        abort(400)
    raw = request.form.get("id")
    notification_id = int(raw) if raw and raw.isdigit() and int(raw) <= MAX_ID else None
    mark_read(current_user, notification_id)
    db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("notifications.index")))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Choose: mail at once, a daily digest, or no mail."""
    form = ActionForm()
    if form.is_submitted() and attempt(lambda: set_mode(current_user, request.form.get("mode", "")),
                                       _("Your notification settings are saved."), form=form):
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form, modes=MODES)
