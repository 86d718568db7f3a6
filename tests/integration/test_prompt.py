"""The interactive prompt, driven in a real terminal (tmux, 120x40): a
Chinese query, a year filter, paging on, a hit opened in a stub $EDITOR
that records its arguments, a whole passage shown, Ctrl-C and Ctrl-D,
the history file; checked on the screen tmux shows."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import HAVE_SHARED, SEARCH, SHARED, SOURCE_ROOT, display_width, main, needs_search, run_index

TMUX = shutil.which("tmux")


@needs_search
@unittest.skipUnless(TMUX, "tmux is not installed: the prompt test is skipped")
class TestPrompt(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wensou-prompt-")
        self.docs = os.path.join(self.tmp, "reports")
        shutil.copytree(SHARED if HAVE_SHARED else os.path.join(SOURCE_ROOT, "corpus"), self.docs)
        self.db = os.path.join(self.tmp, "index")
        p = run_index(self.db, self.docs)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        self.args_file = os.path.join(self.tmp, "editor-args")
        self.editor = os.path.join(self.tmp, "editor.sh")
        with open(self.editor, "w") as f:
            f.write(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {shlex.quote(self.args_file)}\n")
        os.chmod(self.editor, 0o755)
        self.state = os.path.join(self.tmp, "state")
        self.sock = os.path.join(self.tmp, "tmux.sock")

    def tearDown(self):
        subprocess.run([TMUX, "-S", self.sock, "kill-server"], capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def tmux(self, *args):
        return subprocess.run([TMUX, "-u", "-S", self.sock, *args], capture_output=True, text=True, timeout=30)

    def start(self, *args):
        env = {k: v for k, v in os.environ.items() if k.startswith(("ASAN", "UBSAN", "LSAN", "WENSOU_"))}
        env.update(EDITOR=self.editor, VISUAL="", XDG_STATE_HOME=self.state, HOME=self.tmp, LANG="C.UTF-8",
                   TERM="screen", NO_COLOR="1", PATH=os.environ.get("PATH", "/usr/bin:/bin"))
        cmd = " ".join(["env", "-i"] + [shlex.quote(f"{k}={v}") for k, v in env.items()] +
                       [shlex.quote(SEARCH), "--db", shlex.quote(self.db), *map(shlex.quote, args)])
        cmd += "; echo EXIT=$?; sleep 600"
        p = self.tmux("new-session", "-d", "-x", "120", "-y", "40", "-c", self.docs, cmd)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.tmux("set-option", "-g", "history-limit", "5000")

    def screen(self):
        out = self.tmux("capture-pane", "-p", "-J").stdout
        return "\n".join(l.rstrip() for l in out.splitlines())

    def wait_for(self, pattern, timeout=20):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            s = self.screen()
            m = re.search(pattern, s, re.M)
            if m:
                return s, m
            time.sleep(0.1)
        self.fail(f"{pattern!r} never came on the screen:\n{self.screen()}")

    def type(self, text, enter=True):
        self.tmux("send-keys", "-l", text)
        if enter:
            self.tmux("send-keys", "Enter")

    def clear(self):
        self.tmux("send-keys", "C-l")
        self.tmux("clear-history")

    def count(self, *args):
        p = subprocess.run([SEARCH, "--db", self.db, "--count", *args], capture_output=True, text=True)
        return int(p.stdout.strip() or 0)

    def hits(self, *args):
        p = subprocess.run([SEARCH, "--db", self.db, "--json", *args], capture_output=True, text=True)
        return [json.loads(l) for l in p.stdout.splitlines() if '"type":"hit"' in l]

    def test_search_filter_page_open(self):
        query = "数字鸿沟"
        self.start("-n", "3")
        self.wait_for(r"Type a query")
        self.type(query)
        total = self.count(query)
        self.assertGreater(total, 3)
        self.wait_for(rf"^1–3 of {total} passages in \d+ documents$")
        s, _ = self.wait_for(r"^wensou>$")
        self.assertIn("wensou> " + query, s, "the Chinese query is echoed whole")
        for line in s.splitlines():
            self.assertLessEqual(display_width(line), 120)

        # a year filter: the prompt says it, the query runs again under it
        year = next(y for y in range(2025, 2019, -1) if self.count("--year", str(y), query) > 3)
        in_year = self.count("--year", str(year), query)
        self.clear()
        self.type(f":year {year}")
        s, _ = self.wait_for(rf"^1–3 of {in_year} passages")
        self.wait_for(rf"^wensou {year}>$")
        expected = self.hits("--year", str(year), "-n", "6", query)

        # page on: hits 4-6, the same as --offset 3 gives
        self.clear()
        self.type(":next")
        self.wait_for(rf"^4–6 of {in_year} passages")
        rel = os.path.relpath(expected[4]["path"], self.docs)
        self.wait_for(r"^5  " + re.escape(f"{rel}:{expected[4]['line']}:{expected[4]['column']}") + " ")
        self.wait_for(rf"^wensou {year}>$")

        # open hit 5 in the stub editor: +LINE then the path
        self.type(":open 5")
        end = time.monotonic() + 20
        while not os.path.exists(self.args_file) and time.monotonic() < end:
            time.sleep(0.1)
        with open(self.args_file) as f:
            args = f.read().splitlines()
        self.assertEqual(args, [f"+{expected[4]['line']}", expected[4]["path"]])

        # the whole passage of hit 4
        self.clear()
        self.type(":show 4")
        s, _ = self.wait_for(rf"^lines {expected[3]['lines'][0]}–{expected[3]['lines'][1]}$")

        # a hit not on the page, a mistyped command
        self.type(":open 1")
        self.wait_for(r"Hit 1 is not on this page \(4–6\)")
        self.type(":yaer 2023")
        self.wait_for(r"unknown command :yaer \(did you mean :year\?\)")

        # Ctrl-C drops the line being typed; the prompt goes on
        self.type("半截的查询", enter=False)
        # on the screen first: an interrupt flushes the terminal's input,
        # so keys readline has not read yet would go with it
        self.wait_for(rf"wensou {year}> 半截的查询$")
        self.tmux("send-keys", "C-c")
        self.wait_for(r"半截的查询\^C\n" + rf"wensou {year}>$")
        self.type(":clear")
        self.wait_for(rf"^1–3 of {total} passages")
        # readline draws the prompt once it reads again: a key sent
        # before that meets the terminal in cooked mode, where Ctrl-D is
        # the line discipline's end of file and never reaches readline
        self.wait_for(r"^wensou>$")

        # Ctrl-D leaves, with status 0; the history has the query
        self.tmux("send-keys", "C-d")
        self.wait_for(r"^EXIT=0$")
        with open(os.path.join(self.state, "wensou", "history"), encoding="utf-8") as f:
            history = f.read().splitlines()
        self.assertIn(query, history)
        self.assertIn(f":year {year}", history)
        self.assertNotIn("半截的查询", history)

    def test_wide_character_editing(self):
        self.start()
        self.wait_for(r"Type a query")
        self.type("数字鸿沟", enter=False)
        self.tmux("send-keys", "Left", "BSpace")  # the cursor moves and deletes whole characters
        self.wait_for(r"^wensou> 数字沟$")
        self.type("鸿", enter=False)
        self.tmux("send-keys", "Home", "Right", "Right", "Right", "Right", "BSpace")
        self.wait_for(r"^wensou> 数字鸿$")
        self.type("沟")
        self.wait_for(rf"^1–\d+ of {self.count('数字鸿沟')} passages")

    def test_history_is_read_back(self):
        os.makedirs(os.path.join(self.state, "wensou"))
        with open(os.path.join(self.state, "wensou", "history"), "w", encoding="utf-8") as f:
            f.write("跨境数据流动\n")
        self.start()
        self.wait_for(r"Type a query")
        self.tmux("send-keys", "Up")
        self.wait_for(r"^wensou> 跨境数据流动$")
        self.tmux("send-keys", "Enter")
        self.wait_for(r"^1–\d+ of \d+ passages|No passage matches")
        self.type(":q")
        self.wait_for(r"^EXIT=0$")


if __name__ == "__main__":
    main()
