#!/usr/bin/env python3
"""Command-line tests of wensou-search: index the real reports with the real
wensou-index, run the real searcher, and check what a user or an editor gets
back, field by field: JSON objects (no unknown field), locations that open
at the match, snippets and highlights, filters, exit codes and messages."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import damage

INDEX = os.environ.get("WENSOU_INDEX", "")
SEARCH = os.environ.get("WENSOU_SEARCH", "")
SHARED = os.environ.get("WENSOU_SHARED_CORPUS", "")

HAVE_SHARED = bool(SHARED) and os.path.isdir(SHARED)
SHARED_MSG = "../shared/corpus is absent: real-report tests skipped"
HAVE_BINARIES = all(p and os.path.exists(p) for p in (INDEX, SEARCH))
BINARIES_MSG = "wensou-index or wensou-search not built"

WP2022 = "caict-global-digital-governance-whitepaper-2022.txt"
WP2023 = "caict-global-digital-governance-whitepaper-2023.txt"
BB2025 = "caict-global-digital-governance-bluebook-2025.txt"
CISC = "cisc-global-digital-compact-commentary-2024.md"
UN = "un-global-digital-compact-policy-brief-2023.txt"
YEARS = {WP2022: 2022, WP2023: 2023, BB2025: 2025, CISC: 2024, UN: 2023}

# JSON Lines version 1 (doc/json.md): exactly these fields.
HIT_FIELDS = {
    "type": str, "rank": int, "score": (int, float), "path": str, "title": (str, type(None)),
    "year": (int, type(None)), "source": (str, type(None)), "page": (int, type(None)),
    "page_label": (str, type(None)), "lines": list, "line": int, "column": int, "column_char": int, "section": str,
    "kind": str, "via": list,
    "snippet": str, "highlights": list,
}
SUMMARY_FIELDS = {"type": str, "hits": int, "estimated_total": int, "elapsed_ms": (int, float),
                  "relaxed": bool, "matched": str}
ERROR_FIELDS = {"type": str, "message": str}

HAN = r"\u3400-\u9fff\uf900-\ufaff"


def squash(s):
    """Text as it reads: without the white space that hard line breaks put
    inside words (PDF extraction)."""
    return re.sub(r"\s+", "", s)


def han_join(s):
    """Remove line breaks and spaces between Han characters only."""
    return re.sub(rf"(?<=[{HAN}])\s+(?=[{HAN}])", "", s)


def base(h):
    return os.path.basename(h["path"])


def run(*args, env=None):
    """Run wensou-search; stdout and stderr as bytes."""
    return subprocess.run([SEARCH, *args], capture_output=True, env=env, timeout=120)


def decode(p):
    return p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")


class Search:
    """Helpers shared by the test classes; self.db is an index."""

    def cmd(self, *args, env=None):
        return run("--db", self.db, *args, env=env)

    def check_object(self, o, fields):
        self.assertEqual(set(o), set(fields), f"unexpected or missing fields in {o}")
        for k, t in fields.items():
            self.assertIsInstance(o[k], t, f"field {k} of {o}")
            if t is int:
                self.assertNotIsInstance(o[k], bool, k)

    def parse_json(self, out):
        """Every line a JSON object of a known type with exactly its fields;
        hits first (ranks 1, 2, ...), then one summary."""
        objs = [json.loads(line) for line in out.splitlines()]
        self.assertTrue(objs, "no JSON output")
        for o in objs[:-1]:
            self.assertEqual(o.get("type"), "hit", o)
            self.check_object(o, HIT_FIELDS)
            self.assertEqual(len(o["lines"]), 2)
            self.assertLessEqual(o["lines"][0], o["line"])
            self.assertLessEqual(o["line"], o["lines"][1])
            for a, b in o["highlights"]:
                self.assertLess(a, b)
                self.assertLessEqual(b, len(o["snippet"].encode()))
        self.check_object(objs[-1], SUMMARY_FIELDS)
        self.assertEqual(objs[-1]["type"], "summary")
        self.assertEqual(objs[-1]["hits"], len(objs) - 1)
        return objs[:-1], objs[-1]

    def search(self, *query, args=(), expect=0):
        p = self.cmd("--json", *args, "--", *query)
        out, err = decode(p)
        self.assertEqual(p.returncode, expect, err)
        hits, summ = self.parse_json(out)
        return hits, summ

    def passage_text(self, h):
        with open(h["path"], encoding="utf-8") as f:
            lines = f.read().split("\n")
        a, b = h["lines"]
        return "\n".join(lines[a - 1:b])

    def found_text(self, h):
        """Where a hit's units were found: its text, or the heading of its
        own section (the last of its trail), which a unit matches too."""
        return han_join(self.passage_text(h)) + "\n" + h["section"].split(" > ")[-1]

    def highlighted(self, h):
        snip = h["snippet"].encode()
        return [snip[a:b].decode() for a, b in h["highlights"]]

    def check_error(self, *args, needle=None):
        """Exit 2 with a message on stderr; with --json also an error object."""
        p = self.cmd(*args)
        out, err = decode(p)
        self.assertEqual(p.returncode, 2, f"{args}: {out} {err}")
        self.assertTrue(err.startswith("wensou-search: "), err)
        if needle:
            self.assertIn(needle, err)
        self.assertNotIn("Traceback", err)
        p = self.cmd("--json", *args)
        out, err2 = decode(p)
        self.assertEqual(p.returncode, 2)
        objs = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(len(objs), 1, out)
        self.check_object(objs[0], ERROR_FIELDS)
        self.assertEqual(objs[0]["type"], "error")
        return err


_shared_index = {}


def shared_index():
    """One index of ../shared/corpus for the whole run."""
    if "db" not in _shared_index:
        tmp = tempfile.mkdtemp(prefix="wensou-search-test-")
        db = os.path.join(tmp, "index")
        p = subprocess.run([INDEX, "--db", db, "--progress=never", SHARED], capture_output=True,
                           text=True, timeout=600)
        if p.returncode != 0:
            raise RuntimeError("wensou-index failed: " + p.stderr)
        _shared_index.update(tmp=tmp, db=db)
    return _shared_index["db"]


def tearDownModule():
    if "tmp" in _shared_index:
        shutil.rmtree(_shared_index["tmp"], ignore_errors=True)


@unittest.skipUnless(HAVE_BINARIES, BINARIES_MSG)
@unittest.skipUnless(HAVE_SHARED, SHARED_MSG)
class TestResults(Search, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = shared_index()

    def test_digital_divide_field_by_field(self):
        hits, summ = self.search("数字鸿沟", args=["-n", "60"])
        self.assertGreaterEqual(len(hits), 10)
        self.assertFalse(summ["relaxed"])
        self.assertGreaterEqual(summ["estimated_total"], len(hits))
        self.assertEqual([h["rank"] for h in hits], list(range(1, len(hits) + 1)))
        scores = [h["score"] for h in hits]
        self.assertEqual(scores, sorted(scores, reverse=True))
        files = set()
        for h in hits:
            name = base(h)
            files.add(name)
            self.assertTrue(os.path.isabs(h["path"]))
            self.assertEqual(os.path.dirname(h["path"]), os.path.realpath(SHARED))
            self.assertEqual(h["year"], YEARS[name])
            self.assertEqual(h["source"], "联合国" if name == UN else
                             "中国信息安全" if name == CISC else "中国信息通信研究院")
            self.assertIn("数字鸿沟", self.found_text(h), h)
            if "数字鸿沟" not in han_join(self.passage_text(h)):
                # found by its section's heading: the body of a section about it
                self.assertIn("数字鸿沟", h["section"].split(" > ")[-1])
                continue
            self.assertIn("数字鸿沟", h["snippet"])
            self.assertIn("数字鸿沟", self.highlighted(h))
            # The location opens at the match.
            with open(h["path"], "rb") as f:
                line = f.read().split(b"\n")[h["line"] - 1]
            self.assertTrue(line[h["column"] - 1:].startswith("数".encode()), (h, line))
            chars = line[:h["column"] - 1].decode("utf-8")
            self.assertEqual(len(chars) + 1, h["column_char"])
        self.assertEqual(files, set(YEARS))

    def test_words_broken_across_lines_are_found_and_highlighted(self):
        # In the PDF-extracted 2022 white paper lines break inside words.
        with open(os.path.join(SHARED, WP2022), encoding="utf-8") as f:
            text = f.read()
        m = re.search(rf"([{HAN}]{{2}})\n\s*\n?([{HAN}]{{2}})", text)
        word = m.group(1) + m.group(2)
        hits, _ = self.search(word, args=["--year", "2022", "-n", "50"])
        self.assertTrue(hits, word)
        for h in hits:
            self.assertIn(word, han_join(self.passage_text(h)))
            self.assertIn(word, self.highlighted(h), h["snippet"])

    def test_year_2022_is_the_2022_white_paper(self):
        hits, _ = self.search("数字", args=["--year", "2022", "-n", "200"])
        self.assertGreater(len(hits), 20)
        self.assertEqual({base(h) for h in hits}, {WP2022})
        hits, _ = self.search("数字 year:2022", args=["-n", "200"])
        self.assertEqual({base(h) for h in hits}, {WP2022})

    def test_since_until_and_year_ranges(self):
        def files(query, *args):
            hits, _ = self.search(query, args=["-n", "500", *args])
            return {base(h) for h in hits}
        everything = files("数字")
        self.assertEqual(everything, set(YEARS))
        self.assertEqual(files("数字", "--since", "2024"), {BB2025, CISC})
        self.assertEqual(files("数字", "--until", "2022"), {WP2022})
        self.assertEqual(files("数字", "--since", "2023", "--until", "2023"), {WP2023, UN})
        self.assertEqual(files("数字 year:2023..2024"), {WP2023, UN, CISC})
        self.assertEqual(files("数字 year:2024.."), {BB2025, CISC})
        self.assertEqual(files("数字 year:..2022"), {WP2022})
        hits, _ = self.search("数字", args=["--year", "2019"], expect=1)
        self.assertEqual(hits, [])

    def test_source_and_title_filters(self):
        def files(*q, args=()):
            hits, _ = self.search(*q, args=["-n", "500", *args])
            return {base(h) for h in hits}
        self.assertEqual(files("数字", args=["--source", "联合国"]), {UN})
        self.assertEqual(files("数字", args=["--source", "信息安全"]), {CISC})
        self.assertEqual(files("数字", args=["--source", "联合国", "--source", "信息安全"]), {UN, CISC})
        self.assertEqual(files("数字", args=["--source", "中国"]), {WP2022, WP2023, BB2025, CISC})
        self.assertEqual(files("数字 source:通信研究院"), {WP2022, WP2023, BB2025})
        self.assertEqual(files("数字 source:联合国 OR source:信息安全"), {UN, CISC})
        self.assertEqual(files("数字 title:白皮书"), {WP2022, WP2023})
        self.assertEqual(files("数字 title:蓝皮书"), {BB2025})
        self.assertEqual(files('数字 title:"全球数字契约"'), {UN, CISC})
        self.assertEqual(files("数字 -title:白皮书"), {BB2025, UN, CISC})
        # Normalised like the text: full-width and Traditional input.
        self.assertEqual(files("数字 source:聯合國"), {UN})
        hits, _ = self.search("数字", args=["--source", "没有这个出版者"], expect=1)
        self.assertEqual(hits, [])
        hits, _ = self.search("数字 title:没有这个标题", expect=1)

    def test_several_words_all_match(self):
        hits, _ = self.search("数字鸿沟", "人工智能", args=["-n", "50"])
        self.assertTrue(hits)
        for h in hits:
            text = self.found_text(h)
            self.assertIn("数字鸿沟", text)
            self.assertIn("人工智能", text)
            # The snippet shows the densest cluster: at least one of them.
            self.assertTrue(set(self.highlighted(h)) & {"数字鸿沟", "人工智能"}, h)

    def test_mixed_chinese_and_english(self):
        hits, _ = self.search("OECD 数据", args=["-n", "50"])
        self.assertTrue(hits)
        for h in hits:
            text = han_join(self.passage_text(h))
            self.assertIn("oecd", text.lower())
            self.assertIn("数据", text)

    def test_phrase(self):
        hits, _ = self.search('"全球数字契约"', args=["-n", "100"])
        self.assertTrue(hits)
        for h in hits:
            self.assertIn("全球数字契约", self.found_text(h))
            if "全球数字契约" in han_join(self.passage_text(h)):
                self.assertIn("全球数字契约", self.highlighted(h))
        # Curly quotes are quotes too.
        curly, _ = self.search("“全球数字契约”", args=["-n", "100"])
        self.assertEqual([h["lines"] for h in curly], [h["lines"] for h in hits])

    def test_exclusion(self):
        all_hits, _ = self.search("数字鸿沟", args=["-n", "500"])
        hits, _ = self.search("数字鸿沟", "-联合国", args=["-n", "500"])
        self.assertTrue(hits)
        self.assertLess(len(hits), len(all_hits))
        for h in hits:
            self.assertIn("数字鸿沟", self.found_text(h))
            # an exclusion looks at the text itself
            text = han_join(self.passage_text(h))
            self.assertNotIn("联合国", text)
            self.assertNotIn("联合国", self.highlighted(h))
        # One argument holding the whole query works the same.
        same, _ = self.search("数字鸿沟 -联合国", args=["-n", "500"])
        self.assertEqual(len(same), len(hits))

    def test_or(self):
        a, _ = self.search("数字鸿沟", args=["-n", "500"])
        b, _ = self.search("智能鸿沟", args=["-n", "500"])
        both, _ = self.search("数字鸿沟 OR 智能鸿沟", args=["-n", "500"])
        key = lambda h: (h["path"], tuple(h["lines"]))
        self.assertEqual({key(h) for h in both}, {key(h) for h in a} | {key(h) for h in b})
        self.assertGreater(len(both), len(a))
        for h in both:
            text = self.found_text(h)
            self.assertTrue("数字鸿沟" in text or "智能鸿沟" in text)

    def test_unit_matches_only_as_written(self):
        # 数字人民币 never matches a passage that merely has 数字.
        p = self.cmd("--json", "数字人民币")
        out, err = decode(p)
        self.assertEqual(p.returncode, 1, err)
        hits, summ = self.parse_json(out)
        self.assertEqual(hits, [])
        self.assertFalse(summ["relaxed"])
        p = self.cmd("--count", "数字")
        self.assertGreater(int(p.stdout), 100)
        # A number and a lone Han character: 2024年, not 2024 ... 年.
        hits, _ = self.search("2024年", args=["-n", "100"])
        self.assertTrue(hits)
        for h in hits:
            self.assertIn("2024年", squash(self.passage_text(h)))
            self.assertTrue(any(squash(x) == "2024年" for x in self.highlighted(h)), h)

    def test_relaxed_when_nothing_has_every_unit(self):
        hits, summ = self.search("数字鸿沟", "数字人民币", args=["-n", "5"])
        self.assertTrue(summ["relaxed"])
        self.assertEqual(len(hits), 5)
        for h in hits:
            self.assertIn("数字鸿沟", han_join(self.passage_text(h)))
        p = self.cmd("数字鸿沟", "数字人民币")
        out, err = decode(p)
        self.assertEqual(p.returncode, 0)
        self.assertIn("no passage has every term", err)

    def test_full_width_traditional_and_stems(self):
        def keys(q):
            hits, _ = self.search(q, args=["-n", "100"])
            return [(h["path"], tuple(h["lines"])) for h in hits]
        self.assertEqual(keys("ＯＥＣＤ"), keys("OECD"))
        self.assertEqual(keys("oecd"), keys("OECD"))
        self.assertEqual(keys("數字鴻溝"), keys("数字鸿沟"))
        self.assertTrue(keys("regulations"))
        self.assertEqual(set(keys("regulations")), set(keys("regulation")))
        # Quoted: the exact word only.
        for h in self.search('"regulation"', args=["-n", "50"])[0]:
            self.assertIn("regulation", self.passage_text(h).lower())

    def test_per_doc_offset_and_limit(self):
        hits, _ = self.search("数字", args=["--per-doc", "1", "-n", "100"])
        paths = [h["path"] for h in hits]
        self.assertEqual(len(paths), len(set(paths)))
        self.assertEqual(len(paths), 5)
        hits, _ = self.search("数字", args=["--per-doc", "2", "-n", "100"])
        self.assertEqual(len(hits), 10)
        top, _ = self.search("数字", args=["-n", "8"])
        self.assertEqual(len(top), 8)
        page, _ = self.search("数字", args=["-n", "4", "--offset", "4"])
        self.assertEqual([h["lines"] for h in page], [h["lines"] for h in top[4:]])
        self.assertEqual([h["rank"] for h in page], [5, 6, 7, 8])
        self.search("数字", args=["--offset", "100000"], expect=1)

    def test_vimgrep_opens_at_the_match(self):
        p = self.cmd("--vimgrep", "-n", "40", "数字鸿沟")
        out, err = decode(p)
        self.assertEqual(p.returncode, 0, err)
        lines = out.splitlines()
        self.assertGreater(len(lines), 10)
        opened = 0
        for row in lines:
            m = re.match(r"^(/[^:]+):(\d+):(\d+):(.*)$", row)
            self.assertTrue(m, row)
            path, line, col, snippet = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
            if "数字鸿沟" not in snippet:
                continue  # found by its section's heading: it opens at the passage
            opened += 1
            with open(path, "rb") as f:
                text = f.read().split(b"\n")[line - 1]
            self.assertTrue(text[col - 1:].startswith("数".encode()), (row, text))
            self.assertIn("数字鸿沟", snippet)
            self.assertNotIn("\x1b", row)
        self.assertGreater(opened, 10)

    def test_files_and_count(self):
        p = self.cmd("--files", "数字鸿沟")
        out, _ = decode(p)
        self.assertEqual(p.returncode, 0)
        files = out.splitlines()
        self.assertEqual(len(files), len(set(files)))
        self.assertEqual({os.path.basename(f) for f in files}, set(YEARS))
        p = self.cmd("--count", "数字鸿沟")
        n = int(p.stdout)
        hits, _ = self.search("数字鸿沟", args=["-n", "1000"])
        self.assertEqual(n, len(hits))
        p = self.cmd("--count", "数字人民币")
        self.assertEqual((p.returncode, p.stdout), (1, b"0\n"))

    def test_filter_only_query(self):
        hits, _ = self.search("year:2024", args=["-n", "500"])
        self.assertTrue(hits)
        self.assertEqual({base(h) for h in hits}, {CISC})

    def test_exit_codes(self):
        self.assertEqual(self.cmd("数字鸿沟").returncode, 0)
        self.assertEqual(self.cmd("数字人民币").returncode, 1)
        self.assertEqual(self.cmd("--json", "数字人民币").returncode, 1)
        self.assertEqual(self.cmd("--frobnicate", "数字").returncode, 2)

    def test_malformed_queries(self):
        cases = {
            '"数字鸿沟': "unbalanced quote",
            "数字鸿沟”": "unbalanced quote",
            "OR 数字": "OR",
            "数字 OR": "OR",
            "数字 - 鸿沟": 'lone "-"',
            "，。！": "nothing to search for",
            "year:abc": "year:",
            "year:2024..2020": "backwards",
            "source:": "needs a value",
            "数字 OR year:2023": "OR",
            '""': "enclose nothing",
        }
        for query, needle in cases.items():
            with self.subTest(query=query):
                self.check_error("--", query, needle=needle)
        with self.subTest("invalid UTF-8"):
            self.check_error("--", b"\xff\xfe\xe6\x95", needle="UTF-8")
        with self.subTest("100 KB"):
            self.check_error("--", "数" * 35000, needle="too long")

    def test_a_word_too_long_for_the_index_is_an_error_not_left_out(self):
        """Dropped, it left the rest of the query to match without it (a
        phrase matched passages that lack the word), or was called
        punctuation."""
        long_word = "b" * 201
        for query in (long_word, f"数字鸿沟 {long_word}", f'"digital {long_word}"', f"-{long_word} 数字鸿沟"):
            with self.subTest(query=query[:20]):
                self.check_error("--", query, needle="holds a word longer than the 200 bytes")
                p = self.cmd("--count", "--", query)
                self.assertEqual(p.returncode, 2, p.stdout)
        # the longest word the index holds is searched for as usual
        self.assertEqual(self.cmd("--", "b" * 200).returncode, 1)

    def test_an_index_given_twice_is_searched_once(self):
        """Every hit came twice, and --stats counted the index twice."""
        once = self.cmd("--count", "数字鸿沟")
        twice = run("--db", self.db, "--db", self.db + "/", "--count", "数字鸿沟")
        self.assertEqual(twice.returncode, 0, twice.stderr)
        self.assertEqual(twice.stdout, once.stdout)
        p = run("--db", self.db, "--db", self.db, "--json", "-n", "1000", "数字鸿沟")
        hits = [json.loads(line) for line in p.stdout.splitlines()][:-1]
        self.assertEqual(len({(h["path"], h["line"]) for h in hits}), len(hits))

    def test_a_huge_bad_value_is_quoted_not_echoed_whole(self):
        """A 100 KB value made a 100 KB message."""
        huge = "9" * 100000
        for args in (["--limit", huge], ["--year", huge], ["--color=" + huge], ["--timeout", huge],
                     ["--" + "z" * 100000], ["--group", "x" * 100000]):
            with self.subTest(args=args[0][:12]):
                p = self.cmd(*args, "数字")
                out, err = decode(p)
                self.assertEqual(p.returncode, 2, err[:200])
                self.assertLess(len(err), 400, err[:200])
                self.assertIn("…", err)

    def test_bad_options(self):
        cases = [
            (["-n", "abc", "数字"], "-n"),
            (["-n", "0", "数字"], "-n"),
            (["--year", "99999", "数字"], "--year"),
            (["--since", "20x4", "数字"], "--since"),
            (["--color=purple", "数字"], "--color"),
            (["--vimgrep", "--files", "数字"], "cannot be used together"),
            (["--year", "2022", "--since", "2021", "数字"], "--year"),
            (["--since", "2024", "--until", "2022", "数字"], "after"),
            (["--count", "-n", "3", "数字"], "--count"),
            (["--per-doc", "x", "数字"], "--per-doc"),
            (["--source", "", "数字"], "--source"),
            (["--frobnicate", "数字"], "unknown option"),
        ]
        for args, needle in cases:
            with self.subTest(args=args):
                self.check_error(*args, needle=needle)
        p = self.cmd("--json", "--vimgrep", "数字")
        self.assertEqual(p.returncode, 2)

    def test_no_query_prints_usage(self):
        p = self.cmd()
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"usage:", p.stderr)
        self.assertEqual(p.stdout, b"")

    def test_help_and_version(self):
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        for opt in ["--db", "--limit", "--offset", "--year", "--since", "--until", "--source",
                    "--per-doc", "--json", "--vimgrep", "--files", "--count", "--color"]:
            self.assertIn(opt.encode(), p.stdout)
        p = run("--version")
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith(b"wensou-search "))

    def test_color_only_when_asked(self):
        env = dict(os.environ, NO_COLOR="1")
        p = self.cmd("数字鸿沟", env=env)
        self.assertNotIn(b"\x1b", p.stdout)
        env.pop("NO_COLOR")
        p = self.cmd("数字鸿沟", env=env)  # not a terminal: no colour
        self.assertNotIn(b"\x1b", p.stdout)
        p = self.cmd("--color=never", "数字鸿沟")
        self.assertNotIn(b"\x1b", p.stdout)
        p = self.cmd("--color=always", "数字鸿沟", env=dict(os.environ, NO_COLOR="1"))
        self.assertIn(b"\x1b[1;31m" + "数字鸿沟".encode() + b"\x1b[0m", p.stdout)
        p = self.cmd("--json", "--color=always", "数字鸿沟")
        self.assertNotIn(b"\x1b", p.stdout)

    def test_terminal_output_locations_and_grouping(self):
        # rank order: each hit's path:line:column (byte column, as --vimgrep)
        # on one line, with its document's title
        p = self.cmd("--color=never", "-n", "5", "数字鸿沟")
        out, _ = decode(p)
        hits, summary = self.search("数字鸿沟", args=["-n", "5"])
        lines = out.splitlines()
        self.assertRegex(lines[0], r"^1–5 of \d+ passages in \d+ documents$")
        for h in hits:
            loc = f"{h['path']}:{h['line']}:{h['column']}"
            line = next((l for l in lines if loc in l), None)
            self.assertIsNotNone(line, loc)
            self.assertIn(h["title"], line)
        # --group=doc: each document's path once, as a heading
        p = self.cmd("--color=never", "--group=doc", "-n", "5", "数字鸿沟")
        out, _ = decode(p)
        for h in hits:
            self.assertEqual(out.splitlines().count(h["path"]), 1, h["path"])
            self.assertIn(f"{h['line']}:{h['column']}", out)

    def test_broken_pipe_is_quiet(self):
        proc = subprocess.Popen([SEARCH, "--db", self.db, "--json", "-n", "1000", "数字"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()
        proc.wait(timeout=60)
        self.assertEqual(err, b"")
        self.assertIn(proc.returncode, (0, 1))

    def test_two_indexes_searched_as_one(self):
        tmp = tempfile.mkdtemp(prefix="wensou-search-multi-")
        try:
            dirs = {}
            for name in (UN, CISC):
                d = os.path.join(tmp, name + ".d")
                os.mkdir(d)
                shutil.copy(os.path.join(SHARED, name), d)
                db = os.path.join(tmp, name + ".db")
                p = subprocess.run([INDEX, "--db", db, "--progress=never", d], capture_output=True)
                self.assertEqual(p.returncode, 0, p.stderr)
                dirs[name] = db
            p = run("--db", dirs[UN], "--db", dirs[CISC], "--json", "-n", "500", "数字鸿沟")
            hits, _ = self.parse_json(p.stdout.decode())
            self.assertEqual({base(h) for h in hits}, {UN, CISC})
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


@unittest.skipUnless(HAVE_BINARIES, BINARIES_MSG)
class TestIndexErrors(Search, unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wensou-search-test-")
        self.db = os.path.join(self.tmp, "missing-index")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_missing_index_says_how_to_build_one(self):
        err = self.check_error("数字", needle="build one with: wensou-index --db " + self.db)
        self.assertIn("no index at " + self.db, err)

    def test_default_location_from_environment(self):
        env = dict(os.environ, WENSOU_DB=os.path.join(self.tmp, "env-index"))
        p = run("数字", env=env)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"env-index", p.stderr)
        env = dict(os.environ, XDG_DATA_HOME=self.tmp)
        env.pop("WENSOU_DB", None)
        p = run("数字", env=env)
        self.assertIn(os.path.join(self.tmp, "wensou", "index").encode(), p.stderr)

    def test_not_an_index(self):
        os.mkdir(self.db)
        with open(os.path.join(self.db, "junk"), "w") as f:
            f.write("not a database\n")
        self.check_error("数字")

    def test_a_damaged_shard_is_called_damage_not_a_missing_index(self):
        """A shard without its iamglass was "no index at ...; build one",
        an unreadable one a bare Xapian error."""
        docs = os.path.join(self.tmp, "docs")
        os.makedirs(docs)
        with open(os.path.join(docs, "a.txt"), "w", encoding="utf-8") as f:
            f.write("数字鸿沟正在扩大。\n")
        p = subprocess.run([INDEX, "--db", self.db, "--progress=never", docs], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(self.db, "XAPIANDB")) as f:
            shards = [line.split()[1] for line in f if line.startswith("glass ")]
        for damage in ("iamglass", "postlist.glass"):
            with self.subTest(damage=damage):
                path = os.path.join(self.db, shards[-1], damage)
                if damage == "iamglass":
                    os.remove(path)
                else:
                    open(path, "w").close()
                err = self.check_error("数字")
                self.assertNotIn("no index at", err)
                self.assertIn("it is damaged", err)
                self.assertIn(f"wensou-index --db {self.db} --check", err)

    def test_an_empty_file_is_not_an_empty_index(self):
        """Xapian reads it as a stub naming nothing: every search found
        nothing (exit 1), --stats said 0 documents."""
        for text in ("", "# only a comment\n\n"):
            with self.subTest(text=text):
                with open(self.db, "w") as f:
                    f.write(text)
                self.check_error("数字", needle="names no database")

    def test_malformed_query_reported_before_the_index(self):
        self.check_error('"数字', needle="unbalanced quote")


class IndexedTexts(Search):
    """A class whose index is built from a few texts written for it."""

    @classmethod
    def index_texts(cls, texts, ok=(0,)):
        """Write texts (file name -> content) into a fresh folder and index
        it; the indexer's exit status must be one of ok."""
        cls.tmp = tempfile.mkdtemp(prefix="wensou-search-test-")
        docs = os.path.join(cls.tmp, "docs")
        os.mkdir(docs)
        for name, text in texts.items():
            with open(os.path.join(docs, name), "w", encoding="utf-8") as f:
                f.write(text)
        cls.db = os.path.join(cls.tmp, "index")
        p = subprocess.run([INDEX, "--db", cls.db, "--progress=never", docs], capture_output=True)
        if p.returncode not in ok:
            raise RuntimeError(p.stderr.decode())

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)


