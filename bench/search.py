"""Search latency: the app's search against a bare Whoosh top-20 on the same index, over 30 Korean queries.

Usage:
    .venv/bin/python bench/search.py --workdir DIR            # the workdir of bench/web.py
    .venv/bin/python bench/search.py --database-url URL --index DIR [--repeat 5]

The index and database are those bench/data.py builds (`--search-index DIR`). The 30 queries are
fixed by the index: the 10 commonest Korean terms, the 10 nearest 1% of ideas and 10 rare ones
(bench/words.py), each class as 5 one-word and 5 two-word queries. Every query runs once to warm
up (Kiwi, searchers), then --repeat times in turn, through `app.search.query.search` (facets,
highlights, live support counts) and through `searcher.search(parser.parse(q), limit=20)` plus the
stored title and summary of those 20 hits. Prints the queries with their hit counts, then p50/p95
in ms per class and overall for both, and the speed ratio bare time / app time (1.0: as fast as bare).
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.appconfig import bench_app  # noqa: E402
from bench.words import pick  # noqa: E402

FIELDS = ["title", "summary", "body", "comments", "place"]


def queries(index_dir: str) -> list[tuple[str, str]]:
    """(class, query): 30 queries, one- and two-word, common, middling and rare."""
    out = []
    for kind, words in pick(index_dir, 10).items():
        w = [word for word, _n in words]
        out += [(kind, w[i]) for i in range(5)]
        out += [(kind, f"{w[i]} {w[i + 5]}") for i in range(min(5, len(w) - 5))]
    return out


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank)."""
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * len(values)) - 1))]


def main() -> None:
    """Time both searches and print."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workdir", default=None, help="a bench/web.py workdir: gops.sqlite and search/")
    p.add_argument("--database-url", default=None)
    p.add_argument("--index", default=None)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    if args.workdir:
        args.database_url = args.database_url or f"sqlite:///{Path(args.workdir).resolve()}/gops.sqlite"
        args.index = args.index or str(Path(args.workdir).resolve() / "search")
    if not (args.database_url and args.index):
        p.error("give --workdir, or --database-url and --index")

    from whoosh import index as whoosh_index
    from whoosh.qparser import MultifieldParser

    qs = queries(args.index)
    app = bench_app(args.database_url, tempfile.mkdtemp(prefix="gops-bench-search-"), args.index)
    ix = whoosh_index.open_dir(args.index)
    searcher = ix.searcher()
    parser = MultifieldParser(FIELDS, ix.schema)

    def bare(q: str) -> int:
        """The bare top 20 with their stored title and summary; returns the hits shown."""
        results = searcher.search(parser.parse(q), limit=20)
        [(hit["title"], hit["summary"]) for hit in results]
        return len(results)

    from app.search.query import search

    times: dict[tuple[str, str], list[float]] = {}
    with app.app_context():
        print(f"{'class':9s} {'query':24s} {'app hits':>9s} {'bare hits':>9s}")
        for kind, q in qs:
            total = search(q).total
            print(f"{kind:9s} {q:24s} {total:9,d} {bare(q):9,d}")
        for _ in range(args.repeat):
            for kind, q in qs:
                t0 = time.perf_counter()
                search(q)
                t1 = time.perf_counter()
                bare(q)
                t2 = time.perf_counter()
                times.setdefault((kind, "app"), []).append((t1 - t0) * 1000)
                times.setdefault((kind, "bare"), []).append((t2 - t1) * 1000)
    print(f"\n{len(qs)} queries x {args.repeat}, ms")
    print("| class | app p50 | app p95 | bare p50 | bare p95 | bare/app p50 | bare/app p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind in ("common", "middling", "rare", "all"):
        a = [t for (k, side), v in times.items() if side == "app" and kind in (k, "all") for t in v]
        b = [t for (k, side), v in times.items() if side == "bare" and kind in (k, "all") for t in v]
        print(f"| {kind} | {pct(a, .5):.1f} | {pct(a, .95):.1f} | {pct(b, .5):.1f} | {pct(b, .95):.1f} | "
              f"{pct(b, .5) / pct(a, .5):.2f} | {pct(b, .95) / pct(a, .95):.2f} |")
    print(f"\nmean per query: app {statistics.mean(t for (k, s), v in times.items() if s == 'app' for t in v):.1f} ms, "
          f"bare {statistics.mean(t for (k, s), v in times.items() if s == 'bare' for t in v):.1f} ms")


if __name__ == "__main__":
    main()
