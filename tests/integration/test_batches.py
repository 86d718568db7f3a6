#!/usr/bin/env python3
"""What a search sees while an index is updated: each batch of a run
across every shard at once, or none of it.  The indexer of the
fault-injection build sleeps after each commit (XQ_FAULT_COMMIT_SLEEP_MS),
which opens a wide window between the commits of shard 0 and shard 1;
two files changed in one run, one in each shard, must then appear
together to one-shot searches and to --serve alike.  A batch record left
"committing" by a killed indexer costs searchers nothing and is repaired
by the next run."""

import fcntl
import json
import os
import signal
import subprocess
import threading
import time
import unittest

from harness import INDEX, INDEX_FAULTY, SEARCH, TempDirTest, main, run_index, search_json

HAVE_BINARIES = all(p and os.path.exists(p) for p in (INDEX, INDEX_FAULTY, SEARCH))
SLEEP_MS = 600
PAIR = "tokpairz"


def text(token, extra=""):
    return "\n\n".join(f"{token}第{k}段：全球数字治理与数据跨境流动规则。{extra}The digital divide {k}."
                       for k in range(6)) + "\n"


def generation(db):
    with open(os.path.join(db, "XAPIANDB")) as f:
        return next(line.split()[1].split("/")[0] for line in f if line.startswith("glass"))


def record(db):
    """The live generation's batch record as a dict of its lines, or None."""
    try:
        with open(os.path.join(db, generation(db), "wensou.batch")) as f:
            return dict(line.split(" ", 1) for line in f.read().splitlines() if line and not line.startswith("#"))
    except FileNotFoundError:
        return None


@unittest.skipUnless(HAVE_BINARIES, "wensou-index, wensou-index-faulty or wensou-search not built")
class TestBatches(TempDirTest):
    def setUp(self):
        super().setUp()
        self.docs = os.path.join(self.tmp, "docs")
        os.makedirs(self.docs)
        # 12 files: the chance that all hash to one shard is 2 in 4096
        for i in range(12):
            self.write(i, text(f"tok{i:02d}b"))
        p = run_index(self.db, self.docs)
        self.assertEqual(p.returncode, 0, p.stderr)
        # one file of each shard, by searching each shard alone
        query = " OR ".join(f"tok{i:02d}b" for i in range(12)).split()
        self.pair = []
        for k in (0, 1):
            p, hits = search_json(os.path.join(self.db, f"shard-{k}"), *query, args=["-n", "1000"])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.pair.append(sorted({h["path"] for h in hits})[0])

    def write(self, i, body):
        with open(os.path.join(self.docs, f"r{i:02d}.txt"), "w", encoding="utf-8") as f:
            f.write(body)

    def change_pair(self):
        """Both files of the pair get the word PAIR, for one run."""
        for path in self.pair:
            with open(path, "a", encoding="utf-8") as f:
                f.write(f"\n\n{PAIR}：两个分片同一批次。\n")

    def slow_indexer(self, sleep_ms=SLEEP_MS):
        return subprocess.Popen([INDEX_FAULTY, "--db", self.db, "--progress=never", self.docs],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, XQ_FAULT_COMMIT_SLEEP_MS=str(sleep_ms)))

    def one_shot(self, query=PAIR):
        """The files a one-shot search finds, and its seconds."""
        t = time.monotonic()
        p, hits = search_json(self.db, query, args=["-n", "100"])
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return len({h["path"] for h in hits}), time.monotonic() - t

    def test_a_batch_is_seen_in_every_shard_or_in_none(self):
        self.change_pair()
        serve = subprocess.Popen([SEARCH, "--db", self.db, "--serve"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True, bufsize=1)
        seen = {"one-shot": [], "--serve": []}
        stop = threading.Event()

        def one_shots():
            while not stop.is_set():
                seen["one-shot"].append(self.one_shot()[0])

        loop = threading.Thread(target=one_shots)
        try:
            indexer = self.slow_indexer()
            loop.start()
            rid = 0
            while True:
                running = indexer.poll() is None
                rid += 1
                serve.stdin.write(json.dumps({"id": rid, "query": PAIR, "limit": 100}) + "\n")
                serve.stdin.flush()
                paths = set()
                while True:
                    o = json.loads(serve.stdout.readline())
                    self.assertNotEqual(o["type"], "error", o)
                    if o["type"] == "hit":
                        paths.add(o["path"])
                    elif o["type"] == "summary":
                        break
                seen["--serve"].append(len(paths))
                if not running:
                    break
            _, err = indexer.communicate()
            self.assertEqual(indexer.returncode, 0, err)
        finally:
            stop.set()
            if loop.is_alive():
                loop.join()
            serve.stdin.close()
            serve.wait(timeout=30)
            serve.stdout.close()
        for who, counts in seen.items():
            self.assertNotIn(1, counts, f"{who} saw one shard's half of the batch: {counts}")
            self.assertEqual(counts[-1], 2, f"{who}: {counts}")
        self.assertIn(0, seen["one-shot"] + seen["--serve"])

    def test_a_killed_indexer_s_record_blocks_no_search_and_the_next_run_repairs_it(self):
        self.change_pair()
        # glass rewrites a database's iamglass at each commit
        version = os.path.join(self.db, generation(self.db), "s0", "iamglass")
        before = os.stat(version).st_ino
        indexer = self.slow_indexer(sleep_ms=5000)
        try:
            # killed once shard 0 has committed the batch: the indexer
            # sleeps 5 s after each commit
            deadline = time.monotonic() + 30
            while os.stat(version).st_ino == before and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertEqual(record(self.db)["state"], "committing")
        finally:
            indexer.send_signal(signal.SIGKILL)
            indexer.communicate()
        # the writer is gone: no waiting, files whole (shard 0's half of
        # the batch is what the index holds until the next run)
        for _ in range(3):
            n, seconds = self.one_shot()
            self.assertEqual(n, 1)
            self.assertLess(seconds, 1.5)
        p = subprocess.run([SEARCH, "--db", self.db, "--serve"], input=json.dumps({"id": 1, "query": PAIR}) + "\n",
                           capture_output=True, text=True, timeout=30)
        self.assertIn('"type":"summary"', p.stdout.replace(" ", ""), p.stderr)
        p = run_index(self.db, args=["--check"])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("wensou.batch: a batch was left committed in some shards only", p.stdout)
        p = run_index(self.db, self.docs)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(record(self.db)["state"], "done")
        self.assertEqual(self.one_shot()[0], 2)
        p = run_index(self.db, args=["--check"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_a_commit_that_never_ends_delays_a_search_by_the_bound_only(self):
        """A writer that holds the lock with its record "committing" and
        the shards at other revisions (a disk that stalls): a search
        waits about 2 s for the batch to end, then answers with what the
        shards hold."""
        lock = open(os.path.join(self.db, "wensou.lock"), "a+")
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            path = os.path.join(self.db, generation(self.db), "wensou.batch")
            with open(path, "w") as f:
                f.write("seq 7\nstate committing\nrevisions 9999 9999\n")
            n, seconds = self.one_shot("tok00b")
            self.assertEqual(n, 1)
            self.assertGreater(seconds, 1.8)
            self.assertLess(seconds, 5)
        finally:
            lock.close()
        n, seconds = self.one_shot()
        self.assertLess(seconds, 1.5)


if __name__ == "__main__":
    main()
