#!/usr/bin/env python3
"""The glossary: a query for one form of a concept finds its others
("digital economy" finds 数字经济, UNESCO finds 联合国教科文组织), exact
matches rank above glossary matches, hits say which form matched (via),
--no-synonyms restores the query as written; the user's glossary, one
beside the index, a Traditional query, malformed files, and --serve.  The
forms the index has terms for find what the forms' words find, and a
glossary that changes between indexing runs loses no passage."""

import json
import os
import subprocess

from harness import HAVE_SHARED, SEARCH, SHARED, SHARED_MSG, TempDirTest, main, needs_search, run_index, squash

BLUE = "caict-global-digital-governance-bluebook-2025.txt"
UN = "un-global-digital-compact-policy-brief-2023.txt"

GLOSSARY = """# a test glossary
数字经济 | digital economy
联合国教科文组织 | 教科文组织 | UNESCO
开源 | open source
"""


class GlossaryBase(TempDirTest):
    def setUp(self):
        super().setUp()
        if not HAVE_SHARED:
            self.skipTest(SHARED_MSG)
        self.glossary = os.path.join(self.tmp, "glossary.txt")
        with open(self.glossary, "w", encoding="utf-8") as f:
            f.write(GLOSSARY)
        p = run_index(self.db, SHARED)
        self.assertEqual(p.returncode, 0, p.stderr)

    def run_search(self, *query, args=(), glossary=None, env=None):
        e = dict(os.environ)
        e["WENSOU_GLOSSARY"] = self.glossary if glossary is None else glossary
        e.update(env or {})
        p = subprocess.run([SEARCH, "--db", self.db, "--json", "-n", "100", *args, "--", *query],
                           capture_output=True, text=True, env=e)
        objs = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
        return p, [o for o in objs if o["type"] == "hit"]

    def hits(self, *query, **kw):
        p, hits = self.run_search(*query, **kw)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return hits

    @staticmethod
    def highlighted(h):
        s = h["snippet"].encode()
        return {s[a:b].decode() for a, b in h["highlights"]}