@unittest.skipUnless(HAVE_BINARIES, BINARIES_MSG)
class TestHostileDocuments(IndexedTexts, unittest.TestCase):
    """No control character from a document reaches the terminal."""

    @classmethod
    def setUpClass(cls):
        cls.index_texts({
            "evil-2023.txt": "# 标题\x1b[2J\x07\n\n"
                             "数字鸿沟\x1b[31m仍然\x1b]0;pwned\x07存在，\u202e控制字符\x7f\x85不应到达终端。\n"
                             "second line with \x1b[1mbold\x1b[0m and a tab\there.\n",
            "wensou-meta.json": json.dumps(
                {"files": {"evil-2023.txt": {"title": "恶意\u001b[5m标题", "source": "测试\u0007"}}}),
        }, ok=(0, 1))

    def assert_clean(self, out):
        bad = [c for c in out.decode("utf-8") if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f
               or 0x202a <= ord(c) <= 0x202e]
        self.assertEqual(bad, [], out)

    def test_terminal_vimgrep_files(self):
        for args in (["--color=never"], ["--vimgrep"], ["--files"]):
            with self.subTest(args=args):
                p = self.cmd(*args, "数字鸿沟")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assert_clean(p.stdout)
        p = self.cmd("--color=always", "数字鸿沟")
        no_sgr = re.sub(rb"\x1b\[[0-9;]*m", b"", p.stdout)
        self.assert_clean(no_sgr)

    def test_json_snippet_is_clean(self):
        hits, _ = self.search("数字鸿沟")
        self.assertEqual(len(hits), 1)
        self.assertIn("数字鸿沟", hits[0]["snippet"])
        self.assertNotIn("\x1b", hits[0]["snippet"])
        self.assertIn("数字鸿沟", self.highlighted(hits[0]))


