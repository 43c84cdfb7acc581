"""The kinds of ledger account: who owns one, and whether its balance may go below zero.

Sign convention: an account's balance is the money the platform holds in it (or, for a wallet, owes
its owner), so moving `x` won from A to B posts `(A, -x), (B, +x)`. Only the clearing accounts that
stand for the outside world (the payment processor, bank transfers) go negative: money that came in
from outside leaves them below zero. Every account held for someone never does; the database refuses
it (`CHECK (may_go_negative OR balance >= 0)` on the account row).

Features may declare more kinds with `register_kind` when they are imported.
"""
from dataclasses import dataclass

from app.ledger.errors import PostingError


@dataclass(frozen=True)
class Kind:
    """An account kind: its name, the owner type its accounts name (None: one platform-wide account)."""

    name: str
    owner_type: str | None
    may_go_negative: bool = False
    description: str = ""


_KINDS: dict[str, Kind] = {}


def register_kind(name: str, owner_type: str | None, *, may_go_negative: bool = False, description: str = "") -> Kind:
    """Declare an account kind (idempotent for the same declaration; a different one is refused)."""
    kind = Kind(name, owner_type, may_go_negative, description)
    if _KINDS.setdefault(name, kind) != kind:
        raise ValueError(f"ledger account kind {name!r} is already declared differently")
    return kind


def get_kind(name: str) -> Kind:
    """The declared kind called `name`; unknown kinds are a programming error."""
    kind = _KINDS.get(name)
    if kind is None:
        raise PostingError(f"unknown ledger account kind {name!r}")
    return kind


def find_kind(name: str) -> Kind | None:
    """The declared kind called `name`, or None."""
    return _KINDS.get(name)


def kinds() -> list[Kind]:
    """Every declared kind, by name."""
    return [_KINDS[name] for name in sorted(_KINDS)]


PROCESSOR = register_kind("processor", None, may_go_negative=True,
                          description="the payment processor's clearing: card money in, refunds out")
BANK = register_kind("bank", None, may_go_negative=True,
                     description="bank transfers: deposits and revenue paid in, payouts paid out")
ROUND_ESCROW = register_kind("round_escrow", "round", description="a round's pledges, held until it closes")
PROPOSAL_TREASURY = register_kind("proposal_treasury", "proposal", description="a funded proposal's money")
MATCHING_POOL = register_kind("matching_pool", "matching_pool",
                              description="an organization's deposit for matching a round's pledges")
REVENUE_POOL = register_kind("revenue_pool", "revenue_report",
                             description="the community's share of one revenue report, until distributed")
WALLET = register_kind("wallet", "user", description="what the platform owes a user, until paid out")
FEES = register_kind("fees", None, description="platform fees")
COMMONS_FUND = register_kind("commons_fund", None, description="the commons fund")
TAX_PAYABLE = register_kind("tax_payable", None, description="tax withheld, until paid to the tax office")
