#!/usr/bin/env python3
"""The editor clients in editors/, run for real: an index of corpus/ is
built into a temporary folder, then a headless Neovim (nvim_driver.lua) or
a batch Emacs (emacs_driver.el) runs the client against it and writes what
a user would see as JSON, which is checked here against lines and columns
read from the corpus files themselves (not from wensou's output).

Usage: test_editors.py nvim|emacs [PROGRAM] [unittest options].  PROGRAM
is the editor (found on $PATH if not given); a missing editor or binary
skips the whole test with exit status 77."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import INDEX, SEARCH, SOURCE_ROOT, main, run_index  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = SOURCE_ROOT or os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.realpath(os.path.join(ROOT, "corpus"))

# The queries, and the pattern of what each finds in the files as written
# (the index folds Traditional to Simplified, so 數字鴻溝 is 数字鸿沟).
QF_QUERY = "数字鸿沟"
QF_PATTERN = r"数字鸿沟|數字鴻溝"
TYPED_CJK = "数字鸿"                     # a Chinese run being typed
TYPED_CJK_PATTERN = r"数字鸿|數字鴻"
TYPED_LATIN = "gover"                    # a word being typed: governments, Governments
TYPED_LATIN_PATTERN = r"(?i)\bgover"


def expected(pattern):
    """{(path, line, byte column, character column)} of the first match of
    PATTERN on each line of the corpus's text files, 1-based; running
    headers (the first line repeated further down, after a page break) are
    left out, as the indexer drops them."""
    want = set()
    for d, _, files in os.walk(CORPUS):
        for name in files:
            if not name.endswith((".txt", ".md")):
                continue
            path = os.path.join(d, name)
            # the samples in other encodings (corpus/encodings/) hold none
            # of the patterns; read as UTF-8 they match nothing either
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().split("\n")
            for n, text in enumerate(lines, 1):
                if n > 1 and text.strip() and text.strip() == lines[0].strip():
                    continue
                m = re.search(pattern, text)
                if m:
                    want.add((path, n, len(text[:m.start()].encode()) + 1, m.start() + 1))
    return want


def run_editor(cmd, args, tmp):
    args_file = os.path.join(tmp, "args.json")
    with open(args_file, "w", encoding="utf-8") as f:
        json.dump(args, f, ensure_ascii=False)
    env = dict(os.environ, WENSOU_TEST_ARGS=args_file)
    p = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    try:
        with open(args["out"], encoding="utf-8") as f:
            out = json.load(f)
    except (OSError, ValueError):
        raise AssertionError("%s wrote no results (status %d):\n%s\n%s"
                             % (cmd[0], p.returncode, p.stdout, p.stderr))
    if "error" in out:
        raise AssertionError("%s: %s\n%s" % (cmd[0], out["error"], p.stderr))
    return out


class EditorTest(unittest.TestCase):
    """Builds the index once for the class and runs the editor once."""
    editor = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="wensou-editors-")
        cls.db = os.path.join(cls.tmp, "index")
        p = run_index(cls.db, CORPUS)
        if p.returncode != 0:
            raise AssertionError("wensou-index failed:\n" + p.stderr)
        cls.out = cls.run_editor()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assertHits(self, got, want):
        self.assertEqual(len(got), len(want), got)
        self.assertEqual(set(got), want)


class TestNeovim(EditorTest):
    @classmethod
    def run_editor(cls):
        args = {"search": SEARCH, "db": cls.db, "out": os.path.join(cls.tmp, "out.json"),
                "pdf_out": os.path.join(cls.tmp, "viewer.txt"),
                "qf_query": QF_QUERY, "live_first": TYPED_CJK, "live_query": TYPED_LATIN}
        cls.viewer = args["pdf_out"]
        rtp = os.path.join(ROOT, "editors", "nvim")
        cmd = [os.environ["WENSOU_NVIM"], "--headless", "-u", "NONE", "-i", "NONE", "-n",
               "--cmd", "set rtp+=" + rtp.replace(" ", r"\ "),
               "-c", "luafile " + os.path.join(HERE, "nvim_driver.lua").replace(" ", r"\ ")]
        return run_editor(cmd, args, cls.tmp)

    def test_quickfix_has_every_hit_at_its_byte_column(self):
        o = self.out
        self.assertIsNone(o.get("search_error"))
        got = [(q["path"], q["lnum"], q["col"]) for q in o["qf"]]
        self.assertHits(got, {w[:3] for w in expected(QF_PATTERN)})
        self.assertTrue(all(q["vcol"] == 0 for q in o["qf"]), o["qf"])  # col counts bytes

    def test_quickfix_text_and_window(self):
        o = self.out
        self.assertIn(QF_QUERY, o["qf_title"])
        self.assertTrue(o["qf_window"], "the quickfix window was not opened")
        for q in o["qf"]:
            self.assertTrue(q["text"].startswith("["), q)       # [title > section]
        self.assertTrue(any("鸿沟" in q["text"] or "鴻溝" in q["text"] for q in o["qf"]))

    def test_quickfix_entries_jump_to_the_match(self):
        o = self.out
        got = [(j["path"], j["line"], j["col"]) for j in o["qf_jumps"]]
        want = [(q["path"], q["lnum"], q["col"]) for q in o["qf"]]
        self.assertEqual(got, want)
        for path, line, col in got:   # the cursor is on the match itself
            with open(path, encoding="utf-8") as f:
                text = f.read().split("\n")[line - 1].encode()
            self.assertRegex(text[col - 1:].decode(), "^(" + QF_PATTERN + ")")

    def test_live_picker_draws_only_the_latest_answer(self):
        o = self.out
        self.assertEqual(o["live_floats"], 2)             # results and prompt
        self.assertEqual(o["live_ids"][1], o["live_ids"][0] + 1)
        got = [(h["path"], h["line"], h["column"]) for h in o["live_hits"]]
        self.assertHits(got, {w[:3] for w in expected(TYPED_LATIN_PATTERN)})
        self.assertEqual(len(o["live_lines"]), len(got))
        self.assertTrue(all(re.search(r"(?i)gover", line) for line in o["live_lines"]), o["live_lines"])

    def test_live_picker_jumps_to_the_selected_hit(self):
        o = self.out
        sel = o["live_hits"][o["live_selected"] - 1]
        self.assertEqual(o["live_selected"], 2)           # moved down once
        self.assertEqual((o["live_jump"]["path"], o["live_jump"]["line"], o["live_jump"]["col"]),
                         (sel["path"], sel["line"], sel["column"]))
        self.assertEqual(o["live_floats_after"], 0)       # the picker closed

    def test_prompt_sends_through_the_same_server(self):
        o = self.out
        self.assertTrue(o["prompt_sent"])
        self.assertEqual(o["prompt_hits"], len(expected(QF_PATTERN)))
        self.assertTrue(o["same_server"], "a second --serve process was started")

    def test_paged_hit_opens_the_viewer_at_its_page(self):
        with open(self.viewer, encoding="utf-8") as f:
            self.assertEqual(f.read(), "7 /reports/annual report.pdf")


class TestEmacs(EditorTest):
    @classmethod
    def run_editor(cls):
        args = {"search": SEARCH, "db": cls.db, "out": os.path.join(cls.tmp, "out.json"),
                "query": QF_QUERY, "live_first": TYPED_LATIN, "live_query": TYPED_CJK}
        cmd = [os.environ["WENSOU_EMACS"], "--batch", "-Q", "-L", os.path.join(ROOT, "editors", "emacs"),
               "-l", "wensou.el", "-l", os.path.join(HERE, "emacs_driver.el")]
        return run_editor(cmd, args, cls.tmp)

    def hit_lines(self, buffer):
        hits = []
        for line in buffer:
            m = re.match(r"^(.+?):(\d+):(\d+): ", line)
            if m:
                hits.append((m.group(1), int(m.group(2)), int(m.group(3))))
        return hits

    def test_buffer_lists_every_hit_at_its_character_column(self):
        o = self.out
        self.assertTrue(o["finished"])
        self.assertEqual(o["status"], 0)
        self.assertTrue(o["compilation"], "wensou-mode does not derive from compilation-mode")
        self.assertEqual(o["buffer"][0], "wensou: " + QF_QUERY)
        self.assertHits(self.hit_lines(o["buffer"]), {(w[0], w[1], w[3]) for w in expected(QF_PATTERN)})
        self.assertIn("wensou finished: %d hits" % len(expected(QF_PATTERN)), o["buffer"])

    def test_next_error_visits_each_hit(self):
        o = self.out
        got = [(j["path"], j["line"], j["col"]) for j in o["jumps"]]
        self.assertEqual(got, self.hit_lines(o["buffer"]))
        for path, line, col in got:   # point is on the match itself
            with open(path, encoding="utf-8") as f:
                text = f.read().split("\n")[line - 1]
            self.assertRegex(text[col - 1:], "^(" + QF_PATTERN + ")")

    def test_live_draws_only_the_latest_answer(self):
        o = self.out
        self.assertTrue(o["live_answered"])
        self.assertEqual(o["live_ids"][1], o["live_ids"][0] + 1)
        self.assertEqual(o["live_buffer"][0], "wensou (live): " + TYPED_CJK)
        self.assertHits(self.hit_lines(o["live_buffer"]),
                        {(w[0], w[1], w[3]) for w in expected(TYPED_CJK_PATTERN)})
        self.assertTrue(o["same_server"])

    def test_next_error_after_live(self):
        o = self.out
        got = [(j["path"], j["line"], j["col"]) for j in o["live_jumps"]]
        self.assertEqual(got, self.hit_lines(o["live_buffer"]))
        self.assertTrue(got)


def select():
    """The editor named by the first argument, or exit 77 when it (or a
    binary) is missing; the other editor's tests are dropped."""
    which = sys.argv.pop(1) if len(sys.argv) > 1 else ""
    tests = {"nvim": ("TestNeovim", "WENSOU_NVIM", "neovim"),
             "emacs": ("TestEmacs", "WENSOU_EMACS", "emacs-nox")}
    if which not in tests:
        sys.exit("usage: test_editors.py nvim|emacs")
    name, var, pkg = tests[which]
    prog = ""
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        prog = sys.argv.pop(1)
    prog = prog or shutil.which(which) or ""
    if not (prog and os.access(prog, os.X_OK)):
        print("%s not found: editor tests skipped (apt-get install %s)" % (which, pkg))
        sys.exit(77)
    if not all(p and os.path.exists(p) for p in (INDEX, SEARCH)):
        print("wensou-index or wensou-search not built: editor tests skipped")
        sys.exit(77)
    os.environ[var] = prog
    for other, _, _ in tests.values():
        if other != name:
            del globals()[other]


if __name__ == "__main__":
    select()
    main()