class TestPhraseExactness(IndexedTexts, unittest.TestCase):
    """A Chinese run matches only where it occurs as written, also where
    repeated characters could let a shorter text stand in for it (the
    phrase uses every other bigram of a long run, except in such cases)."""

    @classmethod
    def setUpClass(cls):
        texts = {
            "a.txt": "这些数据点说明了问题。",
            "b.txt": "笑声哈哈哈传来。",
            "c.txt": "完善全球数字治理体系是共同任务。",
            "d.txt": "全球数字化治理体系也被提到。",
            "e.txt": "数字人民币试点扩大。",
            # every bigram of 数字鸿沟 and of 人民币试点, never the runs
            "f.txt": "数字，鸿沟；字鸿一词。人民、民币和币试点。",
            "g.txt": "5G网络覆盖所有乡村。",
        }
        cls.index_texts({name: text + "\n" for name, text in texts.items()})

    def files(self, query):
        p = self.cmd("--json", "--", query)
        out, err = decode(p)
        self.assertIn(p.returncode, (0, 1), err)
        hits, _ = self.parse_json(out)
        self.assertEqual(p.returncode, 0 if hits else 1)
        return sorted(base(h) for h in hits)

    def test_long_runs_match_exactly(self):
        self.assertEqual(self.files("全球数字治理体系"), ["c.txt"])
        self.assertEqual(self.files("全球数字化治理体系"), ["d.txt"])
        self.assertEqual(self.files("数字人民币试点"), ["e.txt"])
        self.assertEqual(self.files("球数字治"), ["c.txt"])

    def test_scattered_bigrams_are_no_match(self):
        # Han terms have no positions: the engine checks the run itself.
        self.assertEqual(self.files("数字鸿沟"), [])
        self.assertEqual(self.files("人民币试点"), ["e.txt"])
        self.assertEqual(self.files("字鸿"), ["f.txt"])
        self.assertEqual(self.files("数字鸿沟 OR 人民币试点"), ["e.txt"])
        p = self.cmd("--count", "--", "人民币试点")
        self.assertEqual((p.returncode, p.stdout.decode().strip()), (0, "1"))
        p = self.cmd("--count", "--", "数字鸿沟")
        self.assertEqual(p.returncode, 1)

    def test_excluding_a_run_excludes_only_the_run(self):
        self.assertEqual(self.files("数字 -数字人民币"), ["c.txt", "d.txt", "f.txt"])
        # f.txt has 试点 and every bigram of 人民币试点, but not the run
        self.assertEqual(self.files("试点 -人民币试点"), ["f.txt"])

    def test_han_mixed_with_latin(self):
        self.assertEqual(self.files("5G网络"), ["g.txt"])
        self.assertEqual(self.files("网络5G"), [])

    def test_repeated_characters_are_not_fooled(self):
        self.assertEqual(self.files("数据点"), ["a.txt"])
        self.assertEqual(self.files("数据据点"), [])
        self.assertEqual(self.files("哈哈哈"), ["b.txt"])
        self.assertEqual(self.files("哈哈哈哈"), [])
        self.assertEqual(self.files("声哈哈哈传"), ["b.txt"])


