#!/usr/bin/python3
"""Indexing benchmark: wensou-index against two baselines in the same run.

Builds bench_data.py's data set (the reports of ../shared/corpus and the
Chinese Debian manuals, passages shuffled across files) of about 100 MB in
300 files, then measures:
  - wensou-index with each --jobs N of --jobs-list (default 1,2), the runs
    of the N interleaved so that they share the machine's noise:
    throughput (MB/s), the speed-up over the first N, peak RSS; index size /
    text size (a fresh index is compacted by wensou-index itself), and an
    incremental run with nothing changed;
  - Xapian's own TermGenerator with FLAG_CJK_NGRAM over the same passages
    (read back from wensou's index, so both index exactly the same text);
  - SQLite FTS5 with the trigram tokenizer over the same passages.
Each is run --repeat times (default 3) and the median reported.

Needs python3-xapian and xapian-tools (scripts/install-deps --bench).
With --shard-by year|source, an archive of the same data is built too,
interleaved with the one index's runs: its MB/s, RSS, size and no-change
run beside the one index's.

Usage: bench/bench_index.py --index build/indexer/wensou-index [--mb 100] [--files 300] [--jobs-list 1,2]
                            [--shard-by year|source]
"""

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_data import DEFAULT_CORPUS, make_data  # noqa: E402,F401 (bench_search imports them from here)


