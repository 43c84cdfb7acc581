"""What the ideas feature announces. Observers (notifications, search, audit) connect; ideas never import them.

Each signal's sender is the idea (or the comment), with the keyword arguments named below.
"""
from blinker import Namespace

_signals = Namespace()

#: an idea was posted. kwargs: actor
idea_posted = _signals.signal("idea-posted")
#: a draft was published (draft -> open). kwargs as idea_shortlisted
idea_published = _signals.signal("idea-published")
#: an open idea reached the threshold. kwargs: actor (None: the rule), frm, to, reason, machine
idea_shortlisted = _signals.signal("idea-shortlisted")
#: an open idea's deadline passed without enough supports. kwargs as idea_shortlisted
idea_archived = _signals.signal("idea-archived")
#: the author withdrew the idea. kwargs as idea_shortlisted
idea_withdrawn = _signals.signal("idea-withdrawn")
#: a steward merged the idea into `idea.merged_into_id` (sent before supports move). kwargs as idea_shortlisted
idea_merged = _signals.signal("idea-merged")
#: an expert adopted the idea. kwargs as idea_shortlisted
idea_adopted = _signals.signal("idea-adopted")
#: the stewards answered. kwargs: answer, actor
idea_answered = _signals.signal("idea-answered")
#: sender: the comment. kwargs: idea, parent (the comment replied to, or None), actor
comment_posted = _signals.signal("comment-posted")
#: the idea page asks observers for what they add; each receiver returns a dict of template values.
#: kwargs: viewer
idea_page = _signals.signal("idea-page")
#: the sitemap asks observers for their public pages. kwargs: limit (at most this many). Each receiver returns
#: {name: [(absolute url, last changed datetime or None), ...]}, read with one query.
sitemap_pages = _signals.signal("sitemap-pages")
#: reference data was loaded (municipalities and categories); features add what depends on it. kwargs: none.
#: Each receiver returns how many rows it added.
reference_loaded = _signals.signal("reference-loaded")
