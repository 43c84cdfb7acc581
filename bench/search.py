"""Index N generated Korean/English ideas with the real analyzer, then time queries.

Usage: .venv/bin/python bench/search.py [--docs 100000] [--queries 300] [--dir PATH [--reuse]]
Prints: documents indexed and the time it took, the index size on disk, query latency p50/p95.
"""
import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def documents(n: int, rng: random.Random):
    """Ideas built from the demo seeds, places and a share of English text."""
    from app.demo.content import COMMENTS, IDEA_SEEDS, PLACES
    from app.ideas.reference import CATEGORIES, MUNICIPALITIES

    seeds = [(code, seed) for code, items in IDEA_SEEDS.items() for seed in items]
    places = [(code, place) for code, ps in PLACES.items() for place in ps]
    english = ["Smart parking sensors with refunds for residents", "Open data dashboard for the city budget",
               "Shared e-scooter docks near subway stations", "Solar panels on school roofs"]
    for i in range(n):
        cat, (title, summary, problem, proposal) = seeds[rng.randrange(len(seeds))]
        muni, place = places[rng.randrange(len(places))]
        extra = rng.choice(english) if i % 5 == 0 else ""
        yield {
            "key": f"idea:{i}", "type": "idea", "id": i, "title": f"{place} {title} {extra}".strip(),
            "summary": summary, "body": f"{problem} {proposal} {extra}", "comments": rng.choice(COMMENTS),
            "category": cat, "municipality": muni, "status": rng.choice(("open", "open", "shortlisted", "archived")),
            "created": datetime(2026, 1, 1) + timedelta(minutes=i), "support_count": rng.randrange(200),
        }
    assert CATEGORIES and MUNICIPALITIES


def main() -> None:
    """Build, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--dir", default=None)
    parser.add_argument("--reuse", action="store_true", help="time queries on the index already in --dir")
    args = parser.parse_args()

    from app.search.analyzer import kiwi
    from app.search.index import get_index, writer

    directory = args.dir or tempfile.mkdtemp(prefix="gops-search-bench-")
    kiwi()  # load the model before timing
    if not (args.reuse and args.dir):
        shutil.rmtree(directory, ignore_errors=True)
        rng = random.Random(7)
        ix = get_index(directory)
        started = time.perf_counter()
        w = writer(ix)
        for n, doc in enumerate(documents(args.docs, rng), 1):
            w.add_document(**doc)
            if n % 10_000 == 0:
                print(f"  {n} documents, {time.perf_counter() - started:.0f}s", flush=True)
        w.commit(optimize=True)
        took = time.perf_counter() - started
        print(f"indexed {args.docs} documents in {took:.1f}s ({args.docs / took:.0f} docs/s)")
    size = sum(p.stat().st_size for p in Path(directory).iterdir())
    print(f"index: {get_index(directory).doc_count()} documents, {size / 2**20:.1f} MiB")

    from flask import Flask

    app = Flask(__name__)
    app.config["SEARCH_INDEX_DIR"] = directory
    from app.search.query import search

    words = ["자전거", "주차", "미세먼지를", "충전기", "어르신", "태양광 발전소", "refund", "smart parking",
             "먹었습니다", "안전한 통학로", "전기차 충전기 공유", "도서관"]
    times = []
    with app.app_context():
        search(words[0])  # the first query opens the searcher; later ones reuse it, as a worker does
        for i in range(args.queries):
            q = words[i % len(words)]
            t0 = time.perf_counter()
            result = search(q, filters={"municipality": "suwon"} if i % 3 == 0 else None)
            times.append((time.perf_counter() - t0) * 1000)
            assert result.total >= 0
    times.sort()
    print(f"queries: {args.queries}, p50 {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms")
    if not args.dir:
        shutil.rmtree(directory)


if __name__ == "__main__":
    main()
