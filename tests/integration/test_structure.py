#!/usr/bin/env python3
"""Document structure: section trails from the headings these reports use,
headings that start the passage after them and are never glued to it,
tables of contents, footnotes, URL lists, source lines and captions kept as
passages of their own kind (out of default results, shown with
--all-kinds), a sentence that goes on after a block of footnotes, and the
capitalised operators AND, OR, NOT.  On ../shared/corpus and on a fixture
written here."""

import os
import shutil
import subprocess

from harness import (HAVE_SHARED, SEARCH, SHARED, SHARED_MSG, TempDirTest, damage, main, needs_search, run_index,
                     search_count, search_json, squash)

UN = "un-global-digital-compact-policy-brief-2023.txt"
BLUE = "caict-global-digital-governance-bluebook-2025.txt"
WP2022 = "caict-global-digital-governance-whitepaper-2022.txt"
CISC = "cisc-global-digital-compact-commentary-2024.md"

FIXTURE = """数字治理观察（2024）

目录

一、总体形势.....1
（一）连接与鸿沟.....2
二、规则进展.....3

一、总体形势

（一）连接与鸿沟

据统计，全球仍有二十六亿人没有接入互联网，其中大多数生活在最不发达国家的
¹ 国际电信联盟《事实与数字 2023》，可查阅该联盟网站。
² 世界银行《数字进步与趋势报告》。
https://www.itu.int/itu-d/reports/statistics/facts-figures-2023/
农村地区，弥合这一差距需要持续的投资与能力建设。

来源：示例统计中心

图 1 全球互联网普及率变化

二、规则进展

各方围绕数据流动的规则磋商持续推进，区域协定日益成为规则试验场。
"""


class StructureTest(TempDirTest):
    def hits(self, *query, args=()):
        p, hits = search_json(self.db, *query, args=["-n", "100", *args])
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return hits

    def in_file(self, name, *query, args=()):
        return [h for h in self.hits(*query, args=args) if os.path.basename(h["path"]) == name]


