"""scripts/train_transformer.py --quick as scripts/train.sh runs it (Debian python3-torch): the C++
pipeline hands its datasets to the PyTorch fit and writes the model through the one writer; the model
loads in the core as transformer_v1, stays <= 128 KB as float16, gets its manifest entry (kind
"transformer", bytes and SHA-256 of the file) and its REPORT.md section, and scripts/report.py keeps
both when it rewrites them. The repository's models are left alone (run by CTest; STOCKCAST_BIN)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from support import BIN, ROOT, sha  # noqa: E402  (and scripts/ on the import path)


class TrainTransformer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="stockcast-transformer-test-")
        cls.shipped = {p: sha(os.path.join(ROOT, "models", p)) for p in ("manifest.json", "REPORT.md")}
        cls.models = os.path.join(cls.tmp, "models")
        os.makedirs(cls.models)
        with open(os.path.join(ROOT, "models", "manifest.json")) as f:
            m = json.load(f)
        m["models"] = [e for e in m["models"] if e["kind"] != "transformer"]
        with open(os.path.join(cls.models, "manifest.json"), "w") as f:
            json.dump(m, f)
        shutil.copy(os.path.join(ROOT, "models", "REPORT.md"), cls.models)
        r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "train_transformer.py"), "--quick",
                            "--stockcast", BIN, "--work", os.path.join(cls.tmp, "work"), "--models", cls.models],
                           capture_output=True, text=True, timeout=240)
        print(f"{r.stdout[-2000:]}{r.stderr[-2000:]}", file=sys.stderr)
        if r.returncode != 0:
            raise AssertionError(f"train_transformer.py failed: {r.stderr[-2000:]}")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_model_loads_as_a_transformer_within_the_size_budget(self):
        path = os.path.join(self.models, "transformer.stkm")
        self.assertLessEqual(os.path.getsize(path), 128 * 1024)
        r = subprocess.run([BIN, "inspect", path, "--json"], capture_output=True, text=True, check=True)
        h = json.loads(r.stdout)
        self.assertEqual(h["architecture"]["type"], "transformer_v1")
        self.assertEqual((h["architecture"]["window"], h["architecture"]["d_model"], h["architecture"]["heads"]), (30, 64, 4))
        self.assertEqual(h["meta"]["kind"], "transformer")
        self.assertEqual(h["tensors"][0]["dtype"], "f16")
        # the pipeline's calibration, not the fit's: shrinkage and conformal intervals per horizon
        self.assertEqual(sorted(h["metrics"]["validation"]), ["10d", "1d", "30d", "5d"])
        self.assertEqual(len(h["intervals"]["lower"]), 4)

    def test_manifest_entry_and_report_section(self):
        with open(os.path.join(self.models, "manifest.json")) as f:
            m = json.load(f)
        entries = [e for e in m["models"] if e["kind"] == "transformer"]
        self.assertEqual(len(entries), 1)
        e = entries[0]
        self.assertEqual((e["name"], e["file"], e["dtype"]), ("transformer", "transformer.stkm", "f16"))
        self.assertEqual(e["sha256"], sha(os.path.join(self.models, "transformer.stkm")))
        self.assertEqual(e["bytes"], os.path.getsize(os.path.join(self.models, "transformer.stkm")))
        self.assertEqual(sorted(e["test"]), ["10d", "1d", "30d", "5d"])
        for h in e["test"].values():
            self.assertGreater(h["symbols"], 0)
            self.assertGreater(h["median_naive_mape"], 0)
        with open(os.path.join(self.models, "REPORT.md")) as f:
            self.assertIn("## Transformer (pooled", f.read())

    def test_report_py_keeps_the_entry_and_section(self):
        import report
        kept = report.kept_transformer_entries(self.models)
        self.assertEqual([e["file"] for e in kept], ["transformer.stkm"])
        sections = report.kept_report_sections(self.models)
        self.assertEqual(sum(s.startswith("<!-- transformer:") for s in sections), 1)

    def test_repository_models_untouched(self):
        for p, want in self.shipped.items():
            self.assertEqual(sha(os.path.join(ROOT, "models", p)), want, p)


if __name__ == "__main__":
    unittest.main()
