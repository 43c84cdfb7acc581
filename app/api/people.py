"""API: a person's public profile and one's own activity (the same reads as the pages)."""
from flask import jsonify, url_for

from app.api import bp
from app.api.auth import require_user
from app.api.serializers import idea_json, iso, user_public_json
from app.people.queries import activity_of, person_or_404, profile_of


def _proposal_ref(proposal) -> dict:
    return {"id": proposal.id, "title": proposal.title, "stage": proposal.stage,
            "url": url_for("proposals.show", proposal_id=proposal.id, _external=True)}


def _idea_ref(idea) -> dict:
    return {"id": idea.id, "title": idea.title, "status": idea.status,
            "url": url_for("ideas.show", idea_id=idea.id, _external=True)}


@bp.get("/users/<int:user_id>")
def get_user(user_id):
    """A public profile: name, badges, ideas, proposals led, confirmed contributions (never the email)."""
    profile = profile_of(person_or_404(user_id))
    user = profile.user
    return jsonify({
        **user_public_json(user),
        "badges": user.badges,
        "url": url_for("people.profile", user_id=user.id, _external=True),
        "ideas": [idea_json(i, full=False) for i in profile.ideas],
        "proposals": [_proposal_ref(p) for p in profile.proposals],
        "contributions": [{"proposal": _proposal_ref(p), "kind": c.kind, "points": c.points,
                           "confirmed_at": iso(c.confirmed_at)} for c, p in profile.contributions],
    })


@bp.get("/me/activity")
def my_activity():
    """My ideas (drafts too), supports, comments, proposals I am on, and the invitations waiting for my answer."""
    activity = activity_of(require_user())
    return jsonify({
        "ideas": [idea_json(i, full=False) for i in activity.ideas],
        "supports": [{"idea": _idea_ref(i), "supported_at": iso(s.created_at)} for s, i in activity.supports],
        "comments": [{"id": c.id, "idea": _idea_ref(i), "body": c.body, "created_at": iso(c.created_at)}
                     for c, i in activity.comments],
        "proposals": [{**_proposal_ref(p), "role": role} for p, role in activity.proposals],
        "invitations": [{"id": m.id, "proposal": _proposal_ref(p), "role": m.role,
                         "organization": {"id": m.organization.id, "name": m.organization.name}
                         if m.organization else None} for m, p in activity.invitations],
    })
