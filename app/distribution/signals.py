"""What distribution announces. Observers (notifications) connect; distribution never imports them."""
from blinker import Namespace

_signals = Namespace()

#: sender: the report. kwargs: actor
revenue_reported = _signals.signal("revenue-reported")
#: sender: the report. kwargs: split (app.proposals.revenue_split.Split)
revenue_distributed = _signals.signal("revenue-distributed")
#: sender: the payout. kwargs: actor
payout_requested = _signals.signal("payout-requested")
