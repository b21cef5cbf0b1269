"""scripts/train_factors.py as scripts/train.sh runs it after the LSTM models (--quick, a models
folder of its own): factor_models added back to a manifest that lacks them (what report.py's
manifest step writes), every listed file present with its SHA-256 and loadable by the core, the
manifest valid against the schema, the same bytes on a second run, and the repository's golden
file and models left alone (run by CTest; STOCKCAST_BIN)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from support import BIN, ROOT, sha  # noqa: E402  (and scripts/ on the import path)


class TrainFactors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="stockcast-factors-test-")
        cls.golden = os.path.join(ROOT, "tests", "golden", "factors.json")
        cls.golden_sha = sha(cls.golden)
        cls.shipped_manifest_sha = sha(os.path.join(ROOT, "models", "manifest.json"))
        with open(os.path.join(ROOT, "models", "manifest.json")) as f:
            m = json.load(f)
        m.pop("factor_models", None)  # as report.py's manifest step leaves it
        cls.runs = []
        for k in range(2):
            models = os.path.join(cls.tmp, f"run{k}", "models")
            os.makedirs(models)
            with open(os.path.join(models, "manifest.json"), "w") as f:
                json.dump(m, f)
            r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "train_factors.py"), "--quick",
                                "--stockcast", BIN, "--work", os.path.join(cls.tmp, f"run{k}", "work"), "--models", models],
                               capture_output=True, text=True, timeout=240)
            print(f"--- run{k}\n{r.stdout[-2000:]}{r.stderr[-2000:]}", file=sys.stderr)
            if r.returncode != 0:
                raise AssertionError(f"train_factors.py failed: {r.stderr}")
            cls.runs.append(models)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def manifest(self, k=0):
        with open(os.path.join(self.runs[k], "manifest.json")) as f:
            return json.load(f)

    def test_factor_models_added_back_with_their_files(self):
        m = self.manifest()
        names = [e["name"] for e in m["factor_models"]]
        self.assertEqual(len(names), 22)
        self.assertIn("factor_range_linear", names)
        self.assertIn("factor_highrange_logistic", names)
        self.assertEqual(len(m["stocks"]), 66, "the LSTM part of the manifest is kept")
        for e in m["factor_models"]:
            path = os.path.join(self.runs[0], e["file"])
            self.assertEqual(sha(path), e["sha256"], e["name"])
            self.assertEqual(os.path.getsize(path), e["bytes"], e["name"])
            info = subprocess.run([BIN, "factors", path, "--info"], capture_output=True, text=True)
            self.assertEqual(info.returncode, 0, info.stderr)
            self.assertEqual(json.loads(info.stdout)["kind"], e["kind"])

    def test_manifest_satisfies_the_schema(self):
        from check_manifest import problems
        self.assertEqual(problems(self.manifest()), [])

    def test_deterministic(self):
        a, b = self.manifest(0), self.manifest(1)
        self.assertEqual([(e["name"], e["sha256"]) for e in a["factor_models"]],
                         [(e["name"], e["sha256"]) for e in b["factor_models"]])

    def test_repository_files_left_alone(self):
        self.assertEqual(sha(self.golden), self.golden_sha, "tests/golden/factors.json was overwritten")
        self.assertEqual(sha(os.path.join(ROOT, "models", "manifest.json")), self.shipped_manifest_sha)
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "run0", "work", "factors-golden.json")))


if __name__ == "__main__":
    unittest.main()
