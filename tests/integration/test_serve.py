#!/usr/bin/env python3
"""wensou-search --serve driven from a script, as an editor drives it:
many requests in one process with bad ones between them, cancels, a
reindex in the middle, as-you-type prefixes, and the end of input."""

import json
import os
import subprocess
import threading
import time
import unittest

from harness import INDEX, SEARCH, TempDirTest, main, run_index

HAVE_BINARIES = all(p and os.path.exists(p) for p in (INDEX, SEARCH))

TEXTS = {
    "governance.txt": "Data governance and AI governance frameworks are being drafted.\n\n"
                      "全球数字治理需要各国加强对话与合作，数据跨境流动规则尤为关键。\n",
    "government.txt": "The government published a white paper on digital trade.\n\n"
                      "数字鸿沟问题在发展中国家依然突出，需要加强数字基础设施建设。\n",
    "ai.md": "# 人工智能\n\n人工智能治理应当坚持以人为本、智能向善的原则，联合国正在推动全球对话。\n",
}


class Server:
    """One --serve process; answers are read on a thread of their own."""

    def __init__(self, db):
        self.p = subprocess.Popen([SEARCH, "--db", db, "--serve"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.lines = []
        self.cv = threading.Condition()
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stdout:
            with self.cv:
                self.lines.append(json.loads(line))
                self.cv.notify_all()

    def send(self, obj_or_text):
        text = obj_or_text if isinstance(obj_or_text, str) else json.dumps(obj_or_text, ensure_ascii=False)
        self.p.stdin.write(text + "\n")
        self.p.stdin.flush()

    def wait_for(self, pred, timeout=30):
        deadline = time.time() + timeout
        with self.cv:
            while not any(pred(o) for o in self.lines):
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError("no such answer; got %r" % self.lines[-5:])
                self.cv.wait(left)

    def answer(self, rid, timeout=30):
        """The objects answering request rid, once its summary, error or
        cancellation has come."""
        self.wait_for(lambda o: o.get("id") == rid and o["type"] in ("summary", "error", "cancelled"), timeout)
        with self.cv:
            return [o for o in self.lines if o.get("id") == rid]

    def close(self):
        self.p.stdin.close()
        rc = self.p.wait(timeout=30)
        self.t.join(timeout=10)
        self.p.stdout.close()
        self.stderr = self.p.stderr.read()
        self.p.stderr.close()
        return rc

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        for f in (self.p.stdin, self.p.stdout, self.p.stderr):
            try:
                f.close()
            except (OSError, ValueError):
                pass


@unittest.skipUnless(HAVE_BINARIES, "wensou-index or wensou-search not built")
class TestServe(TempDirTest):
    def setUp(self):
        super().setUp()
        self.docs = os.path.join(self.tmp, "docs")
        os.makedirs(self.docs)
        for name, text in TEXTS.items():
            with open(os.path.join(self.docs, name), "w", encoding="utf-8") as f:
                f.write(text)
        p = run_index(self.db, self.docs)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.kill()
        super().tearDown()

    def server(self, db=None):
        s = Server(db or self.db)
        self.servers.append(s)
        return s

    def test_answers_are_the_json_hits_tagged_with_the_id(self):
        s = self.server()
        s.send({"id": 1, "query": "数字鸿沟", "limit": 5})
        got = s.answer(1)
        one_shot = subprocess.run([SEARCH, "--db", self.db, "--json", "-n", "5", "数字鸿沟"],
                                  capture_output=True, text=True).stdout.splitlines()
        want = [json.loads(x) for x in one_shot]
        for o in got + want:
            o.pop("elapsed_ms", None)
            o.pop("score", None)
        for o in got:
            self.assertEqual(o.pop("id"), 1)
        summary = got[-1]
        self.assertEqual(summary.pop("version"), 1)
        self.assertEqual(got, want)
        self.assertEqual(s.close(), 0)

    def test_partial_matches_words_being_typed(self):
        s = self.server()
        s.send({"id": "a", "query": "gover", "partial": True, "limit": 10})
        hits = [o for o in s.answer("a") if o["type"] == "hit"]
        self.assertEqual(sorted(os.path.basename(h["path"]) for h in hits), ["governance.txt", "government.txt"])
        for h in hits:
            a, b = h["highlights"][0]
            self.assertTrue(h["snippet"].encode()[a:b].decode().startswith("gover"), h)
        # without partial, a prefix is only a word
        s.send({"id": "b", "query": "gover", "limit": 10})
        self.assertEqual([o["type"] for o in s.answer("b")], ["summary"])
        # a Chinese run being typed matches as a run
        s.send({"id": "c", "query": "人工智", "partial": True})
        self.assertTrue(any(o["type"] == "hit" for o in s.answer("c")))
        self.assertEqual(s.close(), 0)

    def test_bad_requests_get_errors_and_the_process_keeps_serving(self):
        s = self.server()
        bad = [
            ("not json", None, "not JSON"),
            ("[1,2]", None, "JSON object"),
            ('{"id":5,"query":"x","colour":"red"}', 5, "unknown field"),
            ('{"id":6,"query":7}', 6, "must be a string"),
            ('{"id":7,"query":"x","limit":0}', 7, "from 1"),
            ('{"id":8,"query":"x","year":"2023"}', 8, "whole number"),
            ('{"id":9}', 9, 'needs a "query"'),
            ('{"id":10,"query":"\\"open"}', 10, "never closed"),
            ('{"id":11,"query":"x","year":2023,"since":2020}', 11, "cannot be combined"),
            ('{"id":[1],"query":"x"}', None, '"id" must be'),
            ('{"id":12,"query":"x","partial":"yes"}', 12, "true or false"),
            ("", None, "an empty line"),  # was jansson's "'[' or '{' expected near end of file"
            (" \t", None, "an empty line"),
        ]
        for text, _, _ in bad:
            s.send(text)
        s.send("x" * (1 << 20 + 1))  # over 1 MB
        s.send({"id": 13, "query": "数字治理"})
        self.assertEqual(s.answer(13)[-1]["type"], "summary")
        errors = [o for o in s.lines if o["type"] == "error"]
        self.assertEqual(len(errors), len(bad) + 1)
        for (text, rid, words), e in zip(bad, errors):
            self.assertEqual(e.get("id"), rid, text)
            self.assertIn(words, e["message"], text)
        self.assertIn("longer than 1 MB", errors[-1]["message"])
        self.assertEqual(s.close(), 0)

    def test_an_overlong_request_is_answered_with_a_null_id(self):
        s = self.server()
        s.send('{"id":2,"query":"' + "a" * (2 << 20) + '"}')
        s.send("not json")
        s.send({"id": 3, "query": "数字治理"})
        s.answer(3)
        long, bad = [o for o in s.lines if o["type"] == "error"]
        # every object has "id" right after "type", null when none is read
        for e in (long, bad):
            self.assertEqual(list(e)[:2], ["type", "id"], e)
            self.assertIsNone(e["id"], e)
        self.assertEqual(long["message"], "the request is longer than 1 MB")
        self.assertEqual(s.close(), 0)

    def test_a_cancel_drops_a_waiting_request(self):
        # enough passages that one request takes a while
        for i in range(150):
            with open(os.path.join(self.docs, f"bulk{i:03d}.txt"), "w", encoding="utf-8") as f:
                f.write("\n\n".join(f"数字治理报告第{i}篇第{k}段，讨论数据跨境流动与人工智能治理。" for k in range(40)))
        p = run_index(self.db, self.docs)
        self.assertEqual(p.returncode, 0, p.stderr)
        s = self.server()
        s.send({"id": 0, "query": "数字鸿沟"})
        s.answer(0)  # open and warm
        lines = [{"id": 1, "query": "数字治理", "limit": 100000}, {"id": 2, "query": "数字鸿沟"},
                 {"id": 3, "query": "人工智能"}, {"cancel": 3}]
        s.send("\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
        self.assertEqual(s.answer(3), [{"type": "cancelled", "id": 3}])
        self.assertEqual(s.answer(2)[-1]["type"], "summary")
        self.assertGreater(len(s.answer(1)), 1000)
        # a cancel of what has been answered is ignored
        s.send({"cancel": 2})
        s.send({"id": 4, "query": "数字鸿沟"})
        self.assertEqual(s.answer(4)[-1]["type"], "summary")
        self.assertEqual(s.close(), 0)

    def test_a_thousand_requests_with_bad_ones_and_a_reindex_between(self):
        s = self.server()
        queries = ["数字鸿沟", "人工智能", "governance", "数据跨境流动", "联合国 对话", "gover", "数字", "white paper"]
        sent = {}
        for i in range(1000):
            if i % 10 == 7:
                s.send('{"id":%d,"query":' % i)  # broken JSON: no id can be read
                continue
            if i == 500:
                s.answer(i - 1)
                with open(os.path.join(self.docs, "late.txt"), "w", encoding="utf-8") as f:
                    f.write("新加入的报告讨论量子通信标准。\n")
                p = run_index(self.db, self.docs)
                self.assertEqual(p.returncode, 0, p.stderr)
                s.send({"id": i, "query": "量子通信"})
                sent[i] = "late"
                continue
            q = queries[i % len(queries)]
            s.send({"id": i, "query": q, "partial": i % 3 == 0, "limit": 3})
            sent[i] = q
        s.answer(999)
        late = s.answer(500)
        self.assertEqual([os.path.basename(o["path"]) for o in late if o["type"] == "hit"], ["late.txt"])
        for i in sent:
            ans = s.answer(i)
            self.assertEqual(ans[-1]["type"], "summary", (i, ans[-1]))
        self.assertEqual(sum(1 for o in s.lines if o["type"] == "error"), 100)
        self.assertEqual(s.close(), 0)

    def test_a_rebuild_under_a_server_is_seen(self):
        s = self.server()
        s.send({"id": 1, "query": "量子通信"})
        self.assertEqual([o["type"] for o in s.answer(1)], ["summary"])
        with open(os.path.join(self.docs, "late.txt"), "w", encoding="utf-8") as f:
            f.write("新加入的报告讨论量子通信标准。\n")
        for _ in range(2):  # two swaps: the generation the server had open is gone
            p = run_index(self.db, self.docs, args=["--rebuild"])
            self.assertEqual(p.returncode, 0, p.stderr)
        s.send({"id": 2, "query": "量子通信"})
        self.assertEqual([o["type"] for o in s.answer(2)], ["hit", "summary"])
        self.assertEqual(s.close(), 0)

    def test_no_index_is_an_error_per_request_and_then_found(self):
        db = os.path.join(self.tmp, "later")
        s = self.server(db)
        s.send({"id": 1, "query": "数字"})
        self.assertIn("no index", s.answer(1)[0]["message"])
        p = run_index(db, self.docs)
        self.assertEqual(p.returncode, 0, p.stderr)
        s.send({"id": 2, "query": "数字鸿沟"})
        self.assertEqual(s.answer(2)[-1]["type"], "summary")
        self.assertEqual(s.close(), 0)

    def test_serve_takes_no_query_or_filters(self):
        for args in (["--serve", "数字"], ["--serve", "--json"], ["--serve", "--year", "2023"]):
            p = subprocess.run([SEARCH, "--db", self.db, *args], capture_output=True, text=True, input="")
            self.assertEqual(p.returncode, 2, args)
            self.assertIn("--serve", p.stderr)


    def test_a_rejected_serve_writes_nothing_on_stdout(self):
        # no request was read, so there is nothing to answer: the reason
        # goes to stderr alone, --json or not (doc/serve.md)
        for args in (["--serve", "--json"], ["--json", "--serve"], ["--serve", "--json", "数字"]):
            p = subprocess.run([SEARCH, "--db", self.db, *args], capture_output=True, text=True, input="")
            self.assertEqual(p.returncode, 2, args)
            self.assertEqual(p.stdout, "", args)
            self.assertIn("--serve", p.stderr)

    def test_a_reader_that_closes_the_pipe_early_is_not_an_error(self):
        reqs = os.path.join(self.tmp, "requests")
        for name, pairs in (("requests", ['{"id":%d,"query":"数据"}']),
                            ("cancelled requests", ['{"id":%d,"query":"数据"}', '{"cancel":%d}'])):
            with open(reqs, "w", encoding="utf-8") as f:
                for i in range(20000):
                    f.write("".join(x % i + "\n" for x in pairs))
            with open(reqs, encoding="utf-8") as f:
                p = subprocess.Popen([SEARCH, "--db", self.db, "--serve"], stdin=f, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
                self.assertIn('"id":0', p.stdout.readline())
                p.stdout.close()  # as `| head -1` does
                rc = p.wait(timeout=60)
                err = p.stderr.read()
                p.stderr.close()
            self.assertEqual((rc, err), (0, ""), name)
        # a real write error is still one, with its reason
        with open(reqs, encoding="utf-8") as f, open("/dev/full", "w") as full:
            p = subprocess.run([SEARCH, "--db", self.db, "--serve"], stdin=f, stdout=full,
                               stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, "wensou-search: cannot write the answers: No space left on device\n")


if __name__ == "__main__":
    main()
