#!/usr/bin/env python3
"""Trains every model as independent tasks (scripts/train_tasks.py) on Dask distributed, then writes
the models, the manifest, the test-year backtests and REPORT.md once, from the gathered results.

  train.py --bin BUILD/stockcast [--scheduler tcp://HOST:8786 | --workers N | --serial]
           [--data DIR] [--models DIR] [--work DIR] [--specific A,B,...] [--quick]
           [--retries N] [--trained-at DATE] [--no-backtest]

Without --scheduler: a LocalCluster of N workers (default 2) on this machine. --serial: the tasks one
after another in this process, without Dask. The model files do not depend on which. Workers need
--bin and --data at the same paths (or --worker-bin / --worker-data); outputs come back as bytes.
A task whose key.json (WORK/tasks/NAME/) matches its inputs is not run again. On Dask a failed task is
retried (--retries, default 2), then named on stderr; the others are published and the exit status
is 1.
"""
import argparse
import datetime
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import report  # noqa: E402
import train_tasks as tt  # noqa: E402

ROOT = os.path.dirname(HERE)
TEST_FROM, TEST_TO = report.TEST_FROM, report.TEST_TO


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", required=True, help="the stockcast binary")
    p.add_argument("--data", default=os.path.join(ROOT, "models", "data", "nse"))
    p.add_argument("--models", default=os.path.join(ROOT, "models"))
    p.add_argument("--work", default=os.path.join(ROOT, "build-train", "train-work"))
    p.add_argument("--worker-bin", help="the binary's path on the workers (default --bin)")
    p.add_argument("--worker-data", help="the data folder's path on the workers (default --data)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://HOST:8786")
    how.add_argument("--serial", action="store_true", help="no Dask: one task after another, here")
    p.add_argument("--workers", type=int, default=2, help="LocalCluster workers (default 2; not with the two above)")
    p.add_argument("--specific", help="stock-specific models (default: train_tasks.SPECIFIC)")
    p.add_argument("--quick", action="store_true", help="smoke-test options instead of the shipped ones")
    p.add_argument("--retries", type=int, default=2)
    p.add_argument("--trained-at", default=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
                   help="date written into the models (not part of the cache key)")
    p.add_argument("--no-backtest", action="store_true", help="write the manifest only (no backtest, no report)")
    a = p.parse_args(argv)
    a.bin = os.path.abspath(a.bin)
    a.worker_bin = a.worker_bin or a.bin
    a.worker_data = a.worker_data or os.path.abspath(a.data)
    a.specific = None if a.specific is None else [s for s in a.specific.split(",") if s]
    return a


class Serial:
    def run(self, todo, a, inits):
        for t, key in todo:
            try:
                yield t, key, tt.run_task(t, key, a.worker_data, a.worker_bin, a.trained_at, inits.get(t.init)), None
            except Exception as e:  # noqa: BLE001 -- reported by name, the others go on
                yield t, key, None, e

    def close(self):
        pass


class OnDask:
    def __init__(self, a):
        from distributed import Client, LocalCluster
        self.cluster = None
        if a.scheduler:
            self.client = Client(a.scheduler)
        else:
            # failures are reported below, by name: no worker log lines with each task's arguments
            self.cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        self.client.upload_file(tt.__file__)  # workers import run_task from it (new workers too)
        info = self.client.scheduler_info()
        where = f"dashboard {self.client.dashboard_link}" if a.scheduler else "LocalCluster"
        print(f"Dask: {info['address']}, {len(info['workers'])} workers ({where})")
        self.retries = a.retries

    def run(self, todo, a, inits):
        from distributed import as_completed
        # sent once, not with every task; a task rather than scatter() so that the scheduler can
        # recompute it if the worker holding it dies
        inits = {name: self.client.submit(bytes, b, pure=False) for name, b in inits.items()}
        futures = {self.client.submit(tt.run_task, t, key, a.worker_data, a.worker_bin, a.trained_at,
                                      inits.get(t.init), key=f"{t.name}-{uuid.uuid4().hex[:8]}",
                                      retries=self.retries, pure=False): (t, key) for t, key in todo}
        for f in as_completed(futures):
            t, key = futures[f]
            if f.status == "finished":
                yield t, key, f.result(), None
            else:
                yield t, key, None, f.exception()
            f.release()

    def close(self):
        self.client.close()
        if self.cluster:
            self.cluster.close()


def task_dir(a, t):
    return os.path.join(a.work, "tasks", t.name)


def cached(a, t, key):
    try:
        with open(os.path.join(task_dir(a, t), "key.json")) as f:
            saved = json.load(f)
        return saved["key"] == key and all(
            tt.sha256_file(os.path.join(task_dir(a, t), n)) == h for n, h in saved["outputs"].items())
    except (OSError, ValueError, KeyError):
        return False


