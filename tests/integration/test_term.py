"""One-shot terminal output in a real pseudo-terminal of 80 and 120
columns: the header line, path:line:column lines that point at the
match, no line wider than the terminal (display width by East Asian
width), no line starting with a closing mark, the pager only on a
terminal, the line for no hits, hyperlinks, colours, the config file."""

import json
import os
import re
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import (HAVE_SHARED, SEARCH, SHARED, SOURCE_ROOT, display_width, main, needs_search, run_index,
                     run_pty, squash, strip_ansi)

# Marks that may not start a line (UAX #14 CL, CP, EX, IS, NS among CJK
# punctuation and full-width forms).
CLOSERS = set("。，、；：？！）」』】》〉〕｝］”’〗〙〛～・ー．，：；！？）")
HEADER = re.compile(r"^(\d+)–(\d+) of (\d+) passages? in (\d+) documents?$")
QUERY = "数字"


@needs_search
class TestTerminal(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="wensou-term-")
        cls.docs = os.path.join(cls.tmp, "reports")
        shutil.copytree(SHARED if HAVE_SHARED else os.path.join(SOURCE_ROOT, "corpus"), cls.docs)
        cls.db = os.path.join(cls.tmp, "index")
        p = run_index(cls.db, cls.docs)
        assert p.returncode in (0, 1), p.stderr
        cls.env = dict(os.environ, NO_COLOR="1", TERM="xterm-256color", LANG="C.UTF-8")
        cls.env.pop("PAGER", None)
        cls.env.pop("TMUX", None)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def search(self, *args, cols=120, rows=40, env=None):
        out, rc = run_pty([SEARCH, "--db", self.db, *args], cols=cols, rows=rows, env=env or self.env,
                          cwd=self.docs)
        return out, rc

    def json_hits(self, *args):
        p = subprocess.run([SEARCH, "--db", self.db, "--json", *args], capture_output=True, text=True, timeout=60)
        return [json.loads(l) for l in p.stdout.splitlines() if '"type":"hit"' in l]

    def count(self, *args):
        p = subprocess.run([SEARCH, "--db", self.db, "--count", *args], capture_output=True, text=True)
        return int(p.stdout.strip() or 0)

    def documents(self, *args):
        p = subprocess.run([SEARCH, "--db", self.db, "--files", *args], capture_output=True, text=True)
        return len(p.stdout.splitlines())

    def check_layout(self, out, cols):
        lines = strip_ansi(out).splitlines()
        for line in lines:
            self.assertLessEqual(display_width(line), cols, line)
            body = line.lstrip(" ")
            if body:
                self.assertNotIn(body[0], CLOSERS, f"a line starts with a closing mark: {line!r}")
        return lines

    def test_header_locations_and_widths(self):
        total, docs = self.count(QUERY), self.documents(QUERY)
        hits = self.json_hits(QUERY)
        self.assertEqual(len(hits), 10)
        for cols in (80, 120):
            with self.subTest(cols=cols):
                out, rc = self.search(QUERY, cols=cols)
                self.assertEqual(rc, 0, out)
                lines = self.check_layout(out, cols)
                m = HEADER.match(lines[0])
                self.assertIsNotNone(m, lines[0])
                self.assertEqual(m.groups(), ("1", "10", str(total), str(docs)))
                self.assertLessEqual(len(lines), 40, "ten hits fit a 40-row screen")
                for h in hits:
                    rel = os.path.relpath(h["path"], self.docs)
                    loc = f"{rel}:{h['line']}:{h['column']}"
                    self.assertTrue(any(loc in l.split() for l in lines), f"{loc} not on a line of its own")
                    # it points at the match: the file's bytes from there read the query
                    with open(os.path.join(self.docs, rel), "rb") as f:
                        data = f.read().split(b"\n")
                    line = data[h["line"] - 1]
                    rest = line[h["column"] - 1:] + b"\n" + b"\n".join(data[h["line"]:h["line"] + 3])
                    self.assertTrue(squash(rest.decode("utf-8", "replace")).startswith(QUERY), (loc, rest[:40]))

    def test_wrapping_never_starts_with_a_closing_mark(self):
        # many snippets, two widths: commas and full stops are everywhere in the text
        for cols in (80, 101, 120):
            with self.subTest(cols=cols):
                out, rc = self.search("-n", "60", "--no-pager", "治理", cols=cols)
                self.assertEqual(rc, 0)
                self.check_layout(out, cols)

    def test_group_by_document(self):
        out, rc = self.search("--group=doc", QUERY)
        self.assertEqual(rc, 0)
        lines = self.check_layout(out, 120)
        hits = self.json_hits(QUERY)
        paths = {os.path.relpath(h["path"], self.docs) for h in hits}
        for p in paths:
            self.assertEqual(sum(1 for l in lines if l == p), 1, p)
        # a document's hits follow its heading, before the next heading
        order = [l for l in lines if l in paths]
        self.assertEqual(len(order), len(paths))

    def test_no_hits(self):
        out, rc = self.search("qqqzzzxxx")
        self.assertEqual(rc, 1)
        self.assertIn("No passage matches: qqqzzzxxx", out)
        p = subprocess.run([SEARCH, "--db", self.db, "qqqzzzxxx"], capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stdout), (1, ""))

    def pager_env(self):
        marker = os.path.join(self.tmp, "paged")
        if os.path.exists(marker):
            os.remove(marker)
        pager = os.path.join(self.tmp, "pager.sh")
        with open(pager, "w") as f:
            f.write(f"#!/bin/sh\ntouch {marker}\ncat\n")
        os.chmod(pager, stat.S_IRWXU)
        return dict(self.env, PAGER=pager), marker

    def test_pager_only_on_a_terminal_and_only_when_long(self):
        env, marker = self.pager_env()
        out, rc = self.search("-n", "30", QUERY, cols=80, rows=24, env=env)
        self.assertEqual(rc, 0)
        self.assertTrue(os.path.exists(marker), "30 hits on 24 rows go through the pager")
        self.assertRegex(strip_ansi(out), r"1–30 of")
        env, marker = self.pager_env()
        self.search("-n", "30", "--no-pager", QUERY, cols=80, rows=24, env=env)
        self.assertFalse(os.path.exists(marker), "--no-pager")
        self.search("-n", "2", QUERY, cols=120, rows=40, env=env)
        self.assertFalse(os.path.exists(marker), "two hits fit the screen")
        p = subprocess.run([SEARCH, "--db", self.db, "-n", "30", QUERY], capture_output=True, text=True, env=env)
        self.assertEqual(p.returncode, 0)
        self.assertFalse(os.path.exists(marker), "not a terminal: no pager")
        env, marker = self.pager_env()
        self.search("--by-year", "-n", "1", QUERY, env=env)  # an error: no pager either
        self.assertFalse(os.path.exists(marker))

    def test_hyperlinks(self):
        hits = self.json_hits("-n", "1", QUERY)
        out, _ = self.search("--hyperlink=always", "-n", "1", QUERY)
        self.assertIn("\x1b]8;;file://" + hits[0]["path"].replace(" ", "%20") + "\x1b\\", out)
        out, _ = self.search("-n", "1", QUERY)  # auto: xterm-256color is not known to show them
        self.assertNotIn("\x1b]8;", out)
        out, _ = self.search("-n", "1", QUERY, env=dict(self.env, VTE_VERSION="7200"))
        self.assertIn("\x1b]8;;file://", out)

    def test_wensou_colors(self):
        out, _ = self.search("--color=always", "-n", "1", QUERY, env=dict(self.env, WENSOU_COLORS="match=4;35"))
        self.assertIn("\x1b[4;35m" + QUERY, out)
        out, _ = self.search("--color=always", "-n", "1", QUERY, env=dict(self.env, WENSOU_COLORS="matsh=4"))
        self.assertIn('WENSOU_COLORS: unknown name "matsh"', out)
        self.assertIn("\x1b[1;31m" + QUERY, out)  # the default stays

    def test_config_file(self):
        cfg = os.path.join(self.tmp, "config")
        with open(cfg, "w") as f:
            f.write("# defaults\n--limit=3\n\n--group\ndoc\n")
        env = dict(self.env, WENSOU_CONFIG_PATH=cfg)
        out, rc = self.search(QUERY, env=env)
        self.assertRegex(strip_ansi(out), r"^1–3 of")
        out, rc = self.search("-n", "5", "--group=rank", QUERY, env=env)
        self.assertRegex(strip_ansi(out), r"^1–5 of")
        # a default that does not apply to another output is left out
        p = subprocess.run([SEARCH, "--db", self.db, "--json", QUERY], capture_output=True, text=True, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sum('"type":"hit"' in l for l in p.stdout.splitlines()), 3)
        out, rc = self.search("--no-config", QUERY, env=env)
        self.assertRegex(strip_ansi(out), r"^1–10 of")
        with open(cfg, "w") as f:
            f.write("--json\n")
        p = subprocess.run([SEARCH, "--db", self.db, QUERY], capture_output=True, text=True, env=env)
        self.assertEqual(p.returncode, 2)
        self.assertIn("line 1: --json cannot be a default", p.stderr)
        p = subprocess.run([SEARCH, "--db", self.db, QUERY], capture_output=True, text=True,
                           env=dict(env, WENSOU_CONFIG_PATH=cfg + ".missing"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("config file", p.stderr)

    def config_error(self, cfg):
        """stderr of a search with cfg as the config file, which must fail
        at once: a timeout, and an address-space cap, so that a reader
        without bounds fails the test rather than hanging or eating memory."""
        env = dict(self.env, WENSOU_CONFIG_PATH=cfg)
        # AddressSanitizer reserves terabytes of address space at start, so
        # a build with it gets its own allocator's cap instead
        asan = b"libasan" in subprocess.run(["ldd", SEARCH], capture_output=True).stdout
        if asan:
            env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""), "malloc_limit_mb=1024"]))

        def cap():
            if not asan:
                resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        try:
            p = subprocess.run([SEARCH, "--db", self.db, QUERY], capture_output=True, text=True, timeout=10,
                               env=env, preexec_fn=cap)
        except subprocess.TimeoutExpired:
            self.fail(f"config file {cfg}: no answer in 10 s")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, "")
        return p.stderr

    def test_config_not_a_file(self):
        fifo = os.path.join(self.tmp, "config.fifo")
        os.mkfifo(fifo)
        folder = os.path.join(self.tmp, "config.d")
        os.mkdir(folder)
        for cfg, kind in (("/dev/zero", "a character device"), (fifo, "a FIFO"), (folder, "a directory")):
            with self.subTest(cfg=cfg):
                err = self.config_error(cfg)
                self.assertIn(f"the config file {cfg} is {kind}, not a regular file", err)
                self.assertLess(len(err), 200, err)

    def test_config_limits(self):
        cfg = os.path.join(self.tmp, "config.limits")
        # a line over 4 KB: its line number and at most 60 characters of
        # it (cut between characters, control characters left out)
        with open(cfg, "w") as f:
            f.write("--limit=3\n\x1b]0;title\x07" + "数" * 2000 + "\n")
        err = self.config_error(cfg)
        self.assertIn(f"the config file {cfg}, line 2: longer than 4096 bytes", err)
        self.assertIn("]0;title" + "数" * 50 + "…", err)
        self.assertNotIn("\x1b", err)
        self.assertLess(len(err.encode()), 400, err)
        with open(cfg, "w") as f:
            f.write("--limit=" + "9" * 4088 + "\n")  # 4096 bytes: long, but not too long
        err = self.config_error(cfg)
        self.assertIn("expects a whole number", err)
        # over 1 MiB, even of comments
        with open(cfg, "w") as f:
            f.write("# a comment of forty bytes, to fill it.\n" * 30000)
        err = self.config_error(cfg)
        self.assertIn(f"the config file {cfg} is larger than 1 MiB", err)
        with open(cfg, "w") as f:
            f.write("--limit=3\0\n")
        err = self.config_error(cfg)
        self.assertIn(f"the config file {cfg}, line 1: holds a NUL byte", err)


if __name__ == "__main__":
    main()