class TestDictionaryWords(IndexedTexts, unittest.TestCase):
    """A dictionary word the indexer found in a passage ranks it higher,
    though the searcher never runs ICU's dictionary: it finds the words
    of a query's Han runs in the index."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # ICU reads 这一|系列... as 这|一系列, and 统一|系列 apart: only
        # b.txt holds the word 一系列; a.txt, as long, ranks first on
        # bigrams alone
        cls.index_texts({"a.txt": "报告说统一系列的工作已经完成。\n",
                         "b.txt": "报告说这一系列的工作已经完成。\n",
                         "c.txt": "这是一个关于国际数字治理合作的长篇报告内容。报告说统一系列的工作已经完成。\n",
                         "d.txt": "这是一个关于国际数字治理合作的长篇报告内容。报告说这一系列的工作已经完成。\n"})

    def test_the_passage_holding_the_word_ranks_first(self):
        p = self.cmd("--json", "--", "一系列")
        out, err = decode(p)
        self.assertEqual(p.returncode, 0, err)
        hits, _ = self.parse_json(out)
        # b and d may tie (both shorter than the length norm's floor), and
        # ties go in document id order, which the shard of each file's
        # path decides: either may come first
        self.assertEqual(sorted(base(h) for h in hits[:2]), ["b.txt", "d.txt"])
        self.assertGreater(hits[1]["score"], hits[2]["score"] * 1.2)

    def test_a_long_run_before_it_leaves_the_word_its_weight(self):
        # the words of each run are looked up within a bound of their own
        p = self.cmd("--json", "--", "这是一个关于国际数字治理合作的长篇报告内容 一系列")
        out, err = decode(p)
        self.assertEqual(p.returncode, 0, err)
        hits, _ = self.parse_json(out)
        self.assertEqual([base(h) for h in hits], ["d.txt", "c.txt"])


class TestCheckRounds(IndexedTexts, unittest.TestCase):
    """Candidates are checked in rank order; when the best-ranked ones are
    decoys (every bigram of the run, never the run), later rounds fetch
    more, and the hits are the same as a check of every candidate."""

    DECOYS = 120

    @classmethod
    def setUpClass(cls):
        # real-strong ranks among the first candidates, the others last
        texts = {"real-strong.txt": "国际规则，" * 8}
        for i in range(3):
            texts["real-weak-%d.txt" % i] = (
                "本报告第%d部分回顾多边合作的进展，讨论发展中国家的参与，"
                "也谈到国际规则，以及数字经济、数据流动、平台治理和技术标准。" % i)
        for i in range(cls.DECOYS):
            texts["decoy-%03d.txt" % i] = "国际规范与规则，" * 6 + "第%d篇。" % i
        cls.index_texts({name: text + "\n" for name, text in texts.items()})

    def names(self, *args):
        p = self.cmd("--json", *args, "--", "国际规则")
        out, err = decode(p)
        self.assertEqual(p.returncode, 0, err)
        hits, _ = self.parse_json(out)
        return [base(h) for h in hits]

    def test_decoys_ranked_first_are_passed_over(self):
        real = ["real-strong.txt"] + ["real-weak-%d.txt" % i for i in range(3)]
        self.assertEqual(sorted(self.names()), real)
        self.assertEqual(self.names()[0], "real-strong.txt")
        p = self.cmd("--count", "--", "国际规则")
        self.assertEqual(p.stdout.decode().strip(), "4")
        # pages of the checked hits line up with the whole list
        whole = self.names("-n", "4")
        self.assertEqual(self.names("-n", "2") + self.names("-n", "2", "--offset", "2"), whole)
        self.assertEqual(self.names("-n", "1", "--offset", "3"), whole[3:])
        # the estimate does not take the decoys' failure rate for that of
        # the candidates after them: here it comes out exact
        p = self.cmd("--json", "-n", "1", "--offset", "1", "--", "国际规则")
        _, summary = self.parse_json(decode(p)[0])
        self.assertEqual(summary["estimated_total"], 4)
        # the decoys themselves are there for what they do hold
        p = self.cmd("--count", "--", "国际规范")
        self.assertEqual(p.stdout.decode().strip(), str(self.DECOYS))



@unittest.skipUnless(HAVE_BINARIES, BINARIES_MSG)
class TestTerminalTotals(IndexedTexts, unittest.TestCase):
    """The terminal's header line: exact totals where there are a few
    hundred candidates; past them exact passages for an exact query, and
    for a Han run an estimate from the candidates there are, not from
    Xapian's guess at the AND of its bigrams."""

    @classmethod
    def setUpClass(cls):
        # paragraphs long enough to be passages of their own
        pad = ("本条说明各成员在共同发展方面的安排，涉及能力建设、技术援助、人员培训和"
               "信息交流等内容，并对后续评估作出具体的程序性安排。") * 2
        texts = {}
        # 3,000 passages with the run, under headings with it, some
        # holding it several times: Xapian's match then skips candidates
        # that cannot rank, and its estimate of the bigrams' AND falls
        # short (a third short here, thirty times at 1 GB)
        for f in range(30):
            texts["rules-%02d.md" % f] = "# 国际规则与合作 %d\n\n" % f + "".join(
                "第%d条：%s%s\n\n" % (n, "各方应遵守国际规则。" * (1 + (n % 7 == 0) * (n % 5)), pad)
                for n in range(f * 100, f * 100 + 100))
        for f in range(20):
            texts["harbour-%02d.txt" % f] = "".join(
                "第%d段：harbour shipping。%s\n\n" % (f * 100 + i, pad) for i in range(100))
        # 200 passages of another run in 4 files: few enough to check all
        for f in range(4):
            texts["port-%d.txt" % f] = "".join(
                "数据港口建设第%d项。%s\n\n" % (f * 50 + i, pad) for i in range(50))
        cls.index_texts(texts)

    def header(self, query):
        p = self.cmd("--color=never", "--no-pager", "--", query)
        out, err = decode(p)
        self.assertEqual(p.returncode, 0, err)
        return out.splitlines()[0]

    def count(self, query):
        p = self.cmd("--count", "--", query)
        self.assertEqual(p.returncode, 0, p.stderr)
        return int(p.stdout.decode())

    def test_checked_run_past_the_exact_limit_is_estimated_from_its_candidates(self):
        self.assertEqual(self.count("国际规则"), 3000)
        m = re.match(r"^1–10 of about (\d+) passages$", self.header("国际规则"))
        self.assertIsNotNone(m, self.header("国际规则"))
        self.assertLess(abs(int(m.group(1)) - 3000), 3000 * 0.1, m.group(0))

    def test_exact_query_past_the_limit_has_exact_passages(self):
        self.assertEqual(self.header("harbour"), "1–10 of 2000 passages")

    def test_few_candidates_have_exact_passages_and_documents(self):
        self.assertEqual(self.count("数据港口"), 200)
        self.assertEqual(self.header("数据港口"), "1–10 of 200 passages in 4 documents")

