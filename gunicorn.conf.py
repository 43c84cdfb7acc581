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