def run_measured(cmd, env=None, cpu=None):
    """Run cmd; return (seconds, peak RSS in MB, exit code, stderr).  With
    cpu a list, append the CPU seconds it used (user + system): CPU over
    wall time says how many cores a run got, on a machine shared with
    other work."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = p.stderr.read().decode(errors="replace")
    _, status, ru = os.wait4(p.pid, 0)
    elapsed = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if cpu is not None:
        cpu.append(ru.ru_utime + ru.ru_stime)
    return elapsed, ru.ru_maxrss / 1024.0, p.returncode, err


def dir_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def passages_of(index_dir):
    import xapian
    db = xapian.Database(index_dir)
    for item in db.postlist(""):
        # the passage's JSON, a NUL, its heading, a NUL, its text (common/schema.h)
        data = db.get_document(item.docid).get_data()
        yield data.split(b"\0", 2)[2].decode("utf-8")


def xapian_baseline(texts, out):
    import xapian
    db = xapian.WritableDatabase(out, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("english"))
    tg.set_flags(xapian.TermGenerator.FLAG_CJK_NGRAM)
    t0 = time.monotonic()
    for text in texts:
        doc = xapian.Document()
        tg.set_document(doc)
        tg.index_text(text)
        doc.set_data(text)
        db.add_document(doc)
    db.commit()
    db.close()
    return time.monotonic() - t0


def sqlite_baseline(texts, out):
    con = sqlite3.connect(out)
    con.execute("CREATE VIRTUAL TABLE p USING fts5(text, tokenize='trigram')")
    t0 = time.monotonic()
    with con:
        con.executemany("INSERT INTO p(text) VALUES (?)", ((t,) for t in texts))
    con.close()
    return time.monotonic() - t0


def compacted_size(src, tmp):
    dst = os.path.join(tmp, "compact")
    shutil.rmtree(dst, ignore_errors=True)
    subprocess.run(["xapian-compact", "--no-renumber", src, dst], check=True, stdout=subprocess.DEVNULL)
    size = dir_size(dst)
    shutil.rmtree(dst)
    return size


def baseline_child(kind, index_dir, out):
    """Run one baseline in this (child) process and print its seconds."""
    texts = list(passages_of(index_dir))
    secs = xapian_baseline(texts, out) if kind == "xapian" else sqlite_baseline(texts, out)
    print(secs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True, help="path of wensou-index")
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--mb", type=float, default=100)
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-baselines", action="store_true")
    ap.add_argument("--jobs-list", default="1,2", help="the --jobs values to compare (default 1,2)")
    ap.add_argument("--shard-by", choices=("year", "source"),
                    help="also build an archive of the same data (wensou-index --shard-by) with the last --jobs, "
                         "interleaved with the one index's runs")
    ap.add_argument("--keep", help="leave the data set and wensou's index in this folder "
                    "(for bench_search.py --data DIR/data --db DIR/wensou)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        baseline_child(*a.child)
        return
    if not os.path.isdir(a.corpus):
        print(f"bench_index: {a.corpus} is absent; nothing to measure", file=sys.stderr)
        return
    tmp = a.keep or tempfile.mkdtemp(prefix="wensou-bench-")
    os.makedirs(tmp, exist_ok=True)
    try:
        data = os.path.join(tmp, "data")
        text_bytes = make_data(a.corpus, data, a.mb, a.files)
        print(f"data: {a.files} files, {text_bytes / 1e6:.1f} MB of text")
        rows = []

        jobs_list = [int(j) for j in a.jobs_list.split(",")]
        runs = {j: [] for j in jobs_list}
        rss = {j: [] for j in jobs_list}
        cpu = {j: [] for j in jobs_list}
        nochange = []
        arch_runs, arch_rss, arch_nochange = [], [], []
        db = os.path.join(tmp, "wensou")
        arch = os.path.join(tmp, "archive")
        for r in range(a.repeat):
            if a.shard_by:
                shutil.rmtree(arch, ignore_errors=True)
                secs, mb, rc, err = run_measured([a.index, "--db", arch, "--progress=never", "--shard-by", a.shard_by,
                                                  "--jobs", str(jobs_list[-1]), data])
                if rc != 0:
                    sys.exit(f"wensou-index --shard-by failed ({rc}): {err}")
                arch_runs.append(secs)
                arch_rss.append(mb)
                print(f"wensou-index --shard-by {a.shard_by} --jobs {jobs_list[-1]} run {r + 1}: {secs:.1f} s, "
                      f"{text_bytes / 1e6 / secs:.2f} MB/s, {mb:.0f} MB RSS", flush=True)
                arch_nochange.append(run_measured([a.index, "--db", arch, "--progress=never"])[0])
            for j in jobs_list:
                shutil.rmtree(db, ignore_errors=True)
                secs, mb, rc, err = run_measured([a.index, "--db", db, "--progress=never", "--jobs", str(j), data],
                                                 cpu=cpu[j])
                if rc != 0:
                    sys.exit(f"wensou-index failed ({rc}): {err}")
                runs[j].append(secs)
                rss[j].append(mb)
                print(f"wensou-index --jobs {j} run {r + 1}: {secs:.1f} s, {text_bytes / 1e6 / secs:.2f} MB/s, "
                      f"{mb:.0f} MB RSS, {cpu[j][-1]:.1f} CPU s ({cpu[j][-1] / secs:.2f} cores), "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
            secs, _, rc, err = run_measured([a.index, "--db", db, "--progress=never", data])
            nochange.append(secs)
        # a fresh wensou index is compacted by the indexer before it goes live
        size = csize = dir_size(db)
        for j in jobs_list:
            rows.append((f"wensou-index --jobs {j}", statistics.median(runs[j]), statistics.median(rss[j]), size, csize))
        print(f"wensou no-change run: median {statistics.median(nochange) * 1000:.0f} ms "
              f"(runs: {', '.join(f'{s * 1000:.0f}' for s in nochange)} ms)")
        if a.shard_by:
            parts = [x for x in os.listdir(arch) if x.startswith(a.shard_by + "-")]
            one = statistics.median(runs[jobs_list[-1]])
            print(f"archive by {a.shard_by} ({len(parts)} parts), --jobs {jobs_list[-1]}: "
                  f"{text_bytes / 1e6 / statistics.median(arch_runs):.2f} MB/s, "
                  f"{one / statistics.median(arch_runs):.2f}x the one index's speed; "
                  f"{statistics.median(arch_rss):.0f} MB RSS; index {dir_size(arch) / 1e6:.0f} MB "
                  f"({dir_size(arch) / dir_size(db):.2f}x the one index); no-change run "
                  f"{statistics.median(arch_nochange) * 1000:.0f} ms "
                  f"({statistics.median(arch_nochange) / statistics.median(nochange):.2f}x)")
        first = statistics.median(runs[jobs_list[0]])
        for j in jobs_list[1:]:
            per_run = ", ".join(f"{x / y:.2f}" for x, y in zip(runs[jobs_list[0]], runs[j]))
            print(f"--jobs {j} over --jobs {jobs_list[0]}: {first / statistics.median(runs[j]):.2f}x "
                  f"(medians; run by run {per_run})")

        if not a.skip_baselines:
            for kind in ("xapian", "sqlite"):
                secs_l, rss_l = [], []
                out = os.path.join(tmp, kind)
                for r in range(a.repeat):
                    shutil.rmtree(out, ignore_errors=True)
                    if os.path.exists(out):
                        os.remove(out)
                    t0 = time.monotonic()
                    p = subprocess.Popen([sys.executable, __file__, "--index", a.index, "--child", kind, db, out],
                                         stdout=subprocess.PIPE)
                    outp = p.stdout.read().decode()
                    _, status, ru = os.wait4(p.pid, 0)
                    if os.waitstatus_to_exitcode(status) != 0:
                        sys.exit(f"{kind} baseline failed")
                    secs_l.append(float(outp.strip()))
                    rss_l.append(ru.ru_maxrss / 1024.0)
                    print(f"{kind} run {r + 1}: {secs_l[-1]:.1f} s", flush=True)
                if kind == "xapian":
                    size_b = dir_size(out)
                    csize_b = compacted_size(out, tmp)
                else:
                    size_b = csize_b = os.path.getsize(out)
                name = "Xapian TermGenerator CJK_NGRAM" if kind == "xapian" else "SQLite FTS5 trigram"
                rows.append((name, statistics.median(secs_l), statistics.median(rss_l), size_b, csize_b))

        print()
        print(f"{'indexer':32} {'MB/s':>7} {'x xapian':>9} {'index/text':>11} {'compacted':>10} {'RSS MB':>8}")
        base = next((r for r in rows if r[0].startswith("Xapian")), None)
        for name, secs, mb, size, csize in rows:
            ratio = f"{base[1] / secs:.2f}" if base else "-"
            print(f"{name:32} {text_bytes / 1e6 / secs:7.2f} {ratio:>9} {size / text_bytes:10.2f}x "
                  f"{csize / text_bytes:9.2f}x {mb:8.0f}")
        print("(baselines time indexing only, not reading the passages; RSS includes that reading)")
    finally:
        if a.keep:
            for name in ("xapian", "sqlite", "compact"):
                p = os.path.join(tmp, name)
                shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) else None
                if os.path.isfile(p):
                    os.remove(p)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
