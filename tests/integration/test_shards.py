#!/usr/bin/env python3
"""wensou-index --shard-by year|source: one index per year or per source
under one folder, joined by a stub.  Searching the archive answers as one
index of the same files does; a night touches only the parts whose files
changed; a file whose year changes moves to its new part; a past year's
part, compacted with xapian-compact and served read-only by
xapian-tcpsrv, answers as the part itself; and what cannot be an archive
is refused, naming why, with nothing changed."""

import json
import os
import re
import shutil
import subprocess
import unittest

from harness import INDEX, SEARCH, TempDirTest, main, run_index, summary
from test_remote import NO_TOOLS, QUERIES, TCPSRV, ServeClient, TcpServer, report, search

DELVE = shutil.which("xapian-delve")
COMPACT = shutil.which("xapian-compact")
HAVE_BINARIES = all(p and os.path.exists(p) for p in (INDEX, SEARCH))

# sources of the sidecars: a slash, spaces, Chinese, and the word that
# names the part of files without one
SOURCES = ["联合国 / UNCTAD", "国务院新闻办公室", "unknown", "Brookings Institution"]


def write_corpus(root):
    """Four years of reports in folders by source (a sidecar each), and a
    folder whose files say no year nor source."""
    for s, source in enumerate(SOURCES):
        folder = os.path.join(root, f"src{s}")
        os.makedirs(folder)
        with open(os.path.join(folder, "wensou-meta.json"), "w", encoding="utf-8") as f:
            json.dump({"source": source}, f, ensure_ascii=False)
        for i in range(6):
            year = 2020 + (i + s) % 4
            with open(os.path.join(folder, f"r{i}-{year}.txt"), "w", encoding="utf-8") as f:
                f.write(report(f"tok{s}{i}x", 6 + (i * 5 + s) % 9, s * 10 + i))
    loose = os.path.join(root, "loose")
    os.makedirs(loose)
    for i in range(3):
        with open(os.path.join(loose, f"note{i}.md"), "w", encoding="utf-8") as f:
            f.write(f"# 说明{i}\n\n" + report(f"tokloose{i}x", 4, 40 + i))
    with open(os.path.join(loose, "figure.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")


def stub_lines(path):
    with open(os.path.join(path, "XAPIANDB"), encoding="utf-8") as f:
        return [x for x in f.read().splitlines() if x and not x.startswith("#")]


def revisions(archive):
    """Every live shard of every part, with its Xapian revision."""
    out = {}
    for line in stub_lines(archive):
        part = os.path.join(archive, line.split()[1])
        for sl in stub_lines(part):
            p = subprocess.run([DELVE, os.path.join(part, sl.split()[1])], capture_output=True, text=True, check=True)
            out[(line.split()[1], sl.split()[1])] = int(re.search(r"revision = (\d+)", p.stdout).group(1))
    return out


def hits(db, words, opts=()):
    p = search(db, words, ["-n", "5000", *opts])
    return p.returncode, [o for o in p.answer if o["type"] == "hit"]


def same_ranking(test, a, b, what):
    """The same hits with the same scores in the same order of scores
    (documents tied on score may come in another order: Xapian parts ties
    by document id, which the parts number otherwise)."""
    test.assertEqual([round(h["score"], 6) for h in b], [round(h["score"], 6) for h in a], what)
    key = lambda h: (round(h["score"], 6), h["path"], h["lines"], h["line"], h["column"], h["snippet"],
                     h["highlights"], h["year"], h["source"], h["title"])
    test.assertEqual(sorted(map(key, b)), sorted(map(key, a)), what)


@unittest.skipUnless(HAVE_BINARIES, "wensou binaries not built")
class ArchiveTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.docs = os.path.join(self.tmp, "docs")
        write_corpus(self.docs)

    def index(self, db, *paths, args=(), ok=(0,)):
        p = run_index(db, *paths, args=args)
        self.assertIn(p.returncode, ok, p.stderr)
        return p

    def test_parts_by_year_answer_as_one_index(self):
        one, arch = os.path.join(self.tmp, "one"), os.path.join(self.tmp, "arch")
        self.index(one, self.docs)
        p = self.index(arch, self.docs, args=["--shard-by", "year"])
        c = summary(p.stderr)
        self.assertEqual((c["added"], c["skipped"], c["failed"]), (27, 1, 0), p.stderr)
        parts = ["year-2020", "year-2021", "year-2022", "year-2023", "year-unknown"]
        self.assertEqual(stub_lines(arch), [f"auto {x}" for x in parts])
        self.assertEqual(sorted(x for x in os.listdir(arch) if x.startswith("year-")), parts)
        with open(os.path.join(arch, "wensou.shard-by")) as f:
            self.assertEqual(f.read(), "year\n")
        # a shard per part (a search opens them all), an index's two
        self.assertEqual([len(stub_lines(os.path.join(arch, x))) for x in parts], [1] * len(parts))
        self.assertEqual(len(stub_lines(one)), 2)
        compared = 0
        for words, opts in QUERIES:
            if any(o in ("--files", "--vimgrep", "--count", "--offset", "--per-doc", "-n") for o in opts):
                continue  # a tie parted otherwise changes which hits these show
            a, b = hits(one, words, opts), hits(arch, words, opts)
            self.assertEqual(b[0], a[0], words)
            same_ranking(self, a[1], b[1], f"{words} {opts}")
            compared += len(a[1])
        self.assertGreater(compared, 100)
        for words, opts in QUERIES:
            if "--count" in opts:
                self.assertEqual(search(arch, words, opts).answer, search(one, words, opts).answer, words)
        # each part holds its year's files only
        for year in (2020, 2023):
            rc, h = hits(os.path.join(arch, f"year-{year}"), ["数字"])
            self.assertEqual(rc, 0)
            self.assertEqual({x["year"] for x in h}, {year})
        # --list sums the parts; --check finds them sound
        q = subprocess.run([INDEX, "--db", arch, "--list"], capture_output=True, text=True)
        self.assertEqual(q.returncode, 0, q.stderr)
        self.assertEqual(q.stdout.split("\t")[:2], [os.path.realpath(self.docs), "27 files"])
        q = subprocess.run([INDEX, "--db", arch, "--check", "--quiet"], capture_output=True, text=True)
        self.assertEqual((q.returncode, q.stdout), (0, ""), q.stderr)

    def test_parts_by_source_name_their_publisher(self):
        arch = os.path.join(self.tmp, "arch")
        self.index(arch, self.docs, args=["--shard-by", "source"])
        names = sorted(x for x in os.listdir(arch) if x.startswith("source-"))
        self.assertEqual(names, sorted(["source-联合国%20%2F%20UNCTAD", "source-国务院新闻办公室", "source-%75nknown",
                                        "source-Brookings%20Institution", "source-unknown"]))
        for source in SOURCES:
            rc, h = hits(arch, ["数字"], ["--source", source])
            self.assertEqual(rc, 0, source)
            self.assertEqual({x["source"] for x in h}, {source})
            self.assertEqual(len({x["path"] for x in h}), 6, source)
        rc, h = hits(os.path.join(arch, "source-unknown"), ["说明"])
        self.assertEqual({x["source"] for x in h}, {None})

    @unittest.skipUnless(DELVE, "xapian-delve is not installed (xapian-tools)")
    def test_a_night_touches_only_the_parts_whose_files_changed(self):
        arch = os.path.join(self.tmp, "arch")
        self.index(arch, self.docs, args=["--shard-by", "year"])
        before = revisions(arch)
        p = self.index(arch)
        self.assertEqual(summary(p.stderr)["unchanged"], 27)
        self.assertEqual(revisions(arch), before)
        # a 2021 report changes, a 2024 one arrives
        with open(os.path.join(self.docs, "src1", "r0-2021.txt"), "a", encoding="utf-8") as f:
            f.write("\n\n补充段落 tokchanged 的内容。\n")
        with open(os.path.join(self.docs, "src1", "new-2024.txt"), "w", encoding="utf-8") as f:
            f.write(report("toknew2024x", 5, 3))
        p = self.index(arch)
        c = summary(p.stderr)
        self.assertEqual((c["added"], c["changed"], c["unchanged"]), (1, 1, 26), p.stderr)
        after = revisions(arch)
        moved = {part for (part, _), rev in after.items() if before.get((part, _)) != rev}
        self.assertEqual(moved, {"year-2021", "year-2024"})
        self.assertIn("auto year-2024", stub_lines(arch))
        rc, h = hits(arch, ["toknew2024x"])
        self.assertEqual({x["year"] for x in h}, {2024})
        rc, h = hits(arch, ["tokchanged"])
        self.assertEqual([x["path"] for x in h], [os.path.join(os.path.realpath(self.docs), "src1", "r0-2021.txt")])

    def test_a_file_whose_year_changes_moves_to_its_part(self):
        arch = os.path.join(self.tmp, "arch")
        self.index(arch, self.docs, args=["--shard-by", "year"])
        folder = os.path.join(self.docs, "src2")
        token = "tok20x"  # src2/r0-2022.txt
        rc, h = hits(arch, [token])
        self.assertEqual({x["year"] for x in h}, {2022})
        n = len(h)
        with open(os.path.join(folder, "wensou-meta.json"), "w", encoding="utf-8") as f:
            json.dump({"source": SOURCES[2], "files": {"r0-2022.txt": {"year": 2019}}}, f)
        p = self.index(arch)
        self.assertIn("year-2019", p.stderr)
        rc, h = hits(arch, [token])
        self.assertEqual((len(h), {x["year"] for x in h}), (n, {2019}))
        rc, h = hits(os.path.join(arch, "year-2022"), [token])
        self.assertEqual(h, [])
        self.assertEqual(summary(p.stderr)["failed"], 0)
        # gone from disk: gone from its part
        os.unlink(os.path.join(folder, "r0-2022.txt"))
        p = self.index(arch)
        self.assertEqual(summary(p.stderr)["removed"], 1)
        self.assertEqual(hits(arch, [token])[1], [])

    def test_a_serve_session_follows_the_parts(self):
        """A --serve process sees a new part, and a --rebuild that gives
        every part a new generation, without a restart: the archive's
        stub need not change for a part to swap its generation."""
        arch = os.path.join(self.tmp, "arch")
        self.index(arch, self.docs, args=["--shard-by", "year"])
        with open(os.path.join(arch, "XAPIANDB")) as f:
            stub = f.read()
        client = ServeClient(["--db", arch])
        try:
            def found(rid, token):
                answer = client.ask(rid, token, limit=50)
                self.assertEqual(answer[-1]["type"], "summary", answer)
                return [o["path"] for o in answer if o["type"] == "hit"]
            self.assertEqual(found(1, "tokrebuiltx"), [])
            path = os.path.join(self.docs, "src0", "r0-2020.txt")
            with open(path, "a", encoding="utf-8") as f:
                f.write("\n\n重建后 tokrebuiltx 的段落。\n")
            self.index(arch, args=["--rebuild"])
            with open(os.path.join(arch, "XAPIANDB")) as f:
                self.assertEqual(f.read(), stub)
            self.assertEqual(found(2, "tokrebuiltx"), [os.path.realpath(path)])
            self.index(arch, args=["--rebuild"])  # the first generation goes
            self.assertEqual(found(3, "tokrebuiltx"), [os.path.realpath(path)])
            with open(os.path.join(self.docs, "src0", "late-2031.txt"), "w", encoding="utf-8") as f:
                f.write(report("toklate2031x", 3, 1))
            self.index(arch)
            self.assertEqual(len(found(4, "toklate2031x")), 3)
        finally:
            self.assertEqual(client.close(), 0)

    @unittest.skipUnless(DELVE, "xapian-delve is not installed (xapian-tools)")
    def test_the_archive_s_glossary_gives_its_parts_form_terms(self):
        """glossary.txt in the archive's folder is what a search of the
        archive reads: the parts index its forms' terms (XF) from it."""
        arch = os.path.join(self.tmp, "arch")
        os.makedirs(arch)
        with open(os.path.join(arch, "glossary.txt"), "w", encoding="utf-8") as f:
            f.write("跨境流动规则 | cross-border flow rules\n")
        env = {k: v for k, v in os.environ.items() if k != "WENSOU_GLOSSARY"}
        p = run_index(arch, self.docs, args=["--shard-by", "year"], env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        part = os.path.join(arch, "year-2021")
        shard = os.path.join(part, stub_lines(part)[0].split()[1])
        q = subprocess.run([DELVE, "-t", "XF跨境流动规则", shard], capture_output=True, text=True)
        self.assertEqual(q.returncode, 0, q.stderr)
        self.assertIn("Posting List for term", q.stdout)
        self.assertGreater(len(q.stdout.split(":", 1)[1].split()), 3, q.stdout)

    def test_what_cannot_be_an_archive_is_refused(self):
        one, arch = os.path.join(self.tmp, "one"), os.path.join(self.tmp, "arch")
        self.index(one, self.docs)
        with open(os.path.join(one, "XAPIANDB")) as f:
            stub = f.read()
        p = run_index(one, self.docs, args=["--shard-by", "year"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("holds an index that is not sharded", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(one, "wensou.shard-by")))
        with open(os.path.join(one, "XAPIANDB")) as f:
            self.assertEqual(f.read(), stub)
        self.index(arch, self.docs, args=["--shard-by", "year"])
        p = run_index(arch, args=["--shard-by", "source"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("sharded by year, not by source", p.stderr)
        for args, says in ((["--shard-by", "month"], "--shard-by takes year or source, not 'month'"),
                           (["--shard-by", "year", "--list"], "--shard-by goes with indexing runs")):
            p = run_index(arch, args=args)
            self.assertEqual(p.returncode, 2)
            self.assertIn(says, p.stderr)
        with open(os.path.join(arch, "wensou.shard-by"), "w") as f:
            f.write("colour\n")
        p = run_index(arch)
        self.assertEqual(p.returncode, 2)
        self.assertIn("an archive is sharded by year or by source", p.stderr)
        q = subprocess.run([SEARCH, "--db", arch, "数字"], capture_output=True, text=True)
        self.assertEqual(q.returncode, 2)
        self.assertIn("wensou.shard-by", q.stderr)


@unittest.skipUnless(HAVE_BINARIES, "wensou binaries not built")
@unittest.skipUnless(TCPSRV and COMPACT, NO_TOOLS)
class ServedPartTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        super().tearDown()

    def serve(self, path):
        self.servers.append(TcpServer(path))
        return self.servers[-1]

    def stub(self, name, *lines):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write("# joined by the test\n" + "\n".join(lines) + "\n")
        return path

    def test_a_past_year_compacted_and_served_read_only_answers_as_its_part(self):
        docs = os.path.join(self.tmp, "docs")
        write_corpus(docs)
        arch = os.path.join(self.tmp, "arch")
        p = run_index(arch, docs, args=["--shard-by", "year"])
        self.assertEqual(p.returncode, 0, p.stderr)
        part = os.path.join(arch, "year-2020")
        lines = ["auto " + os.path.join(arch, x.split()[1]) for x in stub_lines(arch) if "year-2020" not in x]
        for k, sl in enumerate(stub_lines(part)):
            copy = os.path.join(self.tmp, f"served-2020-s{k}")
            q = subprocess.run([COMPACT, os.path.join(part, sl.split()[1]), copy], capture_output=True, text=True)
            self.assertEqual(q.returncode, 0, q.stderr)
            lines.append(f"remote 127.0.0.1:{self.serve(copy).port}")
        joined = self.stub("joined.stub", *lines)
        for words, opts in QUERIES:
            if any(o in ("--files", "--vimgrep", "--count", "--offset", "--per-doc", "-n") for o in opts):
                continue
            a, b = hits(arch, words, opts), hits(joined, words, opts)
            self.assertEqual(b[0], a[0], words)
            same_ranking(self, a[1], b[1], f"{words} {opts}")
        # the servers are read-only: a night over the archive goes on
        p = run_index(arch)
        self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    main()
