"""The GOPS app as the benchmarks build it in-process: production settings on a given database.

Not a script: bench/data.py, bench/web.py and bench/search.py use it.
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def sqlalchemy_url(url: str) -> str:
    """Plain postgres URLs get the psycopg 3 driver, as config.py does."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def bench_app(url: str, instance_dir: str, index_dir: str | None = None):
    """create_app() with the production Config on `url`, plain-HTTP cookies and no rate limits in-process."""
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    from config import Config

    class BenchConfig(Config):
        """Production settings on the benchmark's database."""

        SECRET_KEY = os.environ["SECRET_KEY"]
        SQLALCHEMY_DATABASE_URI = sqlalchemy_url(url)
        INSTANCE_DIR = instance_dir
        SEARCH_INDEX_DIR = index_dir or str(Path(instance_dir) / "search")
        SESSION_COOKIE_SECURE = False
        REMEMBER_COOKIE_SECURE = False
        RATELIMIT_ENABLED = False  # in-process counting only; the served app keeps its limits

    from app import create_app

    return create_app(BenchConfig)
