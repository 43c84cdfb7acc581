"""What the proposals feature announces. Observers connect; proposals never import them.

Machine moves (stage changes, application and membership decisions, invitations, milestones)
are announced by each machine's `moved` signal (sender: the row; kwargs machine, frm, to, actor,
reason); the signals below are for what is not a move.
"""
from blinker import Namespace

_signals = Namespace()

#: sender: the new team member row (an invitation). kwargs: proposal, actor
team_invited = _signals.signal("team-invited")
#: sender: the contribution. kwargs: proposal, actor (who recorded it)
contribution_recorded = _signals.signal("contribution-recorded")
#: sender: the update. kwargs: proposal, actor
proposal_update_posted = _signals.signal("proposal-update-posted")
