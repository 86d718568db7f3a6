#!/usr/bin/python3
"""PDF benchmark: wensou's PDF extraction and indexing against poppler's own
pdftotext over the same files in the same run.

The files are the eight PDF manuals Debian ships in Chinese packages
(debian-reference-zh-cn, -zh-tw, maint-guide-zh-cn, debian-edu-doc-zh-cn,
linuxcnc-doc-zh-cn: 2,156 pages; scripts/install-deps --bench installs
them).  Measured, each --repeat times (median):
  - pdftotext FILE OUT for every file (the baseline);
  - build/bench/bench-pdf-extract: wensou's extraction alone (child process,
    layout, headers, footnotes), the same files;
  - wensou-index over them into a fresh index (extraction, passages,
    analysis, writing, compaction).
Reported: seconds (wall and CPU of the processes), pages/s and MB/s of
extracted text, and each against pdftotext.

Usage: bench/bench_pdf.py --build build [--repeat 3] [FILE.pdf ...]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

DEBIAN_PDFS = [
    "/usr/share/debian-reference/debian-reference.zh-cn.pdf",
    "/usr/share/debian-reference/debian-reference.zh-tw.pdf",
    "/usr/share/doc/maint-guide-zh-cn/maint-guide.zh-cn.pdf",
    "/usr/share/doc/debian-edu-doc-zh-cn/debian-edu-bookworm-manual.pdf",
    "/usr/share/doc/linuxcnc/LinuxCNC_Documentation_zh_CN.pdf",
    "/usr/share/doc/linuxcnc/LinuxCNC_Developer_zh_CN.pdf",
    "/usr/share/doc/linuxcnc/LinuxCNC_Getting_Started_zh_CN.pdf",
    "/usr/share/doc/linuxcnc/LinuxCNC_Integrator_zh_CN.pdf",
]


def timed(cmds, env=None):
    """Run each command in turn; return (wall seconds, CPU seconds of the
    processes and their children)."""
    t0 = time.monotonic()
    cpu = 0.0
    for cmd in cmds:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        err = p.stderr.read().decode(errors="replace")
        _, status, ru = os.wait4(p.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{err}")
        cpu += ru.ru_utime + ru.ru_stime
    return time.monotonic() - t0, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="meson build folder")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    files = a.files or DEBIAN_PDFS
    missing = [f for f in files if not os.path.exists(f)]
    if missing:
        print("bench_pdf: absent (scripts/install-deps --bench installs Debian's manuals):\n  "
              + "\n  ".join(missing), file=sys.stderr)
        sys.exit(1)
    index = os.path.join(a.build, "indexer", "wensou-index")
    extract = os.path.join(a.build, "bench", "bench-pdf-extract")
    for exe in (index, extract):
        if not os.access(exe, os.X_OK):
            sys.exit(f"bench_pdf: {exe} is not built (ninja -C {a.build})")
    if not shutil.which("pdftotext"):
        sys.exit("bench_pdf: pdftotext is absent (poppler-utils)")

    tmp = tempfile.mkdtemp(prefix="wensou-bench-pdf-")
    try:
        # pages and text: pdftotext's, and wensou's from its extractor
        out = subprocess.run([extract, *files], capture_output=True, text=True, check=True).stdout
        pages = sum(int(line.split()[0]) for line in out.splitlines())
        ws_bytes = sum(int(line.split()[1]) for line in out.splitlines())
        pt_bytes = 0
        for i, f in enumerate(files):
            o = os.path.join(tmp, f"{i}.txt")
            subprocess.run(["pdftotext", f, o], check=True, capture_output=True)
            pt_bytes += os.path.getsize(o)
        in_mb = sum(os.path.getsize(f) for f in files) / 1e6
        print(f"{len(files)} PDFs, {pages} pages, {in_mb:.1f} MB of PDF; text: pdftotext {pt_bytes / 1e6:.2f} MB, "
              f"wensou {ws_bytes / 1e6:.2f} MB")

        runs = {"pdftotext": [], "wensou extraction": [], "wensou-index": []}
        for r in range(a.repeat):
            runs["pdftotext"].append(timed([["pdftotext", f, os.path.join(tmp, "out.txt")] for f in files]))
            runs["wensou extraction"].append(timed([[extract, *files]]))
            db = os.path.join(tmp, f"index{r}")
            runs["wensou-index"].append(timed([[index, "--db", db, "--progress=never", "--quiet", *files]]))
            shutil.rmtree(db, ignore_errors=True)
            print(f"run {r + 1}: " + ", ".join(f"{k} {v[-1][0]:.2f} s" for k, v in runs.items()), flush=True)

        base_wall = statistics.median(w for w, _ in runs["pdftotext"])
        base_cpu = statistics.median(c for _, c in runs["pdftotext"])
        print()
        print(f"{'':18} {'wall s':>7} {'CPU s':>7} {'pages/s':>8} {'MB/s':>6} {'x pdftotext':>12} {'x (CPU)':>8}")
        for k, v in runs.items():
            wall = statistics.median(w for w, _ in v)
            cpu = statistics.median(c for _, c in v)
            mb = (pt_bytes if k == "pdftotext" else ws_bytes) / 1e6
            print(f"{k:18} {wall:7.2f} {cpu:7.2f} {pages / wall:8.0f} {mb / wall:6.2f} "
                  f"{wall / base_wall:12.2f} {cpu / base_cpu:8.2f}")
        print("\nMB/s is of extracted text; the targets: extraction within 1.3x pdftotext, "
              "indexing within 2.5x.")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
