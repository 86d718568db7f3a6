"""What the command-line tests share: the binaries, running them, reading
the indexer's summary line, a temporary folder per test, and a runner
whose closing line counts skipped tests as skipped."""

import fcntl
import json
import os
import pty
import re
import select
import struct
import termios
import time
import unicodedata
import shutil
import subprocess
import sys
import tempfile
import unittest

INDEX = os.environ.get("WENSOU_INDEX", "")
INDEX_FAULTY = os.environ.get("WENSOU_INDEX_FAULTY", "")
SEARCH = os.environ.get("WENSOU_SEARCH", "")
SHARED = os.environ.get("WENSOU_SHARED_CORPUS", "")
SOURCE_ROOT = os.environ.get("WENSOU_SOURCE_ROOT", "")

HAVE_SHARED = bool(SHARED) and os.path.isdir(SHARED)
SHARED_MSG = "../shared/corpus is absent: real-report tests skipped"


def run_index(db, *paths, args=(), env=None, exe=None, timeout=600):
    cmd = [exe or INDEX, "--db", db, "--progress=never", *args, *paths]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)


def search_json(db, *query, args=()):
    cmd = [SEARCH, "--db", db, "--json", *args, "--", *query]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    objs = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    return p, [o for o in objs if o.get("type") == "hit"]


def search_count(db, *query, args=()):
    """--count of a query, or None when the search failed."""
    p = subprocess.run([SEARCH, "--db", db, "--count", *args, "--", *query],
                       capture_output=True, text=True, timeout=60)
    if p.returncode not in (0, 1):
        return None
    return int(p.stdout.strip() or 0)


DEBIAN_PYTHON = "/usr/bin/python3"


def damage(script, *args):
    """Run a script that reads or damages an index with Debian's python3
    and its xapian module (python3-xapian), or skip."""
    probe = subprocess.run([DEBIAN_PYTHON, "-c", "import xapian"], capture_output=True) \
        if os.path.exists(DEBIAN_PYTHON) else None
    if not probe or probe.returncode != 0:
        raise unittest.SkipTest("python3-xapian is not installed")
    p = subprocess.run([DEBIAN_PYTHON, "-c", script, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(p.stderr)
    return p.stdout


def run_pty(cmd, cols=80, rows=40, env=None, cwd=None, timeout=60):
    """Run cmd with its stdin, stdout and stderr on a pseudo-terminal of
    cols x rows; returns (output as text, exit status)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            if cwd:
                os.chdir(cwd)
            os.execvpe(cmd[0], cmd, env if env is not None else os.environ)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    out = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            if os.waitpid(pid, os.WNOHANG)[0]:
                pid = 0
                break
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    os.close(fd)
    status = os.waitpid(pid, 0)[1] if pid else 0
    return out.decode("utf-8", "replace").replace("\r\n", "\n"), os.waitstatus_to_exitcode(status) if pid else None


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\]8;[^\x1b]*\x1b\\|\x1b[=>]")


def strip_ansi(s):
    return ANSI.sub("", s)


def display_width(s):
    """Columns s takes on a terminal: East Asian Wide and Fullwidth two,
    combining marks none."""
    w = 0
    for c in s:
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
            continue
        w += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return w


def summary(stderr):
    """The counts of the indexer's closing line ("replaced": characters
    that could not be decoded, 0 when the line does not say)."""
    m = re.search(r"(\d+) added, (\d+) changed, (\d+) removed, (\d+) unchanged, "
                  r"(\d+) skipped(?: \([^)]*\))?, (\d+) failed; "
                  r"(?:(\d+) characters? replaced; )?(\d+) passages", stderr)
    if not m:
        raise AssertionError("no summary line in stderr:\n" + stderr)
    keys = ["added", "changed", "removed", "unchanged", "skipped", "failed", "replaced", "passages"]
    return dict(zip(keys, (int(g or 0) for g in m.groups())))


def squash(s):
    """Text as it reads: without the line breaks and spaces that PDF
    extraction puts inside words."""
    return re.sub(r"\s+", "", s)


def needs_search(test):
    return unittest.skipUnless(SEARCH and os.path.exists(SEARCH), "wensou-search not built")(test)


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wensou-test-")
        self.db = os.path.join(self.tmp, "index")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def copy_shared(self):
        dst = os.path.join(self.tmp, "reports")
        shutil.copytree(SHARED, dst)
        return dst


def main():
    """unittest's main, closing with a line "N passed, N failed, N skipped"
    that scripts/test adds up (a skipped test is not a passed one)."""
    prog = unittest.main(verbosity=2, exit=False)
    r = prog.result
    skipped = len(r.skipped)
    failed = len(r.failures) + len(r.errors) + len(r.unexpectedSuccesses)
    passed = r.testsRun - skipped - failed
    sys.stdout.flush()
    print(f"{passed} passed, {failed} failed, {skipped} skipped", flush=True)
    sys.exit(0 if r.wasSuccessful() else 1)
