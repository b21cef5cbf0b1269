"""The shipped manifest satisfies models/manifest.schema.json and the cross-field rules of
scripts/check_manifest.py, and each kind of mistake is caught (run by CTest)."""
import copy
import json
import os
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from check_manifest import problems  # noqa: E402

with open(os.path.join(ROOT, "models", "manifest.json")) as f:
    SHIPPED = json.load(f)


def broken(edit):
    m = copy.deepcopy(SHIPPED)
    edit(m)
    return problems(m)


class ManifestSchema(unittest.TestCase):
    def test_shipped_manifest_is_valid(self):
        self.assertEqual(problems(SHIPPED), [])

    def test_structural_mistakes_are_caught(self):
        cases = {
            "missing sha256": lambda m: m["stocks"][0].pop("sha256"),
            "bad sha256": lambda m: m["stocks"][0].update(sha256="XYZ"),
            "unknown model_type": lambda m: m["stocks"][0].update(model_type="lstm"),
            "absolute file": lambda m: m["stocks"][0].update(file="/etc/passwd"),
            "file with ..": lambda m: m["stocks"][0].update(file="../x.stkm"),
            "file with scheme": lambda m: m["stocks"][0].update(file="https://x/y.stkm"),
            "level out of range": lambda m: m["interval_levels"].append(1.5),
            "horizon name": lambda m: m["horizon_names"].__setitem__(0, "one day"),
            "negative mape": lambda m: m["stocks"][0]["test_metrics"]["1d"].update(mape=-1),
            "format version": lambda m: m.update(format_version=2),
            "no stocks": lambda m: m.update(stocks=[]),
            "unknown factor kind": lambda m: m["factor_models"][0].update(kind="xgboost"),
            "factor file too big": lambda m: m["factor_models"][2].update(bytes=300000),
            "factor file with ..": lambda m: m["factor_models"][0].update(file="../x.stkm"),
        }
        for name, edit in cases.items():
            with self.subTest(name):
                self.assertNotEqual(broken(edit), [], name)

    def test_cross_field_mistakes_are_caught(self):
        cases = {
            "names vs horizons": lambda m: m["horizon_names"].pop(),
            "decreasing horizons": lambda m: m.update(horizons=list(reversed(m["horizons"]))),
            "file not listed": lambda m: m["stocks"][0].update(file="NOPE.stkm"),
            "sha256 disagrees": lambda m: m["stocks"][0].update(sha256="0" * 64),
            "duplicate symbol": lambda m: m["stocks"].append(copy.deepcopy(m["stocks"][0])),
            "metrics for an unknown horizon": lambda m: m["stocks"][0]["test_metrics"].update({"7d": {"mape": 1, "naive_mape": 1, "n": 1}}),
            "sector lists an unknown stock": lambda m: m["sectors"]["Banking"].append("NOPE"),
            "factor model listed twice": lambda m: m["factor_models"].append(copy.deepcopy(m["factor_models"][0])),
            "factor ranges out of order": lambda m: m["factor_models"][0]["feature_ranges"].reverse(),
            "factor range min > max": lambda m: m["factor_models"][0]["feature_ranges"][0].update(min=9, max=1),
            "linear file over 2 KB": lambda m: m["factor_models"][0].update(bytes=4096),
        }
        for name, edit in cases.items():
            with self.subTest(name):
                self.assertNotEqual(broken(edit), [], name)


if __name__ == "__main__":
    unittest.main()
