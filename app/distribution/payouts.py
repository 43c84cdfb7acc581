"""Payouts: wallet money asked for, held, then paid by a steward who is not a party (or rejected back).

Asking moves the amount wallet -> payout hold at once, through the ledger: the wallet row is locked
and may never go below zero (a CHECK on it), so two requests at once can never together take more
than the balance. Paying moves hold -> bank (a transfer the steward made, with its reference) or
hold -> processor (a Stripe Connect transfer); rejecting or cancelling moves it back to the wallet.
"""
import re
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core.errors import Conflict, InvalidInput, PermissionDenied
from app.core.timeutil import utcnow
from app.distribution.models import BANK_CODES, Payout
from app.distribution.parameters import payout_min_amount
from app.distribution.signals import payout_requested
from app.distribution.states import PAYOUT, PayoutStatus
from app.extensions import db
from app.ledger.errors import InsufficientBalance
from app.ledger.operations import account, post
from app.ledger.queries import balance, find_account

MAX_AMOUNT = 10**13


def _invalid(fields: dict):
    raise InvalidInput(_l("Some fields are not valid."), code="validation_failed",
                       fields={k: [str(v)] for k, v in fields.items()})


def mask(number: str) -> str:
    """An account number with all but its last four digits hidden, keeping its dashes: 110-***-**5678."""
    digits = sum(ch.isdigit() for ch in number)
    seen, out = 0, []
    for ch in number:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > digits - 4 else "*")
        else:
            out.append(ch)
    return "".join(out)


def wallet_balance(user) -> int:
    """What the platform owes the user now, in won."""
    return balance(find_account("wallet", "user", user.id))


def request_payout(user, amount, *, method: str = "bank", bank_code: str | None = None,
                   account_number: str | None = None, holder_name: str | None = None,
                   connected_account: str | None = None, now: datetime | None = None) -> Payout:
    """Ask for `amount` won of the wallet to be paid out; held at once, so it can never exceed the balance."""
    now = now or utcnow()
    if not (user and user.is_authenticated and user.can_participate()):
        raise PermissionDenied(_l("Verify your email address first."), code="not_verified")
    fields = {}
    minimum = payout_min_amount()
    if not isinstance(amount, int) or isinstance(amount, bool) or not minimum <= amount <= MAX_AMOUNT:
        fields["amount"] = _l("Ask for a whole number of won, at least %(min)s.", min=f"{minimum:,}")
    number = holder = acct = None
    if method == "bank":
        if bank_code not in BANK_CODES:
            fields["bank_code"] = _l("Choose your bank.")
        number = (account_number or "").strip()
        digits = re.sub(r"-", "", number)
        if not re.fullmatch(r"[0-9-]{10,20}", number) or not 10 <= len(digits) <= 16 or "--" in number \
                or number.startswith("-") or number.endswith("-"):
            fields["account_number"] = _l("Enter the account number: 10 to 16 digits, dashes allowed.")
        holder = (holder_name or "").strip()
        if not 2 <= len(holder) <= 40 or not re.fullmatch(r"[\w .()·-]+", holder):
            fields["holder_name"] = _l("Enter the account holder's name as the bank has it.")
    elif method == "connect":
        acct = (connected_account or "").strip()
        if not re.fullmatch(r"acct_[A-Za-z0-9]{6,40}", acct):
            fields["connected_account"] = _l("Enter your connected Stripe account (acct_...).")
    else:
        fields["method"] = _l("Choose one of the listed options.")
    if fields:
        _invalid(fields)
    payout = Payout(user_id=user.id, amount=amount, method=method, bank_code=bank_code if method == "bank" else None,
                    account_number=number or None, account_masked=mask(number) if number else None,
                    holder_name=holder or None, connected_account=acct, status=PayoutStatus.REQUESTED.value,
                    created_at=now)
    db.session.add(payout)
    db.session.flush()
    try:
        post("payout.requested", f"payout:{payout.id}", f"payout:{payout.id}:hold",
             [(account("wallet", "user", user.id), -amount), (account("payout_hold", "payout", payout.id), amount)],
             at=now)
    except InsufficientBalance:
        raise Conflict(_l("That is more than your wallet holds (%(balance)s won).",
                          balance=f"{wallet_balance(user):,}"), code="over_balance") from None
    payout_requested.send(payout, actor=user)
    return payout


def _decide(payout: Payout, steward, to: PayoutStatus, **values) -> None:
    if payout.status != PayoutStatus.REQUESTED.value:
        raise Conflict(_l("This payout is already decided."), code="already_decided")
    PAYOUT.check(payout, to, steward)
    if not PAYOUT.move_if(payout, to, steward, reason=values.get("reason"),
                          data={"amount": payout.amount, "method": payout.method},
                          values={"decided_by_id": getattr(steward, "id", None), "decided_at": utcnow(),
                                  "account_number": None, **values}):
        raise Conflict(_l("This payout is already decided."), code="already_decided")


def mark_paid(payout: Payout, steward, reference: str) -> None:
    """A steward who is not a party made the transfer: hold -> bank, with its reference."""
    reference = (reference or "").strip()
    if not 2 <= len(reference) <= 120:
        _invalid({"reference": _l("Give the transfer's reference.")})
    _decide(payout, steward, PayoutStatus.PAID, reference=reference)
    post("payout.paid", f"payout:{payout.id}", f"payout:{payout.id}:paid",
         [(account("payout_hold", "payout", payout.id), -payout.amount), (account("bank"), payout.amount)],
         data={"reference": reference})


def mark_transferred(payout: Payout, steward, transfer_id: str) -> None:
    """A Connect transfer went out: hold -> processor."""
    _decide(payout, steward, PayoutStatus.PAID, reference=transfer_id)
    post("payout.paid", f"payout:{payout.id}", f"payout:{payout.id}:paid",
         [(account("payout_hold", "payout", payout.id), -payout.amount), (account("processor"), payout.amount)],
         data={"reference": transfer_id, "via": "connect"})


def reject_payout(payout: Payout, steward, reason: str) -> None:
    """A steward who is not a party refuses, with a reason: the money goes back to the wallet."""
    if not (reason or "").strip():
        _invalid({"reason": _l("Please say why.")})
    _decide(payout, steward, PayoutStatus.REJECTED, reason=reason.strip()[:500])
    _release(payout)


def cancel_payout(payout: Payout, user) -> None:
    """Its owner withdraws a request not yet decided: the money goes back to the wallet."""
    if not (user and user.is_authenticated and user.id == payout.user_id):
        raise PermissionDenied(_l("Only its owner can cancel a payout."), code="not_owner")
    if payout.status != PayoutStatus.REQUESTED.value or not PAYOUT.move_if(
            payout, PayoutStatus.CANCELLED, user, values={"account_number": None, "decided_at": utcnow()}):
        raise Conflict(_l("This payout is already decided."), code="already_decided")
    _release(payout)


def _release(payout: Payout) -> None:
    post("payout.returned", f"payout:{payout.id}", f"payout:{payout.id}:returned",
         [(account("payout_hold", "payout", payout.id), -payout.amount),
          (account("wallet", "user", payout.user_id), payout.amount)])


def pending_payouts() -> list[Payout]:
    """Requests waiting for a steward, oldest first."""
    return db.session.scalars(sa.select(Payout).where(Payout.status == PayoutStatus.REQUESTED.value)
                              .order_by(Payout.created_at, Payout.id)).all()
