#!/usr/bin/env python3
"""PDF: fixtures made at test time from known text (pdfgen.py: cairo with
a CJK font), damaged and hostile PDFs, and Debian's own manuals."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SEARCH, main, needs_search, run_index, search_count, search_json, squash, summary  # noqa: E402
import pdfgen  # noqa: E402
from pdfgen import LEFT, H, W, Page, make_pdf  # noqa: E402

HAVE_FIXTURES = pdfgen.HAVE_CAIRO and pdfgen.have_cjk_font()
FIXTURE_MSG = ("python3-cairo or a CJK font (fonts-wqy-microhei) is missing (scripts/install-deps): "
               "PDF fixture tests skipped")
HEADER = "全球数字治理年度观察 2021"


def report_pages():
    """Five pages: a running header and a page-number footer on each, a
    word of its own on each, a footnote on page 2 whose page break cuts a
    sentence that page 3 finishes, printed labels i, ii, 1, 2, 3."""
    words = ["甲乙页词", "跨境数据流动规则仍在形成之中", "丙丁页词", "戊己页词", "庚辛页词"]
    pages = []
    for i in range(5):
        p = Page()
        p.text(HEADER, LEFT, 50, size=8)
        p.text(f"第 {i + 1} 页", W / 2 - 20, H - 40, size=8)
        if i == 2:
            p.para("continues on the next page without a break. Then another sentence starts here and ends.")
        p.para(f"本页讨论{words[i]}。数字治理需要各国共同参与，数据安全与发展并重。" * 2)
        p.para(f"Page marker pagemarker{i + 1} for the digital divide and connectivity in rural areas. " * 2)
        pages.append(p)
    p = pages[1]
    while p.y < H - 220:
        p.para("The survey of broadband adoption shows steady growth across regions and income groups.")
    p.y += 10
    p.para("The committee agreed that the interrupted sentence")
    p.text("1 Footnote: the broadband census covered forty provinces in 2020.", LEFT, H - 92, size=7)
    p.text("2 脚注：数据来源于统计年鉴。", LEFT, H - 82, size=7)
    return pages


def two_column_page():
    p = Page()
    left = ("The left column opens with a sentence about spectrum auctions that runs over several "
            "narrow lines before it reaches its end. ") * 2
    right = ("The right column speaks of submarine cables and landing stations in a different "
             "sentence altogether. ") * 2
    y0 = p.y
    p.para(left, x=LEFT, width=200)
    p.y = y0
    p.para(right, x=LEFT + 240, width=200)
    return p


@unittest.skipUnless(HAVE_FIXTURES, FIXTURE_MSG)
class TestPdfFixtures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="wensou-pdf-")
        cls.docs = os.path.join(cls.tmp, "docs")
        os.makedirs(cls.docs)
        cls.db = os.path.join(cls.tmp, "index")
        d = cls.docs
        make_pdf(os.path.join(d, "report.pdf"), report_pages(), title="数字治理观察报告",
                 author="测试研究院", date="2021-05-01T08:00:00", labels=["i", "ii", "1", "2", "3"])
        make_pdf(os.path.join(d, "columns.pdf"), [two_column_page()], title="Two columns")
        scan = Page()
        scan.paint_image()
        make_pdf(os.path.join(d, "scanned.pdf"), [scan, scan])
        with open(os.path.join(d, "report.pdf"), "rb") as f:
            data = f.read()
        with open(os.path.join(d, "truncated.pdf"), "wb") as f:
            f.write(data[:len(data) * 2 // 5])
        with open(os.path.join(d, "cut-short.pdf"), "wb") as f:
            f.write(data[:300])
        with open(os.path.join(d, "not-really.pdf"), "w", encoding="utf-8") as f:
            f.write("just some text with a .pdf name\n")
        cls.have_qpdf = shutil.which("qpdf") is not None
        if cls.have_qpdf:
            subprocess.run(["qpdf", "--encrypt", "user-secret", "owner-secret", "256", "--",
                            os.path.join(d, "report.pdf"), os.path.join(d, "encrypted.pdf")], check=True)
        with open(os.path.join(d, "good.txt"), "w", encoding="utf-8") as f:
            f.write("一份文本文件，讨论普惠金融与数字经济。\n")
        cls.p = run_index(cls.db, d)
        cls.stderr = cls.p.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def report_line(self, name):
        lines = [ln for ln in self.stderr.splitlines() if name in ln]
        return "\n".join(lines)

    def hits(self, *query, args=()):
        p, hits = search_json(self.db, *query, args=["-n", "50", *args])
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return hits

    def test_bad_pdfs_are_reported_and_the_rest_indexed(self):
        self.assertEqual(self.p.returncode, 1, self.stderr)
        self.assertIn("no text layer (scanned?)", self.report_line("scanned.pdf"))
        self.assertIn("not a readable PDF", self.report_line("cut-short.pdf"))
        self.assertIn("not a readable PDF", self.report_line("not-really.pdf"))
        if self.have_qpdf:
            self.assertIn("encrypted", self.report_line("encrypted.pdf"))
        # poppler may rebuild a PDF cut in the middle: either it is indexed
        # (its first pages) or it is reported
        trunc = self.report_line("truncated.pdf")
        s = summary(self.stderr)
        self.assertGreaterEqual(s["added"], 3 if trunc else 4, self.stderr)
        self.assertTrue(self.hits("普惠金融"), "the text file beside them was not indexed")
        self.assertNotIn("Syntax Error", self.stderr)

    @needs_search
    def test_words_on_their_page_with_title_year_source(self):
        for page, word in [(1, "甲乙页词"), (2, "跨境数据流动规则仍在形成之中"), (4, "戊己页词"),
                           (5, "pagemarker5")]:
            hits = [h for h in self.hits(word) if h["path"].endswith("report.pdf")]
            self.assertTrue(hits, word)
            self.assertEqual({h["page"] for h in hits}, {page}, word)
            for h in hits:
                self.assertEqual(h["title"], "数字治理观察报告")
                self.assertEqual(h["year"], 2021)
                self.assertEqual(h["source"], "测试研究院")

    @needs_search
    def test_printed_page_labels_beside_the_page(self):
        labels = {}
        for word in ["甲乙页词", "跨境数据流动规则仍在形成之中", "丙丁页词", "戊己页词"]:
            for h in self.hits(word):
                labels[h["page"]] = h["page_label"]
        self.assertEqual(labels, {1: "i", 2: "ii", 3: "1", 4: "2"})

    @needs_search
    def test_running_header_and_page_numbers_left_out(self):
        self.assertEqual(self.hits("年度观察"), [])
        for h in self.hits("数字治理"):
            self.assertNotRegex(h["snippet"], r"第 ?\d+ ?页")

    @needs_search
    def test_footnote_is_a_passage_of_its_own_on_its_page(self):
        hits = self.hits("provinces")
        self.assertEqual(len(hits), 1, hits)
        h = hits[0]
        self.assertEqual(h["page"], 2)
        self.assertIn("Footnote", h["snippet"])
        self.assertNotIn("committee", h["snippet"])
        self.assertNotIn("survey", h["snippet"])
        zh = self.hits("统计年鉴")
        self.assertEqual([x["page"] for x in zh], [2])

    @needs_search
    def test_sentence_cut_by_the_page_break_reads_whole(self):
        hits = self.hits('"the interrupted sentence continues on the next page"')
        self.assertEqual(len(hits), 1, hits)
        self.assertEqual(hits[0]["page"], 2)
        self.assertNotIn("Footnote", hits[0]["snippet"])
        # the rest of page 3 stays on page 3
        self.assertEqual([h["page"] for h in self.hits('"another sentence starts here"')], [3])

    @needs_search
    def test_columns_read_in_column_order(self):
        hits = self.hits('"sentence about spectrum auctions that runs over several narrow lines"')
        self.assertTrue(hits)
        self.assertTrue(self.hits('"submarine cables and landing stations in a different sentence"'))

    @needs_search
    def test_terminal_shows_path_and_page(self):
        p = subprocess.run([SEARCH, "--db", self.db, "--color=never", "--", "戊己页词"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("report.pdf p.4 (printed 2)", p.stdout)


@unittest.skipUnless(HAVE_FIXTURES, FIXTURE_MSG)
class TestPdfParserFaults(unittest.TestCase):
    """A parser that crashes or hangs costs its file, reported, never the run."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wensou-pdf-")
        self.db = os.path.join(self.tmp, "index")
        self.docs = os.path.join(self.tmp, "docs")
        os.makedirs(self.docs)
        p = Page()
        p.para("一页正常的文字，讨论数字治理。")
        make_pdf(os.path.join(self.docs, "a.pdf"), [p])
        with open(os.path.join(self.docs, "b.txt"), "w", encoding="utf-8") as f:
            f.write("文本文件照常索引，讨论普惠金融。\n")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_with(self, **env):
        e = dict(os.environ, **env)
        t0 = time.monotonic()
        p = run_index(self.db, self.docs, env=e, timeout=120)
        return p, time.monotonic() - t0

    def test_crash(self):
        p, _ = self.run_with(WENSOU_PDF_FAULT="crash")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("the parser died", p.stderr)
        self.assertEqual(summary(p.stderr)["added"], 1)

    def test_hang_is_stopped_at_the_time_limit(self):
        p, took = self.run_with(WENSOU_PDF_FAULT="hang", WENSOU_PDF_TIMEOUT="2")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("longer than 2 s", p.stderr)
        self.assertLess(took, 60)
        self.assertEqual(summary(p.stderr)["added"], 1)
        # the next run, with a parser that works, indexes it
        p, _ = self.run_with()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(summary(p.stderr)["added"], 1)


