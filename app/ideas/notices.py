"""How ideas appear elsewhere: the notification kinds ideas own, and ideas as subjects of the audit log."""
import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from app.core.audit import register_subject
from app.core.notices import register_notice
from app.extensions import db


def idea_link(idea_id: int, data: dict) -> str:
    """The idea (or the one it was merged into), at the comment if there is one."""
    anchor = f"comment-{data['comment_id']}" if data.get("comment_id") else None
    return url_for("ideas.show", idea_id=data.get("link_id") or idea_id, _anchor=anchor)


for name, message in {
    "idea_shortlisted": _l("“%(title)s” reached the support threshold and is shortlisted: experts may now adopt it."),
    "idea_archived": _l("“%(title)s” did not reach the support threshold in time and is archived. Its supports stay visible."),
    "idea_answered": _l("The stewards answered “%(title)s”."),
    "idea_merged": _l("“%(title)s” was merged into a similar idea; its supports and comments moved there."),
    "idea_merged_into": _l("A similar idea was merged into “%(title)s”."),
    "idea_withdrawn": _l("“%(title)s” was withdrawn by its author."),
    "comment_reply": _l("%(actor)s replied to your comment on “%(title)s”."),
    "idea_commented": _l("%(actor)s commented on your idea “%(title)s”."),
}.items():
    register_notice(name, "idea", message, idea_link)


def _idea_titles(ids: list[int]) -> dict[int, str]:
    from app.ideas.models import Idea

    return dict(db.session.execute(sa.select(Idea.id, Idea.title).where(Idea.id.in_(ids))).all())


def _comment_titles(ids: list[int]) -> dict[int, str]:
    from app.ideas.models import Comment, Idea

    return dict(db.session.execute(sa.select(Comment.id, Idea.title).join(Idea, Idea.id == Comment.idea_id)
                                   .where(Comment.id.in_(ids))).all())


register_subject("idea", label=_l("Idea"), titles=_idea_titles,
                 link=lambda ident: url_for("ideas.show", idea_id=ident))
register_subject("comment", label=_l("Comment"), titles=_comment_titles)