class TestFixture(StructureTest):
    def setUp(self):
        super().setUp()
        self.docs = os.path.join(self.tmp, "docs")
        os.makedirs(self.docs)
        with open(os.path.join(self.docs, "obs.txt"), "w", encoding="utf-8") as f:
            f.write(FIXTURE)
        p = run_index(self.db, self.docs)
        self.assertEqual(p.returncode, 0, p.stderr)

    @needs_search
    def test_a_short_run_that_only_a_note_holds_is_not_read_as_words(self):
        self.assertEqual(self.hits("事实与数字"), [])

    @needs_search
    def test_a_sentence_goes_on_after_its_footnotes(self):
        # "…最不发达国家的" / three lines of notes / "农村地区…"
        hits = self.hits("最不发达国家的农村地区")
        self.assertEqual(len(hits), 1, hits)
        h = hits[0]
        self.assertEqual(h["kind"], "body")
        self.assertIn("最不发达国家的农村地区", h["snippet"])
        self.assertNotIn("国际电信联盟", h["snippet"])
        self.assertEqual(h["section"], "一、总体形势 > （一）连接与鸿沟")
        # the match is on the file's line 13, where "最不发达国家" is
        self.assertEqual(h["line"], 13)

    @needs_search
    def test_notes_sources_captions_and_contents_are_kinds_of_their_own(self):
        self.assertEqual(self.hits("事实与数字"), [])
        self.assertEqual([h["kind"] for h in self.hits("事实与数字", args=["--all-kinds"])], ["note"])
        self.assertEqual([h["kind"] for h in self.hits("itu", args=["--all-kinds"])], ["note"])
        self.assertEqual([h["kind"] for h in self.hits("示例统计中心", args=["--all-kinds"])], ["source"])
        self.assertEqual([h["kind"] for h in self.hits("普及率", args=["--all-kinds"])], ["caption"])
        self.assertEqual(self.hits("普及率"), [])
        # the table of contents: one passage of its own, out of the default results
        kinds = sorted(h["kind"] for h in self.hits("规则进展", args=["--all-kinds"]))
        self.assertEqual(kinds, ["body", "contents"])
        self.assertEqual([h["kind"] for h in self.hits("规则进展")], ["body"])
        self.assertEqual(search_count(self.db, "规则进展"), 1)
        self.assertEqual(search_count(self.db, "规则进展", args=["--all-kinds"]), 2)

    # per shard: the passages of each kind, and any term of theirs (boolean
    # ones aside) that a default search would read, lacking the prefix
    ASIDES = ("import glob, sys, xapian\n"
              "for p in sorted(glob.glob(sys.argv[1] + '/shard-*')):\n"
              "    d = xapian.Database(p)\n"
              "    kinds = [d.get_termfreq('K' + k) for k in ('contents', 'note', 'source', 'caption')]\n"
              "    bare = prefixed = 0\n"
              "    for k in ('contents', 'note', 'source', 'caption'):\n"
              "        for post in d.postlist('K' + k):\n"
              "            for t in d.get_document(post.docid).termlist():\n"
              "                name = t.term.decode()\n"
              "                if name[0] in 'KQYX' and t.wdf == 0:\n"
              "                    continue\n"
              "                if name.startswith('A'):\n"
              "                    prefixed += 1\n"
              "                else:\n"
              "                    bare += 1\n"
              "    print(sum(kinds), bare, prefixed)\n")

    def test_the_terms_of_asides_are_out_of_the_lists_of_body_text(self):
        counts = [tuple(map(int, line.split())) for line in damage(self.ASIDES, self.db).splitlines()]
        self.assertEqual(sum(c[0] for c in counts), 4)  # contents, notes, source, caption
        self.assertEqual(sum(c[1] for c in counts), 0)
        self.assertGreater(sum(c[2] for c in counts), 20)

    @needs_search
    def test_every_kind_of_match_finds_asides(self):
        """A phrase, a word by its stem, a Han run and a dictionary word
        of a note, found with --all-kinds only."""
        self.assertEqual(self.hits('"facts figures"'), [])
        self.assertEqual([h["kind"] for h in self.hits('"facts figures"', args=["--all-kinds"])], ["note"])
        self.assertEqual([h["kind"] for h in self.hits("figure", args=["--all-kinds"])], ["note"])
        self.assertEqual([h["kind"] for h in self.hits("数字进步与趋势报告", args=["--all-kinds"])], ["note"])
        # a passage of each kind holds one of these: relaxed, every one comes
        kinds = {h["kind"] for h in self.hits("普及率", "示例统计中心", "事实与数字", args=["--all-kinds"])}
        self.assertEqual(kinds, {"note", "source", "caption"})
        self.assertEqual(self.hits("普及率", "示例统计中心", "事实与数字"), [])

    @needs_search
    def test_a_query_of_filters_alone_leaves_asides_out(self):
        """With no word to look for, every passage a filter lets through,
        but body text only unless asked for all kinds."""
        # (the table of contents names 规则进展)
        for query, asides in ((["title:数字治理观察"], {"contents", "note", "source", "caption"}),
                              (["title:数字治理观察", "-规则"], {"note", "source", "caption"})):
            kinds = [h["kind"] for h in self.hits(*query)]
            self.assertTrue(kinds, query)
            self.assertEqual(set(kinds), {"body"}, query)
            every = {h["kind"] for h in self.hits(*query, args=["--all-kinds"])}
            self.assertEqual(every, {"body"} | asides, query)

    # an index as wensou built it before asides had terms of their own: the
    # prefix taken off their terms, in place
    UNPREFIX = ("import glob, sys, xapian\n"
                "for p in glob.glob(sys.argv[1] + '/shard-*'):\n"
                "    d = xapian.WritableDatabase(p, xapian.DB_OPEN)\n"
                "    ids = {post.docid for k in ('contents', 'note', 'source', 'caption') for post in d.postlist('K' + k)}\n"
                "    for docid in ids:\n"
                "        old = d.get_document(docid)\n"
                "        doc = xapian.Document()\n"
                "        doc.set_data(old.get_data())\n"
                "        for v in old.values():\n"
                "            doc.add_value(v.num, v.value)\n"
                "        for t in old.termlist():\n"
                "            name = t.term[1:] if t.term.startswith(b'A') else t.term\n"
                "            if t.wdf == 0:\n"
                "                doc.add_boolean_term(name)\n"
                "                continue\n"
                "            for pos in t.positer:\n"
                "                doc.add_posting(name, pos, 0)\n"
                "            doc.add_term(name, t.wdf)\n"
                "        d.replace_document(docid, doc)\n"
                "    d.commit()\n")

    @needs_search
    def test_a_search_of_all_kinds_finds_and_weighs_as_one_list_of_every_kind_would(self):
        """--all-kinds finds what the query would in an index whose asides
        share the body's posting lists, ranked alike: a term and its
        aside twin weigh as one term, up to Xapian's estimate of how many
        passages hold one or the other."""
        plain = os.path.join(self.tmp, "plain")
        shutil.copytree(self.db, plain)
        damage(self.UNPREFIX, plain)
        for query in (["数据流动"], ["规则进展"], ["itu"], ['"facts figures"'], ["互联网", "普及率"], ["数字", "-规则"],
                      ["规则", "数字"], ["statistics"], ["事实与数字 OR 规则"]):
            p, every = search_json(self.db, *query, args=["-n", "100", "--all-kinds"])
            self.assertIn(p.returncode, (0, 1), p.stderr)
            p, want = search_json(plain, *query, args=["-n", "100"])
            self.assertIn(p.returncode, (0, 1), p.stderr)
            self.assertEqual(sorted((h["lines"], h["kind"]) for h in every), sorted((h["lines"], h["kind"]) for h in want),
                             query)
            self.assertTrue(want, query)
            scores = {tuple(h["lines"]): h["score"] for h in want}
            for h in every:
                self.assertAlmostEqual(h["score"], scores[tuple(h["lines"])], delta=scores[tuple(h["lines"])] * 0.05,
                                       msg=query)

    @needs_search
    def test_headings_start_the_text_after_them_and_never_stand_alone(self):
        hits = self.hits("总体形势")
        self.assertEqual(len(hits), 1, hits)
        h = hits[0]
        # "一、总体形势" and "（一）连接与鸿沟" in a row: both start the passage
        self.assertEqual(h["section"], "一、总体形势 > （一）连接与鸿沟")
        self.assertEqual(h["lines"][0], 9)
        # the heading leads the snippet only because it matched, set apart
        self.assertTrue(h["snippet"].startswith("一、总体形势 （一）连接与鸿沟 据统计"), h["snippet"])
        # where the body matches, the snippet is the body's
        h = self.hits("区域协定")[0]
        self.assertEqual(h["section"], "二、规则进展")
        self.assertTrue(h["snippet"].startswith("各方围绕"), h["snippet"])
        # the trail after the table of contents is the body's, not 目录
        self.assertNotIn("目录", self.hits("据统计")[0]["section"])