# Debian's manuals: phrases read off known pages with pdftotext.
DR_CN = "/usr/share/debian-reference/debian-reference.zh-cn.pdf"
DR_TW = "/usr/share/debian-reference/debian-reference.zh-tw.pdf"
MAINT = "/usr/share/doc/maint-guide-zh-cn/maint-guide.zh-cn.pdf"
MANUALS = [DR_CN, DR_TW, MAINT]
MANUALS_MSG = ("Debian's manuals are not installed (scripts/install-deps installs debian-reference-zh-cn, "
               "debian-reference-zh-tw, maint-guide-zh-cn): manual tests skipped")


@unittest.skipUnless(all(os.path.exists(m) for m in MANUALS), MANUALS_MSG)
class TestEmptyPdf(unittest.TestCase):
    def test_an_empty_pdf_is_skipped_as_every_empty_file_is(self):
        """It counted as failed (exit 1, "no %PDF- header"), an empty
        .txt or .html as skipped."""
        tmp = tempfile.mkdtemp(prefix="wensou-test-")
        self.addCleanup(shutil.rmtree, tmp, True)
        docs = os.path.join(tmp, "docs")
        os.makedirs(docs)
        open(os.path.join(docs, "empty.pdf"), "w").close()
        with open(os.path.join(docs, "blank.pdf"), "w") as f:
            f.write(" \n\n")
        open(os.path.join(docs, "empty.txt"), "w").close()
        p = run_index(os.path.join(tmp, "db"), docs)
        self.assertEqual(p.returncode, 0, p.stderr)
        s = summary(p.stderr)
        self.assertEqual((s["skipped"], s["failed"]), (3, 0), p.stderr)
        for name in ("empty.pdf", "blank.pdf"):
            self.assertIn(f"{name}: empty file", p.stderr)


