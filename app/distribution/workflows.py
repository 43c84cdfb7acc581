"""Payout flows with a call to the payment processor in the middle (they commit, like funding's workflows)."""
from flask_babel import lazy_gettext as _l

from app.core.errors import Conflict, DomainError
from app.distribution.models import Payout
from app.distribution.payouts import mark_transferred
from app.distribution.states import PAYOUT, PayoutStatus
from app.extensions import db
from app.funding.gateway import GatewayError, gateway


class TransferFailed(DomainError):
    """The processor did not make the transfer; the payout still waits (nothing moved)."""

    status = 502
    code = "transfer_failed"
    default_message = _l("The transfer did not go through; the payout still waits. Try again later.")


def pay_by_transfer(payout: Payout, steward) -> Payout:
    """A steward who is not a party sends a Connect payout: the transfer (idempotent by the payout's key), then
    hold -> processor (committed)."""
    if payout.method != "connect":
        raise Conflict(_l("This payout goes to a bank account: record the transfer's reference."), code="not_connect")
    if payout.status != PayoutStatus.REQUESTED.value:
        raise Conflict(_l("This payout is already decided."), code="already_decided")
    PAYOUT.check(payout, PayoutStatus.PAID, steward)
    try:
        transfer = gateway().transfer(amount=payout.amount, destination=payout.connected_account,
                                      metadata={"payout": payout.id}, idempotency_key=f"gops-payout-{payout.id}-transfer")
    except GatewayError as exc:
        raise TransferFailed() from exc
    mark_transferred(payout, steward, transfer.id)
    db.session.commit()
    return payout
