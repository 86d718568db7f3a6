"""--stats, --by-year and --by-source on the real reports, against
counts computed another way: the files on disk, and --count and --files
with filters."""

import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import HAVE_SHARED, SEARCH, SHARED_MSG, TempDirTest, main, needs_search, run_index


def lines_json(stdout):
    return [json.loads(l) for l in stdout.splitlines() if l.strip()]


@needs_search
@unittest.skipUnless(HAVE_SHARED, SHARED_MSG)
class TestTally(TempDirTest):
    def setUp(self):
        super().setUp()
        self.docs = self.copy_shared()
        p = run_index(self.db, self.docs)
        self.assertEqual(p.returncode, 0, p.stderr)

    def run_search(self, *args):
        return subprocess.run([SEARCH, "--db", self.db, *args], capture_output=True, text=True, timeout=120)

    def count(self, *args):
        p = self.run_search("--count", *args)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return int(p.stdout)

    def files(self, *args):
        p = self.run_search("--files", *args)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return p.stdout.splitlines()

    def test_stats(self):
        p = self.run_search("--stats", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        (st,) = lines_json(p.stdout)
        reports = [f for f in os.listdir(self.docs) if f != "wensou-meta.json"]
        self.assertEqual(st["documents"], len(reports))
        # every kind of passage: --stats counts the index, not what a search shows
        self.assertEqual(st["passages"], self.count("--all-kinds", "--", "year:1000.."), "every report has a year")
        self.assertEqual(st["text_bytes"], sum(os.path.getsize(os.path.join(self.docs, f)) for f in reports))
        exts = {}
        for f in reports:
            exts[f.rsplit(".", 1)[1]] = exts.get(f.rsplit(".", 1)[1], 0) + 1
        self.assertEqual({r["format"]: r["documents"] for r in st["formats"]}, exts)
        for r in st["years"]:
            self.assertEqual(r["passages"], self.count("--all-kinds", "--", f"year:{r['year']}"), r)
            self.assertEqual(r["documents"], len(self.files("--", f"year:{r['year']}")), r)
        self.assertEqual(sum(r["passages"] for r in st["years"]), st["passages"])
        with open(os.path.join(self.docs, "wensou-meta.json"), encoding="utf-8") as f:
            meta = json.load(f)["files"]
        sources = {}
        for m in meta.values():
            sources[m["source"]] = sources.get(m["source"], 0) + 1
        self.assertEqual({r["source"]: r["documents"] for r in st["sources"]}, sources)
        for r in st["sources"]:
            if not any(r["source"] in s and r["source"] != s for s in sources):
                self.assertEqual(r["passages"], self.count("--all-kinds", "--", f"source:{r['source']}"), r)
        (db,) = st["indexes"]
        self.assertEqual(db["path"], self.db)
        du = sum(os.lstat(os.path.join(d, f)).st_blocks * 512 for d, _, fs in os.walk(self.db) for f in fs)
        self.assertGreaterEqual(db["disk_bytes"], du)
        self.assertRegex(db["last_indexed"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        # the terminal table says the same
        p = self.run_search("--stats")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, rf"(?m)^documents +{st['documents']} ")
        self.assertRegex(p.stdout, rf"(?m)^passages +{st['passages']}$")
        for r in st["years"]:
            self.assertRegex(p.stdout, rf"(?m)^{r['year']} +{r['documents']} +{r['passages']}$")
        self.assertIn("last indexed", p.stdout)
        # --stats describes the whole index
        p = self.run_search("--stats", "数字")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--stats", p.stderr)

    def check_tally(self, key, query):
        p = self.run_search(f"--by-{key}", "--json", query)
        self.assertEqual(p.returncode, 0, p.stderr)
        objs = lines_json(p.stdout)
        total = objs[-1]
        self.assertEqual(total, {"type": "total", "by": key, "passages": self.count(query),
                                 "documents": len(self.files(query))})
        buckets = objs[:-1]
        self.assertTrue(buckets)
        self.assertEqual(sum(b["passages"] for b in buckets), total["passages"])
        self.assertEqual(sum(b["documents"] for b in buckets), total["documents"])
        for b in buckets:
            self.assertEqual(b["type"], key)
            opt = [f"--{key}", str(b[key])]
            self.assertEqual(b["passages"], self.count(*opt, query), b)
            self.assertEqual(b["documents"], len(self.files(*opt, query)), b)
        # the table: one row per bucket with the same numbers, a bar each
        p = self.run_search(f"--by-{key}", query)
        self.assertEqual(p.returncode, 0)
        rows = p.stdout.splitlines()
        self.assertEqual(rows[0], f"{total['passages']} passages in {total['documents']} documents match {query}")
        for b in buckets:
            self.assertTrue(any(re.match(rf"^{re.escape(str(b[key]))} +{b['passages']} +{b['documents']}  █", r)
                                for r in rows), (b, rows))
        return buckets

    def test_by_year(self):
        buckets = self.check_tally("year", "数据治理")
        self.assertEqual([b["year"] for b in buckets], sorted(b["year"] for b in buckets))

    def test_by_source(self):
        buckets = self.check_tally("source", "全球数字契约")
        self.assertEqual([b["passages"] for b in buckets], sorted((b["passages"] for b in buckets), reverse=True))

    def test_no_match_and_bad_combinations(self):
        p = self.run_search("--by-year", "qqqzzzxxx")
        self.assertEqual(p.returncode, 1)
        p = self.run_search("--by-year", "--json", "qqqzzzxxx")
        self.assertEqual(lines_json(p.stdout), [{"type": "total", "by": "year", "passages": 0, "documents": 0}])
        for args in (["--by-year", "--count"], ["--by-source", "-n", "3"], ["--by-year", "--files"]):
            p = self.run_search(*args, "数字")
            self.assertEqual(p.returncode, 2, args)
            self.assertIn("--by-", p.stderr)


@needs_search
class TestTallyByHits(TempDirTest):
    """Counts against the hits themselves (--json with every hit), on
    sources where one contains another: a --source filter matches both."""

    def setUp(self):
        super().setUp()
        docs = os.path.join(self.tmp, "docs")
        os.makedirs(docs)
        files = {"a-2021.txt": "联合国", "b-2022.txt": "联合国开发计划署", "c-2022.txt": "联合国开发计划署",
                 "d.txt": None, "e-2023.txt": "中国信息通信研究院"}
        meta = {"files": {}}
        for name, source in files.items():
            with open(os.path.join(docs, name), "w", encoding="utf-8") as f:
                for i in range(1 + len(name) % 3):
                    f.write(f"第{i}段：数据治理与数字鸿沟是{name}讨论的重点。" + "各方应当加强合作，完善规则体系。" * 8
                            + "\n\n" + "另一段只谈别的事情，与前文无关。" * 8 + "\n\n")
            if source:
                meta["files"][name] = {"source": source}
        with open(os.path.join(docs, "wensou-meta.json"), "w", encoding="utf-8") as f:
            json.dump(meta, f, ensure_ascii=False)
        p = run_index(self.db, docs)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_buckets_equal_the_hits(self):
        query = "数据治理"
        p = subprocess.run([SEARCH, "--db", self.db, "--json", "-n", "1000", query], capture_output=True, text=True)
        hits = [o for o in lines_json(p.stdout) if o["type"] == "hit"]
        self.assertGreater(len(hits), len({h['path'] for h in hits}), "some documents have several hits")
        for key in ("year", "source"):
            want = {}
            for h in hits:
                b = want.setdefault(h[key], [0, set()])
                b[0] += 1
                b[1].add(h["path"])
            p = subprocess.run([SEARCH, "--db", self.db, "--json", f"--by-{key}", query], capture_output=True,
                               text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            got = {o[key]: [o["passages"], o["documents"]] for o in lines_json(p.stdout) if o["type"] == key}
            self.assertEqual(got, {k: [v[0], len(v[1])] for k, v in want.items()}, key)


if __name__ == "__main__":
    main()