@needs_search
class GlossaryTest(GlossaryBase):
    """A glossary of three concepts written here."""

    def test_english_finds_the_chinese_passages_of_its_concept(self):
        hits = self.hits("digital", "economy")
        self.assertGreater(len(hits), 20)
        for h in hits:
            if not h["via"]:
                # found by its section's heading, which names the concept
                self.assertIn("数字经济", h["section"].split(" > ")[-1], h)
                continue
            self.assertEqual(h["via"], ["数字经济"], h)
            self.assertIn("数字经济", self.highlighted(h))
        # as written no passage has both words: at best a relaxed search
        p, plain = self.run_search("digital", "economy", args=["--no-synonyms"])
        self.assertTrue(all(not h["via"] and "数字经济" not in h["snippet"] for h in plain))

    def test_an_abbreviation_finds_the_body_s_chinese_names(self):
        hits = [h for h in self.hits("UNESCO") if os.path.basename(h["path"]) == BLUE]
        self.assertTrue(hits)
        for h in hits:
            self.assertTrue(self.highlighted(h) & {"联合国教科文组织", "教科文组织"}, h)
        # and the other way: the long name finds the short one in the UN brief
        un = [h for h in self.hits("联合国教科文组织") if os.path.basename(h["path"]) == UN]
        self.assertTrue(un)
        self.assertTrue(all("教科文组织" in h["via"] for h in un), un)

    def test_exact_matches_rank_above_glossary_matches(self):
        hits = self.hits("开源")
        via = [bool(h["via"]) for h in hits]
        self.assertIn(False, via)
        # every passage that says 开源 comes before any found only through
        # "open source"
        if True in via:
            self.assertEqual(via, sorted(via), via)
        exact = self.hits("开源", args=["--no-synonyms"])
        self.assertEqual([(h["path"], h["lines"]) for h in hits if not h["via"]],
                         [(h["path"], h["lines"]) for h in exact])

    def test_no_synonyms_restores_the_query_as_written(self):
        for q in (["数字经济"], ["UNESCO"], ["open", "source"]):
            a = self.hits(*q, args=["--no-synonyms"])
            b = self.hits(*q, glossary="")
            self.assertEqual([(h["path"], h["lines"], h["score"]) for h in a],
                             [(h["path"], h["lines"], h["score"]) for h in b], q)
            self.assertTrue(all(h["via"] == [] for h in a))

    def test_a_traditional_query_expands_too(self):
        trad = self.hits("數字經濟")
        simp = self.hits("数字经济")
        self.assertEqual([(h["path"], h["lines"]) for h in trad], [(h["path"], h["lines"]) for h in simp])
        self.assertEqual([(h["path"], h["lines"]) for h in self.hits("Digital", "Economies")],
                         [(h["path"], h["lines"]) for h in self.hits("digital", "economy")])

    def test_the_user_s_glossary_and_one_beside_the_index(self):
        # WENSOU_GLOSSARY unset: the shipped glossary, then the user's, then the index's
        env = dict(os.environ)
        env.pop("WENSOU_GLOSSARY", None)
        cfg = os.path.join(self.tmp, "config")
        os.makedirs(os.path.join(cfg, "wensou"))
        with open(os.path.join(cfg, "wensou", "glossary.txt"), "w", encoding="utf-8") as f:
            f.write("星际之门 | Stargate\n")
        env["XDG_CONFIG_HOME"] = cfg
        p = subprocess.run([SEARCH, "--db", self.db, "--count", "Stargate"], capture_output=True, text=True, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertGreater(int(p.stdout), 0)
        with open(os.path.join(self.db, "glossary.txt"), "w", encoding="utf-8") as f:
            f.write("智能鸿沟 | AI divide\n")
        p = subprocess.run([SEARCH, "--db", self.db, "--count", "AI", "divide"], capture_output=True, text=True,
                           env=env)
        n = int(p.stdout)
        p = subprocess.run([SEARCH, "--db", self.db, "--count", "智能鸿沟"], capture_output=True, text=True, env=env)
        self.assertEqual(n, int(p.stdout))

    def test_a_malformed_glossary_is_an_error_naming_its_line(self):
        bad = os.path.join(self.tmp, "bad.txt")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("# fine\n数字经济 | digital economy\n只有一个\n")
        p, hits = self.run_search("数字", glossary=bad)
        self.assertEqual(p.returncode, 2)
        self.assertIn(f"{bad}:3: a concept needs two forms or more", p.stderr)
        with open(bad, "w", encoding="utf-8") as f:
            f.write("数字经济 |  | digital economy\n")
        p, hits = self.run_search("数字", glossary=bad)
        self.assertEqual(p.returncode, 2)
        self.assertIn(f"{bad}:1: an empty form", p.stderr)
        # a missing file is no error
        p, hits = self.run_search("数字", glossary=os.path.join(self.tmp, "none.txt"))
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_serve_expands_unless_asked_not_to(self):
        env = dict(os.environ, WENSOU_GLOSSARY=self.glossary)
        reqs = "\n".join(json.dumps(r) for r in ({"id": 1, "query": "digital economy"},
                                                 {"id": 2, "query": "digital economy", "synonyms": False},
                                                 {"id": 3, "query": "x", "synonyms": "no"})) + "\n"
        p = subprocess.run([SEARCH, "--db", self.db, "--serve"], input=reqs, capture_output=True, text=True, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        objs = [json.loads(l) for l in p.stdout.splitlines()]
        summ = {o["id"]: o for o in objs if o["type"] == "summary"}
        self.assertEqual((summ[1]["hits"], summ[1]["matched"]), (10, "all"))
        # without: only passages with one of the two words
        self.assertEqual(summ[2]["matched"], "some")
        err = [o for o in objs if o["type"] == "error"]
        self.assertEqual([o["id"] for o in err], [3])
        self.assertIn("synonyms", err[0]["message"])


# English (or an abbreviation) for a concept the corpus writes in Chinese:
# the passage holding the span, in the file, is among the hits.
# The spans were read in the documents; the corpus never writes the query.
SHIPPED = [
    ("Summit of the Future", UN, "未来峰会在制定《全球数"),
    ("Global Digital Compact", UN, "本简报建议制定一项《全球数字契约》"),
    ("net neutrality", UN, "承诺维护网络中立性"),
    ("Internet Governance Forum", UN, "特别是互联网治理论坛和信息社会世界"),
    ("Tunis Agenda", UN, "2005年《信息社会突尼斯议程》中规定的原则"),
    ("High-level Panel on Digital Cooperation", UN, "自数字合作高级别小组发表报告以来"),
    ("International Labour Organization", UN, "国际劳工组织的三方结构"),
    ("United Nations Environment Programme", UN, "由联合国环境规划署推动的数字环境"),
    ("World Trade Organization", BLUE, "发展中国家积极推动世界贸易组织重振技术转让"),
    ("International Trade Centre", BLUE, "国际贸易中心（ITC）发布"),
    ("Independent International Scientific Panel on AI", BLUE, "成立“人工智能独立国际科学小组”"),
    ("Office for Outer Space Affairs", BLUE, "联合国外层空间事务厅（UNOOSA）"),
    ("UN General Assembly", BLUE, "联合国大会决议举办信息社会"),
    ("Antonio Guterres", BLUE, "联合国秘书长古特雷斯表示"),
    ("Pact for the Future", BLUE, "支持联合国落实《未来契约》"),
    ("Declaration on Future Generations", "cisc-global-digital-compact-commentary-2024.md", "《子孙后代问题宣言》"),
]


@needs_search
class ShippedGlossaryTest(GlossaryBase):
    """The glossary shipped with wensou (glossary/digital-governance.txt)."""

    def setUp(self):
        super().setUp()
        self.glossary = os.path.join(os.environ.get("WENSOU_SOURCE_ROOT", ""), "glossary", "digital-governance.txt")
        self.assertTrue(os.path.exists(self.glossary), self.glossary)

    def test_english_finds_the_chinese_passages_of_sixteen_concepts(self):
        missed = []
        for query, name, span in SHIPPED:
            with open(os.path.join(SHARED, name), encoding="utf-8") as f:
                self.assertNotIn(query.lower(), f.read().lower(), "the corpus writes the query itself")
            hits = self.hits(*query.split(), args=["-n", "500"])
            found = False
            for h in hits:
                if os.path.basename(h["path"]) != name:
                    continue
                with open(h["path"], encoding="utf-8") as f:
                    text = squash("".join(f.read().split("\n")[h["lines"][0] - 1:h["lines"][1]]))
                found |= squash(span) in text
            if not found:
                missed.append(query)
            # and nothing without the glossary
            self.assertFalse(any(squash(span) in squash(h["snippet"])
                                 for h in self.hits(*query.split(), args=["-n", "500", "--no-synonyms"])), query)
        self.assertEqual(missed, [])

    def test_publisher_names_fold_too(self):
        caict = sorted(f for f in os.listdir(SHARED) if f.startswith("caict-"))
        env = {"WENSOU_GLOSSARY": self.glossary}
        for args in (["--source", "信通院"], ["--source", "CAICT"], ["--source", "中国信息通信研究院"]):
            p = subprocess.run([SEARCH, "--db", self.db, "--files", *args, "数字"], capture_output=True, text=True,
                               env=dict(os.environ, **env))
            self.assertEqual(p.returncode, 0, (args, p.stderr))
            self.assertEqual(sorted(os.path.basename(l) for l in p.stdout.splitlines()), caict, args)
        p = subprocess.run([SEARCH, "--db", self.db, "--files", "数字", "source:CAICT"], capture_output=True, text=True,
                           env=dict(os.environ, **env))
        self.assertEqual(sorted(os.path.basename(l) for l in p.stdout.splitlines()), caict)
        # without the glossary, a short form names no publisher
        p = subprocess.run([SEARCH, "--db", self.db, "--files", "--no-synonyms", "--source", "信通院", "数字"],
                           capture_output=True, text=True, env=dict(os.environ, **env))
        self.assertEqual((p.returncode, p.stdout), (1, ""))

    def test_chinese_finds_an_english_abbreviation(self):
        # the blue book writes ODET beside its Chinese name once, and alone elsewhere
        hits = self.hits("联合国数字和新兴技术办公室", args=["-n", "50"])
        self.assertTrue(any("ODET" in h["via"] for h in hits) or
                        any("ODET" in h["snippet"] for h in hits), [h["snippet"] for h in hits])


SHIPPED_PATH = os.path.join(os.environ.get("WENSOU_SOURCE_ROOT", ""), "glossary", "digital-governance.txt")


def shipped_forms(every=9):
    """Every every-th form of the shipped glossary, in file order."""
    forms = []
    with open(SHIPPED_PATH, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                forms += [x.strip() for x in line.split("|")]
    return forms[::every]


@needs_search
class FormTermsTest(TempDirTest):
    """An index made with the shipped glossary has a term for each of its
    forms of three Han characters or of two words and more (XF): a search
    through those must find the passages a search through the forms'
    bigrams and phrases finds, in the same index without them."""

    def setUp(self):
        super().setUp()
        if not HAVE_SHARED:
            self.skipTest(SHARED_MSG)
        self.with_forms = self.db
        self.without = os.path.join(self.tmp, "plain")
        for db, glossary in ((self.with_forms, SHIPPED_PATH), (self.without, "")):
            p = run_index(db, SHARED, env=dict(os.environ, WENSOU_GLOSSARY=glossary))
            self.assertEqual(p.returncode, 0, p.stderr)

    def found(self, db, query, args=()):
        p = subprocess.run([SEARCH, "--db", db, "--json", "-n", "100000", *args, "--", query], capture_output=True,
                           text=True, env=dict(os.environ, WENSOU_GLOSSARY=SHIPPED_PATH))
        self.assertIn(p.returncode, (0, 1), (query, p.stderr))
        hits = [json.loads(l) for l in p.stdout.splitlines() if l.startswith('{"type":"hit"')]
        return sorted((os.path.basename(h["path"]), tuple(h["lines"])) for h in hits)

    def test_a_form_s_term_finds_what_its_words_find(self):
        forms = shipped_forms()
        self.assertGreater(len(forms), 150)
        found_some = 0
        for form in forms:
            for args in ((), ("--no-synonyms",)):
                a, b = self.found(self.with_forms, form, args), self.found(self.without, form, args)
                self.assertEqual(a, b, (form, args))
                found_some += bool(a)
        self.assertGreater(found_some, 100)

    def test_the_words_of_a_question_and_of_a_filter_too(self):
        for query in ("如何落实全球数字契约", "人工智能 year:2023", "数字鸿沟 OR 智能鸿沟", "联合国 -人工智能",
                      "source:信通院 数字经济", '"全球数字契约"'):
            self.assertEqual(self.found(self.with_forms, query), self.found(self.without, query), query)


@needs_search
class SynonymWeightTest(TempDirTest):
    """A concept's other forms weigh as one term: one occurrence of an
    English form counts as much as one of a Chinese form, not twice (as
    its stem and again as written)."""

    def test_one_occurrence_of_each_form_weighs_the_same(self):
        docs = os.path.join(self.tmp, "docs")
        os.makedirs(docs)
        for name, text in (("a.txt", "各国讨论了 compact 的落实。\n"), ("b.txt", "各国讨论了数码公约的落实。\n")):
            with open(os.path.join(docs, name), "w", encoding="utf-8") as f:
                f.write(text)
        glossary = os.path.join(self.tmp, "glossary.txt")
        with open(glossary, "w", encoding="utf-8") as f:
            f.write("数字契约 | compact | 数码公约\n")
        env = dict(os.environ, WENSOU_GLOSSARY=glossary)
        p = run_index(self.db, docs, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        # the form as written is in neither: both are found by the others
        p = subprocess.run([SEARCH, "--db", self.db, "--json", "--", "数字契约"], capture_output=True, text=True,
                           env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        hits = [json.loads(l) for l in p.stdout.splitlines() if l.startswith('{"type":"hit"')]
        self.assertEqual(sorted((os.path.basename(h["path"]), h["via"]) for h in hits),
                         [("a.txt", ["compact"]), ("b.txt", ["数码公约"])])
        # both passages are short (the same length norm) and hold one form once
        self.assertAlmostEqual(hits[0]["score"], hits[1]["score"], places=6, msg=hits)


@needs_search
class GlossaryChangeTest(TempDirTest):
    """A form that comes into the glossary after passages were indexed has
    no term in them: searches must still find them all."""

    def index(self, glossary):
        path = os.path.join(self.tmp, f"glossary-{len(os.listdir(self.tmp))}.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(glossary)
        p = run_index(self.db, self.docs, env=dict(os.environ, WENSOU_GLOSSARY=path))
        self.assertEqual(p.returncode, 0, p.stderr)
        return path

    def count(self, query, glossary):
        p = subprocess.run([SEARCH, "--db", self.db, "--count", "--", query], capture_output=True, text=True,
                           env=dict(os.environ, WENSOU_GLOSSARY=glossary))
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return int(p.stdout.strip() or 0)

    def write(self, name, text):
        with open(os.path.join(self.docs, name), "w", encoding="utf-8") as f:
            f.write(text)

    def test_forms_added_and_removed_between_runs(self):
        self.docs = os.path.join(self.tmp, "docs")
        os.makedirs(self.docs)
        self.write("a.md", "# 第一份\n\n各国承诺落实全球数字契约，推动数字经济发展。\n")
        self.index("数字经济 | digital economy\n")
        self.write("b.md", "# 第二份\n\n全球数字契约的后续进程，见 Global Digital Compact 一文。\n")
        with_it = self.index("数字经济 | digital economy\n全球数字契约 | Global Digital Compact\n")
        # a.md was indexed without the form's term, b.md with it
        self.assertEqual(self.count("全球数字契约", with_it), 2)
        self.assertEqual(self.count("Global Digital Compact", with_it), 2)
        self.write("c.md", "# 第三份\n\n全球数字契约与数字经济。\n")
        without = self.index("数字经济 | digital economy\n")
        self.assertEqual(self.count("全球数字契约", without), 3)
        self.assertEqual(self.count("全球数字契约", with_it), 3)
        self.assertEqual(self.count("数字经济", without), 2)
        # a rebuild gives every passage the terms of the glossary it reads
        p = run_index(self.db, self.docs, args=("--rebuild",), env=dict(os.environ, WENSOU_GLOSSARY=with_it))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.count("全球数字契约", with_it), 3)
        self.assertEqual(self.count("Global Digital Compact", with_it), 3)


if __name__ == "__main__":
    main()
