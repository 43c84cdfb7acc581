"""API: my notifications, marking them read, and how they come by mail."""
from urllib.parse import urljoin

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, ValidationError

from app.api import bp
from app.api.auth import json_body, require_user
from app.api.serializers import iso, page_json
from app.core.forms import api_form
from app.core.lookup import MAX_ID
from app.core.pagination import page_args
from app.extensions import db
from app.notifications.operations import mark_read, notifications_query, set_mode, unread_count


# The notification pages read these fields straight from their forms; these are the API's bodies
# until the pages have forms of their own (app/notifications/forms.py), which the API should then use.
class MarkReadForm(FlaskForm):
    """Mark one notification `{id}` as read, or, without an id, all of them."""

    id = IntegerField()

    def validate_id(self, field):
        """An id the database can hold, if one is given (Optional() would skip every check on JSON input)."""
        if field.data is not None and not 0 < field.data <= MAX_ID:
            raise ValidationError(_l("Choose a number from %(min)d to %(max)d.", min=1, max=MAX_ID))


class NotificationModeForm(FlaskForm):
    """How notifications come by mail `{mode}`; which modes exist is the operation's check."""

    mode = StringField(validators=[DataRequired()])


def notification_json(n) -> dict:
    """A notification: its sentence, what it is about and where it leads (an absolute URL)."""
    link = n.link
    return {"id": n.id, "kind": n.kind, "message": n.message, "subject_type": n.subject_type,
            "subject_id": n.subject_id, "link": urljoin(request.host_url, link) if link else None,
            "created_at": iso(n.created_at),
            "read": n.read_at is not None}


@bp.get("/me/notifications")
def my_notifications():
    """The acting user's notifications, newest first, with the unread count."""
    user = require_user()
    page, per_page = page_args()
    pagination = db.paginate(notifications_query(user), page=page, per_page=per_page, error_out=False)
    return jsonify({**page_json([notification_json(n) for n in pagination.items], page, per_page, pagination.total),
                    "unread": unread_count(user)})


@bp.post("/me/notifications/read")
def read_notifications():
    """Mark `{id}` (or, without it, every notification) as read."""
    user = require_user()
    form = api_form(MarkReadForm, json_body())
    changed = mark_read(user, form.id.data)
    db.session.commit()
    return jsonify({"marked": changed, "unread": unread_count(user)})


@bp.put("/me/notification-settings")
def notification_settings():
    """Choose how notifications come by mail `{mode: immediate|daily|off}`."""
    user = require_user()
    form = api_form(NotificationModeForm, json_body())
    set_mode(user, form.mode.data)
    db.session.commit()
    return jsonify({"mode": user.notification_mode})
