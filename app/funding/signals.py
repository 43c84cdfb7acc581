"""What funding announces. Observers (notifications, the audit of decisions) connect; funding never imports them.

Round moves are announced by `ROUND.moved` and the named signals below, sent by the machine.
"""
from blinker import Namespace

_signals = Namespace()

#: sender: the round (machine events). kwargs: machine, frm, to, actor, reason
round_opened = _signals.signal("round-opened")
round_succeeded = _signals.signal("round-succeeded")
round_failed = _signals.signal("round-failed")
round_cancelled = _signals.signal("round-cancelled")
#: sender: the pledge. kwargs: round
pledge_paid = _signals.signal("pledge-paid")
pledge_failed = _signals.signal("pledge-failed")
pledge_refunded = _signals.signal("pledge-refunded")
#: many refunds recorded at once (a round that did not succeed). sender: ignore. kwargs: pledge_ids
pledges_refunded = _signals.signal("pledges-refunded")
#: sender: the round. kwargs: count (pledges settled)
round_settled = _signals.signal("round-settled")
#: sender: the question. kwargs: round, actor
question_asked = _signals.signal("round-question-asked")
question_answered = _signals.signal("round-question-answered")