class TestTitleOfManyFiles(StructureTest):
    """A title filter that many files match goes through the pairs of
    its characters in the titles: the same files as the titles' text
    says, none whose title holds the pairs apart."""

    def setUp(self):
        super().setUp()
        self.docs = os.path.join(self.tmp, "docs")
        os.makedirs(self.docs)
        titles = {"wp%02d.txt" % k: "数字治理白皮书（第%d辑）" % k for k in range(20)}
        # a zero-width space inside the word, which normalising drops
        titles["wp20.txt"] = "数字治理白\u200b皮书（第20辑）"
        titles["apart.txt"] = "白皮纸与皮书装订指南"   # 白皮 and 皮书, not 白皮书
        titles["blue.txt"] = "数字治理蓝皮书"
        titles["other.txt"] = "数据流动观察"
        for name, title in titles.items():
            with open(os.path.join(self.docs, name), "w", encoding="utf-8") as f:
                f.write(title + "\n\n各方围绕数据规则的磋商持续推进。\n")
        p = run_index(self.db, self.docs)
        self.assertEqual(p.returncode, 0, p.stderr)

    def files(self, *query):
        p, hits = search_json(self.db, *query, args=["-n", "1000"])
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return {os.path.basename(h["path"]) for h in hits}

    def pairs_on_every_passage(self):
        return damage("import glob, sys, xapian\n"
                      "for p in glob.glob(sys.argv[1] + '/shard-*'):\n"
                      "    d = xapian.Database(p)\n"
                      "    print(d.get_termfreq('XT白皮'), d.get_termfreq('XT皮书'), d.get_doccount())\n", self.db)

    @needs_search
    def test_the_files_whose_titles_hold_the_run(self):
        wp = {"wp%02d.txt" % k for k in range(21)}
        self.assertEqual(self.files("title:白皮书"), wp)
        self.assertEqual(self.files("规则", "title:白皮书"), wp)
        self.assertEqual(self.files("title:治理白皮书"), wp)
        self.assertEqual(self.files("title:皮书"), wp | {"apart.txt", "blue.txt"})
        self.assertEqual(self.files("规则", "-title:白皮书"), {"apart.txt", "blue.txt", "other.txt"})
        # a title few files hold, and one none does
        self.assertEqual(self.files("title:蓝皮书"), {"blue.txt"})
        self.assertEqual(self.files("title:白皮书装订"), set())

    def test_every_passage_has_its_titles_pairs(self):
        counts = [tuple(map(int, l.split())) for l in self.pairs_on_every_passage().splitlines()]
        # 21 white papers and the one with the pairs apart; and the blue book
        self.assertEqual(sum(c[0] for c in counts), 22)
        self.assertEqual(sum(c[1] for c in counts), 23)


