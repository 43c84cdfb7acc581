"""Small pieces of markup many pages repeat, written in Python because a page repeats them hundreds of times."""
from markupsafe import Markup, escape

from app.core.i18n import gettext as _
from app.core.security import Role


def person(user) -> Markup:
    """A user's name with their expert and steward badges (a discussion shows one per comment).

    Any object with `display_name` and `has_role` will do: a `User`, or a comment row's author.
    """
    html = escape(user.display_name)
    if user.has_role(Role.EXPERT):
        html += Markup(' <span class="badge expert" title="{}">✔ {}</span>').format(_("Verified expert"), _("Expert"))
    if user.has_role(Role.STEWARD):
        html += Markup(' <span class="badge steward">{}</span>').format(_("Steward"))
    return html
