#!/usr/bin/env python3
"""Command-line tests of text in other encodings: fixtures made at test time
from known text with Python's codecs (GB18030, Big5, UTF-16LE/BE with and
without a byte-order mark, UTF-8 with a BOM or a few bad bytes), indexed by
the real wensou-index, and found by wensou-search on the known line, with
the known title and year."""

import json
import os
import sys
import unittest

from harness import INDEX, TempDirTest, main, needs_search, run_index, search_json, summary

# A report in Simplified Chinese: front matter (lines 1-4), a heading
# (line 5), then a paragraph whose third line (line 8) holds the file's own
# marker, a run of characters no other fixture has.
SIMPLIFIED = """---
title: 数字鸿沟观察（{name}）
date: 2023-06-30
---
一、总体形势
数字鸿沟正在从接入差距转向使用差距，各国应当加强数字基础设施建设，
提升公众的数字素养，推动数据安全与跨境数据流动规则的互操作性。
本文件的标记是{marker}，只在这一行出现。
"""

# The same in Traditional Chinese (Big5 has no Simplified characters), the
# title on the first line, the year in the file name.
TRADITIONAL = """數位政策要點（{name}）

一、總體形勢
數位落差正在從接入差距轉向使用差距，各國應當加強數位基礎設施建設，
提升公眾的數位素養，推動資料安全與跨境資料流動規則的互通性。
本文件的標記是{marker}，只在這一行出現。
"""

# marker -> (file name, text, codec, BOM, the marker's line, title, year)
FIXTURES = {
    "青松翠柏": ("gb18030.txt", SIMPLIFIED, "gb18030", b"", 8, "数字鸿沟观察（GB18030）", 2023),
    "明月清风": ("gbk-crlf.txt", SIMPLIFIED, "gbk", b"", 8, "数字鸿沟观察（GBK）", 2023),
    "高山流水": ("big5-2021.txt", TRADITIONAL, "big5", b"", 6, "數位政策要點（Big5）", 2021),
    "春华秋实": ("utf16le-bom.txt", SIMPLIFIED, "utf-16-le", b"\xff\xfe", 8, "数字鸿沟观察（UTF-16LE）", 2023),
    "夏雨冬雪": ("utf16be-bom.txt", SIMPLIFIED, "utf-16-be", b"\xfe\xff", 8, "数字鸿沟观察（UTF-16BE）", 2023),
    "江河湖海": ("utf16le.txt", SIMPLIFIED, "utf-16-le", b"", 8, "数字鸿沟观察（UTF-16LE）", 2023),
    "星辰大海": ("utf16be.txt", SIMPLIFIED, "utf-16-be", b"", 8, "数字鸿沟观察（UTF-16BE）", 2023),
    "晨钟暮鼓": ("utf8-bom.txt", SIMPLIFIED, "utf-8", b"\xef\xbb\xbf", 8, "数字鸿沟观察（UTF-8）", 2023),
}