def save(a, t, key, res):
    d = task_dir(a, t)
    os.makedirs(d, exist_ok=True)
    if os.path.exists(os.path.join(d, "key.json")):
        os.remove(os.path.join(d, "key.json"))  # until the new outputs are all written
    for name, b in res["files"].items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(b)
    with open(os.path.join(d, "log.txt"), "w") as f:
        f.write(res["log"])
    outputs = {n: tt.sha256_file(os.path.join(d, n)) for n in res["files"]}
    with open(os.path.join(d, "key.json.tmp"), "w") as f:
        json.dump({"key": key, "outputs": outputs}, f, indent=1)
    os.replace(os.path.join(d, "key.json.tmp"), os.path.join(d, "key.json"))


def train(a, ex, tasks):
    """Runs the tasks in rounds (a task waits for the model it starts from); returns
    {publish name: task folder} and {task name: reason} of the failed ones."""
    binary_sha = tt.sha256_file(a.bin)
    published, failed = {}, {}
    remaining = list(tasks)
    while remaining:
        ready = [t for t in remaining if not t.init or t.init in published]
        if not ready:
            failed.update({t.name: f"needs {t.init}, which no task produced" for t in remaining})
            break
        remaining = [t for t in remaining if t not in ready]
        inits = {}
        for name in {t.init for t in ready if t.init}:
            with open(os.path.join(published[name], "model.stkm"), "rb") as f:
                inits[name] = f.read()
        todo = []
        for t in ready:
            key = tt.task_key(t, a.data, binary_sha, hashlib.sha256(inits[t.init]).hexdigest() if t.init else "")
            if cached(a, t, key):
                print(f"  {t.name}: unchanged, not run")
            else:
                todo.append((t, key))
        done = 0
        for t, key, res, err in ex.run(todo, a, inits):
            done += 1
            if err is None:
                save(a, t, key, res)
                print(f"[{done}/{len(todo)}] {t.name}: {res['seconds']:.1f} s (CPU {res['cpu_seconds']:.1f} s) on {res['where']}",
                      flush=True)
            else:
                failed[t.name] = str(err) or type(err).__name__
                print(f"[{done}/{len(todo)}] {t.name}: FAILED: {failed[t.name]}", file=sys.stderr, flush=True)
        for name in sorted({t.publish for t in ready}):
            cands = [os.path.join(task_dir(a, t), "model.stkm") for t in ready
                     if t.publish == name and t.name not in failed]
            if cands:
                published[name] = os.path.dirname(report.pick(cands) if len(cands) > 1 else cands[0])
                if len(cands) > 1:
                    print(f"  {name}: {os.path.basename(published[name])}")
    return published, failed


def publish(a, published, all_names):
    """Copies the models into --models (float32 twins into WORK/f32); removes the files of models
    that no task produced this time, so the manifest lists only this run's models."""
    f32 = os.path.join(a.work, "f32")
    shutil.rmtree(f32, ignore_errors=True)
    os.makedirs(f32)
    os.makedirs(a.models, exist_ok=True)
    for name in all_names:
        if name in published:
            shutil.copyfile(os.path.join(published[name], "model.stkm"), os.path.join(a.models, name))
            shutil.copyfile(os.path.join(published[name], "model-f32.stkm"), os.path.join(f32, name))
        elif os.path.exists(os.path.join(a.models, name)):
            os.remove(os.path.join(a.models, name))
    return f32


def main(argv=None):
    a = parse(sys.argv[1:] if argv is None else argv)
    start = time.time()
    report.STOCKCAST = a.bin  # headers are read through `stockcast inspect --json`
    tasks = tt.task_list(a.data, "quick" if a.quick else "shipped", a.specific)
    ex = Serial() if a.serial else OnDask(a)
    try:
        published, failed = train(a, ex, tasks)
    finally:
        ex.close()
    train_s = time.time() - start
    if "general.stkm" not in published:
        print(f"no general model: nothing published; failed: {', '.join(sorted(failed))}", file=sys.stderr)
        return 1
    f32 = publish(a, published, {t.publish for t in tasks})
    specific = ",".join(sorted(n[:-5] for n in published if n != "general.stkm"))
    d = ["--data", a.data, "--specific", specific]
    report.cmd_manifest(["--models", a.models, *d])
    if not a.no_backtest:
        bt, bt32 = os.path.join(a.models, "backtest-test-year.csv"), os.path.join(a.work, "backtest-test-year-f32.csv")
        backtest = [a.bin, "backtest", "--prices", os.path.join(a.data, "prices"), "--from", TEST_FROM, "--to", TEST_TO]
        subprocess.run([*backtest, "--manifest", os.path.join(a.models, "manifest.json"), "--out", bt], check=True)
        report.cmd_manifest(["--models", f32, *d])
        subprocess.run([*backtest, "--manifest", os.path.join(f32, "manifest.json"), "--out", bt32], check=True,
                       stdout=subprocess.DEVNULL)
        report.cmd_report(["--models", a.models, *d, "--backtest", bt, "--backtest-f32", bt32,
                           "--wall-seconds", str(round(time.time() - start))])
    print(f"done: training {train_s:.0f} s, total {time.time() - start:.0f} s")
    if failed:
        print(f"{len(failed)} task(s) failed, their models are not published:", file=sys.stderr)
        for name, why in sorted(failed.items()):
            print(f"  {name}: {why}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
