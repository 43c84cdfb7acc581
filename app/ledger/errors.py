"""What the ledger refuses: malformed postings (bugs), too little money, a reused idempotency key."""
from flask_babel import lazy_gettext as _l

from app.core.errors import Conflict, DomainError


class PostingError(ValueError):
    """A malformed call into the ledger (unbalanced, empty, zero or non-integer amounts, an account twice,
    an unknown kind): a bug in the caller, never a user's input, so it is not a DomainError."""


class InsufficientBalance(DomainError):
    """The movement would take an account that may not go negative below zero."""

    code = "insufficient_balance"
    default_message = _l("There is not enough money in the account for this.")

    def __init__(self, account_id: int, balance: int, amount: int):
        super().__init__()
        #: which account, what it held, and the entry that would have taken it below zero (for logs, not users)
        self.account_id, self.balance, self.amount = account_id, balance, amount


class KeyConflict(Conflict):
    """The idempotency key was used for another movement (code "ledger_key_reused"), or the transaction is
    already reversed ("ledger_already_reversed")."""

    code = "ledger_conflict"
    default_message = _l("This money movement conflicts with one already recorded.")

    def __init__(self, code: str, transaction_id: int):
        super().__init__(code=code)
        #: the transaction already recorded: the key's first, or the one already reversed
        self.transaction_id = transaction_id
