"""Serve localstripe (a stateful fake Stripe API, from PyPI) on 127.0.0.1 only, with nothing written to disk.

    .venv/bin/python scripts/localstripe_server.py --port 8420 [--webhook-url URL --webhook-secret S]

Its own command listens on every interface and pickles its store to /tmp/localstripe.pickle after
each request (slow, and shared between instances); this starts the same aiohttp app bound to
loopback with the dump turned off. `make run` and the tests' fixture start it this way. With
`--webhook-url`, it registers that endpoint for its events once it listens.
"""
import argparse
import asyncio
import logging
import socket
import sys
import time
import urllib.request


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 20.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def register_webhook(base: str, url: str, secret: str, name: str = "gops") -> None:
    """Tell localstripe where to send its events, signed with `secret`."""
    data = f"url={urllib.request.quote(url, safe='')}&secret={urllib.request.quote(secret, safe='')}".encode()
    request = urllib.request.Request(f"{base}/_config/webhooks/{name}", data=data, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    urllib.request.urlopen(request, timeout=10).read()


def main() -> None:
    """Serve until killed."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=8420)
    p.add_argument("--webhook-url", default=None)
    p.add_argument("--webhook-secret", default=None)
    p.add_argument("--quiet", action="store_true", help="no access log")
    args = p.parse_args()

    from aiohttp import web
    from localstripe import resources, server

    resources.Store.dump_to_disk = lambda self: None  # in memory only
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING if args.quiet else logging.INFO)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="localstripe: %(message)s")

    async def start() -> None:
        runner = web.AppRunner(server.app, access_log=None if args.quiet else logging.getLogger("aiohttp.access"))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", args.port).start()
        if args.webhook_url:
            from localstripe.webhooks import register_webhook as register
            register("gops", args.webhook_url, args.webhook_secret or "", None)
        print(f"localstripe on http://127.0.0.1:{args.port}", file=sys.stderr, flush=True)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(start())
    try:
        loop.run_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
