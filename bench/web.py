"""`make bench`: GOPS against the bare reference, served alike by gunicorn and driven by wrk; prints a table.

Usage:
    .venv/bin/python bench/web.py [--ideas 100000 --users 20000 --supports 1000000 --comments 50000
        --proposals 500] [--database-url URL] [--workdir DIR] [--skip-build] [--duration 10] [--rounds 3]
        [--pages ideas,idea,...] [--json FILE]

It builds the dataset and its search index with bench/data.py in --workdir (default: a new
temporary directory, kept afterwards so `--workdir DIR --skip-build` reuses it, migrated first to
the app's latest revision), gives the reference app (bench/reference_app.py) its own copy of the
database and index (its bench_* indexes must not help GOPS), creates API tokens for 2,000 users
and the (token, idea) pairs the support runs use once each, counts GOPS's SQL statements per
request in-process, then serves GOPS (`gunicorn wsgi:app`, production config) and the reference
with 2 sync workers each on free 127.0.0.1 ports and runs `wrk -t2 -c8` on every page, GOPS and
reference in turn, for --rounds rounds. A GET run is repeated (--retries) when other processes
kept more than --max-others CPUs busy meanwhile; the least disturbed run counts.

Prints each run as it ends, then a Markdown table: page, GOPS req/s, p50, p99, reference req/s,
p50, p99 (medians over rounds; req/s with the rounds' range), the ratio of the req/s medians
GOPS/reference, and SQL statements per GOPS request; the CPU other processes used meanwhile; then
pages that answered with errors (those are not measured). Servers are stopped at the end, on
errors and on Ctrl-C.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.appconfig import sqlalchemy_url  # noqa: E402
from bench.servers import Server, cpu_snapshot, fetch, others_cpus, run_wrk  # noqa: E402
from bench.webprep import copy_database, copy_index, prepare, upgrade  # noqa: E402

HERE = Path(__file__).resolve().parent
PAGES = {
    "ideas": "/ideas",
    "ideas-top-category": "/ideas?sort=top&category={category}",
    "ideas-new-page200": "/ideas?sort=new&page=200",
    "idea": "/ideas/{idea_id}",
    "api-ideas": "/api/v1/ideas",
    "proposals": "/proposals",
    "answers": "/ideas/answers",
    "search-common": "/search?q={common}",
    "search-middling": "/search?q={middling}",
    "search-rare": "/search?q={rare}",
    "support": "/api/v1/ideas/{support_idea}/support",
}


def parse_args() -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (("ideas", 100_000), ("users", 20_000), ("supports", 1_000_000), ("comments", 50_000),
                          ("proposals", 500), ("seed", 9)):
        p.add_argument(f"--{name}", type=int, default=default, help="dataset size (bench/data.py)")
    p.add_argument("--database-url", default=None, help="GOPS's database (default: SQLite in the workdir)")
    p.add_argument("--workdir", default=None, help="where the data, index, logs and pairs live")
    p.add_argument("--skip-build", action="store_true", help="reuse the dataset and index in --workdir")
    p.add_argument("--replace", action="store_true", help="let the build wipe a --database-url holding ideas")
    p.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-others", type=float, default=0.3,
                   help="rerun a GET page when other processes used more CPUs than this meanwhile")
    p.add_argument("--retries", type=int, default=1, help="at most this many reruns per page and round")
    p.add_argument("--tokens", type=int, default=2000, help="users with an API token for the support runs")
    p.add_argument("--pages", default=",".join(PAGES), help="comma-separated subset of: " + ", ".join(PAGES))
    p.add_argument("--json", default=None, help="also write every run's figures to this file")
    args = p.parse_args()
    args.pages = [name.strip() for name in args.pages.split(",") if name.strip()]
    unknown = set(args.pages) - set(PAGES)
    if unknown:
        p.error(f"unknown pages: {', '.join(sorted(unknown))}")
    if args.skip_build and not args.workdir:
        p.error("--skip-build needs --workdir (the directory of an earlier run)")
    return args


def _terminate(signum, _frame):
    """SIGTERM ends the run like Ctrl-C, through the finally that stops the servers."""
    raise SystemExit(128 + signum)


def check_pages(server: Server, paths: dict, errors: dict) -> None:
    """Ask each GET page a few times (workers warm up: templates, searchers); note any that fail."""
    for name, path in paths.items():
        if name == "support":
            continue
        for _ in range(4):
            status, body = fetch(server.base + path)
            if status >= 400:
                errors[(server.name, name)] = f"HTTP {status}: {' '.join(body.split())[:300]}"
                break


def support_check(server: Server, pair: tuple[str, int], errors: dict) -> None:
    """One real support with a reserved pair; note the error if it fails."""
    token, idea_id = pair
    status, body = fetch(f"{server.base}/api/v1/ideas/{idea_id}/support", "PUT",
                         {"Authorization": f"Bearer {token}", "Content-Length": "0"})
    if status >= 400:
        errors[(server.name, "support")] = f"HTTP {status}: {' '.join(body.split())[:300]}"


def run_page(args, server: Server, url: str, script, own: set[int]) -> dict:
    """One wrk run; again (at most --retries times) while other processes used more than --max-others CPUs."""
    best = None
    for _ in range(1 + args.retries):
        before, started = cpu_snapshot(own), time.monotonic()
        result = run_wrk(url, duration=args.duration, connections=args.connections, threads=args.threads,
                         script=script)
        result["others_cpu"] = others_cpus(before, cpu_snapshot(own), time.monotonic() - started)
        if best is None or result["others_cpu"] < best["others_cpu"]:
            best = result
        if result["others_cpu"] <= args.max_others or script:  # a support run uses its pairs once
            break
    return best


def measure(args, servers: list[Server], paths: dict, pairs_files: dict, errors: dict) -> dict:
    """Every page, every round, each server in turn (the order flips each round); {(server, page): [runs]}."""
    own = {os.getsid(s.proc.pid) for s in servers}
    runs: dict = {}
    for round_no in range(args.rounds):
        order = servers if round_no % 2 == 0 else servers[::-1]
        for name in args.pages:
            for server in order:
                if (server.name, name) in errors:
                    continue
                script = None
                if name == "support":
                    script = [str(HERE / "support.lua"), str(pairs_files[(server.name, round_no)]), str(args.threads)]
                result = run_page(args, server, server.base + paths[name], script, own)
                runs.setdefault((server.name, name), []).append(result)
                note = f" non-2xx {result['non2xx']}" if result["non2xx"] else ""
                note += f" socket errors {result['socket_errors']}" if result["socket_errors"] else ""
                note += f" pairs wrapped {result['wrapped']}" if result["wrapped"] else ""
                print(f"  round {round_no + 1} {name:20s} {server.name:9s} {result['rps']:9.1f} req/s "
                      f"p50 {result['p50']:8.1f} ms  p99 {result['p99']:8.1f} ms  others {result['others_cpu']:.2f} "
                      f"CPU{note}", flush=True)
    return runs


def table(args, runs: dict, statements: dict) -> str:
    """The Markdown table: medians over rounds (req/s with the rounds' range), the ratio of the medians."""
    def values(server, page, key):
        """The rounds' figures."""
        return [r[key] for r in runs.get((server, page), [])]

    def med(server, page, key):
        """Their median, or None."""
        v = values(server, page, key)
        return statistics.median(v) if v else None

    def rps(server, page):
        """Median req/s with the rounds' range."""
        v = values(server, page, "rps")
        if not v:
            return "—"
        spread = f" ({min(v):,.1f}–{max(v):,.1f})" if len(v) > 1 else ""
        return f"{statistics.median(v):,.1f}{spread}"

    def fmt(value):
        """One decimal, or a dash."""
        return "—" if value is None else f"{value:,.1f}"

    lines = ["| page | GOPS req/s | GOPS p50 ms | GOPS p99 ms | ref req/s | ref p50 ms | ref p99 ms | GOPS/ref "
             "| SQL/req |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for page in args.pages:
        g, r = med("gops", page, "rps"), med("reference", page, "rps")
        ratio = f"{g / r:.3f}" if g and r else "—"
        lines.append(f"| {page} | {rps('gops', page)} | {fmt(med('gops', page, 'p50'))} | "
                     f"{fmt(med('gops', page, 'p99'))} | {rps('reference', page)} | "
                     f"{fmt(med('reference', page, 'p50'))} | {fmt(med('reference', page, 'p99'))} | "
                     f"{ratio} | {statements.get(page, '—')} |")
    others = [r["others_cpu"] for rs in runs.values() for r in rs]
    if others:
        lines.append(f"\nCPU used by other processes during the runs (of {os.cpu_count()}): median "
                     f"{statistics.median(others):.2f}, max {max(others):.2f}")
    return "\n".join(lines)


def main() -> None:
    """Build or reuse the data, prepare, serve, measure, print; always stop the servers."""
    args = parse_args()
    signal.signal(signal.SIGTERM, _terminate)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get update && apt-get install -y wrk")
    work = Path(args.workdir or tempfile.mkdtemp(prefix="gops-bench-web-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    url = sqlalchemy_url(args.database_url or f"sqlite:///{work}/gops.sqlite")
    index = work / "search"
    print(f"workdir: {work}\nGOPS database: {url}", flush=True)
    if not args.skip_build:
        from bench.data import build

        build(url, ideas=args.ideas, users=args.users, supports=args.supports, comments=args.comments,
              proposals=args.proposals, seed=args.seed, search_index=str(index), replace=args.replace)
    elif not index.exists():
        raise SystemExit(f"no search index in {index}; run without --skip-build first")
    else:
        upgrade(url, work)  # the app may have gained migrations since the data was built
    started = time.perf_counter()
    prep = prepare(url, work, index, args, PAGES)
    print(f"prepared (tokens, pairs, SQL counts) in {time.perf_counter() - started:.1f}s", flush=True)
    ref_url = copy_database(url, work)
    ref_index = copy_index(index, work)
    from bench.reference_app import Database

    t0 = time.perf_counter()
    Database(ref_url).create_indexes()
    print(f"reference: {ref_url}, bench_* indexes in {time.perf_counter() - t0:.1f}s", flush=True)
    paths = {name: PAGES[name].format(**{k: quote(str(v)) for k, v in prep["values"].items()}) for name in PAGES}
    common = {"SECRET_KEY": os.environ.get("SECRET_KEY", "bench-not-secret"), "GOPS_ENV": "production",
              "SESSION_COOKIE_SECURE": "0"}
    servers = [
        Server("gops", "wsgi:app", {**common, "DATABASE_URL": url, "SEARCH_INDEX_DIR": str(index),
                                    "INSTANCE_DIR": str(work / "instance-gops")}, work / "gops.log"),
        Server("reference", "bench.reference_app:app", {**common, "DATABASE_URL": ref_url,
                                                        "SEARCH_INDEX_DIR": str(ref_index)}, work / "reference.log"),
    ]
    errors: dict = {}
    try:
        for server in servers:
            server.start()
            print(f"{server.name} on {server.base} (log {server.log_path})", flush=True)
            check_pages(server, {n: paths[n] for n in args.pages}, errors)
            if "support" in args.pages:
                support_check(server, prep["check_pairs"][server.name], errors)
        for (server, page), message in errors.items():
            print(f"  ERROR {server} {page}: {message}", flush=True)
        print("searching for: " + ", ".join(f"{k} {prep['values'][k]} ({prep['df'][k]:,} ideas)"
                                            for k in ("common", "middling", "rare")), flush=True)
        runs = measure(args, servers, paths, prep["pairs_files"], errors)
    finally:
        for server in servers:
            server.stop()
    print()
    print(table(args, runs, prep["statements"]))
    if errors:
        print("\nPages that failed (not measured):")
        for (server, page), message in errors.items():
            print(f"- {server} {page} ({paths[page]}): {message}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "paths": paths, "values": prep["values"], "statements": prep["statements"],
            "errors": {f"{s} {p}": m for (s, p), m in errors.items()},
            "runs": {f"{s} {p}": r for (s, p), r in runs.items()}}, ensure_ascii=False, indent=1))
    print(f"\nworkdir kept: {work} (rerun with --workdir {work} --skip-build)")


if __name__ == "__main__":
    main()
