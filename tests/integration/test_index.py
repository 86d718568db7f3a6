#!/usr/bin/env python3
"""Command-line tests of wensou-index: run the real binary on real files and
check what a user sees (exit codes, stderr, and what wensou-search finds)."""

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from harness import (INDEX, SEARCH, SHARED, SOURCE_ROOT, HAVE_SHARED, SHARED_MSG, TempDirTest, main,
                     needs_search, run_index, search_json, squash, summary)

WP2022 = "caict-global-digital-governance-whitepaper-2022.txt"
WP2023 = "caict-global-digital-governance-whitepaper-2023.txt"
BB2025 = "caict-global-digital-governance-bluebook-2025.txt"
CISC = "cisc-global-digital-compact-commentary-2024.md"
UN = "un-global-digital-compact-policy-brief-2023.txt"


class TestOptions(TempDirTest):
    def test_no_path_is_an_error(self):
        p = subprocess.run([INDEX, "--db", self.db], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no PATH", p.stderr)

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_output_that_cannot_be_written_is_an_error(self):
        """--help, --version and --list into a full disk exited 0, their
        output lost; a reader that closes the pipe early is still fine."""
        docs = os.path.join(self.tmp, "docs")
        os.makedirs(docs)
        with open(os.path.join(docs, "a.txt"), "w", encoding="utf-8") as f:
            f.write("数据跨境流动。\n")
        self.assertEqual(subprocess.run([INDEX, "--db", self.db, docs], capture_output=True).returncode, 0)
        for prog, args in ((INDEX, ["--help"]), (INDEX, ["--version"]), (INDEX, ["--db", self.db, "--list"]),
                           (SEARCH, ["--help"]), (SEARCH, ["--version"])):
            if not prog:
                continue
            with self.subTest(prog=os.path.basename(prog), args=args[-1]):
                with open("/dev/full", "w") as full:
                    p = subprocess.run([prog, *args], stdout=full, stderr=subprocess.PIPE, text=True)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("cannot write to standard output: No space left on device", p.stderr)
        p = subprocess.run(f'"{INDEX}" --help | head -c 1 >/dev/null', shell=True, capture_output=True, text=True)
        self.assertEqual(p.stderr, "")

    def test_nonsense_option(self):
        p = subprocess.run([INDEX, "--frobnicate", "x"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown option", p.stderr)
        p = subprocess.run([INDEX, "--progress=sometimes", "x"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--progress", p.stderr)
        # the synopsis has them as one or the other
        p = subprocess.run([INDEX, "--db", self.db, "--rebuild", "--compact", self.tmp], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--compact does not go with it", p.stderr)
        self.assertFalse(os.path.exists(self.db))

    def test_quiet_and_verbose_conflict(self):
        p = subprocess.run([INDEX, "-q", "-v", "x"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)

    def test_missing_root_fails_that_root_only(self):
        good = os.path.join(self.tmp, "good.txt")
        with open(good, "w", encoding="utf-8") as f:
            f.write("数字鸿沟是全球数字治理面临的重要挑战。\n")
        p = run_index(self.db, os.path.join(self.tmp, "nope"), good)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("nope", p.stderr)
        self.assertEqual(summary(p.stderr)["added"], 1)

    def test_progress_bar_only_when_asked_or_on_a_terminal(self):
        docs = os.path.join(self.tmp, "docs")
        os.makedirs(docs)
        for i in range(3):
            with open(os.path.join(docs, f"r{i}.txt"), "w", encoding="utf-8") as f:
                f.write(f"第{i}份报告讨论数字治理与数据安全。\n" * 50)
        p = subprocess.run([INDEX, "--db", self.db, "--progress=always", "--rebuild", docs],
                           capture_output=True)
        err = p.stderr.decode()  # bytes: text mode would turn \r into \n
        self.assertEqual(p.returncode, 0, err)
        self.assertRegex(err, r"\r\033\[K\[#+-*\] 3/3 files .* MB/s  ETA")
        self.assertIn("\r\033[K" + "wensou-index: 3 added", err)  # erased before the summary
        # not a terminal: auto means none
        p = subprocess.run([INDEX, "--db", self.db, "--rebuild", docs], capture_output=True, text=True)
        self.assertNotIn("\033", p.stderr)
        self.assertEqual(summary(p.stderr)["added"], 3)
        p = run_index(self.db, docs, args=["--quiet", "--rebuild"])
        self.assertEqual(p.stderr, "")

    def test_help(self):
        p = subprocess.run([INDEX, "--help"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        self.assertIn("--rebuild", p.stdout)


@unittest.skipUnless(HAVE_SHARED, SHARED_MSG)
class TestSharedCorpus(TempDirTest):
    def test_first_index_and_metadata(self):
        p = run_index(self.db, SHARED)
        self.assertEqual(p.returncode, 0, p.stderr)
        s = summary(p.stderr)
        self.assertEqual((s["added"], s["failed"]), (5, 0))
        self.assertGreater(s["passages"], 200)

    @needs_search
    def test_year_source_title_of_each_report(self):
        self.assertEqual(run_index(self.db, SHARED).returncode, 0)
        p, hits = search_json(self.db, "数字", args=["-n", "1000", "--per-doc", "1"])
        self.assertEqual(p.returncode, 0, p.stderr)
        meta = {os.path.basename(h["path"]): (h["year"], h["source"], h["title"]) for h in hits}
        self.assertEqual(meta[BB2025], (2025, "中国信息通信研究院", "全球数字治理蓝皮书（2025年）"))
        self.assertEqual(meta[WP2022], (2022, "中国信息通信研究院", "全球数字治理白皮书（2022年）"))
        self.assertEqual(meta[WP2023], (2023, "中国信息通信研究院", "全球数字治理白皮书（2023年）"))
        self.assertEqual(meta[CISC], (2024, "中国信息安全", "名家笔谈 | 《全球数字契约》的进路与展望"))
        self.assertEqual(meta[UN], (2023, "联合国", "我们的共同议程 政策简报5：全球数字契约"))

    @needs_search
    def test_line_ranges_hold_the_passage_text(self):
        """Every hit's line range, read back from the file, contains its snippet."""
        self.assertEqual(run_index(self.db, SHARED).returncode, 0)
        for query in ["数字鸿沟", "人工智能", "OECD"]:
            p, hits = search_json(self.db, query, args=["-n", "50"])
            self.assertEqual(p.returncode, 0, p.stderr)
            for h in hits:
                with open(h["path"], encoding="utf-8", errors="replace") as f:
                    lines = f.read().split("\n")
                first, last = h["lines"]
                self.assertTrue(1 <= first <= last <= len(lines), h["lines"])
                text = squash("".join(lines[first - 1:last]))
                snippet = squash(h["snippet"].replace("…", ""))
                # (a sentence that goes on after a block of footnotes
                # leaves their lines out: only its start is compared)
                self.assertIn(snippet[:10], text, (query, h["path"], h["lines"]))
                self.assertTrue(first <= h["line"] <= last)

    @needs_search
    def test_sections_of_the_2022_white_paper(self):
        self.assertEqual(run_index(self.db, SHARED).returncode, 0)
        p, hits = search_json(self.db, "我们认为", "全球数字治理是各方为解决信息网络", args=["--year", "2022"])
        self.assertEqual(p.returncode, 0, p.stderr)
        h = hits[0]
        self.assertEqual(os.path.basename(h["path"]), WP2022)
        self.assertEqual(h["section"], "一、全球数字治理的背景和概念体系 > （二）全球数字治理概念及体系框架")
        # the passage starts at its heading, line 182 of the file
        self.assertEqual(h["lines"][0], 182)
        self.assertEqual(h["line"], 186)

    @needs_search
    def test_long_lines_are_split_and_columns_stay_right(self):
        """The 2023 white paper has one paragraph per line, up to 5,000
        characters: passages split such a line, and a match deep inside it
        still reports the file's own line and byte/character column."""
        self.assertEqual(run_index(self.db, SHARED).returncode, 0)
        with open(os.path.join(SHARED, WP2023), encoding="utf-8") as f:
            line39 = f.read().split("\n")[38]
        self.assertGreater(len(line39), 1500)
        needle = line39[1500:1508]
        p, hits = search_json(self.db, needle)
        self.assertEqual(p.returncode, 0, p.stderr)
        h = hits[0]
        self.assertEqual((os.path.basename(h["path"]), h["lines"], h["line"]), (WP2023, [39, 39], 39))
        self.assertEqual(h["column"], len(line39[:1500].encode()) + 1)
        self.assertEqual(h["column_char"], 1501)
        self.assertLessEqual(len(h["snippet"]), 200)
        # the passages of that line are each at most ~800 characters
        p, hits = search_json(self.db, "数字", args=["-n", "500", "--year", "2023"])
        for h in hits:
            if h["lines"] == [39, 39] and os.path.basename(h["path"]) == WP2023:
                self.assertGreater(h["column"], 0)

    @needs_search
    def test_words_broken_across_lines_in_the_un_brief(self):
        """「未来\\n峰会」: the UN brief breaks lines inside words."""
        self.assertEqual(run_index(self.db, SHARED).returncode, 0)
        p, hits = search_json(self.db, "未来峰会", args=["--source", "联合国"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(all(os.path.basename(h["path"]) == UN for h in hits))
        with open(os.path.join(SHARED, UN), encoding="utf-8") as f:
            lines = f.read().split("\n")
        for h in hits:
            self.assertIn("未来峰会", squash("".join(lines[h["lines"][0] - 1:h["lines"][1]])))
            self.assertLessEqual(h["lines"][1] - h["lines"][0], 60)
        # lines 6-7 of the brief: "…举行的未来" / "峰会是一个契机…"
        first = [h for h in hits if h["lines"][0] <= 6 <= h["lines"][1]]
        self.assertEqual(len(first), 1)
        h = first[0]
        self.assertEqual(h["section"], "导言")
        self.assertEqual(h["line"], 6)
        self.assertEqual(h["column"], len(lines[5][:lines[5].index("未来")].encode()) + 1)

    @needs_search
    def test_page_furniture_is_not_indexed(self):
        """The 2022 white paper's running header 全球数字治理白皮书（2022 年）
        and page numbers are not passages of their own nor inside passages."""
        self.assertEqual(run_index(self.db, SHARED).returncode, 0)
        p, hits = search_json(self.db, "全球数字治理白皮书", args=["--year", "2022", "-n", "100"])
        for h in hits:
            with open(h["path"], encoding="utf-8") as f:
                lines = f.read().split("\n")
            body = lines[h["lines"][0] - 1:h["lines"][1]]
            self.assertNotIn("全球数字治理白皮书（2022 年） ", body, h["lines"])

    @needs_search
    def test_rerun_with_nothing_changed_reads_nothing(self):
        reports = self.copy_shared()
        self.assertEqual(run_index(self.db, reports).returncode, 0)
        _, before = search_json(self.db, "数字鸿沟", args=["-n", "100"])
        # Same size, same mtime, different bytes: if the indexer re-read the
        # file it would see the change; an incremental run must not.
        path = os.path.join(reports, WP2023)
        st = os.stat(path)
        with open(path, "r+b") as f:
            data = f.read()
            f.seek(0)
            f.write(data.replace("数字鸿沟".encode(), "数字沟壑".encode()))
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        t0 = time.monotonic()
        p = run_index(self.db, reports)
        elapsed = time.monotonic() - t0
        self.assertEqual(p.returncode, 0, p.stderr)
        s = summary(p.stderr)
        self.assertEqual((s["added"], s["changed"], s["removed"], s["unchanged"]), (0, 0, 0, 5))
        _, after = search_json(self.db, "数字鸿沟", args=["-n", "100"])
        self.assertEqual([(h["path"], h["lines"]) for h in before], [(h["path"], h["lines"]) for h in after])
        self.assertLess(elapsed, 30)  # generous: the figure is in the benchmark

    @needs_search
    def test_change_add_remove_rename(self):
        reports = self.copy_shared()
        self.assertEqual(run_index(self.db, reports).returncode, 0)
        # change one, add one, remove one
        with open(os.path.join(reports, WP2023), "a", encoding="utf-8") as f:
            f.write("\n量子互联网治理倡议是本次新增的段落。\n")
        with open(os.path.join(reports, "new-brief-2021.txt"), "w", encoding="utf-8") as f:
            f.write("星际数据交换协议草案，用于测试新增文件的索引。\n")
        os.remove(os.path.join(reports, CISC))
        p = run_index(self.db, reports)
        self.assertEqual(p.returncode, 0, p.stderr)
        s = summary(p.stderr)
        self.assertEqual((s["added"], s["changed"], s["removed"], s["unchanged"]), (1, 1, 1, 3))
        _, hits = search_json(self.db, "量子互联网治理倡议")
        self.assertEqual([os.path.basename(h["path"]) for h in hits], [WP2023])
        _, hits = search_json(self.db, "星际数据交换协议")
        self.assertEqual([(os.path.basename(h["path"]), h["year"]) for h in hits], [("new-brief-2021.txt", 2021)])
        p, hits = search_json(self.db, "数字契约", args=["-n", "500"])
        self.assertNotIn(CISC, {os.path.basename(h["path"]) for h in hits})
        # rename: no duplicate passages, the new path only
        _, before = search_json(self.db, "数字鸿沟", args=["-n", "500"])
        os.rename(os.path.join(reports, UN), os.path.join(reports, "renamed-brief.txt"))
        p = run_index(self.db, reports)
        self.assertEqual(p.returncode, 0, p.stderr)
        s = summary(p.stderr)
        self.assertEqual((s["added"], s["removed"]), (1, 1))
        _, after = search_json(self.db, "数字鸿沟", args=["-n", "500"])
        # the same passages, none twice, under the new name only
        self.assertEqual(sorted(h["lines"] for h in before if h["path"].endswith(UN)),
                         sorted(h["lines"] for h in after if h["path"].endswith("renamed-brief.txt")))
        self.assertEqual(len(before), len(after))
        self.assertFalse([h for h in after if h["path"].endswith(UN)])

    @needs_search
    def test_rebuild_swaps_in_an_equal_index(self):
        self.assertEqual(run_index(self.db, SHARED).returncode, 0)
        _, before = search_json(self.db, "数据跨境流动", args=["-n", "100"])
        p = run_index(self.db, SHARED, args=["--rebuild"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(summary(p.stderr)["added"], 5)
        _, after = search_json(self.db, "数据跨境流动", args=["-n", "100"])
        self.assertEqual(sorted((h["path"], h["lines"]) for h in before),
                         sorted((h["path"], h["lines"]) for h in after))
        gens = [n for n in os.listdir(self.db) if n.startswith("gen-")]
        self.assertLessEqual(len(gens), 2)

    def test_second_indexer_is_refused(self):
        os.makedirs(self.db)
        with open(os.path.join(self.db, "wensou.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            lock.write("4242\n")
            lock.flush()
            t0 = time.monotonic()
            p = run_index(self.db, SHARED)
            self.assertLess(time.monotonic() - t0, 10)  # at once, not after waiting
        self.assertEqual(p.returncode, 2)
        self.assertIn("locked", p.stderr)
        self.assertIn("4242", p.stderr)

    def test_two_real_indexers(self):
        """Two real indexers at once: one wins, the other says locked."""
        big = os.path.join(self.tmp, "big")
        os.makedirs(big)
        for i in range(20):
            for name in os.listdir(SHARED):
                if name.endswith((".txt", ".md")):
                    shutil.copy(os.path.join(SHARED, name), os.path.join(big, f"{i:02d}-{name}"))
        first = subprocess.Popen([INDEX, "--db", self.db, "--progress=never", big],
                                 stderr=subprocess.PIPE, text=True)
        # wait until the first one holds the lock
        deadline = time.monotonic() + 20
        while not os.path.exists(os.path.join(self.db, "wensou.lock")) and time.monotonic() < deadline:
            time.sleep(0.01)
        second = run_index(self.db, big)
        first_err = first.communicate(timeout=600)[1]
        if "locked" not in second.stderr:
            self.skipTest("the first indexer finished before the second started")
        self.assertEqual(second.returncode, 2)
        self.assertEqual(first.returncode, 0, first_err)

    @needs_search
    def test_kill_9_leaves_a_usable_index_and_rerun_converges(self):
        reports = os.path.join(self.tmp, "reports")
        os.makedirs(reports)
        for name in os.listdir(SHARED):
            if name.endswith((".txt", ".md")):
                shutil.copy(os.path.join(SHARED, name), reports)
        self.assertEqual(run_index(self.db, reports).returncode, 0)
        for i in range(60):
            for name in os.listdir(SHARED):
                if name.endswith((".txt", ".md")):
                    shutil.copy(os.path.join(SHARED, name), os.path.join(reports, f"copy{i:02d}-{name}"))
        env = dict(os.environ, WENSOU_INDEX_BATCH_MB="1")
        proc = subprocess.Popen([INDEX, "--db", self.db, "--progress=never", reports], env=env,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        killed = proc.poll() is None
        if killed:
            proc.send_signal(signal.SIGKILL)
        proc.communicate()
        # the index still answers
        p, hits = search_json(self.db, "数字鸿沟", args=["-n", "5"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(hits)
        # a re-run converges to what a clean build gives
        p = run_index(self.db, reports)
        self.assertEqual(p.returncode, 0, p.stderr)
        clean = os.path.join(self.tmp, "clean")
        self.assertEqual(run_index(clean, reports).returncode, 0)
        for q in ["数字鸿沟", "人工智能治理", "OECD"]:
            _, a = search_json(self.db, q, args=["-n", "5000"])
            _, b = search_json(clean, q, args=["-n", "5000"])
            self.assertEqual(sorted((h["path"], h["lines"]) for h in a),
                             sorted((h["path"], h["lines"]) for h in b), q)
        if not killed:
            self.skipTest("the indexer finished before it could be killed")


class TestBadFiles(TempDirTest):
    def write(self, name, data):
        path = os.path.join(self.tmp, "docs", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_a_file_name_reaches_the_terminal_made_safe(self):
        """Names were printed raw: an escape sequence in one recoloured
        (or retitled) the terminal, a newline forged a line of output."""
        self.write("a\x1b]0;owned\x07b\nwensou-index: fake.txt", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
        p = run_index(self.db, os.path.join(self.tmp, "docs"))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertNotIn("\x1b", p.stderr)
        self.assertNotIn("\x07", p.stderr)
        lines = p.stderr.splitlines()
        self.assertEqual(len(lines), 2, p.stderr)  # the file's line and the summary
        self.assertIn("fake.txt: binary file", lines[0])

    def test_bad_files_are_reported_and_the_rest_indexed(self):
        self.write("good.txt", "跨境数据流动规则的互操作性正在提升。\n".encode())
        self.write("empty.txt", b"")
        self.write("blank.md", b"  \n\n\t\n")
        self.write("binary.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 20)
        self.write("gbk.txt", "数字鸿沟和数据治理的挑战越来越明显。".encode("gb18030") * 5)
        self.write("picture.png", b"\x89PNG\r\n\x1a\n" + bytes(100))
        self.write(".hidden.txt", "隐藏文件不应被索引。\n".encode())
        os.symlink(os.path.join(self.tmp, "missing.txt"), os.path.join(self.tmp, "docs", "dangling.txt"))
        os.symlink(os.path.join(self.tmp, "docs"), os.path.join(self.tmp, "docs", "loop"))
        p = run_index(self.db, os.path.join(self.tmp, "docs"))
        self.assertEqual(p.returncode, 1, p.stderr)
        s = summary(p.stderr)
        self.assertEqual(s["added"], 2, p.stderr)   # good, gbk (GB18030 is read)
        self.assertEqual(s["failed"], 2, p.stderr)  # binary, dangling link
        self.assertRegex(p.stderr, r"binary\.txt: binary file")
        self.assertNotIn("gbk.txt", p.stderr)
        self.assertRegex(p.stderr, r"dangling\.txt: skipped: broken symbolic link")
        self.assertRegex(p.stderr, r"empty\.txt: empty file")
        self.assertNotIn("hidden", p.stderr)
        self.assertNotIn("picture.png", p.stderr)
        if SEARCH and os.path.exists(SEARCH):
            _, hits = search_json(self.db, "互操作性")
            self.assertEqual(len(hits), 1)
            _, hits = search_json(self.db, "数字鸿沟")
            self.assertEqual([os.path.basename(h["path"]) for h in hits], ["gbk.txt"])
            p, hits = search_json(self.db, "隐藏文件")
            self.assertEqual(p.returncode, 1)

    def test_unreadable_file(self):
        if os.geteuid() == 0:
            self.skipTest("running as root: permissions do not stop reading")
        path = self.write("secret.txt", "不可读文件。\n".encode())
        os.chmod(path, 0)
        p = run_index(self.db, os.path.join(self.tmp, "docs"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("secret.txt: cannot open", p.stderr)

    @needs_search
    def test_a_few_invalid_bytes_are_tolerated(self):
        data = "数字治理需要国际合作。".encode() * 20 + b"\xff" + "数据安全同样重要。\n".encode()
        self.write("mostly-utf8.txt", data)
        p = run_index(self.db, os.path.join(self.tmp, "docs"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(summary(p.stderr)["replaced"], 1, p.stderr)
        p, hits = search_json(self.db, "数据安全")
        self.assertEqual(len(hits), 1)
        self.assertIn("数据安全", hits[0]["snippet"])

    @needs_search
    def test_huge_single_line(self):
        line = ("数字治理 data governance 全球合作。" * 200000).encode()  # ~8 MB, one line
        self.write("huge.txt", line + b"\n")
        p = run_index(self.db, os.path.join(self.tmp, "docs"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertGreater(summary(p.stderr)["passages"], 1000)
        p, hits = search_json(self.db, "全球合作", args=["-n", "3"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(hits[0]["line"], 1)

    @needs_search
    def test_emptied_file_loses_its_passages(self):
        path = self.write("a.txt", "区块链跨境支付试点。\n".encode())
        self.assertEqual(run_index(self.db, os.path.join(self.tmp, "docs")).returncode, 0)
        self.assertEqual(len(search_json(self.db, "区块链")[1]), 1)
        with open(path, "w") as f:
            f.write("")
        p = run_index(self.db, os.path.join(self.tmp, "docs"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(search_json(self.db, "区块链")[0].returncode, 1)


@unittest.skipUnless(SOURCE_ROOT, "WENSOU_SOURCE_ROOT not set")
class TestSidecarFields(TempDirTest):
    def test_a_field_a_sidecar_cannot_have_is_said_once(self):
        """A misspelt key or a year of -5 was dropped without a word."""
        docs = os.path.join(self.tmp, "docs")
        for sub in ("a", "b"):
            os.makedirs(os.path.join(docs, sub))
            for i in range(6):
                with open(os.path.join(docs, sub, f"r{i}.txt"), "w", encoding="utf-8") as f:
                    f.write(f"数据跨境流动第{i}段。\n")
        with open(os.path.join(docs, "a", "wensou-meta.json"), "w", encoding="utf-8") as f:
            json.dump({"source": "X", "colour": "red", "year": -5,
                       "files": {"r1.txt": {"titel": "T", "year": 2023}}}, f)
        with open(os.path.join(docs, "b", "wensou-meta.json"), "w", encoding="utf-8") as f:
            json.dump({"source": "Y", "year": "2021"}, f)
        p = run_index(self.db, docs, args=["--jobs", "2"])
        self.assertEqual(p.returncode, 0, p.stderr)
        said = [ln for ln in p.stderr.splitlines() if "wensou-meta.json" in ln]
        a = os.path.realpath(os.path.join(docs, "a", "wensou-meta.json"))
        self.assertEqual(sorted(said), sorted([
            f'wensou-index: {a}: "colour" is not a field (source, year, encoding, files): ignored',
            f'wensou-index: {a}: "year" is not a year of four digits: ignored',
            f'wensou-index: {a}: files: r1.txt: "titel" is not a field of a file (title, source, year, encoding): ignored',
        ]), p.stderr)
        # what is right in it still counts
        self.assertEqual(summary(p.stderr)["added"], 12)


class TestSampleCorpus(TempDirTest):
    @needs_search
    def test_sample_corpus_metadata(self):
        corpus = os.path.join(SOURCE_ROOT, "corpus")
        p = run_index(self.db, corpus)
        self.assertEqual(p.returncode, 0, p.stderr)
        meta = {}
        for q in ["人工智能", "守门人", "數字鴻溝", "接入差距", "localisation", "公共数据开放", "授权运营", "一网通办"]:
            p, hits = search_json(self.db, q, args=["-n", "100"])
            self.assertEqual(p.returncode, 0, (q, p.stderr))
            meta.update({os.path.relpath(h["path"], corpus): (h["title"], h["year"], h["source"]) for h in hits})
        self.assertEqual(meta["ai-governance-brief.md"], ("人工智能治理简报：从原则到实践", 2023, "示例研究中心"))
        self.assertEqual(meta["briefs/platform-governance.txt"], ("平台治理与数据安全要点", 2023, "示例政策研究所"))
        self.assertEqual(meta["briefs/traditional-digital-policy.txt"], ("數位政策要點（繁體）", 2021, "示例繁體出版社"))
        self.assertEqual(meta["digital-divide-report-2024.txt"], ("数字鸿沟观察报告（2024年）", 2024, None))
        self.assertEqual(meta["cross-border-data-flows-2022.txt"],
                         ("Cross-Border Data Flows: Policy Note (2022)", 2022, None))
        # the PDF's own metadata
        self.assertEqual(meta["smart-city-data-white-paper-2023.pdf"],
                         ("城市数据治理白皮书（2023年）", 2023, "城市数据研究组"))
        # HTML: <title>, <meta name="publisher">, <meta name="date">
        self.assertEqual(meta["open-data-guide.html"], ("公共数据开放指引（示例）", 2022, "示例数据研究所"))
        # DOCX: docProps/core.xml
        self.assertEqual(meta["e-government-services-2021.docx"],
                         ("政务服务“一网通办”进展简报", 2021, "示例政务研究中心"))
        self.assertEqual(len(meta), 8)

    @needs_search
    def test_samples_in_other_encodings(self):
        """corpus/encodings: GB18030, Big5 and UTF-16LE with a BOM."""
        corpus = os.path.join(SOURCE_ROOT, "corpus")
        p = run_index(self.db, os.path.join(corpus, "encodings"), args=["--verbose"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual((summary(p.stderr)["added"], summary(p.stderr)["replaced"]), (3, 0), p.stderr)
        for q, name, line, title, year, source in [
                ("分类分级", "data-security-brief-2023-gb18030.txt", 8, "数据安全治理简报（2023年）", 2023, "示例编码样本"),
                ("開放原則", "open-government-data-big5.txt", 8, "開放政府資料推動要點（繁體範例）", 2022, "示例繁體出版社"),
                ("审计的记录", "algorithmic-accountability-utf16.txt", 11,
                 "Algorithmic Accountability Note / 算法问责说明", 2024, "示例编码样本")]:
            _, hits = search_json(self.db, q)
            self.assertEqual([(os.path.basename(h["path"]), h["line"], h["title"], h["year"], h["source"])
                              for h in hits], [(name, line, title, year, source)], q)

    @needs_search
    @unittest.skipUnless(shutil.which("xapian-metadata"), "xapian-metadata (xapian-tools) not installed")
    def test_index_of_another_schema_version_is_rebuilt(self):
        """After an upgrade the nightly run rebuilds the index by itself;
        until then the searcher says what to do."""
        corpus = os.path.join(SOURCE_ROOT, "corpus")
        p = run_index(self.db, corpus)
        self.assertEqual(p.returncode, 0, p.stderr)
        files = summary(p.stderr)["added"]
        _, before = search_json(self.db, "数字鸿沟", args=["-n", "100"])
        self.assertTrue(before)
        old = '{"fold_traditional":true,"stem_english":true,"version":1}'
        for shard in ("s0", "s1"):
            subprocess.run(["xapian-metadata", "set", os.path.join(self.db, "gen-1", shard),
                            "wensou:schema", old], check=True)
        p, _ = search_json(self.db, "数字鸿沟")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--rebuild", p.stderr)
        p = run_index(self.db, corpus)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("another format (schema 1", p.stderr)
        self.assertEqual(summary(p.stderr)["added"], files)
        self.assertEqual(summary(p.stderr)["unchanged"], 0)
        _, after = search_json(self.db, "数字鸿沟", args=["-n", "100"])
        self.assertEqual(sorted((h["path"], h["lines"]) for h in before),
                         sorted((h["path"], h["lines"]) for h in after))
        p = run_index(self.db, corpus)
        self.assertEqual(summary(p.stderr)["added"], 0)
        self.assertNotIn("another format", p.stderr)

    @needs_search
    def test_running_header_of_the_sample_report_is_dropped(self):
        """Its title repeats at the top of pages 2 and 3, next to page
        numbers: only the title line itself is indexed."""
        corpus = os.path.join(SOURCE_ROOT, "corpus")
        self.assertEqual(run_index(self.db, corpus).returncode, 0)
        p, hits = search_json(self.db, "数字鸿沟观察报告")
        self.assertEqual([(h["lines"], h["line"]) for h in hits], [([1, 1], 1)])
        p, hits = search_json(self.db, "性别与年龄差距")
        self.assertEqual(hits[0]["section"], "一、总体形势 > （三）性别与年龄差距")

    @needs_search
    def test_markdown_heading_markers_stay_out_of_snippets(self):
        corpus = os.path.join(SOURCE_ROOT, "corpus")
        self.assertEqual(run_index(self.db, corpus).returncode, 0)
        p, hits = search_json(self.db, "背景", args=["--source", "示例研究中心"])
        self.assertEqual(p.returncode, 0, p.stderr)
        h = hits[0]
        # headings in a row start the passage after them: "# 人工智能治理简报…"
        # and "## 一、背景"; the match is in the heading, which leads the
        # snippet without its markers, set apart from the text after it
        self.assertEqual(h["lines"][0], 7)
        self.assertEqual(h["section"], "人工智能治理简报：从原则到实践 > 一、背景")
        self.assertTrue(h["snippet"].startswith("人工智能治理简报：从原则到实践 一、背景 生成式"), h["snippet"])
        a, b = h["highlights"][0]
        self.assertEqual(h["snippet"].encode()[a:b].decode(), "背景")

    @needs_search
    def test_sidecar_change_reindexes_its_folder(self):
        corpus = os.path.join(self.tmp, "corpus")
        shutil.copytree(os.path.join(SOURCE_ROOT, "corpus"), corpus)
        self.assertEqual(run_index(self.db, corpus).returncode, 0)
        side = os.path.join(corpus, "briefs", "wensou-meta.json")
        with open(side, encoding="utf-8") as f:
            meta = json.load(f)
        meta["files"]["platform-governance.txt"]["year"] = 2020
        with open(side, "w", encoding="utf-8") as f:
            json.dump(meta, f, ensure_ascii=False)
        os.utime(side, (time.time() + 5, time.time() + 5))
        p = run_index(self.db, corpus)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(summary(p.stderr)["changed"], 2)
        _, hits = search_json(self.db, "守门人")
        self.assertEqual(hits[0]["year"], 2020)


if __name__ == "__main__":
    if not INDEX:
        print("WENSOU_INDEX not set", file=sys.stderr)
        sys.exit(2)
    main()