class EncodingTest(TempDirTest):
    def write(self, name, data, folder="docs"):
        path = os.path.join(self.tmp, folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def docs(self, folder="docs"):
        return os.path.join(self.tmp, folder)

    def hit(self, query, **kw):
        p, hits = search_json(self.db, query, **kw)
        self.assertEqual(p.returncode, 0, (query, p.stderr))
        return hits


class TestEncodings(EncodingTest):
    def make_fixtures(self):
        for marker, (name, text, codec, bom, _, title, _) in FIXTURES.items():
            label = title[title.index("（") + 1:-1]
            body = text.format(name=label, marker=marker)
            if "crlf" in name:
                body = body.replace("\n", "\r\n")
            self.write(name, bom + body.encode(codec))

    @needs_search
    def test_each_encoding_is_found_on_its_line_with_its_title_and_year(self):
        self.make_fixtures()
        p = run_index(self.db, self.docs(), args=["--verbose"])
        self.assertEqual(p.returncode, 0, p.stderr)
        s = summary(p.stderr)
        self.assertEqual(s["added"], len(FIXTURES), p.stderr)
        self.assertEqual(s["failed"], 0, p.stderr)
        self.assertEqual(s["replaced"], 0, p.stderr)
        self.assertNotIn("replaced", p.stderr)
        for marker, (name, _, _, _, line, title, year) in FIXTURES.items():
            with self.subTest(name=name):
                hits = self.hit(marker)
                self.assertEqual(len(hits), 1, hits)
                h = hits[0]
                self.assertEqual(os.path.basename(h["path"]), name)
                self.assertEqual(h["line"], line)
                self.assertEqual(h["lines"][1], line)
                self.assertEqual(h["title"], title)
                self.assertEqual(h["year"], year)
                self.assertIn(marker, h["snippet"])
        # --verbose names each file with the encoding it was read in
        for name, enc in [("gb18030.txt", "GB18030 (detected)"), ("gbk-crlf.txt", "GB18030 (detected)"),
                          ("big5-2021.txt", "Big5 (detected)"),
                          ("utf16le-bom.txt", "UTF-16LE (byte-order mark)"),
                          ("utf16be-bom.txt", "UTF-16BE (byte-order mark)"),
                          ("utf16le.txt", "UTF-16LE (detected)"), ("utf16be.txt", "UTF-16BE (detected)"),
                          ("utf8-bom.txt", "UTF-8 (byte-order mark)")]:
            self.assertRegex(p.stderr, rf"{name}: added, \d+ passages, {enc.replace('(', '[(]').replace(')', '[)]')}\n")
        # the text is searched as text, whatever the encoding: a word of
        # the paragraph shared by all, Simplified and Traditional alike
        hits = self.hit("数字素养", args=["-n", "50"])
        self.assertEqual(len(hits), len(FIXTURES) - 1)
        hits = self.hit("數位素養", args=["-n", "50"])
        self.assertEqual([os.path.basename(h["path"]) for h in hits], ["big5-2021.txt"])
        # unchanged on the next run, nothing re-read or counted again
        p = run_index(self.db, self.docs())
        s = summary(p.stderr)
        self.assertEqual((s["unchanged"], s["added"], s["replaced"]), (len(FIXTURES), 0, 0), p.stderr)

    @needs_search
    def test_columns_count_the_utf8_text_and_characters(self):
        """column is in bytes of the text as UTF-8 (what Vim counts once it
        has read the file in its encoding), column_char in characters."""
        self.write("col.txt", "标题\n　　各国应当加强数字基础设施建设。\n".encode("gb18030"))
        self.assertEqual(run_index(self.db, self.docs()).returncode, 0)
        h = self.hit("基础设施")[0]
        self.assertEqual(h["line"], 2)
        before = "　　各国应当加强数字"
        self.assertEqual(h["column_char"], len(before) + 1)
        self.assertEqual(h["column"], len(before.encode()) + 1)

    @needs_search
    def test_a_file_without_extension_in_gb18030_is_read(self):
        self.write("README", "政策简报\n\n数据要素市场化配置改革。\n".encode("gb18030") * 3)
        p = run_index(self.db, self.docs())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(summary(p.stderr)["added"], 1, p.stderr)
        self.assertEqual(self.hit("市场化配置")[0]["title"], "政策简报")


class TestDamagedText(EncodingTest):
    @needs_search
    def test_invalid_bytes_are_replaced_counted_and_the_file_indexed(self):
        gb = SIMPLIFIED.format(name="坏字节", marker="一字千金").encode("gb18030")
        cut = gb.index("建设，\n".encode("gb18030")) + len("建设，".encode("gb18030"))
        # one lead byte with no trail, before the newline (which stays)
        gb = gb[:cut] + b"\x81" + gb[cut:]
        self.write("gb18030-bad.txt", gb)
        u8 = SIMPLIFIED.format(name="UTF-8", marker="百花齐放").encode()
        u8 = u8.replace("总体".encode(), b"\xff\xfe", 1).replace("互操作性".encode(), "互操作性".encode() + b"\xc0")
        self.write("utf8-bad.txt", u8)
        p = run_index(self.db, self.docs(), args=["--verbose"])
        self.assertEqual(p.returncode, 0, p.stderr)
        s = summary(p.stderr)
        self.assertEqual(s["added"], 2, p.stderr)
        # 0xFF and 0xFE are two sequences; 0xC0 one; the GB18030 byte one
        self.assertEqual(s["replaced"], 4, p.stderr)
        self.assertIn("4 characters replaced;", p.stderr)
        self.assertRegex(p.stderr, r"gb18030-bad\.txt: added, \d+ passages, GB18030 \(detected\); "
                                   r"1 character could not be decoded")
        self.assertRegex(p.stderr, r"utf8-bad\.txt: added, \d+ passages, UTF-8 \(mostly valid\); "
                                   r"3 characters could not be decoded")
        h = self.hit("一字千金")[0]
        self.assertEqual((os.path.basename(h["path"]), h["line"], h["title"], h["year"]),
                         ("gb18030-bad.txt", 8, "数字鸿沟观察（坏字节）", 2023))
        h = self.hit("百花齐放")[0]
        self.assertEqual((os.path.basename(h["path"]), h["line"], h["year"]), ("utf8-bad.txt", 8, 2023))
        # the bad bytes read as U+FFFD, the text around them intact
        hits = {os.path.basename(h["path"]): h for h in self.hit("互操作性")}
        snippets = {name: h["snippet"] for name, h in hits.items()}
        self.assertRegex(snippets["gb18030-bad.txt"], "建设，\ufffd ?提升")  # a line break: a space
        # the heading is the passage's section, not part of its snippet
        self.assertEqual(hits["utf8-bad.txt"]["section"], "一、\ufffd\ufffd形势")
        self.assertIn("互操作性\ufffd。", snippets["utf8-bad.txt"])
        # without --verbose the files with replacements are still named
        p = run_index(self.db, self.docs(), args=["--rebuild"])
        self.assertIn("gb18030-bad.txt: added", p.stderr)
        self.assertNotIn("passages, UTF-8 (valid)", p.stderr)

    @needs_search
    def test_garbage_is_reported_and_the_rest_indexed(self):
        self.write("good-gb.txt", SIMPLIFIED.format(name="好", marker="万事如意").encode("gb18030"))
        # high bytes with no encoding in them
        self.write("garbage.txt", bytes(0x80 + (i * 37) % 128 for i in range(4000)))
        # UTF-16 without a BOM and of an odd length: not surely UTF-16
        self.write("odd-utf16.txt", SIMPLIFIED.format(name="奇", marker="一帆风顺").encode("utf-16-le") + b"x")
        # CJK alone in UTF-16 without a BOM (no NUL byte): not guessed
        self.write("bare-utf16.txt", "数字鸿沟正在从接入差距转向使用差距各国应当加强数字基础设施建设".encode("utf-16-le"))
        # mostly undecodable in the encoding pinned for it
        self.write("wrong-pin.txt", SIMPLIFIED.format(name="错", marker="马到成功").encode("gb18030"))
        self.write("binary.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 20)
        self.write("wensou-meta.json", json.dumps({"files": {"wrong-pin.txt": {"encoding": "utf-8"}}}).encode())
        p = run_index(self.db, self.docs())
        self.assertEqual(p.returncode, 1, p.stderr)
        s = summary(p.stderr)
        self.assertEqual((s["added"], s["failed"]), (1, 5), p.stderr)
        self.assertRegex(p.stderr, r"garbage\.txt: not text in an encoding wensou can tell .*pin the \"encoding\"")
        self.assertRegex(p.stderr, r"odd-utf16\.txt: looks like UTF-16 without a byte-order mark, but not surely")
        self.assertRegex(p.stderr, r"bare-utf16\.txt: not text in an encoding wensou can tell")
        self.assertRegex(p.stderr, r"wrong-pin\.txt: mostly undecodable .*, read as utf-8 \(pinned\)")
        self.assertRegex(p.stderr, r"binary\.txt: binary file")
        self.assertEqual(os.path.basename(self.hit("万事如意")[0]["path"]), "good-gb.txt")


class TestPinnedEncoding(EncodingTest):
    @needs_search
    def test_a_pinned_encoding_wins_over_detection(self):
        # English with one Chinese term in GBK: too little for the
        # detector, so it reads as UTF-8 with bad bytes ...
        english = "The annual report on data policy covers many topics in detail. " * 40
        text = ("Data policy report\n\n" + english + "\nThe term 数据治理 appears once.\n" + english + "\n")
        self.write("mixed.txt", text.encode("gbk"), folder="a")
        self.write("mixed.txt", text.encode("gbk"), folder="b")
        # ... unless the sidecar says what it is: at folder level
        self.write("wensou-meta.json", json.dumps({"encoding": "gb18030", "year": 2020}).encode(), folder="b")
        # a per-file pin wins over the folder's: Big5 bytes in a GB18030 folder
        self.write("trad.txt", TRADITIONAL.format(name="釘", marker="水落石出").encode("big5"), folder="b")
        self.write("wensou-meta.json", json.dumps({"encoding": "gb18030", "year": 2020,
                                                   "files": {"trad.txt": {"encoding": "big5"}}}).encode(),
                   folder="b")
        p = run_index(self.db, self.docs("a"), self.docs("b"), args=["--verbose"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stderr, r"a/mixed\.txt: added, \d+ passages, UTF-8 \(mostly valid\); 8 characters could not")
        self.assertRegex(p.stderr, r"b/mixed\.txt: added, \d+ passages, gb18030 \(pinned\)\n")
        self.assertRegex(p.stderr, r"b/trad\.txt: added, \d+ passages, big5 \(pinned\)\n")
        hits = self.hit("数据治理")
        self.assertEqual([os.path.relpath(h["path"], self.tmp) for h in hits], ["b/mixed.txt"])
        self.assertEqual((hits[0]["line"], hits[0]["year"]), (4, 2020))
        h = self.hit("水落石出")[0]
        self.assertEqual((h["line"], h["title"]), (6, "數位政策要點（釘）"))

    def test_an_unknown_pinned_encoding_is_an_error_for_that_file(self):
        self.write("a.txt", SIMPLIFIED.format(name="甲", marker="一心一意").encode("gb18030"))
        self.write("b.txt", SIMPLIFIED.format(name="乙", marker="二龙戏珠").encode("gb18030"))
        self.write("wensou-meta.json", json.dumps({"files": {"a.txt": {"encoding": "klingon"}}}).encode())
        p = run_index(self.db, self.docs())
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual((summary(p.stderr)["added"], summary(p.stderr)["failed"]), (1, 1), p.stderr)
        self.assertRegex(p.stderr, r"a\.txt: unknown encoding \"klingon\" pinned in wensou-meta\.json")


if __name__ == "__main__":
    if not INDEX:
        print("WENSOU_INDEX not set", file=sys.stderr)
        sys.exit(2)
    main()
