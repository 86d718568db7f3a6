"""meson install --destdir: the binaries run from where they are
installed, the man pages render with man -l, and bash loads the
completion and completes an option with it."""

import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import TempDirTest, display_width, main

BUILD = os.environ.get("WENSOU_BUILD_ROOT", "")
MESON = shutil.which("meson")


@unittest.skipUnless(BUILD and MESON, "no build folder or meson: the install test is skipped")
class TestInstall(TempDirTest):
    def setUp(self):
        super().setUp()
        self.dest = os.path.join(self.tmp, "dest")
        p = subprocess.run([MESON, "install", "-C", BUILD, "--no-rebuild", "--destdir", self.dest],
                           capture_output=True, text=True, timeout=600)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        prefix = subprocess.run([MESON, "introspect", "--buildoptions", BUILD], capture_output=True, text=True)
        self.prefix = "/usr/local"
        for opt in __import__("json").loads(prefix.stdout):
            if opt["name"] == "prefix":
                self.prefix = opt["value"]
        self.root = self.dest + self.prefix

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def test_binaries_run(self):
        search, index = self.path("bin", "wensou-search"), self.path("bin", "wensou-index")
        for exe, name in ((search, "wensou-search"), (index, "wensou-index")):
            p = subprocess.run([exe, "--version"], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(p.stdout.startswith(name + " "), p.stdout)
            p = subprocess.run([exe, "--help"], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0)
            self.assertLessEqual(len(p.stdout.splitlines()), 40, "--help fits one screen")
            for line in p.stdout.splitlines():
                self.assertLessEqual(display_width(line), 80, line)
            self.assertIn("Examples:", p.stdout)
        docs = os.path.join(self.tmp, "docs")
        os.makedirs(docs)
        with open(os.path.join(docs, "r-2023.txt"), "w", encoding="utf-8") as f:
            f.write("弥合数字鸿沟是全球数字治理的重要任务。\n")
        p = subprocess.run([index, "--db", self.db, "--progress=never", docs], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = subprocess.run([search, "--db", self.db, "--vimgrep", "数字鸿沟"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith(os.path.join(docs, "r-2023.txt") + ":1:7:"), p.stdout)

    @unittest.skipUnless(shutil.which("man") and shutil.which("scdoc"), "man or scdoc missing")
    def test_man_pages_render(self):
        env = dict(os.environ, MANPAGER="cat", PAGER="cat", MANWIDTH="80", LANG="C.UTF-8")
        for page, needles in (("wensou-search.1", ["EXIT STATUS", "--by-year", "--group", "WENSOU_COLORS",
                                                   "PROMPT", ":open", "--completions"]),
                              ("wensou-index.1", ["EXIT STATUS", "--rebuild", "--completions"])):
            p = subprocess.run(["man", "-l", self.path("share", "man", "man1", page)], capture_output=True,
                               text=True, env=env)
            self.assertEqual(p.returncode, 0, p.stderr)
            text = p.stdout.replace("\u2010", "-").replace("\u2212", "-")
            for n in needles:
                self.assertIn(n, text, page)

    @unittest.skipUnless(shutil.which("bash"), "no bash")
    def test_bash_completes_an_option(self):
        script = self.path("share", "bash-completion", "completions", "wensou-search")
        self.assertTrue(os.path.exists(script))
        cases = [("wensou-search --by-y", "--by-year"), ("wensou-search --color=al", "always"),
                 ("wensou-search --group ", "rank doc"), ("wensou-index --reb", "--rebuild")]
        for line, want in cases:
            words = line.split(" ")
            prog = words[0]
            if "=" in words[-1]:  # as bash splits it: "--color" "=" "al"
                opt, val = words[-1].split("=")
                words = words[:-1] + [opt, "=", val]
            comp = self.path("share", "bash-completion", "completions", prog)
            code = (f"source {comp}\nCOMP_WORDS=({' '.join(repr(w) for w in words)})\n"
                    f"COMP_CWORD={len(words) - 1}\n_{prog.replace('-', '_')}\n"
                    "printf '%s\\n' \"${COMPREPLY[*]}\"\n")
            p = subprocess.run(["bash", "--norc", "--noprofile", "-c", code], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout.strip(), want, line)
        # and through bash-completion's loader, as a login shell would find it
        loader = "/usr/share/bash-completion/bash_completion"
        if os.path.exists(loader):
            code = (f"source {loader}\nexport BASH_COMPLETION_USER_DIR={self.path('share', 'bash-completion')}\n"
                    "__load_completion wensou-search && complete -p wensou-search\n")
            p = subprocess.run(["bash", "--norc", "--noprofile", "-c", code], capture_output=True, text=True,
                               env=dict(os.environ, XDG_DATA_DIRS=self.path("share")))
            self.assertIn("complete -F _wensou_search wensou-search", p.stdout, p.stderr)

    def test_zsh_completion_installed(self):
        for prog in ("wensou-search", "wensou-index"):
            path = self.path("share", "zsh", "site-functions", "_" + prog)
            with open(path, encoding="utf-8") as f:
                self.assertTrue(f.readline().startswith("#compdef " + prog))
            if shutil.which("zsh"):
                p = subprocess.run(["zsh", "-n", path], capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    main()
