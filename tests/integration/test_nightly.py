#!/usr/bin/env python3
"""Nightly reindexing left unattended: the systemd units."""

import os
import shutil
import subprocess
import unittest

from harness import INDEX, SEARCH, SOURCE_ROOT, TempDirTest, main, run_index, search_json, summary

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


if __name__ == "__main__":
    main()
