"""What the accounts feature announces; other features connect and never get imported by auth."""
from blinker import Namespace

_signals = Namespace()

#: a user deleted their account; receivers remove what their feature keeps about the person (follows, ...)
#: and keep public contributions. Sender: the user, before the personal data is erased.
account_erased = _signals.signal("account-erased")
