"""Pages: a person's public profile, and one's own activity."""
from flask import abort, render_template
from flask_login import current_user, login_required

from app.core.errors import NotFound
from app.core.forms import ActionForm
from app.people import bp
from app.people.queries import activity_of, person_or_404, profile_of
from app.proposals.states import CONTRIBUTION_KINDS, TEAM_ROLES


@bp.route("/people/<int:user_id>")
def profile(user_id):
    """Anyone's public profile: name, badges, ideas, proposals led, confirmed contributions."""
    try:
        person = person_or_404(user_id)
    except NotFound:
        abort(404)
    return render_template("people/profile.html", profile=profile_of(person), kinds=CONTRIBUTION_KINDS)


@bp.route("/me/activity")
@login_required
def activity():
    """My ideas, supports, comments, proposals and the invitations waiting for my answer."""
    return render_template("people/activity.html", activity=activity_of(current_user), roles=TEAM_ROLES,
                           action_form=ActionForm())
