"""The Stripe gateway: the only module that imports `stripe`.

PaymentIntents in won (`krw` is zero-decimal: the amount is in won, never x100). A charge is a
PaymentIntent created with the card, then confirmed without parameters; our record keeps its id
between the two calls, so a lost answer to the confirmation is found again by `fetch`. Webhooks
are verified with the endpoint's signing secret. localstripe (tests, `make run`) stands in for
the API: it has no search, so `find` falls back to listing; it has no Connect, so transfers go to
a local fake of that endpoint in the tests (tests/fixtures/funding.py, named as such).
"""
import logging

import stripe

from app.funding.gateway import GatewayError, Payment, PaymentGateway, Refund, Transfer, WebhookRejected

log = logging.getLogger(__name__)
CURRENCY = "krw"
#: PaymentIntent statuses, as the rest of the app reads them
STATUSES = {"succeeded": "succeeded", "canceled": "canceled", "requires_payment_method": "failed",
            "processing": "pending", "requires_action": "pending", "requires_confirmation": "pending",
            "requires_capture": "pending"}


def _plain(obj) -> dict:
    """A StripeObject (metadata, an error) as a plain dict; None as {}."""
    if obj is None:
        return {}
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


class StripeGateway(PaymentGateway):
    """Stripe's API through the official SDK (`StripeClient`, the `v1` services)."""

    name = "stripe"

    def __init__(self, secret_key: str, *, api_base: str | None = None, webhook_secret: str | None = None,
                 publishable_key: str | None = None, js_url: str | None = None, connect_base: str | None = None,
                 timeout: float = 20.0):
        if not secret_key or not secret_key.startswith("sk_"):
            raise GatewayError("STRIPE_SECRET_KEY must be a secret key (sk_...)")
        bases = {"api": api_base} if api_base else {}
        self.client = stripe.StripeClient(secret_key, base_addresses=bases, max_network_retries=2,
                                          http_client=stripe.RequestsClient(timeout=timeout))
        # Connect transfers may be served elsewhere (the tests' fake of the two Connect endpoints)
        self.connect = (stripe.StripeClient(secret_key, base_addresses={"api": connect_base}, max_network_retries=2)
                        if connect_base else self.client)
        self.webhook_secret = webhook_secret
        self.publishable_key = publishable_key
        self.js_url = js_url

    @classmethod
    def from_config(cls, config) -> "StripeGateway":
        """The gateway the app's configuration describes."""
        return cls(config.get("STRIPE_SECRET_KEY") or "", api_base=config.get("STRIPE_API_BASE"),
                   webhook_secret=config.get("STRIPE_WEBHOOK_SECRET"),
                   publishable_key=config.get("STRIPE_PUBLISHABLE_KEY"), js_url=config.get("STRIPE_JS_URL"),
                   connect_base=config.get("STRIPE_CONNECT_BASE"))

    # payments
    def create(self, *, amount: int, payment_method: str, metadata: dict, idempotency_key: str) -> Payment:
        """A PaymentIntent for the card, not yet confirmed (no money moves)."""
        intent = self._call(self.client.v1.payment_intents.create, {
            "amount": amount, "currency": CURRENCY, "payment_method": payment_method,
            "payment_method_types": ["card"], "metadata": {k: str(v) for k, v in metadata.items()},
        }, key=idempotency_key)
        return self._payment(intent)

    def confirm(self, payment_id: str, *, idempotency_key: str) -> Payment:
        """Confirm (charge) a created PaymentIntent; a declined card gives a "failed" payment."""
        try:
            intent = self.client.v1.payment_intents.confirm(payment_id, options={"idempotency_key": idempotency_key})
        except stripe.CardError as exc:
            log.info("card declined for %s: %s", payment_id, exc.user_message)
            payment = self.fetch(payment_id)
            return Payment(payment.id, "failed", payment.amount, payment.currency, payment.metadata,
                           error=exc.user_message or payment.error or "declined", refunds=payment.refunds)
        except stripe.InvalidRequestError as exc:
            # already confirmed by an earlier try whose answer was lost: the payment says how it went
            payment = self.fetch(payment_id)
            if payment.status == "pending" and payment.client_secret is None:
                raise GatewayError(str(exc)) from exc
            return payment
        except stripe.StripeError as exc:
            raise GatewayError(str(exc)) from exc
        return self._payment(intent)

    def charge(self, *, amount: int, payment_method: str, metadata: dict, idempotency_key: str) -> Payment:
        """Create and confirm in one go (for callers that need not keep the id in between)."""
        created = self.create(amount=amount, payment_method=payment_method, metadata=metadata,
                              idempotency_key=idempotency_key + "-create")
        return self.confirm(created.id, idempotency_key=idempotency_key + "-confirm")

    def fetch(self, payment_id: str) -> Payment:
        """The PaymentIntent now, with the refunds made on it."""
        intent = self._call(self.client.v1.payment_intents.retrieve, payment_id)
        return self._payment(intent, refunds=self._refunds(payment_id) if intent.status == "succeeded" else ())

    def find(self, metadata_key: str, value: str) -> Payment | None:
        """The PaymentIntent whose metadata holds this value (search where the API has it, else a listing);
        of several (a creation retried after its answer was lost), the one that succeeded, else the newest."""
        value = str(value)
        try:
            found = self.client.v1.payment_intents.search({"query": f"metadata['{metadata_key}']:'{value}'"})
            intents = list(found.data)
        except stripe.StripeError:  # localstripe has no search
            listing = self._call(self.client.v1.payment_intents.list, {"limit": 100})
            intents = [i for i in listing.auto_paging_iter() if _plain(i.metadata).get(metadata_key) == value]
        if not intents:
            return None
        best = max(intents, key=lambda i: (i.status == "succeeded", i.created or 0))
        return self.fetch(best.id)

    def refund(self, payment_id: str, *, amount: int, metadata: dict, idempotency_key: str,
               known: tuple | None = None) -> Refund:
        """Refund won of a payment, unless a refund for the same record (metadata) is already there: among
        `known` (the payment's refunds, listed once for a whole batch) or else as the API lists them now."""
        wanted = {k: str(v) for k, v in metadata.items()}
        for refund_id, refunded, meta in (known if known is not None else self._refunds(payment_id)):
            if all(meta.get(k) == v for k, v in wanted.items()):
                return Refund(refund_id, refunded)
        refund = self._call(self.client.v1.refunds.create, {"payment_intent": payment_id, "amount": amount,
                                                             "metadata": wanted}, key=idempotency_key)
        if refund.status not in ("succeeded", "pending"):
            raise GatewayError(f"refund {refund.id} is {refund.status}")
        return Refund(refund.id, refund.amount, refund.status)

    def refunds_since(self, since) -> dict[str, tuple]:
        """Every refund made since `since` (a datetime), by payment: one paged listing for a whole batch."""
        params = {"limit": 100, "created": {"gte": int(since.timestamp())}}
        try:
            listing = self.client.v1.refunds.list(params)
        except (stripe.InvalidRequestError, stripe.APIError):  # localstripe filters by payment only: list them all
            listing = self._call(self.client.v1.refunds.list, {"limit": 100})
        except stripe.StripeError as exc:
            raise GatewayError(str(exc)) from exc
        found: dict[str, list] = {}
        try:
            for r in listing.auto_paging_iter():
                if r.status in ("succeeded", "pending") and r.payment_intent:
                    found.setdefault(r.payment_intent, []).append((r.id, r.amount, _plain(r.metadata)))
        except stripe.StripeError as exc:
            raise GatewayError(str(exc)) from exc
        return {payment: tuple(refunds) for payment, refunds in found.items()}

    def _refunds(self, payment_id: str) -> tuple:
        listing = self._call(self.client.v1.refunds.list, {"payment_intent": payment_id, "limit": 100})
        return tuple((r.id, r.amount, _plain(r.metadata)) for r in listing.auto_paging_iter()
                     if r.status in ("succeeded", "pending"))

    # webhooks
    def verify_webhook(self, payload: bytes, signature: str | None) -> dict:
        """The event, if signed with our endpoint's secret within Stripe's five-minute tolerance."""
        if not self.webhook_secret:
            raise WebhookRejected("no webhook secret is configured")
        if not signature:
            raise WebhookRejected("missing Stripe-Signature")
        try:
            event = self.client.construct_event(payload, signature, self.webhook_secret)
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise WebhookRejected(str(exc)) from exc
        return event.to_dict()

    # payouts
    def transfer(self, *, amount: int, destination: str, metadata: dict, idempotency_key: str) -> Transfer:
        """A Connect transfer to the person's connected account."""
        params = {"amount": amount, "currency": CURRENCY, "destination": destination,
                  "metadata": {k: str(v) for k, v in metadata.items()}}
        transfer = self._call(self.connect.v1.transfers.create, params, key=idempotency_key)
        return Transfer(transfer.id, transfer.amount)

    def publishable(self) -> dict:
        """Stripe.js's address and the publishable key, for the pledge page."""
        return {"js_url": self.js_url or "https://js.stripe.com/v3/", "key": self.publishable_key or ""}

    # helpers
    def _call(self, method, *args, key: str | None = None):
        try:
            return method(*args, options={"idempotency_key": key}) if key else method(*args)
        except stripe.InvalidRequestError as exc:  # the API answered: the request is wrong, retrying will not help
            raise GatewayError(f"{type(exc).__name__}: {exc.user_message or exc}", permanent=True) from exc
        except stripe.StripeError as exc:
            raise GatewayError(f"{type(exc).__name__}: {exc.user_message or exc}") from exc

    def _payment(self, intent, refunds=()) -> Payment:
        status = STATUSES.get(intent.status, "pending")
        failure = _plain(getattr(intent, "last_payment_error", None))
        error = failure.get("message")
        if status == "failed" and not error:
            error = "The card was declined."
        return Payment(id=intent.id, status=status, amount=intent.amount, currency=intent.currency,
                       metadata=_plain(intent.metadata), error=error,
                       client_secret=intent.client_secret if intent.status == "requires_action" else None,
                       refunds=tuple(refunds))
