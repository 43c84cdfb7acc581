"""FakeStripeConnect: a small local stand-in for the two Stripe Connect endpoints payouts use, because
localstripe (the real local Stripe server the rest of the tests use) has no Connect.

    POST /v1/transfers        amount, currency, destination (acct_...), metadata[...]  -> a transfer
    GET  /v1/transfers/{id}                                                         -> that transfer

It answers the way Stripe's API does (form-encoded in, JSON out, `{"error": {...}}` with 400 for a
bad request, the Idempotency-Key honoured: the same key returns the first transfer). Served by
werkzeug on a free loopback port, in a thread, for one test run. The app reaches it through the same
gateway (`STRIPE_CONNECT_BASE`), so nothing in the app knows it is a fake.
"""
import json
import secrets
import threading
import time

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class FakeStripeConnect:
    """The fake's state and its WSGI app."""

    def __init__(self):
        self.transfers: dict[str, dict] = {}
        self.by_key: dict[str, str] = {}
        self.lock = threading.Lock()
        self.calls = 0

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            self.calls += 1
            response = self.route(request)
        return response(environ, start_response)

    def route(self, request: Request) -> Response:
        if not (request.headers.get("Authorization") or "").startswith("Bearer sk_"):
            return self.error(401, "Invalid API Key provided.")
        parts = request.path.strip("/").split("/")
        if request.method == "POST" and parts == ["v1", "transfers"]:
            return self.create(request)
        if request.method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "transfers"]:
            transfer = self.transfers.get(parts[2])
            return self.json(transfer) if transfer else self.error(404, f"No such transfer: '{parts[2]}'")
        return self.error(404, "Unrecognized request URL.")

    def create(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key and key in self.by_key:
            return self.json(self.transfers[self.by_key[key]])
        form = request.form
        try:
            amount = int(form.get("amount", ""))
        except ValueError:
            return self.error(400, "Invalid integer: amount")
        destination = form.get("destination", "")
        if amount <= 0:
            return self.error(400, "This value must be greater than or equal to 1.")
        if not destination.startswith("acct_"):
            return self.error(400, f"No such destination: '{destination}'")
        metadata = {k[len("metadata["):-1]: v for k, v in form.items() if k.startswith("metadata[")}
        transfer = {"id": f"tr_{secrets.token_hex(8)}", "object": "transfer", "amount": amount,
                    "currency": form.get("currency", "krw"), "destination": destination, "metadata": metadata,
                    "created": int(time.time()), "reversed": False, "livemode": False}
        self.transfers[transfer["id"]] = transfer
        if key:
            self.by_key[key] = transfer["id"]
        return self.json(transfer)

    @staticmethod
    def json(body: dict, status: int = 200) -> Response:
        return Response(json.dumps(body), status=status, mimetype="application/json")

    def error(self, status: int, message: str) -> Response:
        return self.json({"error": {"type": "invalid_request_error", "message": message}}, status)


def serve() -> tuple[str, FakeStripeConnect, callable]:
    """Start the fake on a free loopback port: (base url, the fake, stop())."""
    fake = FakeStripeConnect()
    server = make_server("127.0.0.1", 0, fake, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_port}", fake, server.shutdown
