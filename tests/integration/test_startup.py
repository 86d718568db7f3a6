#!/usr/bin/env python3
"""What a search process maps before it answers: libstemmer, ICU's i18n
library and readline are opened only when a search needs them
(common/dynlib.h), since each costs every process a few tenths of a
millisecond at start-up.  The dynamic loader's own record (LD_DEBUG=files)
says which libraries a process opened; the results say that nothing a
search does was lost."""

import os
import subprocess
import unittest

from harness import INDEX, SEARCH, TempDirTest, damage, main, needs_search, run_index

LAZY = ("libstemmer", "libicui18n", "libreadline")


def opened_libraries(stderr):
    """The libraries ld.so opened, from its LD_DEBUG=files lines
    ("file=libm.so.6 [0];  needed by ..." or "... dynamically loaded by")."""
    names = set()
    for line in stderr.splitlines():
        if "file=" in line and ("needed by" in line or "dynamically loaded by" in line):
            names.add(line.split("file=", 1)[1].split()[0])
    return names


@unittest.skipUnless(INDEX and SEARCH and os.path.exists(SEARCH), "wensou-index or wensou-search not built")
class TestLibrariesOnFirstNeed(TempDirTest):
    def setUp(self):
        super().setUp()
        docs = os.path.join(self.tmp, "docs")
        os.makedirs(docs)
        with open(os.path.join(docs, "flows.txt"), "w", encoding="utf-8") as f:
            f.write("跨境数据流动的规则正在形成。\n\nData flows across borders need common rules.\n")
        p = run_index(self.db, docs)
        self.assertEqual(p.returncode, 0, p.stderr)

    def search(self, *query, glossary=""):
        env = dict(os.environ, LD_DEBUG="files", WENSOU_GLOSSARY=glossary,
                   XDG_CACHE_HOME=os.path.join(self.tmp, "cache"))
        p = subprocess.run([SEARCH, "--db", self.db, "--vimgrep", "--no-config", "--", *query],
                           capture_output=True, text=True, env=env, timeout=60)
        return p, opened_libraries(p.stderr)

    def loaded(self, libs, name):
        return any(lib.startswith(name + ".so") for lib in libs)

    def test_the_loader_record_is_read(self):
        """The check below would pass on nothing: the record does list
        what every search needs."""
        p, libs = self.search("跨境数据")
        self.assertTrue(self.loaded(libs, "libxapian"), p.stderr[-2000:])
        self.assertTrue(self.loaded(libs, "libicuuc"), sorted(libs))

    def test_a_chinese_search_opens_none_of_them(self):
        # Traditional characters: the index's folding table folds them
        p, libs = self.search("跨境數據")
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertIn("flows.txt:1:", p.stdout)
        for name in LAZY:
            self.assertFalse(self.loaded(libs, name), f"{name} opened: {sorted(libs)}")

    def test_an_english_search_opens_the_stemmer_and_stems(self):
        p, libs = self.search("flowing")  # the text has "flows": both stem to "flow"
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertIn("flows.txt:3:", p.stdout)
        self.assertTrue(self.loaded(libs, "libstemmer"), sorted(libs))
        self.assertFalse(self.loaded(libs, "libreadline"), sorted(libs))

    def test_a_chinese_search_for_a_concept_with_english_forms_opens_no_stemmer(self):
        """The glossary keeps the stems of its English forms; and a
        passage's English words need no stems when no unit of the query
        is searched by its stem (a phrase is, by its words)."""
        glossary = os.path.join(self.tmp, "glossary.txt")
        with open(glossary, "w", encoding="utf-8") as f:
            f.write("数据流动 | data flows\n")
        # the first search reads the glossary's files and stems the
        # forms, which the cache then keeps for the next
        for first in (True, False):
            p, libs = self.search("数据流动", glossary=glossary)
            self.assertEqual(p.returncode, 0, p.stderr[-2000:])
            # one passage holds both paragraphs, the English by its form
            self.assertIn("flows.txt:1:", p.stdout)
            self.assertIn("Data flows", p.stdout)
        self.assertFalse(self.loaded(libs, "libstemmer"), sorted(libs))
        # the form in English, its words known to the glossary: found
        # through the Chinese form too, and no stemmer either
        p, libs = self.search("data", "flows", glossary=glossary)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertIn("flows.txt:1:", p.stdout)
        self.assertFalse(self.loaded(libs, "libstemmer"), sorted(libs))

    def test_an_index_without_its_folding_table_still_folds(self):
        """As an index of an earlier wensou, with no folding table: the
        searcher folds through ICU's transliterator, opened then."""
        damage("import glob, sys, xapian\n"
               "for p in glob.glob(sys.argv[1] + '/shard-*'):\n"
               "    d = xapian.WritableDatabase(p, xapian.DB_OPEN)\n"
               "    d.set_metadata('wensou:fold', '')\n"
               "    d.commit()\n", self.db)
        p, libs = self.search("跨境數據")
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertIn("flows.txt:1:", p.stdout)
        self.assertTrue(self.loaded(libs, "libicui18n"), sorted(libs))


if __name__ == "__main__":
    main()
