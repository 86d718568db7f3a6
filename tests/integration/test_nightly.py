#!/usr/bin/env python3
"""Nightly reindexing left unattended: the systemd units."""

import os
import shutil
import subprocess
import unittest

from harness import INDEX, SOURCE_ROOT, TempDirTest, main

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


if __name__ == "__main__":
    main()
