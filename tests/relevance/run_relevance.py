#!/usr/bin/env python3
"""Relevance of wensou-search on ../shared/corpus.

Each query of queries.json lists the passages a user would accept, as a
file name and a span of text the passage must contain (compared with all
white space removed, so that words broken across lines in PDF-extracted
text still count).  The runner indexes the corpus (or uses --db), runs
every query with --json -n 10, and reports success@10 (the share of queries
with an accepted passage in the first ten) and MRR (mean reciprocal rank of
the first accepted passage).  It fails if success@10 is below the floor in
floor.txt, which may only ever be raised.

Exit status: 0 pass, 1 below the floor or broken data, 77 skipped (no
corpus; meson's skip code).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))


def squash(s):
    return re.sub(r"\s+", "", s)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--search", default=os.environ.get("WENSOU_SEARCH", ""), help="wensou-search binary")
    ap.add_argument("--index", default=os.environ.get("WENSOU_INDEX", ""), help="wensou-index binary")
    ap.add_argument("--corpus", default=os.environ.get("WENSOU_SHARED_CORPUS", ""), help="../shared/corpus")
    ap.add_argument("--db", help="use this index instead of building one")
    ap.add_argument("--queries", default=os.path.join(HERE, "queries.json"))
    ap.add_argument("--floor", default=os.path.join(HERE, "floor.txt"))
    ap.add_argument("-k", type=int, default=10, help="cut-off (default 10)")
    ap.add_argument("-v", "--verbose", action="store_true", help="show every query, not only misses")
    return ap.parse_args()


class Corpus:
    """The corpus files' lines, squashed passage text by (file, lines)."""

    def __init__(self, root):
        self.root = root
        self.lines = {}

    def file_text(self, name):
        return "\n".join(self.file_lines(name))

    def file_lines(self, name):
        if name not in self.lines:
            with open(os.path.join(self.root, name), encoding="utf-8", errors="replace") as f:
                self.lines[name] = f.read().split("\n")
        return self.lines[name]

    def passage(self, path, first, last):
        name = os.path.basename(path)
        return squash("\n".join(self.file_lines(name)[first - 1:last]))


def check_data(queries, corpus):
    """Every accepted span must exist in its file: a typo would silently
    make a query unanswerable."""
    problems = []
    for q in queries:
        if not q["accept"]:
            problems.append(f"{q['query']}: no accepted passage")
        for a in q["accept"]:
            path = os.path.join(corpus.root, a["file"])
            if not os.path.exists(path):
                problems.append(f"{q['query']}: no file {a['file']}")
            elif squash(a["span"]) not in squash(corpus.file_text(a["file"])):
                problems.append(f"{q['query']}: span {a['span']!r} is not in {a['file']}")
    return problems


def run_query(search, db, q, k):
    cmd = [search, "--db", db, "--json", "-n", str(k), *q["args"], "--", q["query"]]
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"{q['query']}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    objs = [json.loads(line) for line in p.stdout.decode("utf-8").splitlines() if line.strip()]
    return [o for o in objs if o["type"] == "hit"]


def first_accepted(hits, q, corpus):
    for h in hits:
        name = os.path.basename(h["path"])
        text = corpus.passage(h["path"], *h["lines"])
        for a in q["accept"]:
            if a["file"] == name and squash(a["span"]) in text:
                return h["rank"]
    return None


def read_floor(path):
    with open(path, encoding="utf-8") as f:
        return float(f.read().split()[0])


def main():
    args = parse_args()
    if not args.corpus or not os.path.isdir(args.corpus):
        print(f"skip: no shared corpus at {args.corpus or '(unset)'}", file=sys.stderr)
        return SKIP
    if not args.search or not os.path.exists(args.search):
        print("error: wensou-search not found (--search or WENSOU_SEARCH)", file=sys.stderr)
        return 1
    with open(args.queries, encoding="utf-8") as f:
        queries = json.load(f)["queries"]
    corpus = Corpus(args.corpus)
    problems = check_data(queries, corpus)
    if problems:
        print("broken relevance data:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1

    tmp = None
    db = args.db
    if not db:
        if not args.index or not os.path.exists(args.index):
            print("error: wensou-index not found (--index or WENSOU_INDEX)", file=sys.stderr)
            return 1
        tmp = tempfile.mkdtemp(prefix="wensou-relevance-")
        db = os.path.join(tmp, "index")
        p = subprocess.run([args.index, "--db", db, "--progress=never", args.corpus], capture_output=True,
                           text=True, timeout=600)
        if p.returncode != 0:
            print("wensou-index failed:\n" + p.stderr, file=sys.stderr)
            shutil.rmtree(tmp, ignore_errors=True)
            return 1
    try:
        found, rr = 0, 0.0
        by_kind = {}
        for q in queries:
            hits = run_query(args.search, db, q, args.k)
            rank = first_accepted(hits, q, corpus)
            kind = by_kind.setdefault(q.get("kind", "word"), [0, 0])
            kind[1] += 1
            if rank:
                found += 1
                rr += 1.0 / rank
                kind[0] += 1
            if args.verbose or not rank:
                shown = " ".join(q["args"] + [q["query"]])
                top = ", ".join(f"{os.path.basename(h['path'])[:12]}:{h['lines'][0]}" for h in hits[:3])
                print(f"{'ok  ' if rank else 'MISS'} {rank or '-':>2}  {shown}   [{top}]")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    n = len(queries)
    success, mrr = found / n, rr / n
    floor = read_floor(args.floor)
    kinds = "  ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(by_kind.items()))
    print(f"queries {n}  success@{args.k} {success:.3f}  MRR {mrr:.3f}  (floor {floor:.3f})")
    print(f"by kind: {kinds}")
    if success < floor:
        print(f"FAIL: success@{args.k} {success:.3f} is below the floor {floor:.3f}", file=sys.stderr)
        return 1
    if success >= floor + 0.02:
        print(f"note: success@{args.k} is above the floor; raise {os.path.basename(args.floor)} to "
              f"{int(success * 100) / 100:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