@unittest.skipUnless(HAVE_BINARIES, BINARIES_MSG)
class TestStemAndWord(IndexedTexts, unittest.TestCase):
    """A word is searched as its stem or as written, the second ranking
    higher: where the two index the same passages as often (an acronym)
    the stem alone is searched, weighted twice.  The scores are Xapian's
    own for the OR of the two, whichever way the query was built."""

    @classmethod
    def setUpClass(cls):
        cls.index_texts({"a.txt": "The GDPR applies here. GDPR fines follow. New rules apply.\n",
                         "b.txt": "Under the GDPR a rule holds.\n",
                         "c.txt": "These rules and this rule, with GDPR as the model rule.\n",
                         "d.txt": "Nothing of either here.\n"})

    XAPIAN_SCORES = ("import glob, sys, xapian\n"
                     "db = xapian.Database()\n"
                     "for p in sorted(glob.glob(sys.argv[1] + '/shard-*')):\n"
                     "    db.add_database(xapian.Database(p))\n"
                     "e = xapian.Enquire(db)\n"
                     "e.set_weighting_scheme(xapian.BM25Weight(32, 0, 1, 0, 0))\n"
                     "e.set_query(xapian.Query(xapian.Query.OP_OR, [xapian.Query('Z' + sys.argv[2]),\n"
                     "                                               xapian.Query(sys.argv[2])]))\n"
                     "for m in e.get_mset(0, 100):\n"
                     "    print('%.4f' % m.weight)\n")

    def scores(self, word):
        hits, _ = self.search(word, args=["--no-synonyms", "-n", "100"])
        return ["%.4f" % h["score"] for h in hits]

    def test_scores_are_those_of_the_word_or_its_stem(self):
        for word in ("gdpr", "rule"):  # the same postings; "rules" too under "Zrule"
            expected = damage(self.XAPIAN_SCORES, self.db, word).split()
            self.assertTrue(expected, word)
            self.assertEqual(self.scores(word), expected, word)
        self.assertEqual(len(self.scores("gdpr")), 3)
        self.assertEqual(len(self.scores("rule")), 3)

    def test_an_excluded_word_excludes_every_form(self):
        for excluded in ("-gdpr", "-rule"):  # a.txt has "GDPR" and "rules"
            hits, _ = self.search("here", excluded, args=["--no-synonyms"])
            self.assertEqual([base(h) for h in hits], ["d.txt"], excluded)
        hits, _ = self.search("here", args=["--no-synonyms"])
        self.assertEqual(sorted(base(h) for h in hits), ["a.txt", "d.txt"])


if __name__ == "__main__":
    from harness import main
    main()
