"""The training task list and the function that runs one task (imported by scripts/train.py and,
through Client.upload_file, by Dask workers; standard library only).

A task is one `stockcast train` run: files in (price files, events.csv, optionally the model it starts
from), files out (model files and a log), deterministic given its seed. Its cache key is the content
hash of those inputs, of the `stockcast` binary and its options; scripts/train.py skips a task whose
key.json, next to its outputs, still matches. A new model kind adds a function returning its tasks
to KINDS.
"""
import csv
import hashlib
import os
import resource
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

# Stock-specific models: the one list (scripts/report.py reads it too).
SPECIFIC = "SCOM EQTY KCB COOP ABSA SCBK EABL BAT UNGA BRIT JUB CIC BAMB ARM NMG".split()
GENERAL_SEEDS = (11, 7)  # two general-model candidates; the lower validation loss wins
OPTIONS = {  # the shipped models' options (docs/training.md); quick: a smoke test of the whole flow
    "shipped": {"general": "--lr 0.0003 --epochs 14 --patience 4 --epoch-samples 40000 --batch 128",
                "stock": "--epochs 30 --patience 5 --batch 64 --lr 0.0003"},
    "quick": {"general": "--lr 0.0003 --epochs 1 --epoch-samples 1000 --max-train-windows 5000",
              "stock": "--epochs 1 --max-train-windows 300"},
}
MODEL_OUT = ["--out", "{out}/model.stkm", "--out-f32", "{out}/model-f32.stkm"]


@dataclass
class Task:
    name: str         # unique; also its folder under WORK/tasks/
    kind: str
    # `stockcast` arguments; {data}, {out}, {init} and {trained_at} are filled in where it runs
    # (paths and the date are not part of the cache key, the template is)
    argv: list
    inputs: list      # files under the data folder that it reads
    # model.stkm becomes models/<publish>, model-f32.stkm WORK/f32/<publish> (the float16 check); tasks
    # with the same publish name are candidates: the lowest validation loss is published
    publish: str
    init: str = ""    # the published model it starts from ("general.stkm"); it runs after that one
    outputs: list = field(default_factory=lambda: ["model.stkm", "model-f32.stkm"])


def lstm_general(symbols_in_catalogue, options, _specific):
    prices = [f"prices/{s}.csv" for s in symbols_in_catalogue]
    return [Task(f"lstm-general-seed{seed}", "lstm_general",
                 ["train", "--data", "{data}", "--general", "--seed", str(seed), *options["general"].split(),
                  "--trained-at", "{trained_at}", *MODEL_OUT],
                 ["symbols.csv", "events.csv", *prices], "general.stkm")
            for seed in GENERAL_SEEDS]


def lstm_stock(_catalogue, options, specific):
    # fine-tuned from the general model (docs/training.md)
    return [Task(f"lstm-{s}", "lstm_stock",
                 ["train", "--data", "{data}", "--symbol", s, "--init", "{init}", *options["stock"].split(),
                  "--trained-at", "{trained_at}", *MODEL_OUT],
                 [f"prices/{s}.csv", "events.csv"], f"{s}.stkm", init="general.stkm")
            for s in specific]


KINDS = [lstm_general, lstm_stock]


def catalogue(data):
    with open(os.path.join(data, "symbols.csv"), newline="") as f:
        return [r["symbol"] for r in csv.DictReader(f)]


def task_list(data, options="shipped", specific=None):
    cat = catalogue(data)
    return [t for kind in KINDS for t in kind(cat, OPTIONS[options], SPECIFIC if specific is None else specific)]


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def task_key(task, data, binary_sha, init_sha=""):
    """What the task's outputs depend on. A missing input file is part of the key (None): the
    task then fails where it runs, and is reported, rather than the driver."""
    inputs = {}
    for p in task.inputs:
        full = os.path.join(data, p)
        inputs[p] = sha256_file(full) if os.path.exists(full) else None
    return {"argv": task.argv, "inputs": inputs, "init": init_sha, "stockcast": binary_sha}


class TaskFailed(Exception):
    pass


def run_task(task, key, data, binary, trained_at, init_bytes=None):
    """Runs one task here (a worker, or the driver when serial) and returns its outputs as bytes,
    so workers need the binary and the price files but no shared output folder."""
    if sha256_file(binary) != key["stockcast"]:  # another build gives other bytes
        raise TaskFailed(f"{binary} on {socket.gethostname()} is not the driver's stockcast")
    for p, want in key["inputs"].items():
        full = os.path.join(data, p)
        if want is not None and (not os.path.exists(full) or sha256_file(full) != want):
            raise TaskFailed(f"{full} on {socket.gethostname()} differs from the driver's copy")
    t0, cpu0 = time.time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory(prefix="stockcast-task-") as tmp:
        init = os.path.join(tmp, "init.stkm")
        if init_bytes is not None:
            with open(init, "wb") as f:
                f.write(init_bytes)
        out = os.path.join(tmp, "out")
        os.mkdir(out)
        argv = [a.format(data=data, out=out, init=init, trained_at=trained_at) for a in task.argv]
        run = subprocess.run([binary, *argv], capture_output=True, text=True)
        log = run.stdout + run.stderr
        if run.returncode != 0:
            last = (run.stderr.strip().splitlines() or [f"exit status {run.returncode}"])[-1]
            raise TaskFailed(last)
        files = {}
        for name in task.outputs:
            with open(os.path.join(out, name), "rb") as f:
                files[name] = f.read()
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # one task at a time per worker process
    return {"name": task.name, "files": files, "log": log, "seconds": time.time() - t0,
            "cpu_seconds": cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime,
            "where": f"{socket.gethostname()}:{os.getpid()}"}
