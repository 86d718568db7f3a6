#!/usr/bin/python3
"""Query latency benchmark: wensou-search as whole processes against the
~100 MB index of bench_index.py's data set, side by side in the same run
with ripgrep searching the same text for the same strings, and with the
floor for any process that links Xapian and ICU (search-floor: start, open
the index, load ICU's Chinese dictionary, exit).

Reports p50 and p99 in ms over every run of every query (bench/queries.txt,
50 queries), each query run --repeat times after one warm-up run.

Usage: bench/bench_search.py --build build [--mb 100] [--files 300] [--repeat 5]
"""

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_index import DEFAULT_CORPUS, make_data  # noqa: E402


def timed(cmd):
    """Wall time of cmd with its output read through a pipe, as an editor
    or a shell pipeline reads it (ripgrep treats /dev/null specially)."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - t0) * 1000.0, p.returncode


def pct(values, q):
    v = sorted(values)
    k = min(len(v) - 1, max(0, round(q / 100.0 * (len(v) - 1))))
    return v[k]


def add_data_args(ap):
    """The options of a query benchmark's data set and index."""
    ap.add_argument("--build", default="build", help="meson build folder")
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--mb", type=float, default=100)
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--db", help="an index of --data to reuse (else one is built)")
    ap.add_argument("--data", help="the data set --db indexes")


def load_queries():
    """bench/queries.txt, without comments and blank lines."""
    with open(os.path.join(HERE, "queries.txt"), encoding="utf-8") as f:
        return [q.strip() for q in f if q.strip() and not q.startswith("#")]


def data_and_index(a, index, tmp):
    """The data set and its index: --data and --db when given, else made
    in tmp (bench_index.py's data set of --mb in --files)."""
    data, db = a.data, a.db
    if not data:
        data = os.path.join(tmp, "data")
        total = make_data(a.corpus, data, a.mb, a.files)
        print(f"data: {a.files} files, {total / 1e6:.1f} MB of text")
    if not db:
        db = os.path.join(tmp, "index")
        t0 = time.monotonic()
        subprocess.run([index, "-q", "--db", db, data], check=True)
        print(f"indexed in {time.monotonic() - t0:.1f} s")
    return data, db


def rg_patterns(query):
    """The plain strings of a query, for ripgrep: quotes, fields, operators
    and exclusions dropped."""
    out = []
    for unit in shlex.split(query):
        if unit == "OR" or unit.startswith("-") or ":" in unit:
            continue
        out.append(unit)
    return out or [query]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_args(ap)
    a = ap.parse_args()
    search = os.path.join(a.build, "searcher", "wensou-search")
    index = os.path.join(a.build, "indexer", "wensou-index")
    floor = os.path.join(a.build, "bench", "search-floor")
    rg = shutil.which("rg")
    if not os.path.isdir(a.corpus):
        print(f"bench_search: {a.corpus} is absent; nothing to measure", file=sys.stderr)
        return
    queries = load_queries()
    tmp = tempfile.mkdtemp(prefix="wensou-bench-")
    try:
        data, db = data_and_index(a, index, tmp)

        rows = {"wensou-search": [], "search-floor": [], "rg -F": [], "rg -F -c": []}
        hits = 0
        for q in queries:
            args = shlex.split(q)
            cmds = {
                "wensou-search": [search, "--db", db, "--json", "-n", "10", "--", *args],
                "search-floor": [floor, db],
            }
            if rg:
                pats = rg_patterns(q)
                # As a user runs it (the matching lines), and counting
                # only: the least ripgrep can be asked to do.
                args_rg = [*sum((["-e", p] for p in pats), []), data]
                cmds["rg -F"] = [rg, "-F", "--no-config", *args_rg]
                cmds["rg -F -c"] = [rg, "-F", "--no-config", "-c", *args_rg]
            for name, cmd in cmds.items():
                ms, rc = timed(cmd)  # warm-up
                if name == "wensou-search":
                    if rc == 2:
                        sys.exit(f"wensou-search failed on {q!r}")
                    hits += rc == 0
                for _ in range(a.repeat):
                    rows[name].append(timed(cmd)[0])

        print(f"{len(queries)} queries x {a.repeat} runs each ({hits} with hits)\n")
        print(f"{'command':16} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
        for name, v in rows.items():
            if v:
                print(f"{name:16} {pct(v, 50):8.1f} {pct(v, 99):8.1f} {statistics.mean(v):8.1f}")
        w, fl = rows["wensou-search"], rows["search-floor"]
        print()
        print(f"wensou p50 / floor p50: {pct(w, 50) / pct(fl, 50):.2f}x")
        for name in ("rg -F", "rg -F -c"):
            r = rows[name]
            if r:
                print(f"{name} p50 / wensou p50: {pct(r, 50) / pct(w, 50):.2f}x faster than ripgrep")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
