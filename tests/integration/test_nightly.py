#!/usr/bin/env python3
"""Nightly reindexing left unattended: the systemd units."""

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import unittest

from harness import INDEX, SEARCH, SOURCE_ROOT, TempDirTest, damage, main, run_index, search_json, summary

ANALYZE = shutil.which("systemd-analyze")
UNITS = os.path.join(SOURCE_ROOT, "contrib", "systemd")


@unittest.skipUnless(ANALYZE, "systemd-analyze is not installed")
class TestUnits(TempDirTest):
    def copy_units(self, sub=""):
        """The units with ExecStart pointing at the built indexer (verify
        checks that the program exists)."""
        out = []
        for name in ("wensou-index.service", "wensou-index.timer"):
            with open(os.path.join(UNITS, sub, name), encoding="utf-8") as f:
                text = f.read().replace("/usr/bin/wensou-index", INDEX)
            path = os.path.join(self.tmp, sub.replace("/", "-") + name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            out.append(path)
        return out

    def verify(self, paths):
        return subprocess.run([ANALYZE, "verify", "--man=no", *paths], capture_output=True, text=True)

    def assert_clean(self, p):
        # verify exits 0 over settings it ignores, but says so
        self.assertEqual((p.returncode, p.stdout + p.stderr), (0, ""))

    def test_the_system_units_verify(self):
        self.assert_clean(self.verify(self.copy_units()))

    def test_the_user_units_verify(self):
        self.assert_clean(self.verify(self.copy_units("user")))

    def test_a_broken_unit_does_not(self):
        service, timer = self.copy_units()
        with open(service, "a", encoding="utf-8") as f:
            f.write("IOSchedulingClass=sometimes\n")
        p = self.verify([service, timer])
        self.assertIn("Failed to parse IO scheduling class", p.stdout + p.stderr)

    def test_the_service_runs_the_nightly_command(self):
        with open(os.path.join(UNITS, "wensou-index.service"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        start = [x for x in lines if x.startswith("ExecStart=")]
        self.assertEqual(start, ["ExecStart=/usr/bin/wensou-index --quiet --progress=never"])
        self.assertIn("IOSchedulingClass=idle", lines)
        self.assertTrue(any(x.startswith("Nice=") for x in lines))


def write_reports(folder, first, count, paragraphs=30):
    os.makedirs(folder, exist_ok=True)
    for i in range(first, first + count):
        with open(os.path.join(folder, f"r{i:03d}.txt"), "w", encoding="utf-8") as f:
            f.write("\n\n".join(f"tok{i:03d}q 第{k}段：全球数字治理与数据跨境流动规则，人工智能治理原则。"
                                 f"The digital divide and open source {k}." for k in range(paragraphs)))


class TestLowDisk(TempDirTest):
    """A small tmpfs holds the index: a full disk stops the run cleanly,
    the index is as it was, and the next run on enough room succeeds."""

    def setUp(self):
        super().setUp()
        self.mnt = os.path.join(self.tmp, "small")
        os.makedirs(self.mnt)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", self.mnt], capture_output=True)
        if p.returncode != 0:
            self.skipTest("cannot mount a tmpfs here: " + p.stderr.decode().strip())
        self.db = os.path.join(self.mnt, "index")

    def tearDown(self):
        subprocess.run(["umount", "-l", self.mnt], capture_output=True)
        super().tearDown()

    def resize(self, size):
        subprocess.run(["mount", "-o", f"remount,size={size}", self.mnt], check=True)

    def count(self, token):
        p, hits = search_json(self.db, token, args=["-n", "1000"])
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return len(hits)

    def test_a_full_disk_stops_the_run_and_keeps_the_index(self):
        docs = os.path.join(self.tmp, "docs")
        write_reports(docs, 0, 3)
        p = run_index(self.db, docs)
        self.assertEqual(p.returncode, 0, p.stderr)
        before = self.count("tok001q")
        write_reports(docs, 3, 40, paragraphs=300)
        p = run_index(self.db, docs)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("No space left on device", p.stderr)
        self.assertEqual(self.count("tok001q"), before)
        self.resize("64m")
        p = run_index(self.db, docs)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertGreater(self.count("tok042q"), 0)

    def test_a_rebuild_checks_for_room_first(self):
        docs = os.path.join(self.tmp, "docs")
        write_reports(docs, 0, 12)
        self.resize("64m")
        p = run_index(self.db, docs)
        self.assertEqual(p.returncode, 0, p.stderr)
        before = self.count("tok011q")
        used = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(self.db) for n in ns)
        self.resize(f"{used // 1024 + 512}k")
        with open(os.path.join(self.db, "XAPIANDB"), encoding="utf-8") as f:
            stub = f.read()
        p = run_index(self.db, docs, args=["--rebuild"])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("not enough room for a rebuild", p.stderr)
        with open(os.path.join(self.db, "XAPIANDB"), encoding="utf-8") as f:
            self.assertEqual(f.read(), stub)
        self.assertEqual(self.count("tok011q"), before)


class TestCheck(TempDirTest):
    def setUp(self):
        super().setUp()
        self.docs = os.path.join(self.tmp, "docs")
        write_reports(self.docs, 0, 6)
        p = run_index(self.db, self.docs)
        self.assertEqual(p.returncode, 0, p.stderr)

    def check(self):
        return subprocess.run([INDEX, "--db", self.db, "--check"], capture_output=True, text=True)

    def shard(self, k):
        with open(os.path.join(self.db, "XAPIANDB"), encoding="utf-8") as f:
            rel = [x.split()[1] for x in f if x.startswith("glass ")]
        return os.path.join(self.db, rel[k])

    def shard_of(self, name):
        """The shard holding the record of docs/name."""
        path = os.path.join(os.path.realpath(self.docs), name)
        for k in range(2):
            out = damage("import sys, xapian\n"
                         "db = xapian.Database(sys.argv[1])\n"
                         "print(any(sys.argv[2].encode() in db.get_metadata(key) for key in db.metadata_keys('wensou:file:')))",
                         self.shard(k), path)
            if out.strip() == "True":
                return k
        raise AssertionError("no record of " + path)

    def test_a_good_index_checks_clean(self):
        p = self.check()
        self.assertEqual((p.returncode, p.stdout), (0, ""), p.stderr)
        self.assertIn("6 files", p.stderr)
        self.assertIn("0 stale, 0 damaged", p.stderr)

    def test_a_file_changed_or_removed_behind_its_back_is_stale(self):
        with open(os.path.join(self.docs, "r001.txt"), "a", encoding="utf-8") as f:
            f.write("\n\n补充一段新内容。\n")
        os.remove(os.path.join(self.docs, "r002.txt"))
        p = self.check()
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        real = os.path.realpath(self.docs)
        self.assertEqual(sorted(p.stdout.splitlines()),
                         [f"stale: {real}/r001.txt: changed since it was indexed",
                          f"stale: {real}/r002.txt: removed since it was indexed"])
        # touched but the same: not stale
        run_index(self.db, self.docs)
        os.utime(os.path.join(self.docs, "r003.txt"))
        p = self.check()
        self.assertEqual((p.returncode, p.stdout), (0, ""), p.stderr)

    def test_a_truncated_shard_is_damage(self):
        table = os.path.join(self.shard(1), "postlist.glass")
        size = os.path.getsize(table)
        with open(table, "r+b") as f:
            f.truncate(size // 2)
        p = self.check()
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertIn("damaged: ", p.stdout)
        self.assertIn("--rebuild", p.stderr)

    def damage_file(self, name, body):
        """Run body (Python over db, a writable shard, and path, the
        file's canonical path) on the shard holding docs/name, then commit."""
        damage("import sys, json, xapian\n"
               "db = xapian.WritableDatabase(sys.argv[1], xapian.DB_OPEN)\n"
               "path = sys.argv[2]\n" + body + "db.commit()\n",
               self.shard(self.shard_of(name)), os.path.join(os.path.realpath(self.docs), name))

    def test_a_removed_record_leaves_orphan_passages(self):
        self.damage_file("r004.txt",
                         "for key in list(db.metadata_keys('wensou:file:')):\n"
                         "    if path.encode() in db.get_metadata(key):\n"
                         "        db.set_metadata(key, '')\n")
        p = self.check()
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"damaged: \d+ passages of file id [0-9a-f]{32} have no file record")

    def test_a_lost_passage_is_damage(self):
        self.damage_file("r005.txt",
                         "for item in db.postlist(''):\n"
                         "    d = db.get_document(item.docid).get_data()\n"
                         "    if json.loads(d[:d.index(b'\\0')])['path'] == path:\n"
                         "        db.delete_document(item.docid)\n"
                         "        break\n")
        p = self.check()
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"damaged: .*r005.txt: the record says \d+ passages, the index has \d+")

    def test_check_changes_nothing(self):
        before = sorted((d, n, os.path.getmtime(os.path.join(d, n))) for d, _, ns in os.walk(self.db) for n in ns
                        if n != "wensou.lock")
        os.remove(os.path.join(self.docs, "r000.txt"))
        self.check()
        after = sorted((d, n, os.path.getmtime(os.path.join(d, n))) for d, _, ns in os.walk(self.db) for n in ns
                       if n != "wensou.lock")
        self.assertEqual(before, after)


class TestWatch(TempDirTest):
    def wait_until(self, pred, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if pred():
                return time.time()
            time.sleep(0.1)
        raise AssertionError("not within %d s" % timeout)

    def count(self, token):
        p, hits = search_json(self.db, token)
        return len(hits) if p.returncode in (0, 1) else -1

    def test_watch_indexes_what_appears_and_drops_what_goes(self):
        docs = os.path.join(self.tmp, "docs")
        write_reports(docs, 0, 2)
        w = subprocess.Popen([INDEX, "--db", self.db, "--progress=never", "--watch", docs],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.wait_until(lambda: self.count("tok001q") > 0)
            t0 = time.time()
            write_reports(os.path.join(docs, "new-folder"), 7, 1)  # in a folder made after the start
            t1 = self.wait_until(lambda: self.count("tok007q") > 0)
            self.assertLess(t1 - t0, 10)
            os.remove(os.path.join(docs, "r000.txt"))
            self.wait_until(lambda: self.count("tok000q") == 0)
            with open(os.path.join(docs, "r001.txt"), "a", encoding="utf-8") as f:
                f.write("\n\n追加的段落讨论量子通信。\n")
            self.wait_until(lambda: self.count("量子通信") == 1)
        finally:
            w.send_signal(signal.SIGTERM)
            out, err = w.communicate(timeout=30)
        self.assertEqual(w.returncode, 0, err)
        self.assertIn("1 added", err)
        self.assertIn("1 removed", err)
        self.assertIn("1 changed", err)


    def test_a_root_removed_and_made_again_is_watched_again(self):
        """Once its folder was gone, nothing watched for it: a folder made
        again (a disk mounted again) waited for the quarter-hourly run."""
        docs = os.path.join(self.tmp, "docs")
        write_reports(docs, 0, 2)
        w = subprocess.Popen([INDEX, "--db", self.db, "--progress=never", "--watch", docs],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.wait_until(lambda: self.count("tok001q") > 0)
            shutil.rmtree(docs)
            time.sleep(3)  # the run that finds the root gone
            write_reports(docs, 5, 1)
            self.wait_until(lambda: self.count("tok005q") > 0)
        finally:
            w.send_signal(signal.SIGTERM)
            out, err = w.communicate(timeout=30)
        self.assertEqual(w.returncode, 0, err)
        self.assertIn("root no longer exists", err)


class TestNights(TempDirTest):
    """A folder of reports grows over several nights while a --serve
    process and a loop of one-shot searches run: no search ever errors, a
    deleted file's hits never come back once they are gone, and after each
    night the results equal those of a clean --rebuild."""

    QUERIES = ["数据跨境流动", "digital divide", "人工智能治理"]

    def hits(self, db, query):
        p = subprocess.run([SEARCH, "--db", db, "--json", "-n", "100000", "--", query],
                           capture_output=True, text=True, timeout=60)
        return p.returncode, sorted((o["path"], o["lines"][0], o["lines"][1]) for o in map(json.loads, p.stdout.splitlines())
                                    if o.get("type") == "hit")

    def test_nights(self):
        docs = os.path.join(self.tmp, "reports")
        write_reports(docs, 0, 8, paragraphs=60)
        p = run_index(self.db, docs)
        self.assertEqual(p.returncode, 0, p.stderr)
        serve = subprocess.Popen([SEARCH, "--db", self.db, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 text=True, bufsize=1)
        # path -> None (deleted, its removal not seen yet) or the time a
        # search first saw it gone; a search that started after that time
        # must not find it
        problems, gone_seen = [], {}
        done = threading.Event()

        def check_gone(hits, who, started):
            for path in {h[0] for h in hits}:
                when = gone_seen.get(path)
                if when is not None and when < started:
                    problems.append(f"{who}: {path} came back after its removal was seen")

        def watch_gone(hits, finished):
            paths = {h[0] for h in hits}
            for path, when in list(gone_seen.items()):
                if when is None and path not in paths:
                    gone_seen[path] = finished

        def one_shots():
            n = 0
            while not done.is_set():
                q = self.QUERIES[n % len(self.QUERIES)]
                started = time.monotonic()
                rc, hits = self.hits(self.db, q)
                if rc == 2:
                    problems.append(f"one-shot {q}: exit 2")
                check_gone(hits, "one-shot", started)
                n += 1

        loop = threading.Thread(target=one_shots)
        loop.start()
        rid = 0
        try:
            for night in range(4):
                # the night's changes: new reports, one changed, one
                # deleted, one renamed, one replaced by a broken file
                write_reports(docs, 100 + night * 3, 3, paragraphs=60)
                names = sorted(n for n in os.listdir(docs) if n.endswith(".txt"))
                with open(os.path.join(docs, names[0]), "a", encoding="utf-8") as f:
                    f.write(f"\n\n第{night}夜补充：数据跨境流动规则再讨论。\n")
                victim = os.path.join(os.path.realpath(docs), names[1])
                gone_seen[victim] = None
                os.remove(os.path.join(docs, names[1]))
                os.rename(os.path.join(docs, names[2]), os.path.join(docs, f"renamed-{night}-{names[2]}"))
                gone_seen[os.path.join(os.path.realpath(docs), names[2])] = None
                with open(os.path.join(docs, names[3]), "wb") as f:
                    f.write(b"\0\1\2binary" * 100)
                gone_seen[os.path.join(os.path.realpath(docs), names[3])] = None
                indexer = subprocess.Popen([INDEX, "--db", self.db, "--progress=never", docs],
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                           env=dict(os.environ, WENSOU_INDEX_BATCH_MB="0.02"))
                while True:
                    running = indexer.poll() is None
                    for q in self.QUERIES:
                        started = time.monotonic()
                        rid += 1
                        serve.stdin.write(json.dumps({"id": rid, "query": q, "limit": 100000}, ensure_ascii=False) + "\n")
                        serve.stdin.flush()
                        hits = []
                        while True:
                            o = json.loads(serve.stdout.readline())
                            if o["type"] == "hit":
                                hits.append((o["path"], o["lines"][0], o["lines"][1]))
                            elif o["type"] in ("summary", "error"):
                                if o["type"] == "error":
                                    problems.append(f"--serve {q}: {o['message']}")
                                break
                        check_gone(hits, "--serve", started)
                        watch_gone(hits, time.monotonic())
                    if not running:
                        break
                out, err = indexer.communicate()
                self.assertEqual(indexer.returncode, 1, err)  # the broken file
                self.assertIn("binary file", err)
                # after the night: as a clean rebuild
                clean = os.path.join(self.tmp, f"clean-{night}")
                p = run_index(clean, docs)
                self.assertEqual(p.returncode, 1, p.stderr)
                for q in self.QUERIES:
                    self.assertEqual(self.hits(self.db, q), self.hits(clean, q), f"night {night}: {q}")
                shutil.rmtree(clean)
                for path, when in list(gone_seen.items()):
                    if when is None:
                        gone_seen[path] = time.monotonic()
        finally:
            done.set()
            loop.join()
            serve.stdin.close()
            serve.wait(timeout=30)
            serve.stdout.close()
        self.assertEqual(problems, [])


DELVE = shutil.which("xapian-delve")


def revisions(db):
    """Each live shard of the index at db, with its Xapian revision."""
    with open(os.path.join(db, "XAPIANDB"), encoding="utf-8") as f:
        shards = [line.split()[1] for line in f if line.startswith("glass ")]
    out = {}
    for rel in shards:
        p = subprocess.run([DELVE, os.path.join(db, rel)], capture_output=True, text=True, check=True)
        out[rel] = int(re.search(r"revision = (\d+)", p.stdout).group(1))
    return out


@unittest.skipUnless(DELVE, "xapian-delve is not installed (xapian-tools)")
class TestIdleNight(TempDirTest):
    """A night with nothing new writes nothing: a copy or a server of the
    index sees no change, and one changed file moves its own shard only."""

    def test_an_unchanged_night_commits_nothing(self):
        docs = os.path.join(self.tmp, "reports")
        write_reports(docs, 0, 6)
        self.assertEqual(run_index(self.db, docs).returncode, 0)
        self.assertEqual(run_index(self.db, docs).returncode, 0)
        before = revisions(self.db)
        self.assertEqual(len(before), 2)
        for args in ((), (docs,)):
            p = run_index(self.db, *args)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(summary(p.stderr)["unchanged"], 6)
            self.assertEqual(revisions(self.db), before)
        # one changed file: its shard moves, the other one stays
        with open(os.path.join(docs, "r002.txt"), "a", encoding="utf-8") as f:
            f.write("\n\n新增段落 tokadded 的内容。\n")
        p = run_index(self.db)
        self.assertEqual(summary(p.stderr)["changed"], 1, p.stderr)
        after = revisions(self.db)
        self.assertEqual(sorted(k for k in after if after[k] != before[k]).__len__(), 1, (before, after))
        self.assertEqual(search_json(self.db, "tokadded")[1][0]["path"], os.path.join(docs, "r002.txt"))
        # a root given again that is already remembered changes nothing
        p = run_index(self.db, docs)
        self.assertEqual(revisions(self.db), after)


if __name__ == "__main__":
    main()
