"""gunicorn settings for `gunicorn wsgi:app` (production); the environment overrides them."""
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """Warn when rate limits would multiply: per-process memory storage with more than one worker."""
    storage = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    if storage.startswith("memory://") and server.cfg.workers > 1:
        server.log.warning(
            "RATELIMIT_STORAGE_URI is memory:// with %d workers: each worker counts on its own, so every limit "
            "(failed logins, supports, posts) is %d times looser. Set RATELIMIT_STORAGE_URI=redis://...",
            server.cfg.workers, server.cfg.workers)


def post_worker_init(worker):
    """Warm the worker and freeze what it holds (`warm_and_freeze`) before it takes requests."""
    from wsgi import app as flask_app

    warm_and_freeze(flask_app, worker.log)


def warm_and_freeze(flask_app, log) -> None:
    """Warm the app, then freeze what the process holds out of the garbage collector's way.

    Warm: Kiwi (a second to load and another to build its model on its first analysis, else paid by the first search
    or idea page), one board page (templates, reference data), one search and the search index (its field lengths
    and facet columns, under a second at 100,000 ideas). Freeze: a full collection walks every tracked object, and a
    warmed worker holds some 150,000 of them (models, templates, the index's readers); at 100,000 ideas each walk
    stalled a request for about 120 ms (the idea page's p99 under `make bench`). Frozen objects are never collected,
    which suits what lives as long as the process.
    """
    import gc

    try:
        from app.search import query
        from app.search.analyzer import kiwi

        kiwi()
        client = flask_app.test_client()
        client.get("/ideas")
        client.get("/search", query_string={"q": "경기도 시민 제안"})  # Kiwi builds its model on its first analysis
        with flask_app.app_context():
            query.warm()
    except Exception:  # a worker that could not warm up still serves; its first requests are slower
        log.exception("warming the worker failed")
    gc.collect()
    gc.freeze()
