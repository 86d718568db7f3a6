#!/usr/bin/env python3
"""Beyond one machine, on Xapian's own means: shards served by
xapian-tcpsrv (on 127.0.0.1, a free port, started and stopped here) or by
xapian-progsrv, joined with local ones by a stub file.  What a search
answers through the stub is what it answers from the one index the shards
came from, hit for hit; a server killed or stopped mid-session is named,
within --timeout, with exit 2 (one-shot) or an error answer (--serve,
which reaches the server again once it is back)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import unittest

from harness import INDEX, SEARCH, SHARED, HAVE_SHARED, SOURCE_ROOT, TempDirTest, main, run_index

TCPSRV = shutil.which("xapian-tcpsrv")
PROGSRV = shutil.which("xapian-progsrv")
HAVE_BINARIES = all(p and os.path.exists(p) for p in (INDEX, SEARCH))
NO_TOOLS = "xapian-tcpsrv/xapian-progsrv not installed (xapian-tools; scripts/install-deps installs it)"

SENTENCES = [
    "全球数字治理需要各国在联合国框架下加强对话与合作。",
    "数据跨境流动规则的制定关系到数字经济的长远发展。",
    "人工智能治理应当坚持以人为本、智能向善的原则。",
    "The digital divide remains a central challenge for developing countries.",
    "Open source software underpins much of the world's digital infrastructure.",
    "数字基础设施建设是缩小数字鸿沟的关键举措。",
]

# (query words, options): every kind of query and filter, each output mode
QUERIES = [
    (["数据跨境流动"], []),
    (["数字鸿沟"], ["-n", "50"]),
    (["digital", "divide"], ["-n", "100"]),
    (['"open source"'], []),
    (["人工智能", "OR", "联合国"], ["-n", "200"]),
    (["治理", "-人工智能"], ["-n", "30"]),
    (["数字"], ["--since", "2021", "--until", "2023", "-n", "40"]),
    (["数字"], ["--year", "2022"]),
    (["治理"], ["--source", "研究院", "-n", "20"]),
    (["title:白皮书", "数字"], ["-n", "20"]),
    (["source:联合国"], ["-n", "20"]),
    (["数字", "治理"], ["--per-doc", "2", "-n", "20"]),
    (["数据"], ["--offset", "7", "-n", "9"]),
    (["governance"], ["--files"]),
    (["数字治理"], ["--count"]),
    (["digital"], ["--count"]),
    (["全球数字治理"], ["--vimgrep"]),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TcpServer:
    """xapian-tcpsrv serving one database on 127.0.0.1; the test stops it.
    It forks a process per connection: signal() reaches them all (a
    session of its own), as when the server's machine dies or hangs."""

    def __init__(self, path, port=None):
        self.path = path
        self.port = port or free_port()
        self.p = subprocess.Popen([TCPSRV, "--interface", "127.0.0.1", "--port", str(self.port), path],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.time() + 20
        while True:
            if self.p.poll() is not None:
                raise AssertionError(f"xapian-tcpsrv exited: {self.p.stderr.read().decode(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise AssertionError("xapian-tcpsrv does not listen")
                time.sleep(0.05)

    def signal(self, sig):
        try:
            os.killpg(self.p.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self):
        self.signal(signal.SIGCONT)
        self.signal(signal.SIGKILL)
        self.p.wait()
        self.p.stderr.close()


class ServeClient:
    """One wensou-search --serve; answers are read on a thread."""

    def __init__(self, args):
        self.p = subprocess.Popen([SEARCH, "--serve", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, bufsize=1)
        self.lines = []
        self.cv = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            with self.cv:
                self.lines.append(json.loads(line))
                self.cv.notify_all()

    def ask(self, rid, query, timeout=60, **fields):
        self.p.stdin.write(json.dumps({"id": rid, "query": query, **fields}, ensure_ascii=False) + "\n")
        self.p.stdin.flush()
        deadline = time.time() + timeout
        with self.cv:
            while not any(o.get("id") == rid and o["type"] in ("summary", "error") for o in self.lines):
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError(f"no answer to {rid} in {timeout} s")
                self.cv.wait(left)
            return [o for o in self.lines if o.get("id") == rid]

    def close(self):
        if self.p.poll() is None:
            self.p.stdin.close()
            try:
                return self.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        return self.p.returncode


def report(token, paragraphs, seed):
    out = []
    for i in range(paragraphs):
        body = "".join(SENTENCES[(seed * 7 + i * 3 + k) % len(SENTENCES)] for k in range(3))
        out.append(f"{token}第{i}段。{body}")
    return "\n\n".join(out) + "\n"


def search(db, words, opts, timeout_s=None):
    args = [SEARCH, "--db", db, *(["--timeout", str(timeout_s)] if timeout_s else [])]
    json_out = not any(o in ("--files", "--count", "--vimgrep") for o in opts)
    cmd = args + (["--json"] if json_out else []) + opts + ["--", *words]
    t = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    p.elapsed = time.time() - t
    if json_out:
        objs = [json.loads(line) for line in p.stdout.splitlines()]
        for o in objs:
            o.pop("elapsed_ms", None)
        p.answer = objs
    else:
        p.answer = p.stdout
    return p


@unittest.skipUnless(HAVE_BINARIES, "wensou binaries not built")
@unittest.skipUnless(TCPSRV and PROGSRV, NO_TOOLS)
class RemoteTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.servers = []
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.close()
        for s in self.servers:
            s.stop()
        super().tearDown()

    def serve(self, path, port=None):
        s = TcpServer(path, port)
        self.servers.append(s)
        return s

    def corpus(self, name, seed, with_samples):
        docs = os.path.join(self.tmp, name)
        os.makedirs(docs)
        for i in range(12):
            with open(os.path.join(docs, f"{name}-r{i:02d}-20{20 + i % 4}.txt"), "w", encoding="utf-8") as f:
                f.write(report(f"tok{name}{i:02d}x", 8 + (i * 5 + seed) % 17, seed + i))
        if with_samples and SOURCE_ROOT:
            shutil.copytree(os.path.join(SOURCE_ROOT, "corpus"), os.path.join(docs, "samples"))
        if with_samples and HAVE_SHARED:
            shutil.copytree(SHARED, os.path.join(docs, "reports"))
        return docs

    def build(self, name, *docs, args=()):
        db = os.path.join(self.tmp, name)
        p = run_index(db, *docs, args=args)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return db

    def stub(self, name, *lines):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write("# joined by the test\n" + "\n".join(lines) + "\n")
        return path

    def assert_same_answers(self, one, joined, what):
        """Every hit the same; the summaries too, but for Xapian's
        estimate of the total, which it works out otherwise when part of
        the match runs on a server (counts, --count, are exact)."""
        answered = 0
        for words, opts in QUERIES:
            a, b = search(one, words, opts), search(joined, words, opts)
            where = f"{what}: {words} {opts}"
            self.assertIn(a.returncode, (0, 1), a.stderr)
            self.assertEqual((b.returncode, b.stderr), (a.returncode, a.stderr), where)
            if isinstance(a.answer, list):
                sa, sb = a.answer[-1], b.answer[-1]
                self.assertEqual(sa["type"], "summary")
                self.assertGreaterEqual(sb.pop("estimated_total"), sb["hits"], where)
                sa.pop("estimated_total")
            self.assertEqual(b.answer, a.answer, where)
            answered += a.returncode == 0
        self.assertGreater(answered, len(QUERIES) - 3, "too few queries have hits to compare")

    def test_a_shard_served_remotely_answers_as_the_one_index(self):
        """gen-N/s0 read locally, shard 1 through xapian-tcpsrv
        DIR/shard-1: the same hits, order, scores, paths, lines,
        snippets, filters and counts as the index itself."""
        db = self.build("index", self.corpus("a", 1, True))
        srv = self.serve(os.path.join(db, "shard-1"))
        joined = self.stub("joined.stub", f"auto {db}/shard-0", f"remote 127.0.0.1:{srv.port}")
        self.assert_same_answers(db, joined, "tcpsrv")
        # the program form, as over ssh (here without it)
        piped = self.stub("piped.stub", f"auto {db}/shard-0", f"remote :{PROGSRV} {db}/shard-1")
        self.assert_same_answers(db, piped, "progsrv")
        # and a stub may be one --db among several
        one = search(db, ["数字"], ["--count"])
        q = subprocess.run([SEARCH, "--db", joined, "--db", db, "--count", "--", "数字"], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(q.returncode, 0, q.stderr)
        self.assertGreater(int(one.answer), 0)
        self.assertEqual(int(q.stdout), 2 * int(one.answer))

    def two_machines(self):
        """One index of two corpora, and a stub joining an index of the
        first here with the two shards of the second's, each served."""
        a, b = self.corpus("a", 1, True), self.corpus("b", 5, False)
        here, there, both = self.build("here", a), self.build("there", b), self.build("both", a, b)
        srv0, srv1 = self.serve(os.path.join(there, "shard-0")), self.serve(os.path.join(there, "shard-1"))
        return both, self.stub("two.stub", f"auto {here}", f"remote 127.0.0.1:{srv0.port}",
                               f"remote 127.0.0.1:{srv1.port}")

    def test_tallies_over_remote_shards_equal_the_local_ones(self):
        """--by-year and --by-source over shards a server serves take the
        engine's --files and a --count per bucket (the servers do not pass
        on every file record); over local shards, one pass counting each
        file's passages: the same numbers."""
        both, joined = self.two_machines()
        tallied = 0
        for words, opts in [(["数据"], ["--by-year"]), (["治理"], ["--by-source"]),
                            (["数字治理"], ["--by-year", "--since", "2021"]), (["数字鸿沟"], ["--by-source"]),
                            (["qqqzzz"], ["--by-year"])]:
            x, y = search(both, words, opts), search(joined, words, opts)
            self.assertEqual((y.returncode, y.answer), (x.returncode, x.answer), f"{words} {opts}: {y.stderr}")
            tallied += sum(o["type"] != "total" for o in x.answer)
        self.assertGreater(tallied, 5, "too few buckets to compare")

    def test_two_machines_rank_as_one_combined_index(self):
        """Two indexes built apart (one here, one served), searched as one,
        rank as one index of both corpora does: the same scores in the
        same order, the same passages (ties may part by document id)."""
        both, joined = self.two_machines()
        compared = 0
        for words, opts in QUERIES:
            if any(o in ("--files", "--vimgrep", "--offset", "--per-doc") for o in opts):
                continue  # a tie parted otherwise changes which hits these show
            if "--count" not in opts:
                opts = [o for i, o in enumerate(opts) if o != "-n" and (i == 0 or opts[i - 1] != "-n")]
                opts += ["-n", "5000"]
            x, y = search(both, words, opts), search(joined, words, opts)
            self.assertEqual(y.returncode, x.returncode, f"{words}: {y.stderr}")
            if "--count" in opts:
                self.assertEqual(y.answer, x.answer, words)
                continue
            hx = [o for o in x.answer if o["type"] == "hit"]
            hy = [o for o in y.answer if o["type"] == "hit"]
            self.assertEqual([round(h["score"], 6) for h in hy], [round(h["score"], 6) for h in hx], words)
            key = lambda h: (round(h["score"], 6), h["path"], h["lines"], h["snippet"], h["highlights"])
            self.assertEqual(sorted(map(key, hy)), sorted(map(key, hx)), words)
            compared += len(hx)
        self.assertGreater(compared, 200)

    def test_a_killed_server_is_named_within_the_timeout(self):
        db = self.build("index", self.corpus("a", 1, False))
        srv = self.serve(os.path.join(db, "shard-1"))
        joined = self.stub("joined.stub", f"auto {db}/shard-0", f"remote 127.0.0.1:{srv.port}")
        name = f"remote shard 127.0.0.1:{srv.port}"
        self.assertEqual(search(joined, ["数字"], [], timeout_s=2).returncode, 0)
        client = ServeClient(["--db", joined, "--timeout", "2"])
        self.clients.append(client)
        first = client.ask(1, "数字鸿沟")
        self.assertEqual(first[-1]["type"], "summary", first)
        self.assertGreater(first[-1]["hits"], 0)

        srv.signal(signal.SIGKILL)
        srv.p.wait()
        # between searches: a one-shot search fails naming the shard
        p = search(joined, ["数字"], [], timeout_s=2)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(name, p.stderr)
        self.assertLess(p.elapsed, 2 + 3)
        # mid-session: the request is answered with an error naming it,
        # and the process goes on serving
        t = time.time()
        err = client.ask(2, "数字鸿沟", timeout=2 + 10)
        self.assertLess(time.time() - t, 2 + 3)
        self.assertEqual(err[-1]["type"], "error", err)
        self.assertIn(name, err[-1]["message"])
        self.assertIsNone(client.p.poll())
        # the server back on its port: the next request reaches it
        self.servers.remove(srv)
        srv.stop()
        self.serve(os.path.join(db, "shard-1"), port=srv.port)
        again = client.ask(3, "数字鸿沟")
        self.assertEqual(again[-1]["type"], "summary", again)
        self.assertEqual(again[-1]["hits"], first[-1]["hits"])
        self.assertEqual(client.close(), 0)

    def test_a_stopped_server_is_named_within_the_timeout(self):
        """A server that accepts but never answers (SIGSTOP): the search
        gives up after --timeout, naming the shard, instead of hanging."""
        db = self.build("index", self.corpus("a", 1, False))
        srv = self.serve(os.path.join(db, "shard-1"))
        joined = self.stub("joined.stub", f"auto {db}/shard-0", f"remote 127.0.0.1:{srv.port}")
        client = ServeClient(["--db", joined, "--timeout", "1.5"])
        self.clients.append(client)
        self.assertEqual(client.ask(1, "数据")[-1]["type"], "summary")
        srv.signal(signal.SIGSTOP)
        for opts in ([], ["--count"]):
            p = search(joined, ["数据"], opts, timeout_s=1.5)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(f"remote shard 127.0.0.1:{srv.port} did not answer in time", p.stderr)
            self.assertLess(p.elapsed, 1.5 + 3)
        t = time.time()
        err = client.ask(2, "数据", timeout=20)
        self.assertLess(time.time() - t, 1.5 + 3)
        self.assertEqual(err[-1]["type"], "error", err)
        self.assertIn(f"remote shard 127.0.0.1:{srv.port}", err[-1]["message"])
        srv.signal(signal.SIGCONT)
        self.assertEqual(client.ask(3, "数据")[-1]["type"], "summary")

    def test_a_server_of_a_whole_index_cannot_answer_title(self):
        """xapian-tcpsrv DIR serves both shards as one database, whose
        metadata Xapian takes from the first only: plain searches work,
        source: too (from the source terms, which it passes on in full),
        and title: says why it cannot be answered rather than miss files."""
        db = self.build("index", self.corpus("a", 1, True))
        srv = self.serve(db)
        joined = self.stub("whole.stub", f"remote 127.0.0.1:{srv.port}")
        a, b = search(db, ["数字鸿沟"], ["-n", "50"]), search(joined, ["数字鸿沟"], ["-n", "50"])
        self.assertEqual(b.answer, a.answer)
        a, b = search(db, ["source:联合国", "数字"], ["--files"]), search(joined, ["source:联合国", "数字"], ["--files"])
        self.assertEqual(b.returncode, 0, b.stderr)
        self.assertNotEqual(a.answer, "")
        self.assertEqual(b.answer, a.answer)
        p = search(joined, ["title:白皮书", "数字"], [])
        self.assertEqual(p.returncode, 2)
        self.assertIn("serve each shard on its own", p.stderr)

    def test_shards_analysed_differently_are_refused(self):
        docs = self.corpus("a", 1, False)
        folded, kept = self.build("folded", docs), self.build("kept", docs, args=["--no-fold-traditional"])
        srv = self.serve(os.path.join(kept, "shard-0"))
        joined = self.stub("mixed.stub", f"auto {folded}/shard-0", f"remote 127.0.0.1:{srv.port}")
        p = search(joined, ["数字"], [])
        self.assertEqual(p.returncode, 2)
        self.assertIn("different wensou versions or analysis options", p.stderr)

    def test_a_bad_stub_line_and_a_refused_connection_are_clear(self):
        db = self.build("index", self.corpus("a", 1, False))
        bad = self.stub("bad.stub", f"auto {db}/shard-0", "remote :")
        p = search(bad, ["数字"], [])
        self.assertEqual(p.returncode, 2)
        self.assertIn("line 3", p.stderr)
        port = free_port()
        refused = self.stub("refused.stub", f"auto {db}/shard-0", f"remote 127.0.0.1:{port}")
        p = search(refused, ["数字"], [], timeout_s=2)
        self.assertEqual(p.returncode, 2)
        self.assertIn(f"remote shard 127.0.0.1:{port} failed", p.stderr)
        self.assertIn("is its server running?", p.stderr)
        for bad_timeout in ("0", "-1", "x", "9999"):
            p = search(db, ["数字"], [], timeout_s=bad_timeout)
            self.assertEqual(p.returncode, 2)
            self.assertIn("--timeout expects seconds", p.stderr)


def processes_running(argv):
    """The pids of processes whose command line is argv."""
    want = "\0".join(argv) + "\0"
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/cmdline") as f:
                    if f.read() == want:
                        pids.append(int(name))
            except OSError:
                pass
    return pids


@unittest.skipUnless(HAVE_BINARIES, "wensou binaries not built")
@unittest.skipUnless(os.path.isdir("/proc/self"), "needs /proc")
class TestRemoteProgramLeftBehind(TempDirTest):
    """Xapian 1.4 leaves the program of a "remote :PROGRAM" whose
    handshake failed running (or a zombie): one per failed open, one per
    request of a --serve whose remote is down."""

    def tearDown(self):
        for pid in processes_running(self.argv):
            os.kill(pid, signal.SIGKILL)
        super().tearDown()

    def test_a_program_that_does_not_answer_is_ended(self):
        sleep = shutil.which("sleep")
        self.argv = [sleep, "47.25"]  # a command line no one else runs
        stub = os.path.join(self.tmp, "silent.stub")
        with open(stub, "w") as f:
            f.write(f"remote :{sleep} 47.25\n")
        p = search(stub, ["数字"], [], timeout_s=0.3)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("did not answer in time", p.stderr)
        self.assertEqual(processes_running(self.argv), [], "the one-shot search left its program running")
        requests = "".join(json.dumps({"id": i, "query": "数字"}) + "\n" for i in range(3))
        p = subprocess.run([SEARCH, "--db", stub, "--timeout", "0.3", "--serve"], input=requests,
                           capture_output=True, text=True, timeout=60)
        answers = [json.loads(line) for line in p.stdout.splitlines()]
        self.assertEqual([a["type"] for a in answers], ["error"] * 3, p.stdout)
        self.assertEqual(processes_running(self.argv), [], "--serve left a program running per request")


if __name__ == "__main__":
    main()
