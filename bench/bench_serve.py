#!/usr/bin/python3
"""--serve latency: the 50 queries of bench/queries.txt sent to one
wensou-search --serve process, and the same queries typed a character at
a time ("partial":true, as an editor's live picker sends them), beside
one-shot wensou-search processes for the same queries in the same run.

Latency is the wall time from writing a request to reading its summary
line, through pipes, as an editor sees it.  Reports p50/p99 in ms.

Usage: bench/bench_serve.py --build build [--mb 100] [--files 300] [--repeat 5]
                            [--db INDEX [--data FOLDER] | --keep DIR]
"""

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_search import add_data_args, data_and_index, load_queries, pct, timed  # noqa: E402


class Serve:
    def __init__(self, search, db):
        self.p = subprocess.Popen([search, "--db", db, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, bufsize=1)
        self.n = 0

    def ask(self, query, partial=False):
        """ms from the request to its summary."""
        self.n += 1
        req = json.dumps({"id": self.n, "query": query, "limit": 10, "partial": partial}, ensure_ascii=False)
        t0 = time.perf_counter()
        self.p.stdin.write(req + "\n")
        self.p.stdin.flush()
        while True:
            o = json.loads(self.p.stdout.readline())
            if o.get("id") == self.n and o["type"] in ("summary", "error"):
                return (time.perf_counter() - t0) * 1000.0, o["type"]

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def prefixes(query):
    """What an editor sends as the query is typed: every prefix, one
    character more each time (spaces are not sent alone)."""
    out = []
    for i in range(1, len(query) + 1):
        q = query[:i]
        if q.strip() and not q.endswith(" ") and q.count('"') % 2 == 0:
            out.append(q)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_args(ap)
    a = ap.parse_args()
    search = os.path.join(a.build, "searcher", "wensou-search")
    index = os.path.join(a.build, "indexer", "wensou-index")
    if not os.path.isdir(a.corpus):
        print(f"bench_serve: {a.corpus} is absent; nothing to measure", file=sys.stderr)
        return
    queries = load_queries()
    tmp = tempfile.mkdtemp(prefix="wensou-bench-")
    try:
        data, db = data_and_index(a, index, tmp)
        s = Serve(search, db)
        serve, typed, oneshot, errors = [], [], [], 0
        for q in queries:
            s.ask(q)  # warm-up
            for _ in range(a.repeat):
                ms, kind = s.ask(q)
                serve.append(ms)
                errors += kind == "error"
            for p in prefixes(q):
                ms, kind = s.ask(p, partial=True)
                typed.append(ms)
            cmd = [search, "--db", db, "--json", "-n", "10", "--", *shlex.split(q)]
            timed(cmd)
            for _ in range(a.repeat):
                oneshot.append(timed(cmd)[0])
        s.close()
        print(f"{len(queries)} queries x {a.repeat} runs; {len(typed)} as-you-type requests; "
              f"{errors} errors\n")
        print(f"{'':28} {'p50 ms':>8} {'p99 ms':>8}")
        for name, v in (("--serve, whole queries", serve), ("--serve, typed (partial)", typed),
                        ("one-shot processes", oneshot)):
            print(f"{name:28} {pct(v, 50):8.2f} {pct(v, 99):8.2f}")
        print(f"\none-shot p50 / --serve p50: {pct(oneshot, 50) / pct(serve, 50):.1f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