class TestDebianManuals(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="wensou-pdf-")
        cls.db = os.path.join(cls.tmp, "index")
        cls.p = run_index(cls.db, *MANUALS)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def hits(self, *query, args=()):
        p, hits = search_json(self.db, *query, args=["-n", "50", *args])
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return hits

    def test_indexed_cleanly(self):
        self.assertEqual(self.p.returncode, 0, self.p.stderr)
        self.assertEqual(summary(self.p.stderr)["added"], 3)

    @needs_search
    def test_phrases_on_their_pages(self):
        cases = [
            (DR_CN, "字符登录界面", 29, "1"),
            (DR_CN, "系统初始化的要点概述", 100, "72"),
            (DR_TW, "就像學習一門新的外語", 29, "1"),
            (MAINT, "分隔 package 和 version 的字符", 12, "6"),
        ]
        for path, phrase, page, label in cases:
            hits = [h for h in self.hits(phrase) if h["path"] == os.path.realpath(path)]
            self.assertTrue(hits, phrase)
            self.assertIn(page, [h["page"] for h in hits], phrase)
            h = [h for h in hits if h["page"] == page][0]
            self.assertEqual(h["page_label"], label, phrase)
            self.assertIn(squash(phrase.replace(" ", "")), squash(h["snippet"]), phrase)

    @needs_search
    def test_running_headers_left_out(self):
        # "Debian 参考手册" heads all 251 pages of both (pdftotext shows it
        # 269 times in each); the body names it a few times
        n = search_count(self.db, "参考手册")
        self.assertIsNotNone(n)
        self.assertLess(n, 80)
        for h in self.hits("223"):
            self.assertNotIn(" / 223", h["snippet"])

    @needs_search
    def test_titles_and_years_from_the_metadata(self):
        want = {DR_CN: ("Debian 参考手册", 2023, "Osamu Aoki (青木 修)"),
                DR_TW: ("Debian 參考手冊", 2023, "Osamu Aoki (青木 修)"),
                MAINT: ("Debian 新维护者手册", 2022, None)}
        got = {}
        for h in self.hits("Debian", args=["--per-doc", "1"]):
            got[h["path"]] = (h["title"], h["year"], h["source"])
        for path, (title, year, source) in want.items():
            t, y, s = got[os.path.realpath(path)]
            self.assertEqual((t, y), (title, year), path)
            if source:
                self.assertEqual(s, source)


if __name__ == "__main__":
    main()