class TestWordForms(StructureTest):
    """Both words stem to "govern": each finds the other, the form as
    written first."""

    def setUp(self):
        super().setUp()
        self.docs = os.path.join(self.tmp, "docs")
        os.makedirs(self.docs)
        for name, text in (("a.txt", "Data governance needs rules that states and firms both accept.\n"),
                           ("b.txt", "Each government sets the rules that states and firms must accept.\n")):
            with open(os.path.join(self.docs, name), "w", encoding="utf-8") as f:
                f.write(text)
        p = run_index(self.db, self.docs)
        self.assertEqual(p.returncode, 0, p.stderr)

    @needs_search
    def test_the_form_as_written_ranks_first(self):
        self.assertEqual([os.path.basename(h["path"]) for h in self.hits("governance")], ["a.txt", "b.txt"])
        self.assertEqual([os.path.basename(h["path"]) for h in self.hits("government")], ["b.txt", "a.txt"])
        self.assertEqual([os.path.basename(h["path"]) for h in self.hits('"governance"')], ["a.txt"])


@needs_search
class TestSharedCorpus(StructureTest):
    def setUp(self):
        super().setUp()
        if not HAVE_SHARED:
            self.skipTest(SHARED_MSG)
        p = run_index(self.db, SHARED)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_the_un_brief_has_its_lettered_sections(self):
        # body text of "C. 维护人权": the goals under it
        h = self.in_file(UN, "使人权成为开放")[0]
        self.assertEqual(h["section"].split(" > ")[-1], "C. 维护人权")
        trails = {h["section"] for h in self.in_file(UN, "数字", args=["-n", "500"])}
        for letter in "ABCDEFGH":
            self.assertTrue(any(t.split(" > ")[-1].startswith(letter + ". ") for t in trails), (letter, trails))
        # once two trails (导言, 结论) for the whole brief
        self.assertGreater(len(trails), 15)

    def test_a_query_naming_a_section_finds_its_body(self):
        # "A. 数字连通性和能力建设" heads ten bullets that never repeat it
        hits = self.in_file(UN, "数字连通性和能力建设")
        self.assertGreaterEqual(len(hits), 3, hits)
        for h in hits:
            self.assertEqual(h["section"].split(" > ")[-1], "A. 数字连通性和能力建设")
        # the passage with the heading itself comes first
        self.assertEqual(hits[0]["lines"][0], 532)
        # and a word of a heading ranks its section's body above a passing
        # mention: the top hits for 维护人权 are section C's
        top = self.hits("维护人权", args=["-n", "3"])
        self.assertTrue(all(h["section"].endswith("C. 维护人权") for h in top), [h["section"] for h in top])

    def test_the_blue_book_after_its_contents_is_not_labelled_contents(self):
        h = self.in_file(BLUE, "全球数字治理是指国际社会各行为体")[0]
        self.assertEqual(h["kind"], "body")
        self.assertNotIn("目", h["section"].replace(" ", "").replace("目标", ""))
        for h in self.in_file(BLUE, "数字", args=["-n", "1000"]):
            self.assertNotIn("目 录", h["section"])
        # the contents are one passage of their own kind
        kinds = [h["kind"] for h in self.in_file(BLUE, "数字全球化持续深化", args=["--all-kinds"])]
        self.assertIn("contents", kinds)
        self.assertNotIn("contents", [h["kind"] for h in self.in_file(BLUE, "数字全球化持续深化")])

    def test_bold_lines_are_the_markdown_commentary_s_headings(self):
        h = self.in_file(CISC, "复旦大学网络空间国际治理研究基地")[0]
        self.assertEqual(h["section"].split(" > ")[-1], "《全球数字契约》：推进全球数字治理迈出重要一步")
        # a bold lead-in at the start of a paragraph is no heading
        h = self.in_file(CISC, "契约旨在构建一个包容")[0]
        self.assertNotIn("构建包容性数字生态", h["section"])

    def test_a_footnote_splice_neither_breaks_nor_eats_the_sentence(self):
        # the 2022 white paper: "…持续推进网" / footnote 12 and two URLs / "络安全国际规范制定…"
        hits = self.in_file(WP2022, "网络安全国际规范制定")
        self.assertEqual(len(hits), 1, hits)
        self.assertIn("持续推进网络安全国际规范制定", squash(hits[0]["snippet"]))
        self.assertNotIn("gartner", hits[0]["snippet"].lower())
        # the footnote is a passage of its own, shown on request
        notes = [h for h in self.in_file(WP2022, "Gartner", args=["--all-kinds"]) if h["kind"] == "note"]
        self.assertEqual([h["lines"] for h in notes], [[1106, 1110]])
        self.assertNotIn("note", [h["kind"] for h in self.in_file(WP2022, "Gartner")])

    def test_a_heading_is_never_glued_to_the_paragraph_after_it(self):
        h = self.in_file(BLUE, "世界多极化趋势不可逆转")[0]
        self.assertEqual(h["section"].split(" > ")[-1], "（二）全球南方成为数字治理体系建设的关键推动者")
        self.assertNotIn("关键推动者世界", squash(h["snippet"]))

    def test_the_un_brief_s_endnotes_are_notes(self):
        # "15 数字合作研究金倡议可以借鉴…" is endnote 15, under 尾注
        self.assertEqual(self.in_file(UN, "研究金倡议"), [])
        self.assertEqual([h["kind"] for h in self.in_file(UN, "研究金倡议", args=["--all-kinds"])], ["note"])

    def test_footnote_urls_are_not_the_top_hits(self):
        hits = self.hits("AI", args=["-n", "10"])
        self.assertTrue(hits)
        for h in hits:
            self.assertEqual(h["kind"], "body")
            self.assertFalse(h["snippet"].lstrip("…").startswith("http"), h["snippet"])

    def test_full_width_years_are_years(self):
        n = search_count(self.db, "数字", "year:2023")
        self.assertGreater(n, 0)
        self.assertEqual(search_count(self.db, "数字", "year:２０２３"), n)
        self.assertEqual(search_count(self.db, "数字", "year:２０２２..２０２３"),
                         search_count(self.db, "数字", "year:2022..2023"))

    def test_capitalised_operators(self):
        n = search_count(self.db, "数字鸿沟", "-联合国")
        self.assertGreater(n, 0)
        self.assertEqual(search_count(self.db, "数字鸿沟", "NOT", "联合国"), n)
        for h in self.hits("数字鸿沟", "NOT", "联合国"):
            self.assertNotIn("联合国", h["snippet"])
        self.assertEqual(search_count(self.db, "AI", "AND", "数据"), search_count(self.db, "AI", "数据"))
        # lower-case "and" is a word, which few Chinese passages hold
        self.assertLess(search_count(self.db, "AI", "and", "数据"), search_count(self.db, "AI", "数据"))
        p = subprocess.run([SEARCH, "--db", self.db, "数字", "AND"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("AND at character 4 needs a word on each side", p.stderr)
        p = subprocess.run([SEARCH, "--db", self.db, "--", "数字", "NOT"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("NOT at character 4 needs a word after it", p.stderr)


@needs_search
class TestQuestions(StructureTest):
    """A question, or a long run that occurs nowhere as written, is read as
    its words; a short run still matches only as written."""

    def setUp(self):
        super().setUp()
        if not HAVE_SHARED:
            self.skipTest(SHARED_MSG)
        p = run_index(self.db, SHARED)
        self.assertEqual(p.returncode, 0, p.stderr)

    def summary(self, *query, args=()):
        p = subprocess.run([SEARCH, "--db", self.db, "--json", *args, "--", *query], capture_output=True, text=True)
        import json
        objs = [json.loads(l) for l in p.stdout.splitlines()]
        return p.returncode, [o for o in objs if o["type"] == "hit"], objs[-1]

    def test_a_chinese_question_finds_the_passages_that_answer_it(self):
        rc, hits, s = self.summary("欧盟如何监管人工智能")
        self.assertEqual((rc, s["matched"]), (0, "words"), s)
        # the blue book's paragraph on the EU's response to AI comes first
        # (read from the document: "欧盟采取多种手段力图应对人工智能发展滞后局面")
        top = [squash(open(h["path"], encoding="utf-8").read().split("\n")[h["lines"][0] - 1]) for h in hits[:3]]
        self.assertTrue(any("欧盟" in t and "人工智能" in t for t in top), top)
        # as written it occurs nowhere
        self.assertEqual(search_count(self.db, "欧盟如何监管人工智能"), 0)

    def test_an_english_question_leaves_its_function_words_out(self):
        rc, hits, s = self.summary("how", "to", "close", "the", "digital", "divide")
        self.assertEqual((rc, s["matched"]), (0, "words"), s)
        # no hit for "how", "to" or "the" alone: each highlights a word of substance
        for h in hits:
            words = {h["snippet"].encode()[a:b].decode().lower() for a, b in h["highlights"]}
            self.assertTrue(words and words <= {"close", "digital", "divide", "closing", "divides"}, words)

    def test_a_short_run_still_matches_only_as_written(self):
        rc, hits, s = self.summary("数字蓝天")  # four characters that occur nowhere together
        self.assertEqual((rc, hits, s["matched"]), (1, [], "all"))
        # and a quoted long run is exact, never read as words
        rc, hits, s = self.summary('"欧盟如何监管人工智能"')
        self.assertEqual((rc, hits), (1, []))

    def test_a_run_that_occurs_as_written_is_not_read_as_words(self):
        rc, hits, s = self.summary("全球数字治理体系")
        self.assertEqual((rc, s["matched"]), (0, "all"))
        for h in hits:
            self.assertIn("全球数字治理体系", squash(h["snippet"]))


if __name__ == "__main__":
    main()
