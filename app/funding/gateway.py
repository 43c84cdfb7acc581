"""The payment gateway interface: charge, refund, fetch, find, verify a webhook. Stripe is one implementation
(`stripe_gateway.py`); a Korean payment gateway would be another beside it, chosen by `PAYMENT_GATEWAY`.

Every call that moves money takes an idempotency key derived from our own record
("pledge-42-charge"); our records make a retry a no-op too (a refund first looks for one already
made for the same record), so a gateway that ignores keys (localstripe) is still safe.
"""
from dataclasses import dataclass, field

from flask import current_app


class GatewayError(Exception):
    """The gateway could not be reached, or refused the call for a reason other than the card.

    `permanent`: the gateway answered that the request itself is wrong (an unknown card, say), so a
    retry will not help; otherwise the outcome is unknown and our records must be checked again later.
    """

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class WebhookRejected(Exception):
    """A webhook whose signature, timestamp or body does not check out."""


@dataclass(frozen=True)
class Payment:
    """What the gateway says about one payment (a Stripe PaymentIntent)."""

    id: str
    #: "succeeded", "failed" (declined: a new card is needed), "pending" (processing or needs action),
    #: "canceled"
    status: str
    amount: int
    currency: str
    metadata: dict = field(default_factory=dict)
    #: the card's decline message, when the status is "failed"
    error: str | None = None
    #: for the browser, when the card needs an authentication step
    client_secret: str | None = None
    #: refunds already made on this payment: (refund id, won, metadata)
    refunds: tuple = ()

    @property
    def refunded_amount(self) -> int:
        """Won already refunded."""
        return sum(amount for _id, amount, _meta in self.refunds)


@dataclass(frozen=True)
class Refund:
    """A refund the gateway made."""

    id: str
    amount: int
    status: str = "succeeded"


@dataclass(frozen=True)
class Transfer:
    """Money sent out to someone's connected account (payouts)."""

    id: str
    amount: int


class PaymentGateway:
    """The calls funding and payouts make; each implementation maps them to its service."""

    name = "abstract"

    def charge(self, *, amount: int, payment_method: str, metadata: dict, idempotency_key: str) -> Payment:
        """Charge at once; a declined card answers a Payment with status "failed" (it raises only GatewayError)."""
        raise NotImplementedError

    def fetch(self, payment_id: str) -> Payment:
        """The payment as the gateway has it now, with its refunds."""
        raise NotImplementedError

    def find(self, metadata_key: str, value: str) -> Payment | None:
        """The payment made with this metadata value (a charge whose answer was lost), or None."""
        raise NotImplementedError

    def refund(self, payment_id: str, *, amount: int, metadata: dict, idempotency_key: str,
               known: tuple | None = None) -> Refund:
        """Refund `amount` won of a payment, unless a refund with this metadata exists (among `known`, the
        payment's refunds listed for a batch, or as the gateway lists them now)."""
        raise NotImplementedError

    def refunds_since(self, since) -> dict[str, tuple]:
        """Every refund made since `since`, by payment id: (refund id, won, metadata) each."""
        raise NotImplementedError

    def verify_webhook(self, payload: bytes, signature: str | None) -> dict:
        """The event in a webhook request, if its signature is ours; else WebhookRejected."""
        raise NotImplementedError

    def transfer(self, *, amount: int, destination: str, metadata: dict, idempotency_key: str) -> Transfer:
        """Send money to a connected account (Stripe Connect); gateways without it raise GatewayError."""
        raise GatewayError("this gateway cannot send transfers")

    def publishable(self) -> dict:
        """What the browser needs: the script's URL and the publishable key."""
        return {}


_override: PaymentGateway | None = None


def gateway() -> PaymentGateway:
    """The configured gateway (one per app, made on first use)."""
    if _override is not None:
        return _override
    ext = current_app.extensions
    if "gops_gateway" not in ext:
        from app.funding.stripe_gateway import StripeGateway

        ext["gops_gateway"] = StripeGateway.from_config(current_app.config)
    return ext["gops_gateway"]


def use_gateway(gw: PaymentGateway | None) -> None:
    """Replace the gateway for this process (tests that cut the line mid-call); None restores the configured one."""
    global _override
    _override = gw
