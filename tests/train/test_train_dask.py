"""scripts/train.py on a Dask LocalCluster of 2 worker processes (Debian python3-distributed), 3 symbols
with smoke-test options: the model files equal the serial run's byte for byte; unchanged tasks are
not run again; a worker killed in the middle of a task is replaced and every model is still written;
a task that always fails is named and the others are published (run by CTest; STOCKCAST_BIN)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from distributed import LocalCluster

from support import BIN, ROOT  # noqa: E402

NSE = os.path.join(ROOT, "models", "data", "nse")
SYMBOLS = ["SCOM", "EQTY", "KCB"]
MODELS = ["general.stkm"] + [s + ".stkm" for s in SYMBOLS]


def only(src, dst, symbols):
    """The CSV's header and the rows of these symbols."""
    with open(src) as f, open(dst, "w") as g:
        lines = f.readlines()
        g.writelines([lines[0]] + [ln for ln in lines[1:] if ln.split(",")[0] in symbols])


class TrainOnDask(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="stockcast-dask-test-")
        cls.data = os.path.join(cls.tmp, "data")
        os.makedirs(os.path.join(cls.data, "prices"))
        for name in ("symbols.csv", "events.csv"):
            only(os.path.join(NSE, name), os.path.join(cls.data, name), SYMBOLS)
        for s in SYMBOLS:
            shutil.copy(os.path.join(NSE, "prices", s + ".csv"), os.path.join(cls.data, "prices"))
        with open(os.path.join(cls.data, "prices", "BAD.csv"), "w") as f:  # not in symbols.csv
            f.write("date,low,high,close,prev_close,volume\n2020-01-02,1,1,not-a-price,,\n")
        cls.cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        cls.serial = cls.train("serial", "--serial")  # with backtest and report
        if cls.serial.returncode != 0:
            raise AssertionError(f"serial run failed: {cls.serial.stderr}")

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()
        shutil.rmtree(cls.tmp)

    @classmethod
    def train(cls, name, *args, binary=BIN, specific=SYMBOLS):
        run = subprocess.run(
            [sys.executable, os.path.join(ROOT, "scripts", "train.py"), "--bin", binary, "--data", cls.data,
             "--models", os.path.join(cls.tmp, name, "models"), "--work", os.path.join(cls.tmp, name, "work"),
             "--specific", ",".join(specific), "--quick", "--trained-at", "2026-01-01", *args],
            capture_output=True, text=True, timeout=240)
        print(f"--- {name}\n{run.stdout}{run.stderr}", file=sys.stderr)
        return run

    def on_cluster(self, name, *args, **kw):
        return self.train(name, "--scheduler", self.cluster.scheduler_address, "--no-backtest", *args, **kw)

    def assertSameModels(self, name):
        for m in MODELS:
            with open(os.path.join(self.tmp, "serial", "models", m), "rb") as f, \
                    open(os.path.join(self.tmp, name, "models", m), "rb") as g:
                self.assertEqual(f.read(), g.read(), f"{name}/{m} differs from the serial run's")

    def manifest(self, name):
        with open(os.path.join(self.tmp, name, "models", "manifest.json")) as f:
            return json.load(f)

    def test_serial_run_writes_manifest_and_report(self):
        m = self.manifest("serial")
        self.assertEqual(sorted(s["symbol"] for s in m["stocks"] if s["model_type"] == "stock_specific"),
                         sorted(SYMBOLS))
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "serial", "models", "REPORT.md")))

    def test_cluster_matches_serial_and_skips_unchanged_tasks(self):
        run = self.on_cluster("cluster")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertSameModels("cluster")
        run = self.on_cluster("cluster")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout.count("unchanged, not run"), 5, run.stdout)
        os.remove(os.path.join(self.tmp, "cluster", "work", "tasks", "lstm-SCOM", "model-f32.stkm"))
        run = self.on_cluster("cluster")
        self.assertEqual(run.stdout.count("unchanged, not run"), 4, run.stdout)
        self.assertIn("[1/1] lstm-SCOM", run.stdout)
        self.assertSameModels("cluster")

    def test_killed_worker_is_replaced(self):
        # A stockcast that kills its parent, the Dask worker process, the first time it trains KCB.
        marker = os.path.join(self.tmp, "killed-worker-pid")
        wrapper = os.path.join(self.tmp, "stockcast-killer")
        with open(wrapper, "w") as f:
            f.write(f'#!/bin/sh\ncase " $* " in *" --symbol KCB "*)\n'
                    f'  if [ ! -e {marker} ]; then echo $PPID > {marker}; kill -9 $PPID; sleep 5; exit 1; fi;;\n'
                    f'esac\nexec {BIN} "$@"\n')
        os.chmod(wrapper, 0o755)
        run = self.on_cluster("killed", binary=wrapper)
        self.assertEqual(run.returncode, 0, run.stderr)
        with open(marker) as f:
            pid = int(f.read())
        with self.assertRaises(ProcessLookupError):
            os.kill(pid, 0)  # that worker is gone
        self.assertSameModels("killed")

    def test_failing_task_is_named_and_the_others_are_published(self):
        stale = os.path.join(self.tmp, "failing", "models", "BAD.stkm")
        os.makedirs(os.path.dirname(stale))
        shutil.copy(os.path.join(self.tmp, "serial", "models", "KCB.stkm"), stale)
        run = self.on_cluster("failing", "--retries", "1", specific=SYMBOLS + ["BAD"])
        self.assertEqual(run.returncode, 1)
        self.assertIn("lstm-BAD: stockcast train: invalid_input: prices of BAD line 2", run.stderr)
        self.assertSameModels("failing")
        self.assertFalse(os.path.exists(stale))  # an older BAD model is not published with this run
        m = self.manifest("failing")
        self.assertEqual(sorted(s["symbol"] for s in m["stocks"] if s["model_type"] == "stock_specific"),
                         sorted(SYMBOLS))


if __name__ == "__main__":
    unittest.main()
